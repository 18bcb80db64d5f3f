"""Warnings shown next to a recipient in the composers before sending: the
last time an email to the address bounced for good, was refused as
unknown, or was reported as spam, among the trackings the sender may
read."""

from odoo import api, fields, models, tools
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools.states import BOUNCED_STATES

#: Failures that say the address is dead (or does not want us): a bounce, a
#: provider's reject, a spam complaint, or a refusal of the recipient by
#: the SMTP server with a permanent (5xx) reply; unless cleared since.
DEAD_ADDRESS_DOMAIN = Domain("bounce_cleared", "=", False) & (
    Domain("state", "in", BOUNCED_STATES)
    | (
        Domain("state", "=", "error")
        & Domain("error_type", "=", "recipient_refused")
        & Domain("error_description", "=like", "5%")
    )
)


class MailTrackingEmail(models.Model):
    _inherit = "mail.tracking.email"

    bounce_cleared = fields.Boolean(
        readonly=True,
        help="The address was fixed after this failure: it no longer counts as a dead address.",
    )

    @api.model
    def get_bounce_warnings(self, emails):
        """``{email: {"time", "state", "state_label", "reason"}}`` for those
        of ``emails`` (as the composer shows them) whose last failure among
        the trackings the current user may read killed the address; in one
        query, whatever their number. Nothing for a user who may read no
        tracking."""
        addresses = {}
        for email in emails if isinstance(emails, list) else []:
            address = isinstance(email, str) and tools.email_normalize(email)
            if address:
                addresses.setdefault(address, []).append(email)
        if not addresses or not self.has_access("read"):
            return {}
        labels = dict(self._fields["state"]._description_selection(self.env))
        warnings = {}
        for row in self._last_dead_address_failures(list(addresses)):
            warning = {
                "time": row["time"] and row["time"].isoformat(sep=" ", timespec="seconds"),
                "state": row["state"],
                "state_label": labels.get(row["state"], row["state"]),
                "reason": row["bounce_description"] or row["error_description"] or "",
            }
            warnings.update(dict.fromkeys(addresses[row["recipient_address"]], warning))
        return warnings

    @api.model
    def _last_dead_address_failures(self, addresses):
        """The last failure of each of ``addresses`` that killed it, among
        the trackings the current user may read (record rules apply)."""
        query = self._search(Domain("recipient_address", "in", addresses) & DEAD_ADDRESS_DOMAIN)
        self.flush_model(["recipient_address", "state", "time", "bounce_description", "error_description"])
        return self.env.execute_query_dict(
            SQL(
                """SELECT DISTINCT ON (recipient_address) recipient_address, time, state, bounce_description,
                          error_description
                     FROM mail_tracking_email
                    WHERE id IN %s
                 ORDER BY recipient_address, time DESC NULLS LAST, id DESC""",
                query.subselect(),
            )
        )
