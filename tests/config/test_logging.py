"""Logs never hold a reader's email address, a link token or a query string."""

import contextlib
import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from django.utils.log import configure_logging

from config.logfilters import RedactFilter, redact

TOKEN = "42.manage:1v0aBc:Qm9vZ2xlLXRoaXMtaXMtYS1zaWduYXR1cmUtdmFsdWU"
HEX_TOKEN = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
SECRET_BITS = [
    "reader@example.org",
    "reader%40example.org",
    "cs_test_a1B2",
    TOKEN,
    "1v0aBc",
    HEX_TOKEN,
]


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ('"GET /support/thanks/?session_id=cs_test_a1B2 HTTP/1.1" 200', "/support/thanks/?[query]"),
        ("Sent the manage link to reader@example.org", "Sent the manage link to [email]"),
        ("Not Found: /authors/reader%40example.org/", "Not Found: /authors/[email]/"),
        (f'"GET /support/manage/{TOKEN}/ HTTP/1.1" 200', "/support/manage/[token]/"),
        (f"GET /support/unsubscribe/{HEX_TOKEN}/", "/support/unsubscribe/[token]/"),
        (
            "GET /articles/harbour-dredging-plans-draft-not-yet-checked/",
            "/articles/harbour-dredging-plans-draft-not-yet-checked/",
        ),
        ("Is the worker alive? yes", "Is the worker alive? yes"),
    ],
)
def test_redaction_removes_secrets_and_keeps_the_rest(line, kept):
    redacted = redact(line)

    assert kept in redacted
    assert not [bit for bit in SECRET_BITS if bit in redacted]


@pytest.fixture
def console_output():
    """What the site's console handler writes, whoever logs."""
    # Logging as Django sets it up at start (an in-process Celery worker in an earlier
    # test may have taken over the root logger since).
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    handler = next(h for h in logging.getLogger().handlers if _redacts(h))
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def _redacts(handler: logging.Handler) -> bool:
    return any(isinstance(f, RedactFilter) for f in handler.filters)


@pytest.mark.django_db
def test_a_not_found_request_is_logged_without_the_address_in_its_path(client, console_output):
    client.get("/authors/reader@example.org/")

    logged = console_output.getvalue()
    assert "Not Found: /authors/[email]/" in logged
    assert "example.org" not in logged


def test_a_traceback_is_logged_without_the_address_in_its_error(console_output):
    try:
        raise ValueError("No such supporter: reader@example.org")
    except ValueError:
        logging.getLogger("subscriptions").exception("Could not send to %s", "reader@example.org")

    logged = console_output.getvalue()
    assert "Could not send to [email]" in logged
    assert "ValueError: No such supporter: [email]" in logged
    assert "reader@example.org" not in logged


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> None:
    # Any status will do: only the log line matters here.
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(url, timeout=10).close()


@pytest.mark.django_db
def test_the_procfile_web_process_logs_requests_without_secrets():
    port = _free_port()
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-c",
            "python:config.gunicorn",
            "--no-control-socket",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(f"{base}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or web.poll() is not None:
                    raise
                time.sleep(0.2)
        _get(f"{base}/support/thanks/?session_id=cs_test_a1B2&email=reader%40example.org")
        _get(f"{base}/support/manage/{TOKEN}/")
        _get(f"{base}/authors/reader@example.org/")
    finally:
        web.terminate()
        output, _ = web.communicate(timeout=30)

    assert '"GET /support/thanks/ HTTP/1.1"' in output
    assert '"GET /support/manage/[token]/ HTTP/1.1"' in output
    assert '"GET /authors/[email]/ HTTP/1.1"' in output
    assert not [bit for bit in SECRET_BITS if bit in output], output
