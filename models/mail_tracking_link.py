"""The links tracked emails were sent with. A click URL names its link by
id, signed for one tracking (``mail.tracking.email._click_signature``): the
redirect goes only where an email of ours pointed, never to a URL the
request brings."""

import hashlib

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, escape_psql, table_exists

from ..tools.link_privacy import address_forms, page_of

#: Where ``_ids_for_urls`` keeps, for the transaction (the data of its
#: precommit callbacks, dropped on commit and rollback), the ids it found.
LINK_CACHE_KEY = "mail_activity_tracking.links"


def url_hash(url):
    return hashlib.sha256(url.encode()).hexdigest()


class MailTrackingLink(models.Model):
    _name = "mail.tracking.link"
    _description = "Link of a tracked email"
    _log_access = False

    url = fields.Text(string="URL", required=True, readonly=True)
    # URLs may be longer than an index entry holds: their hash is the key
    url_hash = fields.Char(required=True, readonly=True)
    sent_date = fields.Date(
        string="Last sent",
        readonly=True,
        help="The day an email last carried this link: retention clears what it may say of a person after that.",
    )

    _url_hash_unique = models.UniqueIndex("(url_hash)")

    @api.model
    def _ids_for_urls(self, urls):
        """``{url: id}`` of ``urls``, those never sent before added: one
        query whatever their number, none for URLs of this transaction
        already seen, and no error when another transaction adds the same."""
        cache = self.env.cr.precommit.data.setdefault(LINK_CACHE_KEY, {})
        missing = {url_hash(url): url for url in urls if url not in cache}
        if missing:
            self.flush_model()
            # one statement: the new rows, and those there already (the
            # statement's snapshot does not see the rows it inserts)
            today = fields.Date.context_today(self)
            self.env.cr.execute(
                SQL(
                    """WITH new AS (INSERT INTO mail_tracking_link (url, url_hash, sent_date) VALUES %s
                                    ON CONFLICT (url_hash) DO NOTHING RETURNING url_hash, id, sent_date)
                       SELECT url_hash, id, sent_date FROM new
                        UNION ALL
                       SELECT url_hash, id, sent_date FROM mail_tracking_link WHERE url_hash IN %s""",
                    SQL(", ").join(SQL("(%s, %s, %s)", url, digest, today) for digest, url in missing.items()),
                    tuple(missing),
                )
            )
            rows = self.env.cr.fetchall()
            found = {digest: link_id for digest, link_id, _sent_date in rows}
            self._note_sent_today([link_id for _digest, link_id, sent_date in rows if sent_date != today], today)
            if len(found) < len(missing):
                # added meanwhile by a transaction that committed since the statement began
                self.env.cr.execute(
                    SQL(
                        "SELECT url_hash, id FROM mail_tracking_link WHERE url_hash IN %s",
                        tuple(set(missing) - set(found)),
                    )
                )
                found.update(self.env.cr.fetchall())
            cache.update((missing[digest], link_id) for digest, link_id in found.items())
        return {url: cache[url] for url in urls}

    def _auto_init(self):
        """Links of a database that had them before their ``sent_date``
        count as sent on the day of the upgrade."""
        cr = self.env.cr
        if table_exists(cr, self._table) and not column_exists(cr, self._table, "sent_date"):
            cr.execute(SQL("ALTER TABLE mail_tracking_link ADD COLUMN sent_date date DEFAULT current_date"))
            cr.execute(SQL("ALTER TABLE mail_tracking_link ALTER COLUMN sent_date DROP DEFAULT"))
        return super()._auto_init()

    @api.model
    def _note_sent_today(self, link_ids, today):
        """Links sent again: at most once a day each, skipping those another
        transaction is noting (it notes the same day)."""
        if link_ids:
            self.env.cr.execute(
                SQL(
                    """UPDATE mail_tracking_link SET sent_date = %(today)s
                        WHERE id IN (SELECT id FROM mail_tracking_link
                                      WHERE id IN %(ids)s AND (sent_date IS NULL OR sent_date < %(today)s)
                                        FOR UPDATE SKIP LOCKED)""",
                    today=today,
                    ids=tuple(link_ids),
                )
            )

    @api.model
    def _naming_sql(self, addresses):
        """The condition on ``url`` of the links that name one of
        ``addresses`` (``tools.link_privacy.address_forms``)."""
        forms = [f"%{escape_psql(form)}%" for address in addresses for form in address_forms(address)]
        return SQL("url ILIKE ANY(%s)", forms)

    @api.model
    def _naming(self, addresses):
        addresses = [address for address in addresses if address]
        if not addresses:
            return self.browse()
        self.flush_model(["url"])
        self.env.cr.execute(SQL("SELECT id FROM mail_tracking_link WHERE %s", self._naming_sql(addresses)))
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _privacy_anonymize(self, addresses=()):
        """Each link keeps its page only (``tools.link_privacy.page_of``): a
        click on it still leads there. Its hash is no URL's any more, so the
        link is never given to a new email."""
        for link in self:
            link.write({"url": page_of(link.url, addresses), "url_hash": f"cleared:{link.id}"})
        self.env.cr.precommit.data.pop(LINK_CACHE_KEY, None)

    @api.model
    def _clear_personal_data(self, before):
        """The links not sent since ``before`` lose their query and their
        fragment, where a person's data goes; return how many."""
        self.flush_model(["url", "url_hash", "sent_date"])
        self.env.cr.execute(
            SQL(
                """UPDATE mail_tracking_link
                      SET url = regexp_replace(url, '[?#].*$', ''), url_hash = 'cleared:' || id
                    WHERE sent_date < %s AND url ~ '[?#]'""",
                before,
            )
        )
        cleared = self.env.cr.rowcount
        self.invalidate_model(["url", "url_hash"])
        self.env.cr.precommit.data.pop(LINK_CACHE_KEY, None)
        return cleared
