import email
import email.policy
import logging
import re

from lxml import etree

from odoo import api, fields, models, tools
from odoo.fields import Domain
from odoo.tools import SQL

from .mail_tracking_email import TRACKING_HEADER

_logger = logging.getLogger(__name__)

#: RFC 3464 actions that tell the email reached (or was handed on towards)
#: its recipient.
SUCCESS_ACTIONS = ("delivered", "relayed", "expanded")
STATUS_RE = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")


def _header(part, name):
    return tools.mail.decode_message_header(part, name) or ""


def _typed_value(value):
    """``rfc822; a@b.c`` -> ``a@b.c`` (RFC 3464 typed fields)."""
    return value.partition(";")[2].strip() if ";" in value else value.strip()


def delivery_reports(email_message):
    """The per-recipient fields of an RFC 3464 delivery status notification:
    a list of dicts (recipient, action, status, diagnostic, mta), empty when
    the email has no ``message/delivery-status`` part."""
    status_part = next(
        (part for part in email_message.walk() if part.get_content_type() == "message/delivery-status"), None
    )
    blocks = status_part.get_payload() if status_part else []
    if not isinstance(blocks, list) or not blocks:
        return []
    per_message, per_recipient = blocks[0], blocks[1:]
    mta = _typed_value(_header(per_message, "Reporting-MTA"))
    return [
        {
            "recipient": tools.email_normalize(
                _typed_value(_header(block, "Final-Recipient") or _header(block, "Original-Recipient"))
            ),
            "action": _header(block, "Action").strip().lower(),
            "status": (STATUS_RE.search(_header(block, "Status")) or [""])[0],
            "diagnostic": _typed_value(_header(block, "Diagnostic-Code")),
            "mta": mta,
        }
        for block in per_recipient
    ]


def envelope_id(email_message):
    """The ENVID we gave the email when sending (RFC 3461), if reported."""
    for part in email_message.walk():
        if part.get_content_type() == "message/delivery-status":
            blocks = part.get_payload()
            if isinstance(blocks, list) and blocks:
                return _header(blocks[0], "Original-Envelope-Id").strip()
    return ""


def original_headers(email_message):
    """The headers of the email a report is about (``message/rfc822`` or
    ``text/rfc822-headers`` part), as a message; ``None`` when absent."""
    for part in email_message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            payload = part.get_payload()
            return payload[0] if isinstance(payload, list) and payload else None
        if content_type == "text/rfc822-headers":
            # bytes as they came: a declared charset may be unknown or wrong
            return email.message_from_bytes(part.get_payload(decode=True) or b"", policy=email.policy.SMTP)
    return None


def event_of_report(report):
    """``(event_type, metadata)`` of one recipient's delivery report."""
    action, status = report["action"], report["status"]
    metadata = {
        "bounce_type": status or action or False,
        "bounce_description": report["diagnostic"] or False,
        "smtp_server": report["mta"] or False,
        "error_type": status or False,
        "error_description": report["diagnostic"] or False,
    }
    if action in SUCCESS_ACTIONS:
        return "delivered", metadata
    if action == "delayed" or status.startswith("4"):
        return "soft_bounce", metadata
    return "hard_bounce", metadata


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
        Message = self.env["mail.message"]
        messages = Message.sudo()._search(Domain("model", "=", self._name) & Message._failed_message_domain())
        return [("id", "in", messages.subselect("res_id"))]

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
    def _get_view(self, view_id=None, view_type="form", **options):
        """Every model with a chatter gets the "Failed sent messages" filter in
        its search views and the "Mail State" column in its list views."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "search" and not arch.xpath("//filter[@name='message_has_failed_tracking']"):
            arch.append(etree.Element("separator"))
            arch.append(
                etree.Element(
                    "filter",
                    name="message_has_failed_tracking",
                    string=self.env._("Failed sent messages"),
                    domain="[('message_has_failed_tracking', '=', True)]",
                )
            )
        elif view_type == "list" and not arch.xpath("./field[@name='mail_tracking_state']"):
            arch.append(
                etree.Element(
                    "field",
                    name="mail_tracking_state",
                    string=self.env._("Mail State"),
                    optional="hide",
                    widget="badge",
                    **{
                        "decoration-success": "mail_tracking_state in ('sent', 'delivered', 'opened')",
                        "decoration-danger": "mail_tracking_state in ('error', 'rejected', 'spam', 'bounced')",
                        "decoration-warning": "mail_tracking_state in ('soft-bounced', 'deferred', 'unsub')",
                    },
                )
            )
        return arch, view

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        """Record what a delivery report says on the tracking of the one
        recipient it names. Only failures go on to Odoo's own bounce handling:
        a "delivered" or "delayed" report is no bounce."""
        candidates = self._bounce_trackings(email_message, message_dict)
        reports = delivery_reports(email_message) or [self._report_from_plain_bounce(message_dict, candidates)]
        failed = False
        for report in reports:
            event_type, metadata = event_of_report(report)
            failed = failed or event_type == "hard_bounce" or report["action"] == "failed"
            trackings = candidates.filtered(
                lambda tracking, report=report: tracking.recipient_address == report["recipient"]
            )
            if not trackings and len(candidates) == 1 and not report["recipient"]:
                trackings = candidates
            trackings.event_create(event_type, metadata)
        if failed:
            return super()._routing_handle_bounce(email_message, message_dict)
        _logger.info(
            "Delivery report for %s recorded: %s", message_dict.get("bounced_msg_ids"), [r["action"] for r in reports]
        )
        return None

    @api.model
    def _report_from_plain_bounce(self, message_dict, candidates):
        """A report for a non-delivery report without RFC 3464 fields, from
        what Odoo's gateway found, the one candidate address its text names
        and any RFC 3463 status in it."""
        text = tools.html2plaintext(message_dict.get("body") or "")
        status = STATUS_RE.search(text)
        named = {address for address in candidates.mapped("recipient_address") if address and address in text.lower()}
        recipient = message_dict.get("bounced_email") or (named.pop() if len(named) == 1 else "")
        return {
            "recipient": tools.email_normalize(recipient),
            "action": "failed",
            "status": status[0] if status else "",
            "diagnostic": text.strip()[:500],
            "mta": "",
        }

    @api.model
    def _bounce_trackings(self, email_message, message_dict):
        """The trackings a report may be about: named by our envelope id or
        header, or sharing the original Message-ID."""
        Tracking = self.env["mail.tracking.email"].sudo()
        headers = original_headers(email_message)
        references = ", ".join(filter(None, [envelope_id(email_message), headers and headers[TRACKING_HEADER]]))
        trackings = Tracking._from_header(references)
        message_ids = [
            headers and headers["Message-Id"],
            *(message_dict.get("bounced_msg_ids") or []),
            *tools.mail.unfold_references(message_dict.get("in_reply_to") or ""),
        ]
        message_ids = [message_id.strip() for message_id in message_ids if message_id]
        if message_ids:
            trackings |= Tracking.search([("message_id", "in", message_ids)])
        return trackings
