from odoo import api, models

from ..tools.context_keys import SENDING_RUN_KEY

#: The fields of the trackings that sending reads.
SENDING_FIELDS = ["partner_id", "recipient_address", "token", "state", "mailing_trace_id"]


class MailTrackingEmail(models.Model):
    """What sending reads of the trackings of a batch of mails, read once
    for the batch and kept in the sending run (``tools.sending_run``):
    ``mail.mail._send`` keeps it, each mail of the batch finds its
    trackings there."""

    _inherit = "mail.tracking.email"

    @api.model
    def _keep_sending_values(self, mails):
        """Keep in the sending run what sending reads of the trackings of
        ``mails``, the batch ``mail.mail._send`` sends, read for the batch:
        Odoo's loop empties the cache at each mail (the commit of each mail
        of the queue, the unlink of a sent mail), and each mail would read
        its trackings again. The trackings of mails queued in this
        transaction are taken from the cache, where their creation left
        them, without a query."""
        run = self.env.context.get(SENDING_RUN_KEY)
        if not run:
            return
        # sudo: the trackings are the server's record of what it sends
        by_mail, trackings, uncached = {}, self.sudo().browse(), []
        for mail in mails:
            if self._sending_values_cached(mail):
                by_mail[mail.id] = mail.mail_tracking_ids.sorted("id").ids
                trackings |= mail.mail_tracking_ids
            else:
                by_mail[mail.id] = ()
                uncached.append(mail.id)
        if uncached:
            # sudo: the trackings are the server's record of what it sends
            read = self.sudo().search_fetch([("mail_id", "in", uncached)], ["mail_id", *SENDING_FIELDS], order="id")
            for mail, mail_trackings in read.grouped("mail_id").items():
                by_mail[mail.id] = mail_trackings.ids
            trackings |= read
        values = {
            name: {tracking.id: self._fields[name].convert_to_cache(tracking[name], tracking) for tracking in trackings}
            for name in SENDING_FIELDS
        }
        run.kept = (by_mail, values)

    @api.model
    def _sending_values_cached(self, mail):
        """Whether the trackings of ``mail`` and what sending reads of them
        are all in the cache."""
        cache = self.env.cache
        return cache.contains(mail, mail._fields["mail_tracking_ids"]) and all(
            cache.contains(tracking, self._fields[name])
            for tracking in mail.mail_tracking_ids
            for name in SENDING_FIELDS
        )

    @api.model
    def _kept_sending_trackings(self, mail_id):
        """The trackings of the mail ``mail_id`` with what sending reads of
        them, as ``_keep_sending_values`` kept them; ``None`` when it did
        not keep them."""
        run = self.env.context.get(SENDING_RUN_KEY)
        mails, values = run.kept if run else ({}, {})
        if mail_id not in mails:
            return None
        # sudo: the trackings are the server's record of what it sends
        trackings = self.sudo().browse(mails[mail_id])
        for name in SENDING_FIELDS:
            # the values read for the batch, in the cache again
            self._fields[name]._insert_cache(trackings, [values[name][tracking_id] for tracking_id in trackings.ids])
        return trackings

    @api.model
    def _forget_sending_values(self):
        run = self.env.context.get(SENDING_RUN_KEY)
        if run:
            run.kept = ({}, {})
