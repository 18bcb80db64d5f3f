"""The three ways a tracking or an event tells its time (``timestamp``, the
UTC seconds providers give; ``time``, the datetime lists sort on; ``date``,
what reports group by), filled in from each other; and the days that
retention settings keep. No ORM."""

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


def days_setting(value):
    """The days a retention setting (a system parameter) holds: anything but
    a whole number, e.g. empty, is 0, which keeps forever."""
    value = (value or "").strip()
    return int(value) if value.isdigit() else 0
