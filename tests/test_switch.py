"""Checks of a database that ran the community ``mail_tracking`` and then
installed this addon. They only make sense on the database ``bin/test-switch``
prepares (its history is saved in the snapshot tables below before the
switch), so they are out of the standard runs: run them with
``--test-tags=mail_tracking_switch``. ``bin/test-switch`` checks the old
pixel URLs itself, on a running server."""

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.ir_module_module import REPLACED_MODULE
from .common import TrackingCase

#: Tables where ``bin/test-switch`` copies the tracking tables before the switch.
SNAPSHOTS = {"mail_tracking_email": "switch_snapshot_email", "mail_tracking_event": "switch_snapshot_event"}


@tagged("-standard", "mail_tracking_switch", "post_install", "-at_install")
class TestSwitchFromMailTracking(TrackingCase):
    def snapshot_columns(self, snapshot):
        self.env.cr.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            [snapshot],
        )
        return [column for (column,) in self.env.cr.fetchall()]

    def rows_lost(self, table, snapshot):
        """Snapshot rows that are not in ``table`` as they were, all columns
        of the snapshot compared."""
        columns = SQL(", ").join(SQL.identifier(column) for column in self.snapshot_columns(snapshot))
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM %s EXCEPT SELECT %s FROM %s",
                columns,
                SQL.identifier(snapshot),
                columns,
                SQL.identifier(table),
            )
        )
        return self.env.cr.fetchall()

    def snapshot_count(self, snapshot, condition):
        self.env.cr.execute(SQL("SELECT count(*) FROM %s WHERE %s", SQL.identifier(snapshot), condition))
        return self.env.cr.fetchone()[0]

    def test_history_kept_row_for_row(self):
        # the history the community addon wrote: sent emails, an open, tokens
        self.assertGreater(self.snapshot_count("switch_snapshot_email", SQL("token IS NOT NULL")), 3)
        self.assertGreater(self.snapshot_count("switch_snapshot_event", SQL("event_type = 'open'")), 0)
        for table, snapshot in SNAPSHOTS.items():
            self.assertEqual(self.rows_lost(table, snapshot), [], f"rows of {table} lost or changed by the switch")

    def test_message_ids_of_sent_emails_filled_in_for_bounces(self):
        self.env.cr.execute("SELECT id, state FROM switch_snapshot_email WHERE mail_message_id IS NOT NULL")
        states = dict(self.env.cr.fetchall())
        old = self.env["mail.tracking.email"].browse(states)
        self.assertIn("sent", states.values())
        self.assertIn("error", states.values())
        for tracking in old:
            sent = states[tracking.id] not in (None, "error")
            self.assertEqual(tracking.message_id, sent and tracking.mail_message_id.message_id)

    def test_community_addon_left_uninstalled_without_traces(self):
        module = self.env["ir.module.module"].search([("name", "=", REPLACED_MODULE)])
        self.assertEqual(module.state, "uninstalled")
        self.assertFalse(self.env["ir.model.data"].search_count([("module", "=", REPLACED_MODULE)]))
        self.assertFalse(self.env["ir.ui.view"].search_count([("arch_fs", "=like", f"{REPLACED_MODULE}/%")]))
        # the tracking models are ours now, with our records and schema
        for model in ("mail.tracking.email", "mail.tracking.event"):
            self.assertEqual(self.env["ir.model"]._get(model).modules, "mail_activity_tracking")
        self.env.cr.execute(
            """SELECT confdeltype FROM pg_constraint
                WHERE conrelid = 'mail_tracking_event'::regclass AND confrelid = 'mail_tracking_email'::regclass"""
        )
        self.assertEqual(self.env.cr.fetchall(), [("c",)], "events are deleted with their tracking email")

    def test_mail_keeps_flowing(self):
        smtp = self.start_smtp()
        message = self.post(self.alice | self.bob)
        self.send_queue()
        trackings = self.trackings(message)
        self.assertEqual(sorted(trackings.mapped("recipient_address")), ["alice@example.com", "bob@example.com"])
        self.assertEqual(set(trackings.mapped("state")), {"sent"})
        self.assertEqual(set(trackings.tracking_event_ids.mapped("event_type")), {"sent"})
        self.assertEqual(
            sorted(rcpt for envelope in smtp.envelopes for rcpt in envelope.rcpt_tos),
            [
                "alice@example.com",
                "bob@example.com",
            ],
        )

    def test_installing_the_community_addon_again_is_refused(self):
        module = self.env["ir.module.module"].search([("name", "=", REPLACED_MODULE)])
        with self.assertRaisesRegex(UserError, "replaces it"), self.env.cr.savepoint():
            module.button_install()
        self.assertEqual(module.state, "uninstalled")

    def test_opens_from_before_count_as_a_persons(self):
        self.env.cr.execute("SELECT DISTINCT tracking_email_id FROM switch_snapshot_event WHERE event_type = 'open'")
        opened = self.env["mail.tracking.email"].browse([tracking_id for (tracking_id,) in self.env.cr.fetchall()])
        self.assertTrue(opened)
        self.assertEqual(set(opened.mapped("human_opened")), {1})
        self.assertEqual(set(opened.mapped("state")), {"opened"})
