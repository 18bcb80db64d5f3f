"""The context keys the addon's models pass to each other."""

#: The host of the SMTP server of the batch ``mail.mail._send`` sends.
SMTP_HOST_KEY = "mail_tracking_smtp_host"
#: The mail provider of that server and its SES configuration set
#: (``ir.mail_server._tracking_outgoing_provider``).
PROVIDER_KEY = "mail_tracking_provider"
#: Create a ``mail.mail`` without trackings (a retry in a new mail brings
#: its own).
SKIP_TRACKING_KEY = "mail_tracking_skip"
#: ``mail.mail`` deletes its mails, then their messages.
MAILS_DELETED_KEY = "mail_tracking_mails_deleted"
#: The ``tools.sending_run.SendingRun`` of the call of ``mail.mail.send`` in
#: progress.
SENDING_RUN_KEY = "mail_tracking_sending_run"
#: The store goes to a chatter (the thread's messages route): every message
#: gets its recipients' statuses, tracked or not.
CHATTER_KEY = "mail_tracking_chatter"
