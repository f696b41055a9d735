"""A Stripe that stops answering costs a worker seconds, not minutes: the client gives up
after its read timeout and retries as many times as settings say."""

import contextlib
import json
import socket
import threading

import pytest

from subscriptions import stripe_gateway as gateway
from subscriptions.stripe_gateway.types import GatewayUnavailable

CUSTOMER = {"id": "cus_slow", "object": "customer", "email": "slow@example.org", "name": "S"}


class _SlowStripe:
    """Accepts every connection and answers only after `delay` seconds (a hung API)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.requests = 0
        self.stop = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer_late, args=(conn,), daemon=True).start()

    def _answer_late(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            self.requests += 1
            self.stop.wait(timeout=self.delay)
            body = json.dumps(CUSTOMER).encode()
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            with contextlib.suppress(OSError):  # the client gave up long ago
                conn.sendall(head.encode() + body)

    def __enter__(self) -> "_SlowStripe":
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.server.close()


@pytest.mark.parametrize("retries", [0, 1])
def test_a_hung_stripe_is_given_up_on_after_the_read_timeout_and_retried(settings, retries):
    with _SlowStripe(delay=15) as slow:
        settings.STRIPE_API_BASE = slow.url
        settings.STRIPE_SECRET_KEY = "sk_test_slow"
        settings.STRIPE_READ_TIMEOUT = 0.3
        settings.STRIPE_MAX_NETWORK_RETRIES = retries

        # Without the read timeout the answer would come (after 15 s) and this would pass.
        with pytest.raises(GatewayUnavailable):
            gateway.customer_retrieve("cus_slow")

        assert slow.requests == 1 + retries
