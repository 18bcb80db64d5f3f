"""Odoo's queue as its cron runs it: ``mail.mail.send(auto_commit=True)``, a
commit after each mail (``process_email_queue`` passes it outside tests).
The commits are those of Odoo's test cursor (the registry's test mode):
each runs the pre-commit hooks and empties the cache, as a real one does."""

import json

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models import mail_message_bus_coalescing
from .common import TrackingCase

STATUSES_CHANGED = "mail_activity_tracking/statuses_changed"


@tagged("post_install", "-at_install")
class TestQueueRun(TrackingCase):
    def run_queue(self, messages, on_commit=None):
        """Send the mails of ``messages`` (one each, in their order)
        committing after each one; ``on_commit(env, message)`` runs in the
        transaction of each mail, before its commit."""
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)], order="id")
        self.assertEqual(mails.mail_message_id, messages)
        message_of = {mail.id: mail.mail_message_id for mail in mails}

        def callback(mail_ids):
            # Odoo calls it before the commit of each mail, then once with
            # all the mails, after the last commit
            if on_commit and len(mail_ids) == 1:
                on_commit(env, message_of[mail_ids[0]])

        with (
            self.enter_registry_test_mode(),
            self.registry.cursor() as cr,
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            env = self.env(cr=cr)
            # leaving the block commits the transaction the run ends in, as the cron does
            env["mail.mail"].browse(mails.ids).send(auto_commit=True, post_send_callback=callback)

    def announced(self, before):
        notifications = self.env["bus.bus"].sudo().search([("id", "not in", before)], order="id")
        return [
            json.loads(notification.message)["payload"]["message_ids"]
            for notification in notifications
            if json.loads(notification.message)["type"] == STATUSES_CHANGED
        ]

    def test_each_commit_records_its_mail(self):
        """The trackings of a mail are recorded as sent by the commit that
        ends its transaction: a mail is never committed as sent while its
        recipients still wait."""
        smtp = self.start_smtp()
        messages = self.post(self.alice) | self.post(self.bob) | self.post(self.alice | self.bob)
        states = []

        def on_commit(env, message):
            env.cr.execute(
                "SELECT mail_message_id, state FROM mail_tracking_email WHERE mail_message_id IN %s",
                [tuple(messages.ids)],
            )
            states.append(env.cr.fetchall())

        self.run_queue(messages, on_commit)
        self.assertEqual(len(smtp.envelopes), 4)
        self.assertEqual(len(states), 3)
        for index, rows in enumerate(states):
            # in the transaction of a mail, the mails before it are committed
            committed = set(messages[:index].ids)
            for message_id, state in rows:
                expected = "sent" if message_id in committed else None
                self.assertEqual(state, expected, f"before the commit of mail #{index + 1}")
        trackings = self.env["mail.tracking.email"].sudo().search([("mail_message_id", "in", messages.ids)])
        self.assertEqual(trackings.mapped("state"), ["sent"] * 4)

    def test_run_announces_new_statuses_in_one_notice(self):
        """A run shorter than the interval between two notices tells the
        clients once, naming every message it sent, instead of once per
        commit."""
        self.patch(mail_message_bus_coalescing, "COALESCE_SECONDS", 3600)
        self.start_smtp()
        messages = self.post(self.alice) | self.post(self.bob) | self.post(self.alice | self.bob)
        self.env.cr.precommit.run()
        before = self.env["bus.bus"].sudo().search([]).ids
        self.run_queue(messages)
        self.assertEqual(self.announced(before), [sorted(messages.ids)])

    def test_notices_follow_the_interval(self):
        """With no interval to wait, each commit announces the messages it
        sent, as outside a run."""
        self.patch(mail_message_bus_coalescing, "COALESCE_SECONDS", 0)
        self.start_smtp()
        messages = self.post(self.alice) | self.post(self.bob)
        self.env.cr.precommit.run()
        before = self.env["bus.bus"].sudo().search([]).ids
        self.run_queue(messages)
        self.assertEqual(self.announced(before), [[messages[0].id], [messages[1].id]])

    def test_failure_pushed_at_once_during_a_run(self):
        """A recipient refused during a run: its message enters the Failed
        box at the commit of its mail, whatever the interval."""
        self.patch(mail_message_bus_coalescing, "COALESCE_SECONDS", 3600)
        self.start_smtp(refuse={"alice@example.com": "550 5.1.1 unknown"})
        messages = self.post(self.alice) | self.post(self.bob)
        self.env.cr.precommit.run()
        before = self.env["bus.bus"].sudo().search([]).ids
        pushed = []

        def on_commit(env, message):
            notifications = env["bus.bus"].sudo().search([("id", "not in", before)])
            pushed.append(any(json.loads(n.message)["type"] == "mail.record/insert" for n in notifications))

        self.run_queue(messages, on_commit)
        # in the transaction of the second mail, the first one's failure was pushed
        self.assertEqual(pushed, [False, True])
        self.assertEqual(self.tracking_of(messages[0], self.alice).state, "error")
        self.assertEqual(self.announced(before), [[messages[1].id]])
