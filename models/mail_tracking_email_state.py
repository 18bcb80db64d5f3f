from lxml import etree

from odoo import api, models

from ..tools.states import (
    FAILED_STATES,
    decoration_attributes,
    failed_domain,
    next_state,
    overruled_by,
    states_decorated,
)

#: What a tracking knows of its failure.
FAILURE_FIELDS = ("error_type", "error_description", "error_smtp_server", "bounce_type", "bounce_description")


class MailTrackingEmail(models.Model):
    """The one path of a state change (``_change_state``), and the states as
    the views show them (``tools.states``)."""

    _inherit = "mail.tracking.email"

    def _change_state(self, state, values=None, sent_rows=None):
        """Move ``self`` towards ``state`` as the precedence of
        ``tools.states.next_state`` allows (``False``, queued again, always
        applies), writing ``values`` with it; then the messages follow
        (``_after_state_change``). Every state change comes this way;
        ``write`` of a state is its ORM path.

        ``sent_rows`` is its fast path, for the results of sending
        (``_flush_sent``), Odoo's hottest path: one SQL statement records
        them and their "sent" events, reading nothing before, with the same
        precedence (``tools.states.overruled_by``).
        """
        if sent_rows is None:
            return self.write({**(values or {}), "state": state})
        before = self._sql_record_sent(sent_rows, state, overruled_by(state))
        self.browse(tracking_id for tracking_id, _state, _message in before).invalidate_recordset()
        # nobody can have seen the trackings queued in this transaction
        queued_now = self._queued_in_transaction()
        shown = {message for tracking_id, _state, message in before if message and tracking_id not in queued_now}
        self._after_state_change(before, state, self.env["mail.message"].browse(shown))
        return True

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        values = dict(vals)
        state = values.pop("state")
        before = [(tracking.id, tracking.state, tracking.mail_message_id.id) for tracking in self]
        new_states = {tracking_id: next_state(old, state) for tracking_id, old, _message in before}
        for new_state, trackings in self.grouped(lambda tracking: new_states[tracking.id]).items():
            super(MailTrackingEmail, trackings).write({**values, "state": new_state})
        self._after_state_change(before, state, self.mail_message_id)
        return True

    @api.model
    def _after_state_change(self, before, state, messages):
        """What follows trackings that moved towards ``state`` from
        ``before``, ``[(tracking id, state before, message id)]``: a message
        with a tracking now failed needs action, one whose failed trackings
        all healed no longer does, and the bus notice of ``messages`` is
        scheduled."""
        new_states = {tracking_id: next_state(old, state) for tracking_id, old, _message in before}
        failing = self.browse(tracking_id for tracking_id, new in new_states.items() if new in FAILED_STATES)
        healed = self.browse(
            tracking_id
            for tracking_id, old, _message in before
            if old in FAILED_STATES and new_states[tracking_id] not in FAILED_STATES
        )
        failing._flag_messages_needing_action()
        healed._unflag_healed_messages()
        messages._tracking_bus_schedule()

    # ``mail_tracking_needs_action`` is true exactly while a tracking of the
    # message is failed and nobody set it as reviewed. Only the trackings that
    # leave a failed state can clear it: the bulk waiting -> sent change of the
    # sending path reads no message.

    def _flag_messages_needing_action(self):
        # sudo: the flag is the server's, not writable by users
        flagged = self.sudo().mail_message_id.filtered(lambda message: not message.mail_tracking_needs_action)
        flagged.mail_tracking_needs_action = True
        flagged._tracking_bus_schedule(failed=True)

    def _unflag_healed_messages(self):
        # sudo: the flag is the server's, not writable by users
        flagged = self.sudo().mail_message_id.filtered("mail_tracking_needs_action")
        if flagged:
            still_failed = (
                self.sudo().search([("mail_message_id", "in", flagged.ids), *failed_domain()]).mail_message_id
            )
            healed = flagged - still_failed
            healed.mail_tracking_needs_action = False
            healed._tracking_bus_schedule(failed=True)

    def _mark_waiting(self):
        """``self`` is queued again: waiting, with nothing left of the
        failure that came before."""
        # sudo: a retry puts the trackings back for the server
        self.sudo()._change_state(False, dict.fromkeys(FAILURE_FIELDS, False))

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """The lists colour the states, the form's status bar walks the
        success path and the search view has a filter per state of that path
        and one of the failed states, as ``tools.states`` defines them."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "list":
            decorations = decoration_attributes("state")
            for node in arch.xpath("//field[@name='state'][@widget='tracking_state_badge']"):
                node.attrib.update(decorations)
            # rows stand out when something is wrong only
            del decorations["decoration-success"]
            arch.attrib.update(decorations)
        elif view_type == "form":
            for node in arch.xpath("//field[@name='state'][@widget='statusbar']"):
                node.set("statusbar_visible", ",".join(states_decorated("success")))
        elif view_type == "search":
            labels = dict(self._fields["state"]._description_selection(self.env))
            for node in arch.xpath("//filter[@name='failed']"):
                node.set("domain", repr(failed_domain()))
                # a filter per state of the success path, before "Failed"
                for state in states_decorated("success"):
                    node.addprevious(
                        etree.Element("filter", string=labels[state], name=state, domain=repr([("state", "=", state)]))
                    )
        return arch, view
