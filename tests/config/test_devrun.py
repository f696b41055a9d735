"""`make run` on a shared machine: its own Redis names, quiet logs, a clean Ctrl-C.

The runs here start the real thing (web, worker, beat and the sandbox) in a copy of the
project in a temporary directory, so they share nothing with the checkout under test or
with anyone's `make run`: SQLite, var/ and the Redis names all belong to the copy.
"""

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis
from django.conf import settings

from config.devrun import checkout_name
from tests.sandbox_process import free_port

START_SECONDS = 120
STOP_SECONDS = 30
# What a checkout needs to run; its virtualenv is shared through a symbolic link.
NOT_COPIED = shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "staticfiles", "media")


def _copy_checkout(destination: Path) -> Path:
    # copytree keeps modification times, so make sees the shared virtualenv as up to date.
    shutil.copytree(settings.BASE_DIR, destination, ignore=NOT_COPIED)
    (destination / ".venv").symlink_to(settings.BASE_DIR / ".venv")
    return destination


def _local_environment(*, port: int) -> dict[str, str]:
    """The developer's environment: no test settings or database, this suite's Redis."""
    dropped = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SITE_URL", "MAKEFLAGS", "MAKELEVEL")
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in dropped and not name.startswith(("STRIPE_", "MFLAGS"))
    }
    env.update(
        PORT=str(port),
        STRIPE_API_BASE=f"http://127.0.0.1:{free_port()}",
        REDIS_URL=settings.REDIS_URL,
    )
    return env


def _local_settings(checkout: Path) -> dict[str, str]:
    script = (
        "from django.conf import settings as s; "
        "print(s.CACHES['default']['KEY_PREFIX']); print(s.CELERY_TASK_DEFAULT_QUEUE); "
        "import django; django.setup(); "
        "from config.celery import app; from subscriptions.tasks import outbox_email_send; "
        "print(app.amqp.router.route({}, outbox_email_send.name)['queue'].name); "
        "print(s.CELERY_BROKER_TRANSPORT_OPTIONS['global_keyprefix'])"
    )
    env = {**_local_environment(port=8000), "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    keys = ("cache_prefix", "default_queue", "emails_queue", "broker_prefix")
    return dict(zip(keys, result.stdout.split(), strict=True))


def _forget_redis_keys(checkout: Path) -> None:
    broker = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(broker.scan_iter(f"{checkout_name(checkout)}*"))
    if keys:
        broker.delete(*keys)


def _site_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def test_two_checkouts_name_their_cache_keys_and_queues_apart(tmp_path):
    first = tmp_path / "first" / "newsroom"
    second = tmp_path / "second" / "newsroom"
    for checkout in (first, second):
        _copy_checkout(checkout)

    one, other = _local_settings(first), _local_settings(second)

    assert checkout_name(first) == checkout_name(first)  # the same on every run
    assert one == {
        "cache_prefix": checkout_name(first),
        "default_queue": f"{checkout_name(first)}.default",
        "emails_queue": f"{checkout_name(first)}.emails",
        "broker_prefix": f"{checkout_name(first)}:",
    }
    assert not set(one.values()) & set(other.values())
    assert re.fullmatch(r"newsroom-[0-9a-f]{10}", checkout_name(second))


def _all_started(log: Path) -> bool:
    text = log.read_text(errors="replace")
    return " ready." in text and "beat: Starting" in text


def test_python_m_config_devrun_exits_0_on_sigint(tmp_path):
    checkout = _copy_checkout(tmp_path / "newsroom")
    port = free_port()
    log = (tmp_path / "devrun.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "config.devrun"],
        cwd=checkout,
        env=_local_environment(port=port),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        # Every process is up: the site answers, the worker is ready and beat has started.
        while not (_site_answers(port) and _all_started(tmp_path / "devrun.log")):
            assert process.poll() is None, (tmp_path / "devrun.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "make run's processes did not all start"
            time.sleep(0.5)

        # What a terminal does on Ctrl-C: SIGINT to the whole foreground process group.
        os.killpg(process.pid, signal.SIGINT)
        returncode = process.wait(timeout=STOP_SECONDS)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        _forget_redis_keys(checkout)

    output = (tmp_path / "devrun.log").read_text()
    assert returncode == 0, output[-3000:]
    assert "Traceback" not in output
    assert not _site_answers(port)


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_run_keeps_to_its_own_names_logs_emails_at_info_and_stops_on_ctrl_c(tmp_path):
    import pty

    checkout = _copy_checkout(tmp_path / "newsroom")
    name = checkout_name(checkout)
    port = free_port()
    env = _local_environment(port=port)
    broker = redis.Redis.from_url(settings.REDIS_URL)
    keys_before = set(broker.scan_iter())

    pid, terminal = pty.fork()
    if pid == 0:  # the child: `make run` in a terminal of its own, as a developer runs it
        os.chdir(checkout)
        os.execvpe("make", ["make", "run"], env)  # noqa: S606 - from PATH, as a person would
    output = bytearray()

    def read_for(seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if select.select([terminal], [], [], 0.2)[0]:
                try:
                    chunk = os.read(terminal, 65536)
                except OSError:  # the terminal closed: everything has ended
                    return False
                if not chunk:
                    return False
                output.extend(chunk)
        return True

    try:
        deadline = time.monotonic() + START_SECONDS
        while not _site_answers(port):
            assert read_for(0.5), output.decode(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the site did not answer"

        # A sent email (the console backend prints it in the worker).
        send_email = (
            "from subscriptions.services.supporters import supporter_upsert; "
            "from subscriptions.services.manage import manage_link_request; "
            "supporter_upsert(email='log.reader@example.org'); "
            "manage_link_request(email='log.reader@example.org', ip='127.0.0.1')"
        )
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", send_email],
            cwd=checkout,
            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
            timeout=60,
            check=True,
        )
        deadline = time.monotonic() + START_SECONDS
        # The email task's own "succeeded" line: another task's (a sweep) may come first.
        while not re.search(rb"outbox_email_send\[[^\]]+\] succeeded", output):
            assert read_for(0.5), output.decode(errors="replace")[-3000:]
            assert time.monotonic() < deadline, output.decode(errors="replace")[-3000:]

        os.write(terminal, b"\x03")  # Ctrl-C
        deadline = time.monotonic() + STOP_SECONDS
        while read_for(0.5) and time.monotonic() < deadline:
            pass
        _, status = os.waitpid(pid, 0)
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(terminal)
        new_keys = {key.decode() for key in set(broker.scan_iter()) - keys_before}
        _forget_redis_keys(checkout)

    text = output.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text[-3000:]
    assert "make: ***" not in text
    assert "Traceback" not in text
    # The email is logged at INFO, like every other line about work done.
    assert re.search(r"INFO/ForkPoolWorker-\d+\] Content-Type: multipart/alternative", text)
    assert "WARNING/ForkPoolWorker" not in text
    # Queues, broker bookkeeping and cache entries: every key it made carries its name.
    assert new_keys
    assert {key for key in new_keys if not key.startswith(name)} == set()


def test_make_run_gives_the_sandbox_the_settlement_currency_of_the_environment(monkeypatch):
    from config.devrun import _sandbox_command

    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8000")
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:12111")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    monkeypatch.delenv("STRIPE_SANDBOX_SETTLEMENT_CURRENCY", raising=False)
    assert "--settlement-currency eur " in _sandbox_command()

    monkeypatch.setenv("STRIPE_SANDBOX_SETTLEMENT_CURRENCY", "gbp")
    assert "--settlement-currency gbp " in _sandbox_command()
