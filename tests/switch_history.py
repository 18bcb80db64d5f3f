"""Makes email tracking history with the community ``mail_tracking``, for
``bin/test-switch``: run in ``odoo shell`` (which provides ``env``) on a
database where ``mail_tracking`` is installed and this addon is not.

Posts chatter messages to three partners, sends their emails through the
loopback SMTP server of the tests (so ``mail_tracking`` records them as sent,
with their tokens), records an open on one of them through
``mail_tracking``'s own ``event_create``, then copies both tracking tables
into ``switch_snapshot_email`` and ``switch_snapshot_event`` and commits, so
that the tests tagged ``mail_tracking_switch`` compare the history after the
switch with what it was before."""

import importlib.util
import logging
import os

from odoo.modules import get_module_path

_logger = logging.getLogger("switch_history")


def load_smtp_server():
    path = os.path.join(get_module_path("mail_activity_tracking"), "tests", "smtp_server.py")
    spec = importlib.util.spec_from_file_location("switch_smtp_server", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SMTPServer


def make_history(env):
    env = env(context={**env.context, "mail_notify_force_send": False, "mail_create_nolog": True})
    env["ir.mail_server"].search([]).active = False
    env.company.email = "company@example.com"
    record = env["res.partner"].create({"name": "Switch record", "email": "switch-record@example.com"})
    partners = env["res.partner"].create(
        [{"name": f"Recipient {number}", "email": f"recipient{number}@example.com"} for number in range(3)]
    )
    with load_smtp_server()() as smtp:
        env["ir.mail_server"].create(
            {"name": "Loopback", "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_encryption": "none"}
        )
        for number in range(2):
            record.message_post(
                body=f"<p>Sent before the switch, {number}</p>",
                subject=f"Before the switch {number}",
                partner_ids=partners.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        env["mail.mail"].search([("state", "=", "outgoing")]).send()
        if len(smtp.envelopes) != 6:
            raise AssertionError(f"6 emails expected through the SMTP server, got {len(smtp.envelopes)}")
    trackings = env["mail.tracking.email"].search([("recipient", "ilike", "recipient%@example.com")], order="id")
    if set(trackings.mapped("state")) != {"sent"} or len(trackings) != 6 or not all(trackings.sudo().mapped("token")):
        raise AssertionError(f"mail_tracking did not track the emails: {trackings.read(['state', 'recipient'])}")
    trackings[-1].event_create("open", {"ip": "198.51.100.7", "user_agent": "Thunderbird/128.0"})
    env.flush_all()
    for table in ("mail_tracking_email", "mail_tracking_event"):
        env.cr.execute(f"CREATE TABLE switch_snapshot_{table[len('mail_tracking_') :]} AS SELECT * FROM {table}")
    env.cr.commit()
    env.cr.execute("SELECT count(*) FROM switch_snapshot_email")
    emails = env.cr.fetchone()[0]
    env.cr.execute("SELECT count(*) FROM switch_snapshot_event")
    _logger.info("history made: %s tracking emails, %s events", emails, env.cr.fetchone()[0])


make_history(globals()["env"])  # the environment odoo shell gives
