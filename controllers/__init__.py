from . import main
from . import mailbox
from . import webhooks
from . import click
from . import mass_mailing
