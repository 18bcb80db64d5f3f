"""The links tracked emails were sent with. A click URL names its link by
id, signed for one tracking (``mail.tracking.email._click_signature``): the
redirect goes only where an email of ours pointed, never to a URL the
request brings."""

import hashlib

from odoo import api, fields, models
from odoo.tools import SQL

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
            self.env.cr.execute(
                SQL(
                    """WITH new AS (INSERT INTO mail_tracking_link (url, url_hash) VALUES %s
                                    ON CONFLICT (url_hash) DO NOTHING RETURNING url_hash, id)
                       SELECT url_hash, id FROM new
                        UNION ALL
                       SELECT url_hash, id FROM mail_tracking_link WHERE url_hash IN %s""",
                    SQL(", ").join(SQL("(%s, %s)", url, digest) for digest, url in missing.items()),
                    tuple(missing),
                )
            )
            found = dict(self.env.cr.fetchall())
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
