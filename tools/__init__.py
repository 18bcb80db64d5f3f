from . import references
