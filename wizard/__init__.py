from . import privacy_lookup_wizard
from . import privacy_lookup_wizard_line
