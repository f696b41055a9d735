"""Django's SMTP backend, able to say when a message is as good as delivered.

An SMTP server takes a message exactly when it reads the end of its data (`<CRLF>.<CRLF>`):
a connection lost before then makes it discard the message. So the one moment a sender can
be killed without knowing whether its message went is between writing that terminator and
reading the server's reply. `handover_hook` runs a function (the outbox's "handed over"
mark) just before the terminator is written, which shrinks that window to one round trip
and lets whoever finds the dead sender's row tell "maybe delivered" from "never delivered".

EMAIL_URL's smtp:// backend is this one (config/settings/base.py). HTTP API providers
(django-anymail) have no such moment to hook.
"""

import contextlib
import smtplib
import socket
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django.core.mail.backends import smtp

TERMINATOR = b".\r\n"

_before_terminator: ContextVar[Callable[[], None] | None] = ContextVar(
    "before_terminator", default=None
)


@contextlib.contextmanager
def handover_hook(hook: Callable[[], None]) -> Iterator[None]:
    """Call `hook` before the terminator of every message this thread sends meanwhile."""
    token = _before_terminator.set(hook)
    try:
        yield
    finally:
        _before_terminator.reset(token)


class HandoverSMTP(smtplib.SMTP):
    """smtplib.SMTP whose data() writes the body and the terminator apart, with the hook
    between them (otherwise as CPython's own)."""

    def connect(
        self, host: str = "localhost", port: int = 0, source_address: Any = None
    ) -> tuple[int, bytes]:
        reply = super().connect(host, port, source_address)
        # The terminator is a tiny second write right after the body: Nagle's algorithm
        # would hold it until the server acknowledges the body (up to 40 ms of delayed ACK).
        if self.sock is not None:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return reply

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        if isinstance(msg, str):
            msg = smtplib._fix_eols(msg).encode("ascii")  # type: ignore[attr-defined]
        body: bytes = smtplib._quote_periods(bytes(msg))  # type: ignore[attr-defined]
        if body[-2:] != b"\r\n":
            body += b"\r\n"
        self.send(body)
        hook = _before_terminator.get()
        if hook is not None:
            hook()
        self.send(TERMINATOR)
        return self.getreply()


class HandoverSMTPSSL(HandoverSMTP, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    """Django's SMTP backend on the connection classes above."""

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return HandoverSMTPSSL if self.use_ssl else HandoverSMTP
