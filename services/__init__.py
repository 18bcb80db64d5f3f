from . import handoff_writer
