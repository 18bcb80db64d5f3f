from odoo import api, models, tools

from ..tools.states import BOUNCED_STATES, SCORE_WEIGHTS


class MailTrackingEmail(models.Model):
    """The health of an address: its score from the states of its trackings,
    and whether it bounced for good (then its partners are flagged)."""

    _inherit = "mail.tracking.email"

    @api.model
    def _address_stats(self, addresses):
        """``{address: {state: count}}`` of the trackings to ``addresses``
        the current user may read, in one query whatever their number."""
        if not addresses:
            return {}
        groups = self._read_group(
            [("recipient_address", "in", list(addresses))], ["recipient_address", "state"], ["__count"]
        )
        stats = {}
        for address, state, count in groups:
            stats.setdefault(address, {})[state] = count
        return stats

    @api.model
    def _score_from_states(self, state_counts):
        score = 50 + sum(SCORE_WEIGHTS.get(state, 0) * count for state, count in state_counts.items())
        return max(0.0, min(100.0, float(score)))

    @api.model
    def email_score_from_email(self, email):
        """The score of ``email`` over the trackings the current user may
        read; AccessError for a user who may read none (portal, public)."""
        self.check_access("read")
        address = tools.email_normalize(email or "")
        return self._score_from_states(self._address_stats([address] if address else []).get(address, {}))

    @api.model
    def email_is_bounced(self, email):
        """Whether a tracking to ``email`` the current user may read bounced;
        AccessError for a user who may read none (portal, public)."""
        self.check_access("read")
        address = tools.email_normalize(email or "")
        return bool(address) and bool(
            self.search_count([("recipient_address", "=", address), ("state", "in", BOUNCED_STATES)], limit=1)
        )

    def _flag_bounced_partners(self):
        addresses = set(self.mapped("recipient_address")) - {False}
        # sudo: the partners of a bounced address, whoever the sender
        partners = self.partner_id | self.env["res.partner"].sudo().search(
            [("email_normalized", "in", list(addresses))]
        )
        partners.filtered(lambda partner: not partner.email_bounced).email_bounced = True
