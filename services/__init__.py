from . import open_writer
