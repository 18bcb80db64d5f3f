import psycopg2

from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..tools.context_keys import MAILS_DELETED_KEY, PROVIDER_KEY, SENDING_RUN_KEY, SKIP_TRACKING_KEY, SMTP_HOST_KEY
from ..tools.open_pixel import with_open_pixel
from ..tools.sending_run import SendingRun
from .mail_tracking_email_sending_run import SENDING_FIELDS


class MailMail(models.Model):
    _inherit = "mail.mail"

    mail_tracking_ids = fields.One2many("mail.tracking.email", "mail_id", string="Email trackings")

    @api.model_create_multi
    def create(self, vals_list):
        mails = super().create(vals_list)
        if not self.env.context.get(SKIP_TRACKING_KEY):
            # sudo: the trackings are the server's record of what it sends, whoever queues the mail
            self.env["mail.tracking.email"].sudo().create(mails._tracking_values(vals_list))
        mails.filtered(lambda mail: mail.email_to or mail.email_cc)._tracking_store_raw_recipients()
        return mails

    def unlink(self):
        # Odoo deletes the mails, then their messages: the trackings let go of
        # the mails with them
        return super(MailMail, self.with_context(**{MAILS_DELETED_KEY: True})).unlink()

    def write(self, vals):
        if vals.get("state") == "outgoing":
            self._tracking_reset_errors()
        return super().write(vals)

    def _tracking_values(self, vals_list):
        """One tracking per recipient of each mail in ``self``, created from
        ``vals_list``: one per raw ``To`` address, one per notified partner;
        Cc recipients get none. A partner's tracking learns its address from
        the email written to it, when it is sent: queuing reads no partner."""
        values = []
        Tracking = self.env["mail.tracking.email"]
        traces = self._tracking_mailing_traces()
        for mail, vals in zip(self, vals_list, strict=True):
            if vals.get("mail_message_id"):
                document = Tracking._document_values(mail.mail_message_id)
            else:
                # the message was created with the mail, from these values
                document = Tracking._document_of(
                    vals.get("message_type"), vals.get("model"), vals.get("res_id"), mail.mail_message_id.id
                )
            common = {
                "mail_id": mail.id,
                "mail_message_id": mail.mail_message_id.id,
                **document,
                "name": mail.subject,
                "sender": mail.email_from,
            }
            if mail.id in traces:
                common["mailing_trace_id"] = traces[mail.id]
            values += [
                {**common, "recipient": address}
                for address in tools.mail.email_split_and_format_normalize(mail.email_to or "")
            ]
            values += [{**common, "partner_id": partner_id} for partner_id in mail.recipient_ids.ids]
        return values

    def _tracking_store_raw_recipients(self):
        """Keep the raw To and Cc of the emails on their message, where the
        chatter reads them (Cc recipients show as such): one update for all
        the messages, whose other fields the ORM's write would read first."""
        if not self:
            return
        raw = {mail.mail_message_id.id: (mail.email_to or None, mail.email_cc or None) for mail in self}
        self.env.cr.execute(
            SQL(
                """UPDATE mail_message message SET email_to = raw.email_to, email_cc = raw.email_cc
                     FROM (VALUES %s) AS raw(id, email_to, email_cc)
                    WHERE message.id = raw.id""",
                SQL(", ").join(
                    SQL("(%s, %s::text, %s::varchar)", message_id, *to_cc) for message_id, to_cc in raw.items()
                ),
            )
        )
        messages = self.env["mail.message"].browse(raw)
        messages.invalidate_recordset(["email_to", "email_cc"])
        # what was written, in the cache: the chatter's statuses read it next
        for index, name in enumerate(("email_to", "email_cc")):
            field = messages._fields[name]
            field._insert_cache(messages, [field.convert_to_cache(to_cc[index], messages) for to_cc in raw.values()])

    def _tracking_reset_errors(self):
        """A mail queued again (Odoo's retry) waits again for its recipients
        that failed."""
        # sudo: the trackings are the server's record of what it sends
        self.sudo().mail_tracking_ids._wait_again_after_send_error()

    def _prepare_outgoing_list(self, mail_server=False, doc_to_followers=None):
        """Mark each outgoing email with the trackings of its recipients, and
        give the email of a single recipient its open pixel (and its links
        leading through this server, when clicks are tracked)."""
        emails = super()._prepare_outgoing_list(mail_server=mail_server, doc_to_followers=doc_to_followers)
        trackings = self._tracking_sending_trackings()
        if not trackings:
            return emails
        retrying = trackings._is_retry()
        find_trackings = trackings._outgoing_finder()
        provider = self._tracking_provider(mail_server)
        # Email Marketing's emails carry its own pixel and tracked links
        img_base_url = not self._tracking_engagement_left_to_mailing() and trackings._tracking_img_base_url()
        outgoing = []
        for email in emails:
            email_trackings = find_trackings(email)
            if retrying:
                email_trackings = email_trackings._retry_recipients(email)
                if not email_trackings:
                    # sent already; or it has no tracking (Cc only), and Odoo
                    # sent it first, before the served recipients
                    continue
            if email_trackings:
                email["headers"] = {**email["headers"], **email_trackings._outgoing_headers(email, *provider)}
            if (
                img_base_url
                and len(email_trackings) == 1
                and email["body"]
                and email_trackings._engagement_tracking_allowed()
            ):
                email.update(email_trackings._tracking_rewrite_links(email, img_base_url))
                email["body"] = with_open_pixel(email["body"], email_trackings._tracking_img(img_base_url))
            outgoing.append(email)
        return outgoing

    def _tracking_sending_trackings(self):
        """The trackings of ``self``, the mail being prepared, by id, with
        what sending reads of them: as ``_send`` read them for the batch,
        else in one query. Odoo's loop may empty the cache between two
        mails (the commit after each mail of the queue, the unlink of a sent
        mail): a read for the batch again would be one per mail anyway."""
        # sudo: the trackings are the server's record of what it sends
        mail, Tracking = self.sudo(), self.env["mail.tracking.email"].sudo()
        if len(mail) == 1 and (kept := Tracking._kept_sending_trackings(mail.id)) is not None:
            return kept
        if len(mail) == 1 and self.env.cache.contains(mail, mail._fields["mail_tracking_ids"]):
            return mail.mail_tracking_ids.sorted("id")
        return Tracking.search_fetch([("mail_id", "in", self.ids)], SENDING_FIELDS, order="id")

    def _tracking_provider(self, mail_server):
        """``(provider, SES configuration set)`` of ``mail_server``: as
        ``_send`` read them for the batch, else from the server."""
        if PROVIDER_KEY in self.env.context:
            return self.env.context[PROVIDER_KEY]
        return mail_server._tracking_outgoing_provider() if mail_server else (False, False)

    def _send(self, *args, smtp_session=None, mail_server=False, **kwargs):
        mails = self
        if smtp_session is not None and isinstance(mail_server, models.BaseModel):
            # the session Odoo opened for the batch, to the server it picked:
            # read once, as Odoo's loop empties the cache at each mail
            mails = self.with_context(
                **{
                    SMTP_HOST_KEY: self.env["ir.mail_server"]._tracking_host(mail_server),
                    PROVIDER_KEY: mail_server._tracking_outgoing_provider(),
                }
            )
        outgoing = self.filtered(lambda mail: mail.state == "outgoing")
        Tracking = self.env["mail.tracking.email"]
        if not self.env["ir.mail_server"]._disable_send():
            # Odoo prepares the mails one by one: read their trackings at once
            # and keep what sending reads of them for the whole batch
            Tracking._keep_sending_values(self)
        try:
            result = super(MailMail, mails)._send(*args, smtp_session=smtp_session, mail_server=mail_server, **kwargs)
        except (psycopg2.Error, MemoryError):
            # the transaction is lost: the mails stay queued, and so do their
            # recipients
            raise
        except Exception as error:
            outgoing.with_env(mails.env)._tracking_mark_interrupted(error)
            raise
        finally:
            Tracking._forget_sending_values()
        return result

    def send(self, auto_commit=False, raise_exception=False, post_send_callback=None):
        """Record the emails sent, once for all the batches, before the
        caller reads their trackings (else the commit does); the call is a
        sending run (``tools.sending_run``), which keeps what sending reads
        across the commits of Odoo's queue, and when the queue commits after
        each mail, lets the sends of Email Marketing's emails wait to be
        recorded together. The notices of new statuses of the commits
        inside are merged (``mail.message._tracking_bus_coalescing``)."""
        mails = self
        if SENDING_RUN_KEY not in self.env.context:
            mails = self.with_context(**{SENDING_RUN_KEY: SendingRun(defers=auto_commit)})
        with self.env["mail.message"]._tracking_bus_coalescing():
            result = super(MailMail, mails).send(
                auto_commit=auto_commit, raise_exception=raise_exception, post_send_callback=post_send_callback
            )
        mails.env["mail.tracking.email"]._flush_sent()
        return result

    def _postprocess_sent_message(self, success_pids, success_emails, failure_reason=False, failure_type=None):
        if failure_type:
            host = self._tracking_smtp_host()
            for mail in self:
                mail._tracking_mark_unsent(failure_type, failure_reason or mail.failure_reason, host)
        else:
            self._tracking_mailing_awaits_report()
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )

    def _tracking_mark_interrupted(self, error):
        """``error`` ended the sending of ``self``, the mails ``_send`` was
        to send, out of Odoo's loop (a lost connection), which then skips
        ``_postprocess_sent_message``: the recipients of the mail it stopped
        at (marked failed by Odoo) that are still waiting failed with it."""
        self.env["mail.tracking.email"]._flush_sent()
        stopped = self.exists().filtered(lambda mail: mail.state == "exception")
        if stopped:
            IrMailServer = self.env["ir.mail_server"]
            stopped._tracking_mark_unsent(
                IrMailServer._tracking_error_type(error),
                IrMailServer._tracking_error_text(error),
                stopped._tracking_smtp_host(),
            )

    def _tracking_mark_unsent(self, failure_type, failure_reason, smtp_host):
        """The recipients still waiting when sending ``self`` failed as a
        whole (no SMTP session, or an error that stopped the loop) failed."""
        # the emails sent before the failure, not recorded yet, are no longer waiting
        sent = self.env["mail.tracking.email"]._sent_not_recorded()
        # sudo: the trackings are the server's record of what it sends
        waiting = self.sudo().mail_tracking_ids.filtered(
            lambda tracking: not tracking.state and tracking.id not in sent
        )
        waiting._mark_error(failure_type, failure_reason, smtp_host)

    def _tracking_smtp_host(self):
        """The host of the SMTP server Odoo sends ``self``, one batch,
        through: the server of the batch being sent, else the one Odoo picks
        for it (its own server, or ``_find_mail_server``'s)."""
        host = self.env.context.get(SMTP_HOST_KEY)
        if host:
            return host
        # sudo: which server sends an email is no business of the sender's
        server_id = next(self.sudo()._split_by_mail_configuration(), (False,))[0]
        IrMailServer = self.env["ir.mail_server"]
        return IrMailServer._tracking_host(IrMailServer.sudo().browse(server_id))
