from odoo import api, fields, models, tools


class MailMail(models.Model):
    _inherit = "mail.mail"

    mail_tracking_ids = fields.One2many("mail.tracking.email", "mail_id", string="Email trackings")

    @api.model_create_multi
    def create(self, vals_list):
        mails = super().create(vals_list)
        if not self.env.context.get("mail_tracking_skip"):
            self.env["mail.tracking.email"].sudo().create(mails._tracking_values())
        mails.filtered(lambda mail: mail.email_to or mail.email_cc)._tracking_store_raw_recipients()
        return mails

    def write(self, vals):
        if vals.get("state") == "outgoing":
            self._tracking_reset_errors()
        return super().write(vals)

    def _tracking_values(self):
        """One tracking per recipient of each mail in ``self``: one per raw
        ``To`` address, one per notified partner; Cc recipients get none.
        A partner's tracking learns its address from the email written to
        it, when it is sent: queuing reads no partner."""
        values = []
        for mail in self:
            common = {
                "mail_id": mail.id,
                "mail_message_id": mail.mail_message_id.id,
                "name": mail.subject,
                "sender": mail.email_from,
            }
            values += [
                {**common, "recipient": address}
                for address in tools.mail.email_split_and_format_normalize(mail.email_to or "")
            ]
            values += [{**common, "partner_id": partner_id} for partner_id in mail.recipient_ids.ids]
        return values

    def _tracking_store_raw_recipients(self):
        """Keep the raw To and Cc of the emails on their message, where the
        chatter reads them (Cc recipients show as such)."""
        for mail in self:
            mail.mail_message_id.sudo().write({"email_to": mail.email_to, "email_cc": mail.email_cc})

    def _tracking_reset_errors(self):
        """A mail queued again (Odoo's retry) waits again for its recipients
        that failed."""
        self.sudo().mail_tracking_ids.filtered(lambda tracking: tracking.state == "error").state = False

    def _prepare_outgoing_list(self, mail_server=False, doc_to_followers=None):
        """Mark each outgoing email with the trackings of its recipients, and
        give the email of a single recipient its open pixel."""
        emails = super()._prepare_outgoing_list(mail_server=mail_server, doc_to_followers=doc_to_followers)
        trackings = (
            self.env["mail.tracking.email"]
            .sudo()
            .search_fetch([("mail_id", "in", self.ids)], ["partner_id", "recipient_address", "token"], order="id")
        )
        if not trackings:
            return emails
        find_trackings = trackings._outgoing_finder()
        provider = mail_server.tracking_provider if mail_server else False
        img_base_url = trackings._tracking_img_base_url()
        for email in emails:
            email_trackings = find_trackings(email)
            if email_trackings:
                email["headers"] = {**email["headers"], **email_trackings._outgoing_headers(email, provider)}
            if img_base_url and len(email_trackings) == 1 and email["body"]:
                email["body"] = tools.mail.append_content_to_html(
                    email["body"], email_trackings._tracking_img(img_base_url), plaintext=False
                )
        return emails

    def _send(self, *args, **kwargs):
        result = super()._send(*args, **kwargs)
        self.env["mail.tracking.email"]._flush_sent()
        return result

    def _postprocess_sent_message(self, success_pids, success_emails, failure_reason=False, failure_type=None):
        if failure_type:
            # the emails sent before the failure are no longer waiting
            self.env["mail.tracking.email"]._flush_sent()
            for mail in self:
                mail._tracking_mark_unsent(failure_type, failure_reason or mail.failure_reason)
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )

    def _tracking_mark_unsent(self, failure_type, failure_reason):
        """The recipients still waiting when sending ``self`` failed as a
        whole (no SMTP session, or an error that stopped the loop) failed."""
        waiting = self.sudo().mail_tracking_ids.filtered(lambda tracking: not tracking.state)
        waiting._mark_error(
            failure_type, failure_reason, self.mail_server_id.smtp_host or tools.config.get("smtp_server")
        )
