"""Hits of Email Marketing's own open pixel and tracked links
(``mass_mailing``, when it is installed), which its mailings' emails carry
instead of ours: Email Marketing records them on its trace, and each is
kept here as well, for the hand-off writer to record on the tracking of the
same email (``mail_tracking_email.mailing_trace_id``)."""

import json

from odoo import api, models
from odoo.tools import SQL

from .mail_tracking_handoff import CLICK, OPEN


class MailTrackingHandoff(models.Model):
    _inherit = "mail.tracking.handoff"

    @api.model
    def _add_mailing_open(self, mail_id, metadata):
        """Keep a hit of Email Marketing's pixel of the mail ``mail_id``
        (checked by Email Marketing), in one statement; return whether it
        was kept (the email has a tracking)."""
        rows = self.env.execute_query(
            SQL(
                """INSERT INTO mail_tracking_handoff (kind, tracking_email_id, payload)
                   SELECT %s, tracking.id, %s
                     FROM mailing_trace trace
                     JOIN mail_tracking_email tracking ON tracking.mailing_trace_id = trace.id
                    WHERE trace.mail_mail_id_int = %s
                   RETURNING id""",
                OPEN,
                json.dumps(metadata),
                mail_id,
            )
        )
        return bool(rows)

    @api.model
    def _add_mailing_click(self, code, trace_id, metadata):
        """Keep a click of Email Marketing's link ``code`` in the email of
        the trace ``trace_id``, with the link's URL, in one statement, when
        the link is one of that trace's mailing (Email Marketing takes any
        trace id the URL gives); return whether it was kept."""
        rows = self.env.execute_query(
            SQL(
                """INSERT INTO mail_tracking_handoff (kind, tracking_email_id, payload)
                   SELECT %s, tracking.id, (%s::jsonb || jsonb_build_object('url', link.url))::text
                     FROM link_tracker_code code
                     JOIN link_tracker link ON link.id = code.link_id
                     JOIN mailing_trace trace ON trace.mass_mailing_id = link.mass_mailing_id
                     JOIN mail_tracking_email tracking ON tracking.mailing_trace_id = trace.id
                    WHERE code.code = %s AND trace.id = %s
                   RETURNING id""",
                CLICK,
                json.dumps(metadata),
                code,
                trace_id,
            )
        )
        return bool(rows)
