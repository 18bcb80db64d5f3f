# The addon's models, each before its concerns (mail_tracking_email_*.py),
# then the reports (views on their tables), then Odoo's models extended. Odoo
# needs a model defined before its extensions and a table before a view on
# it; no other order matters (tests/test_model_layout.py).
from . import mail_tracking_email
from . import mail_tracking_email_access
from . import mail_tracking_email_anonymize
from . import mail_tracking_email_bounce_warning
from . import mail_tracking_email_clicks
from . import mail_tracking_email_engagement
from . import mail_tracking_email_events
from . import mail_tracking_email_gc
from . import mail_tracking_email_mailing
from . import mail_tracking_email_optout
from . import mail_tracking_email_provider
from . import mail_tracking_email_resend
from . import mail_tracking_email_score
from . import mail_tracking_email_sending
from . import mail_tracking_email_state
from . import mail_tracking_event
from . import mail_tracking_event_anonymize
from . import mail_tracking_event_client_data
from . import mail_tracking_event_engagement
from . import mail_tracking_event_retention
from . import mail_tracking_handoff
from . import mail_tracking_handoff_mailing
from . import mail_tracking_link
from . import mail_tracking_webhook_token
from . import mail_tracking_bounced_address
from . import mail_tracking_deliverability
from . import ir_mail_server
from . import ir_mail_server_provider
from . import ir_module_module
from . import mail_mail
from . import mail_mail_mailing
from . import mail_message
from . import mail_message_bus_coalescing
from . import mail_message_tracking_access
from . import mail_message_tracking_store
from . import mail_thread
from . import mail_thread_bounce
from . import res_config_settings
from . import res_config_settings_clicks
from . import res_partner
from . import res_partner_engagement
from . import res_partner_tracking_optout
from . import res_users
