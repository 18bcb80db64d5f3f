"""What one call of ``mail.mail.send`` keeps across the commits of Odoo's
queue, which commits after each mail when its cron sends (``auto_commit``),
emptying the ORM's cache and the cursor's with each commit. Pure data, no
ORM: the run travels in the context (``context_keys.SENDING_RUN_KEY``)."""

import time

#: During a run that commits after each mail, the sends of Email
#: Marketing's emails are recorded together once the oldest waited this
#: long, or once this many wait, and at the end of the run.
DEFERRED_SECONDS = 1.0
DEFERRED_EMAILS = 200


class SendingRun:
    """One call of ``mail.mail.send``.

    - ``defers``: whether it commits after each mail, so that sends may
      wait beyond a commit to be recorded together;
    - ``sent``: those sends, ``(tracking ids, SMTP server, Message-ID,
      written, timestamp)`` each, not recorded yet;
    - ``kept``: what sending reads of the trackings of the batch being sent,
      read once for the batch: ``(mail id -> tracking ids, field name ->
      tracking id -> cache value)``.
    """

    def __init__(self, defers):
        self.defers = defers
        self.sent = []
        self.kept = ({}, {})

    def take_sent(self, everything=True):
        """The sends waiting, taken off the run: all of them, or, when not
        ``everything``, only once they are due (else none)."""
        due = self.sent and (
            everything or len(self.sent) >= DEFERRED_EMAILS or time.time() - self.sent[0][4] >= DEFERRED_SECONDS
        )
        if not due:
            return []
        sent, self.sent = self.sent, []
        return sent
