"""The three ways a tracking or an event tells its time (``timestamp``, the
UTC seconds providers give; ``time``, the datetime lists sort on; ``date``,
what reports group by), filled in from each other. No ORM."""

import time
from datetime import UTC, datetime

from odoo.fields import Datetime


def complete_times(vals):
    """Fill in ``timestamp``, ``time`` and ``date`` of new tracking or event
    values from each other, or with now (setting ``date`` here spares an
    update to compute it after the insert); return ``vals``."""
    if not vals.get("timestamp"):
        moment = Datetime.to_datetime(vals.get("time")) if vals.get("time") else None
        vals["timestamp"] = moment.replace(tzinfo=UTC).timestamp() if moment else time.time()
    vals.setdefault("time", datetime.fromtimestamp(vals["timestamp"], UTC).replace(tzinfo=None))
    vals.setdefault("date", Datetime.to_datetime(vals["time"]).date())
    return vals
