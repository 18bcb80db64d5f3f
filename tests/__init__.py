from . import test_sending
from . import test_access
from . import test_events
from . import test_pixel
from . import test_bounce
from . import test_chatter
from . import test_ui
from . import test_provider_signatures
