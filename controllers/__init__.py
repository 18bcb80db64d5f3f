from . import main
from . import mailbox
