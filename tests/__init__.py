from . import test_sending
from . import test_access
