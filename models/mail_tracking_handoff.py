"""What the open pixel, the click redirect and the mail providers' webhooks
hand over: a pixel hit, a click or a verified webhook request is kept in
this table by the request that brought it, committed before the answer leaves, and recorded shortly after
by the hand-off writer (``services/handoff_writer.py``), in batches; the
cron ``ir_cron_record_handoffs`` records what a process that ended left.
A row is deleted by the transaction that records it: nothing answered is
lost, nothing is recorded twice."""

import json
import logging

from psycopg2.errors import UniqueViolation

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.provider_payloads import PARSERS
from ..tools.states import ENGAGEMENT_EVENTS
from .ir_mail_server_provider import TRACKING_PROVIDERS

_logger = logging.getLogger(__name__)

#: How many waiting rows one transaction records at most.
MAX_BATCH = 500
#: The kinds of the rows that are open-pixel hits and clicks: the types of
#: the events they are recorded as. The others are webhook requests, of the
#: provider their kind names.
OPEN, CLICK = ENGAGEMENT_EVENTS


class MailTrackingHandoff(models.Model):
    _name = "mail.tracking.handoff"
    _description = "Pixel hit, click or webhook request waiting to be recorded"
    _order = "id"
    _log_access = False

    kind = fields.Selection(
        [(OPEN, "Open-pixel hit"), (CLICK, "Click"), *TRACKING_PROVIDERS], required=True, readonly=True
    )
    # plain integers, no foreign keys: keeping a row takes no lock on the
    # row it names, so it never waits for a transaction holding it
    tracking_email_id = fields.Integer(readonly=True, help="The tracking whose pixel was hit or link clicked.")
    link_id = fields.Integer(readonly=True, help="The link clicked (mail.tracking.link).")
    mail_server_id = fields.Integer(readonly=True, help="The mail server whose webhook received the request.")
    payload = fields.Text(
        readonly=True,
        help="JSON: the client of a pixel hit or a click; the events of a webhook request, as its provider sent them.",
    )

    @api.model
    def _add_hit(self, tracking_id, token, metadata):
        """Keep a hit of the pixel of ``tracking_id`` if ``token`` is its
        token, in one statement that no row lock holds up. The tokens are
        compared by their SHA-256 digests: how long the comparison takes
        tells nothing of the token. Return whether it was kept."""
        rows = self.env.execute_query(
            SQL(
                """INSERT INTO mail_tracking_handoff (kind, tracking_email_id, payload)
                   SELECT %s, id, %s FROM mail_tracking_email
                    WHERE id = %s AND sha256(convert_to(token, 'UTF8')) = sha256(convert_to(%s, 'UTF8'))
                   RETURNING id""",
                OPEN,
                json.dumps(metadata),
                tracking_id,
                token,
            )
        )
        return bool(rows)

    @api.model
    def _add_click(self, tracking_id, link_id, metadata, keep=True):
        """Keep the click on the link ``link_id`` in the email of
        ``tracking_id`` when ``keep`` (and the tracking still exists), in
        one statement that no row lock holds up. The click URL is checked
        already: the pair is signed.

        :return: ``(url, kept)``: the URL of the link (``None`` when there is
            no such link), and whether the click was kept
        """
        rows = self.env.execute_query(
            SQL(
                """WITH link AS (SELECT id, url FROM mail_tracking_link WHERE id = %(link)s),
                        kept AS (INSERT INTO mail_tracking_handoff (kind, tracking_email_id, link_id, payload)
                                 SELECT %(kind)s, tracking.id, link.id, %(payload)s
                                   FROM link JOIN mail_tracking_email tracking ON tracking.id = %(tracking)s
                                  WHERE %(keep)s
                                 RETURNING id)
                   SELECT url, (SELECT count(*) FROM kept) FROM link""",
                link=link_id,
                kind=CLICK,
                payload=json.dumps(metadata),
                tracking=tracking_id,
                keep=keep,
            )
        )
        return (rows[0][0], bool(rows[0][1])) if rows else (None, False)

    @api.model
    def _add_webhook_request(self, provider, server_id, payload, replay_key=None):
        """Keep a verified webhook request of mail server ``server_id``,
        ``payload`` being what ``PARSERS[provider]`` reads, in one
        statement. With a ``replay_key`` (a Mailgun token), the request is
        kept only if the key was not seen before, and the key is remembered
        (``mail.tracking.webhook.token``). Return whether it was kept."""
        values = SQL("%s, %s, %s", provider, server_id, json.dumps(payload))
        if replay_key:
            query = SQL(
                """WITH new_key AS (%s)
                   INSERT INTO mail_tracking_handoff (kind, mail_server_id, payload)
                   SELECT %s FROM new_key RETURNING id""",
                self.env["mail.tracking.webhook.token"]._insert_query(replay_key),
                values,
            )
        else:
            query = SQL(
                "INSERT INTO mail_tracking_handoff (kind, mail_server_id, payload) VALUES (%s) RETURNING id", values
            )
        return bool(self.env.execute_query(query))

    @api.model
    def _record_waiting(self, limit=MAX_BATCH):
        """Record up to ``limit`` waiting rows, oldest first, in a
        transaction that begins here (``_claim_waiting``); those that cannot
        be recorded now (a tracking another transaction holds) stay for a
        later run.

        :return: ``(recorded, left)``: how many rows this run took off the
            table, and how many of those it claimed it had to leave waiting
        """
        rows = self._claim_waiting(limit)
        engagement = rows.filtered(lambda row: row.kind in ENGAGEMENT_EVENTS)
        done = engagement._record_engagement() | (rows - engagement)._record_webhook_requests()
        done.unlink()
        return len(done), len(rows) - len(done)

    @api.model
    def _claim_waiting(self, limit):
        """The oldest ``limit`` waiting rows, locked for this transaction,
        which must begin here.

        The writers of every server on the database record the same table,
        one at a time: each takes the table's writers' lock (which the
        pixel's inserts do not wait for) before its transaction reads
        anything. Its snapshot is taken after the writer before it
        committed, so that the rows and trackings it recorded are seen as
        they are now, never as a concurrent update that PostgreSQL refuses
        to lock at the REPEATABLE READ level of Odoo's transactions."""
        self.env.cr.execute(SQL("LOCK TABLE mail_tracking_handoff IN SHARE UPDATE EXCLUSIVE MODE"))
        # sudo: rows were verified when kept; this runs for the server, not a user
        query = self.sudo()._search([], limit=limit, order="id")
        ids = [row_id for (row_id,) in self.env.execute_query(SQL("%s FOR UPDATE SKIP LOCKED", query.select()))]
        # sudo: as above
        return self.sudo().browse(ids)

    def _record_engagement(self):
        """Record these pixel hits and clicks as open and click events; return
        the rows done (recorded, or of a tracking deleted since), leaving
        those of a tracking another transaction holds."""
        # sudo: the rows were verified when kept; the writer records for the server
        Tracking = self.env["mail.tracking.email"].sudo()
        existing = Tracking.browse(set(self.mapped("tracking_email_id"))).exists()
        free = {tracking.id: tracking for tracking in existing.try_lock_for_update()}
        held = set(existing.ids) - set(free)
        done = self.filtered(lambda row: row.tracking_email_id not in held)
        urls = done._link_urls()
        for kind, rows in done.grouped("kind").items():
            Tracking._record_events(
                kind,
                [
                    (free[row.tracking_email_id], row._event_metadata(urls))
                    for row in rows
                    if row.tracking_email_id in free
                ],
            )
        return done

    def _link_urls(self):
        """``{link id: URL}`` of the links these rows clicked."""
        # sudo: the links table is the server's
        links = self.env["mail.tracking.link"].sudo().browse(set(self.mapped("link_id")) - {0})
        return {link.id: link.url for link in links.exists()}

    def _event_metadata(self, urls):
        """The metadata of the event ``self``, a pixel hit or a click, is
        recorded as; a click's with the URL of its link (an Email
        Marketing link's URL is in its payload already)."""
        metadata = json.loads(self.payload)
        if self.kind == CLICK and self.link_id:
            metadata["url"] = urls.get(self.link_id)
        return metadata

    def _record_webhook_requests(self):
        """Record the events of these webhook requests, those of a provider
        in one go (``_record_provider_events`` records each provider event
        once); return the requests done. When the events of a provider
        cannot be recorded together, each request is tried alone: one that
        fails, or whose events another writer is recording at the same
        time, stays for a later run."""
        done = self.browse()
        for requests in self.grouped("kind").values():
            if requests._record_requests_of_a_provider():
                done |= requests
            elif len(requests) > 1:
                done |= requests.filtered(lambda request: request._record_requests_of_a_provider())
        # sudo: the time of the last event received is for system administrators
        servers = self.env["ir.mail_server"].sudo().browse(set(done.mapped("mail_server_id"))).exists()
        servers._tracking_events_received()
        return done

    def _record_requests_of_a_provider(self):
        """Record the events of these requests, all of one provider, in a
        savepoint; return whether they were."""
        provider = self[:1].kind
        try:
            with self.env.cr.savepoint():
                events = [event for request in self for event in PARSERS[provider](json.loads(request.payload))]
                self.env["mail.tracking.email"]._record_provider_events(provider, events)
        except UniqueViolation:
            _logger.info("Events of %s being recorded by another writer: left for a later run", provider)
            return False
        except Exception:
            _logger.warning("Webhook requests %s of %s not recorded yet", self.ids, provider, exc_info=True)
            return False
        return True

    @api.model
    def _cron_record_waiting(self):
        """Backstop of the writer thread: rows of a process that ended before
        its thread recorded them, or of trackings held at the time. Each
        batch in a transaction of its own (see ``_claim_waiting``)."""
        self.env["ir.cron"]._commit_progress()
        while True:
            done, left = self._record_waiting()
            time_left = self.env["ir.cron"]._commit_progress(done)
            if not done or done + left < MAX_BATCH or not time_left:
                break
