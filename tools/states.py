"""The states of a tracking email, defined once: what they are, which are
failures, which overrule which, what each weighs in an address's score, the
event that leads to each (and the kinds of events that are handled apart),
the status the chatter shows for each and how lists colour them. The field's selection, the
views (``mail.tracking.email._get_view``, the "Mail State" column of
``mail.thread._get_view``) and the web client (the ``failed`` and ``status``
of each recipient in the store payload) take them from here. Pure data and
functions, no ORM.

An empty state (``False``) means waiting in the queue.
"""

#: Every state with its label, as the ``state`` field offers them.
STATES = [
    ("deferred", "Deferred"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("opened", "Opened"),
    ("unsub", "Unsubscribed"),
    ("error", "Error"),
    ("rejected", "Rejected"),
    ("spam", "Spam"),
    ("bounced", "Bounced"),
    ("soft-bounced", "Soft bounced"),
]

#: States of an email that did not reach its recipient: its message needs
#: action (the Failed mailbox) until someone reviews it or the email heals.
FAILED_STATES = ("error", "rejected", "spam", "bounced", "soft-bounced")
#: Failures that overrule whatever happened before (and ``unsub``, the
#: recipient's last word).
HARD_STATES = ("rejected", "spam", "bounced", "unsub")
#: Failures that a later success (a retry that worked) overrules.
SOFT_FAILED_STATES = ("error", "soft-bounced")
#: Failures that are the address's fault: it bounced for good.
BOUNCED_STATES = ("bounced", "rejected", "spam")
#: The success path, in the only order it may be walked.
SUCCESS_RANK = {"deferred": 1, "sent": 2, "delivered": 3, "opened": 4}

#: What each tracking state adds to the 50 points of an address with no
#: history (the score stays within 0 and 100): a read email counts for a
#: lot, a delivered one a little; failures that are the address's fault
#: (bounces, rejects, spam complaints) take points, SMTP errors on our side
#: (``error``) and emails still under way take none.
SCORE_WEIGHTS = {
    "delivered": 2,
    "opened": 5,
    "soft-bounced": -5,
    "unsub": -10,
    "rejected": -25,
    "bounced": -30,
    "spam": -50,
}

#: Every ``mail.tracking.event`` type with its label. ``reply`` (ours): an
#: incoming email that answers the tracked email, from its recipient.
EVENT_TYPES = [
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("deferral", "Deferral"),
    ("hard_bounce", "Hard bounce"),
    ("soft_bounce", "Soft bounce"),
    ("open", "Open"),
    ("click", "Click"),
    ("reply", "Replied"),
    ("spam", "Spam"),
    ("unsub", "Unsubscribe"),
    ("reject", "Rejected"),
]

#: The state each ``mail.tracking.event`` type leads to: a reply moves it as
#: a person's open does, never further.
EVENT_STATE = {
    "sent": "sent",
    "delivered": "delivered",
    "deferral": "deferred",
    "hard_bounce": "bounced",
    "soft_bounce": "soft-bounced",
    "open": "opened",
    "click": "opened",
    "reply": "opened",
    "spam": "spam",
    "unsub": "unsub",
    "reject": "rejected",
}

#: Events that say someone, or something, fetched the email's content: each
#: is told a person's or a machine's (``tools.open_classifier``), and one that
#: repeats another within seconds counts once.
ENGAGEMENT_EVENTS = ("open", "click")
#: Events that tell what a recipient did with an email: none is recorded for
#: a recipient who opted out.
OPTED_OUT_EVENTS = (*ENGAGEMENT_EVENTS, "reply")
#: The states that events lead to when a machine made them (a privacy
#: prefetch, a security scanner), where they differ from ``EVENT_STATE``: a
#: machine's open or click proves delivery, not reading.
AUTOMATIC_EVENT_STATE = dict.fromkeys(ENGAGEMENT_EVENTS, "delivered")
#: Events that flag the address of their tracking as bounced.
BOUNCING_EVENTS = ("hard_bounce", "reject", "spam")

#: What the chatter shows for each state: the icon of the recipient.
STATUS_OF_STATE = {
    False: "waiting",
    "deferred": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "opened": "opened",
    "unsub": "opened",
    **dict.fromkeys(FAILED_STATES, "error"),
}

#: How lists colour each state (a ``decoration-*`` of Odoo's views).
DECORATION_OF_STATE = {
    "sent": "success",
    "delivered": "success",
    "opened": "success",
    "error": "danger",
    "rejected": "danger",
    "spam": "danger",
    "bounced": "danger",
    "soft-bounced": "warning",
    "deferred": "warning",
    "unsub": "warning",
}


def event_state(event_type, automatic=False):
    """The state an ``event_type`` event leads to; ``automatic`` when a
    machine made it."""
    if automatic and event_type in AUTOMATIC_EVENT_STATE:
        return AUTOMATIC_EVENT_STATE[event_type]
    return EVENT_STATE[event_type]


def next_state(current, new):
    """Return the state a tracking takes when an event leading to ``new``
    arrives while it is in ``current`` (``False`` = waiting). ``new`` is
    ``False`` when the email is queued again: it waits, whatever came
    before."""
    if not new:
        return False
    if new in HARD_STATES or not current:
        return new
    if current in HARD_STATES:
        return current
    if new in SOFT_FAILED_STATES:
        return current if SUCCESS_RANK.get(current, 0) > SUCCESS_RANK["sent"] else new
    if current in SOFT_FAILED_STATES:
        return new
    return new if SUCCESS_RANK[new] > SUCCESS_RANK[current] else current


def overruled_by(new):
    """The states a tracking leaves for ``new`` by ``next_state`` (waiting
    aside, which any state overrules): what SQL that records in bulk
    replaces."""
    return tuple(state for state, _label in STATES if next_state(state, new) == new)


def states_decorated(decoration):
    """The states that lists show with ``decoration``, in ``STATES`` order."""
    return tuple(state for state, _label in STATES if DECORATION_OF_STATE.get(state) == decoration)


def decoration_attributes(field_name):
    """The ``decoration-*`` attributes of a list column or row showing the
    state in ``field_name``."""
    return {
        f"decoration-{decoration}": f"{field_name} in {states_decorated(decoration)!r}"
        for decoration in dict.fromkeys(DECORATION_OF_STATE.values())
    }


def failed_domain(field_name="state"):
    """The domain of the records whose ``field_name`` is a failed state."""
    return [(field_name, "in", list(FAILED_STATES))]
