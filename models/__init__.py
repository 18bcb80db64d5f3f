from . import mail_tracking_email
from . import mail_tracking_event
from . import ir_mail_server
from . import mail_mail
from . import mail_message
from . import mail_thread
from . import res_partner
from . import res_users
