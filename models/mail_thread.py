from lxml import etree

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools.states import decoration_attributes


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    message_has_failed_tracking = fields.Boolean(
        string="Failed sent messages",
        compute="_compute_message_has_failed_tracking",
        search="_search_message_has_failed_tracking",
        help="The record has messages whose email failed and need the current user's action.",
    )
    mail_tracking_state = fields.Selection(
        selection=lambda self: self.env["mail.tracking.email"]._fields["state"].selection,
        string="Mail State",
        compute="_compute_mail_tracking_state",
        search="_search_mail_tracking_state",
        help="How the last tracked email sent from this record fared.",
    )

    def _compute_message_has_failed_tracking(self):
        failed = self.with_context(active_test=False).search(
            [("id", "in", self.ids), ("message_has_failed_tracking", "=", True)]
        )
        for record in self:
            record.message_has_failed_tracking = record in failed

    def _search_message_has_failed_tracking(self, operator, value):
        if operator != "in":
            return NotImplemented
        # the records straight from the user's failed messages (index scans), not
        # from every message of the model
        return Domain("id", "in", self.env["mail.message"]._failed_message_ids_sql(self._name, "res_id"))

    def _flush_tracking_states(self):
        """What the SQL of the last tracking states reads, written to the
        database first."""
        self.env["mail.tracking.email"].flush_model(["state", "time", "mail_message_id"])
        self.env["mail.message"].flush_model(["model", "res_id"])

    def _last_tracking_states_sql(self):
        """``(res_id, state)`` of the last tracking email of each record of
        this model, as SQL."""
        self._flush_tracking_states()
        return SQL(
            """SELECT DISTINCT ON (message.res_id) message.res_id, tracking.state
                 FROM mail_tracking_email tracking
                 JOIN mail_message message ON message.id = tracking.mail_message_id
                WHERE message.model = %s
             ORDER BY message.res_id, tracking.time DESC NULLS LAST, tracking.id DESC""",
            self._name,
        )

    def _last_tracking_state_sql(self, alias):
        """The state of the last tracking email of the record at ``alias``,
        as a correlated SQL subquery (what groups by "Mail State")."""
        self._flush_tracking_states()
        return SQL(
            """(SELECT tracking.state
                  FROM mail_tracking_email tracking
                  JOIN mail_message message ON message.id = tracking.mail_message_id
                 WHERE message.model = %s AND message.res_id = %s
              ORDER BY tracking.time DESC NULLS LAST, tracking.id DESC
                 LIMIT 1)""",
            self._name,
            SQL.identifier(alias, "id"),
        )

    def _field_to_sql(self, alias, field_expr, query=None):
        if field_expr == "mail_tracking_state":
            return self._last_tracking_state_sql(alias)
        return super()._field_to_sql(alias, field_expr, query)

    def _compute_mail_tracking_state(self):
        rows = self.env.execute_query(
            SQL(
                "SELECT id, %s FROM %s WHERE id IN %s",
                self._last_tracking_state_sql(self._table),
                SQL.identifier(self._table),
                tuple(self.ids or [0]),
            )
        )
        states = dict(rows)
        for record in self:
            record.mail_tracking_state = states.get(record.id) or False

    def _search_mail_tracking_state(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        states = [state for state in value if state]
        condition = SQL("last.state IN %s", tuple(states)) if states else SQL("FALSE")
        if False in value:
            condition = SQL("(%s OR last.state IS NULL)", condition)
        matching = SQL("SELECT res_id FROM (%s) last WHERE %s", self._last_tracking_states_sql(), condition)
        return [("id", operator, matching)]

    @api.model
    def _failed_filter_attributes(self):
        return {
            "name": "message_has_failed_tracking",
            "string": self.env._("Failed sent messages"),
            "domain": "[('message_has_failed_tracking', '=', True)]",
        }

    @api.model
    def _mail_state_column_attributes(self):
        """The "Mail State" column, coloured as ``tools.states`` says."""
        return {
            "name": "mail_tracking_state",
            "string": self.env._("Mail State"),
            "optional": "hide",
            "widget": "badge",
            **decoration_attributes("mail_tracking_state"),
        }

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """Every model with a chatter gets the "Failed sent messages" filter in
        its search views and the "Mail State" column in its list views."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "search" and not arch.xpath("//filter[@name='message_has_failed_tracking']"):
            arch.append(etree.Element("separator"))
            arch.append(etree.Element("filter", self._failed_filter_attributes()))
        elif view_type == "list" and not arch.xpath("./field[@name='mail_tracking_state']"):
            arch.append(etree.Element("field", self._mail_state_column_attributes()))
        return arch, view
