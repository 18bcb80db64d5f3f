from . import click
from . import mailbox
from . import mass_mailing
from . import pixel
from . import thread
from . import webhooks
