from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.mail.tools.discuss import Store

#: The bus notification telling the internal users which messages have new
#: tracking statuses.
STATUSES_CHANGED = "mail_activity_tracking/statuses_changed"
#: Where ``_tracking_bus_schedule`` notes, for the transaction, the messages
#: to push.
BUS_SCHEDULE_KEY = "mail_activity_tracking.bus"


class MailMessage(models.Model):
    _inherit = "mail.message"

    mail_tracking_ids = fields.One2many("mail.tracking.email", "mail_message_id", string="Email trackings")
    mail_tracking_needs_action = fields.Boolean(
        help="A tracking of this message is in a failed state and nobody has reviewed it yet.", copy=False
    )
    is_failed_message = fields.Boolean(compute="_compute_is_failed_message", search="_search_is_failed_message")
    email_to = fields.Text(string="Raw To", help="Raw To recipients of the emails of this message")
    email_cc = fields.Char(string="Raw Cc", help="Raw Cc recipients of the emails of this message")

    _needs_action_idx = models.Index("(author_id) WHERE mail_tracking_needs_action IS TRUE")

    @api.depends("mail_tracking_needs_action", "author_id", "partner_ids")
    @api.depends_context("uid")
    def _compute_is_failed_message(self):
        # sudo: the domain holds the user's own messages; access rules would filter twice
        failed = self.sudo().search(Domain("id", "in", self.ids) & self._failed_message_domain())
        for message in self:
            message.is_failed_message = message in failed

    def _search_is_failed_message(self, operator, value):
        # Odoo turns ``= True`` and the other operators into ``in``
        return self._failed_message_domain() if operator == "in" else NotImplemented

    @api.model
    def _tracking_failed_box(self):
        """The Discuss "Failed" mailbox of the current user, for the store."""
        # sudo: bus.bus: reading non-sensitive last id
        bus_last_id = self.env["bus.bus"].sudo()._bus_last_id()
        return {
            "counter": self._tracking_failed_count(),
            "counter_bus_id": bus_last_id,
            "id": "failed",
            "model": "mail.box",
        }

    @api.model
    def _tracking_failed_count(self):
        """The Discuss "Failed" counter of the current user. The domain only
        holds messages the user authored or was notified of, which they may
        read: no per-message access check is needed."""
        return self.env.execute_query(SQL("SELECT count(*) FROM (%s) failed", self._failed_message_ids_sql()))[0][0]

    @api.model
    def _failed_message_domain(self):
        """Messages of the current user (authored, recipient or notified)
        that a failed tracking left needing action."""
        return Domain("id", "in", self._failed_message_ids_sql())

    @api.model
    def _failed_message_ids_sql(self, model=None, column="id"):
        """The ids of ``_failed_message_domain``, as SQL; with ``model``,
        ``column`` (e.g. ``res_id``) of those about a record of ``model``.

        ``mail_tracking_needs_action`` is kept true exactly while a tracking
        of the message is failed and unreviewed (see
        ``mail.tracking.email.write``), so this is a union of three index
        scans, however large the tables."""
        condition = SQL("message.mail_tracking_needs_action IS TRUE")
        if model:
            condition = SQL("%s AND message.model = %s", condition, model)
        return self._own_messages_sql(condition, column)

    @api.model
    def _own_messages_sql(self, condition=None, column="id"):
        """SQL of ``column`` of the messages the current user wrote, was a
        recipient of or was notified of (and that match ``condition``, on
        the alias ``message``): a union of index scans, one per way."""
        self.flush_model(["author_id", "partner_ids", "mail_tracking_needs_action", "model", "res_id"])
        self.env["mail.notification"].flush_model(["mail_message_id", "res_partner_id"])
        condition = SQL(" AND %s", condition) if condition else SQL()
        column = SQL.identifier("message", column)
        return SQL(
            """SELECT %(column)s FROM mail_message message
                WHERE message.author_id = %(partner)s%(condition)s
               UNION
               SELECT %(column)s FROM mail_notification notification
                 JOIN mail_message message ON message.id = notification.mail_message_id
                WHERE notification.res_partner_id = %(partner)s%(condition)s
               UNION
               SELECT %(column)s FROM mail_message_res_partner_rel recipient
                 JOIN mail_message message ON message.id = recipient.mail_message_id
                WHERE recipient.res_partner_id = %(partner)s%(condition)s""",
            column=column,
            condition=condition,
            partner=self.env.user.partner_id.id,
        )

    # ------------------------------------------------------------
    # Live updates
    # ------------------------------------------------------------

    def _tracking_bus_schedule(self, failed=False):
        """Push the new statuses of ``self`` when the transaction commits,
        once whatever the number of trackings that changed.

        With ``failed``, the messages entered or left the Failed boxes: each
        user concerned gets them with the counter of their box. Otherwise
        the internal users only hear which messages changed, and the clients
        showing them fetch their statuses (``/mail/tracking/statuses``):
        sending changes the status of every recipient, and computing at each
        send what every user sees would cost more than the sending.
        """
        data = self.env.cr.precommit.data
        if BUS_SCHEDULE_KEY not in data:
            data[BUS_SCHEDULE_KEY] = {"failed": set(), "statuses": set()}
            self.env.cr.precommit.add(self._tracking_bus_send_scheduled)
        data[BUS_SCHEDULE_KEY]["failed" if failed else "statuses"].update(self.ids)

    def _tracking_bus_send_scheduled(self):
        scheduled = self.env.cr.precommit.data.pop(BUS_SCHEDULE_KEY)
        # during a run of the queue, the statuses notices are merged
        self._tracking_bus_coalesce(scheduled)
        self.browse(scheduled["failed"]).exists()._tracking_bus_send()
        changed = scheduled["statuses"] - scheduled["failed"]
        if changed:
            # the group by its cached id: ``env.ref`` would check it exists, a query per notice
            internal_users = self.env["res.groups"].browse(
                self.env["ir.model.data"]._xmlid_to_res_id("base.group_user")
            )
            internal_users._bus_send(STATUSES_CHANGED, {"message_ids": sorted(changed)})

    def _tracking_bus_send(self):
        # sudo: the statuses are pushed for the server, then filtered per user below
        messages = self.sudo()
        recipients = messages._tracking_recipients()
        for user in messages._tracking_interested_users():
            store = Store(bus_channel=user)
            # sudo: each user gets the data of the messages they may see (``_tracking_to_store`` checks)
            user_messages = messages.with_user(user).sudo()
            user_messages._tracking_to_store(store, recipients)
            store.add_global_values(failed=user_messages._tracking_failed_box())
            store.bus_send()

    def _tracking_interested_users(self):
        """Internal users who may have these messages on screen: authors,
        recipients and followers of their records."""
        partners = self.author_id | self.partner_ids | self.notification_ids.res_partner_id
        # sudo: who follows the records, to know whose screens may show these messages
        Followers = self.env["mail.followers"].sudo()
        for model, messages in self.filtered("model").grouped("model").items():
            partners |= Followers.search(
                [("res_model", "=", model), ("res_id", "in", messages.mapped("res_id"))]
            ).partner_id
        return partners.user_ids.filtered(lambda user: not user.share)

    # ------------------------------------------------------------
    # Actions on failed messages
    # ------------------------------------------------------------

    def tracking_retry(self):
        """Send the emails of ``self`` again to the recipients whose tracking
        failed, through Odoo's own queue: their trackings wait again."""
        self._tracking_check_can_act()
        # sudo: the caller was checked above (``_tracking_check_can_act``); trackings are read-only to users
        self.sudo().mail_tracking_ids._resend_failed()
        self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
        return True

    def tracking_set_reviewed(self):
        """The failures of ``self`` were seen to: the messages leave the
        Failed box (they stay in their chatter)."""
        self._tracking_check_can_act()
        # sudo: the caller was checked above; the flag is not writable by users
        self.sudo().mail_tracking_needs_action = False
        self._tracking_bus_schedule(failed=True)
        return True

    @api.model
    def tracking_set_all_reviewed(self):
        """Set as reviewed the messages of the current user's Failed box that
        the user may act on (see ``_tracking_actionable``)."""
        if not self.env.user._is_internal():
            raise AccessError(self.env._("Only internal users have a Failed mailbox."))
        # sudo: the domain holds the user's own failed messages; the result is checked below
        failed = self.sudo().search(self._failed_message_domain()).with_env(self.env)
        return failed._tracking_actionable().tracking_set_reviewed()
