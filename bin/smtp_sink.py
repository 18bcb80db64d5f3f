#!/usr/bin/env python3
"""Development SMTP sink: accepts every message and stores it as an .eml file.

Used by bin/serve so that Odoo's outgoing mail never leaves the machine.
Logs one line per message (sender, recipients, file) to stderr and to
<dir>/sink.log.  Usage: bin/smtp_sink.py [--host H] [--port P] [--dir DIR]
"""

import argparse
import logging
import signal
import threading
import time
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller

_logger = logging.getLogger("smtp_sink")


class SinkHandler:
    def __init__(self, directory):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        path = self.directory / name
        path.write_bytes(envelope.content)
        _logger.info(
            "received from=%s to=%s size=%d file=%s",
            envelope.mail_from,
            ",".join(envelope.rcpt_tos),
            len(envelope.content),
            path,
        )
        return "250 OK: message stored"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--dir", type=Path, default=Path(__file__).resolve().parent.parent / ".run" / "mail")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(name)s: %(message)s",
        handlers=[logging.StreamHandler(), logging.FileHandler(args.dir / "sink.log")],
    )
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command chatter

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    controller = Controller(
        SinkHandler(args.dir),
        hostname=args.host,
        port=args.port,
        decode_data=False,
        enable_SMTPUTF8=True,
    )
    controller.start()
    _logger.info("listening on %s:%d, storing messages in %s", args.host, args.port, args.dir)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
        _logger.info("stopped")


if __name__ == "__main__":
    main()
