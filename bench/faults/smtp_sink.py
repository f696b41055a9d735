"""A local SMTP server for the fault scripts, whose answers the harness can turn bad.

`python bench/faults/smtp_sink.py --port P --log FILE --mode-file FILE` listens on loopback,
offers AUTH (PLAIN, LOGIN) without TLS, and appends one JSON line per accepted message to
the log: its Message-ID and recipients. The mode file holds one word, read on every command:

- `ok`: accepts any credentials and every message;
- `4xx`: accepts the login, then answers `451` to MAIL FROM (try again later);
- `535`: refuses every login (`535 5.7.8 Authentication credentials invalid`);
- `slow`: accepts everything, answering each message a quarter of a second after taking it
  (a busy server).
"""

import argparse
import asyncio
import json
import re
import signal
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

SLOW_SECONDS = 0.25
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]+>)", re.MULTILINE | re.IGNORECASE)


class Sink:
    def __init__(self, log: Path, mode_file: Path) -> None:
        self.log = log.open("a", encoding="utf-8")
        self.mode_file = mode_file
        self.lock = threading.Lock()

    def mode(self) -> str:
        try:
            return self.mode_file.read_text().strip() or "ok"
        except OSError:
            return "ok"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        return AuthResult(success=self.mode() != "535")

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        if self.mode() == "4xx":
            return "451 4.3.2 System not accepting network messages, try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        # Taken the moment the end of the data arrives, as a real server queues it before
        # answering: a client that vanishes while the answer is slow does not undo it
        # (aiosmtpd cancels this handler when the client goes, so the log comes first).
        found = MESSAGE_ID.search(envelope.content)
        line = {
            "message_id": found.group(1).decode() if found else None,
            "to": sorted(envelope.rcpt_tos),
        }
        with self.lock:
            self.log.write(json.dumps(line) + "\n")
            self.log.flush()
        if self.mode() == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--mode-file", type=Path, required=True)
    args = parser.parse_args()
    sink = Sink(args.log, args.mode_file)
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=args.port,
        authenticator=sink.authenticate,
        auth_require_tls=False,
        auth_required=False,
    )
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        loop.run_until_complete(stop.wait())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
