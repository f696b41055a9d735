"""Benchmark: receipts through the outbox and Celery workers against a plain smtplib loop.

Run `python bench/emails.py [--count N]` from the project root (default 10,000). It makes a
database of its own, renders one receipt per payment into the outbox (not timed), then sends
them all twice to a local SMTP sink running in its own process:

- smtplib: a plain loop over the rows, one connection, `send_message` per message;
- outbox: the real `outbox_email_send` tasks on a real Celery worker run as the Procfile
  runs it (`-Q emails,default -c $WORKER_CONCURRENCY`, 4 by default, prefork, the
  settings' prefetch multiplier of 1), from the first enqueue until the last row is marked
  sent (the worker is up before the clock starts).

Each task claims its own row and up to OUTBOX_BATCH_SIZE other due ones (skip_locked) and
sends them on one connection, so most tasks find their row already sent.

It prints messages per second for each and the ratio outbox/plain (target >= 0.8), and
removes its database, its Redis database and its processes when it ends.
"""

import argparse
import contextlib
import multiprocessing
import os
import re
import secrets
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scratch import database_create, scratch_teardown  # noqa: E402

PYTHON = sys.executable
CELERY = str(Path(PYTHON).with_name("celery"))
TARGET = 0.8
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]+>)", re.MULTILINE | re.IGNORECASE)


# The SMTP sink: its own process, so it never competes with a measured client for a GIL.


class _CountingHandler:
    def __init__(self) -> None:
        self.total = 0
        self.message_ids: set[bytes] = set()

    async def handle_DATA(self, server, session, envelope) -> str:
        self.total += 1
        found = MESSAGE_ID.search(envelope.content)
        if found:
            self.message_ids.add(found.group(1))
        return "250 Message accepted for delivery"


def _sink_serve(port: int, commands) -> None:
    from aiosmtpd.controller import Controller

    handler = _CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    commands.send("ready")
    try:
        while True:
            command = commands.recv()
            if command == "reset":
                handler.total = 0
                handler.message_ids = set()
                commands.send("ok")
            elif command == "stats":
                ids = {value.decode() for value in handler.message_ids}
                commands.send((handler.total, ids))
            else:
                break
    finally:
        controller.stop()


class Sink:
    def __init__(self) -> None:
        self.port = _free_port()
        context = multiprocessing.get_context("spawn")
        self.commands, theirs = context.Pipe()
        self.process = context.Process(target=_sink_serve, args=(self.port, theirs), daemon=True)

    def start(self) -> None:
        self.process.start()
        if not self.commands.poll(30) or self.commands.recv() != "ready":
            raise RuntimeError("the SMTP sink did not start")

    def reset(self) -> None:
        self.commands.send("reset")
        self.commands.recv()

    def stats(self) -> tuple[int, set[str]]:
        self.commands.send("stats")
        return self.commands.recv()

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                self.commands.send("stop")
            self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The isolated environment: a database, a Redis database and SMTP settings of our own.


def bench_environment(database: str, redis_db: int, smtp_port: int) -> dict[str, str]:
    redis_url = f"redis://127.0.0.1:6379/{redis_db}"
    return {
        # The local settings honour EMAIL_URL like production (the test settings force locmem).
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "LOCAL_WITHOUT_REDIS": "0",
    }


# Preparation (not timed): supporters, plans, payments and one rendered receipt each.


def prepare(count: int) -> list[int]:
    from django.conf import settings
    from django.utils import timezone

    from subscriptions.emails.kinds import SPECS
    from subscriptions.emails.render import email_render
    from subscriptions.models import Contribution, EmailKind, OutboxEmail, Payment, Supporter

    now = timezone.now()
    supporters = Supporter.objects.bulk_create(
        [
            Supporter(email=f"reader{n}@bench.example.org", name=f"Bench Reader{n}")
            for n in range(count)
        ],
        batch_size=1000,
    )
    contributions = Contribution.objects.bulk_create(
        [
            Contribution(
                supporter=supporter,
                amount=500 + 100 * (n % 7),
                currency="eur",
                frequency="month",
                status="active",
                stripe_subscription_id=f"sub_bench{n}",
                started_at=now,
                current_period_end=now + timedelta(days=30),
            )
            for n, supporter in enumerate(supporters)
        ],
        batch_size=1000,
    )
    payments = Payment.objects.bulk_create(
        [
            Payment(
                supporter=contribution.supporter,
                contribution=contribution,
                stripe_charge_id=f"ch_bench{n}",
                amount=contribution.amount,
                currency=contribution.currency,
                settled_amount=contribution.amount,
                settlement_currency=contribution.currency,
                fee=40,
                net=contribution.amount - 40,
                receipt_number=f"{now.year}-{n + 1:06d}",
                paid_at=now,
            )
            for n, contribution in enumerate(contributions)
        ],
        batch_size=1000,
    )
    domain = settings.SITE_URL.split("//", 1)[-1].split(":")[0].split("/")[0] or "localhost"
    receipt = SPECS[EmailKind.RECEIPT]
    rows = []
    for payment in payments:
        supporter = payment.supporter
        # The receipt's own context builder, as a recorded payment's receipt gets it.
        facts = {"payment": payment, "supporter": supporter}
        context = receipt.context(facts)
        rendered = email_render(kind=EmailKind.RECEIPT, supporter=supporter, context=context)
        rows.append(
            OutboxEmail(
                supporter=payment.supporter,
                kind=EmailKind.RECEIPT,
                key=receipt.key(facts),
                to=payment.supporter.email,
                subject=rendered.subject,
                html=rendered.html,
                text=rendered.text,
                unsubscribe_url=rendered.unsubscribe_url,
                message_id=f"<{uuid.uuid4()}@{domain}>",
            )
        )
    return [row.pk for row in OutboxEmail.objects.bulk_create(rows, batch_size=1000)]


# The baseline: a plain smtplib loop over the same rows.


def plain_send(ids: list[int], port: int) -> float:
    from django.conf import settings

    from subscriptions.models import OutboxEmail

    fields = ("pk", "message_id", "to", "subject", "text", "html", "unsubscribe_url")
    by_pk = {row["pk"]: row for row in OutboxEmail.objects.filter(pk__in=ids).values(*fields)}
    rows = [by_pk[pk] for pk in ids]
    sender = settings.DEFAULT_FROM_EMAIL
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
        for row in rows:
            message = EmailMessage()
            message["Subject"] = row["subject"]
            message["From"] = sender
            message["To"] = row["to"]
            message["Date"] = formatdate(localtime=False)
            message["Message-ID"] = row["message_id"]
            if row["unsubscribe_url"]:
                message["List-Unsubscribe"] = f"<{row['unsubscribe_url']}>"
                message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            message.set_content(row["text"])
            message.add_alternative(row["html"], subtype="html")
            smtp.send_message(message)
    return time.perf_counter() - started


# The outbox path: real workers, real tasks.


class Worker:
    def __init__(self, env: dict[str, str], log_path: Path, concurrency: int, prefetch: int):
        self.name = f"bench-emails-{os.getpid()}@{socket.gethostname()}"
        self.log_path = log_path
        self.command = [
            CELERY,
            "-A",
            "config",
            "worker",
            "-Q",
            "",  # the queues, named in start(): the settings may put a prefix on them
            "-c",
            str(concurrency),
            "--prefetch-multiplier",
            str(prefetch),
            "-P",
            "prefork",
            "-n",
            self.name,
        ]
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        from django.conf import settings

        from config.celery import app

        emails = f"{settings.TASK_QUEUE_PREFIX}emails"
        self.command[self.command.index("-Q") + 1] = (
            f"{emails},{settings.CELERY_TASK_DEFAULT_QUEUE}"
        )

        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so its children stop with it
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited:\n{self.log_tail()}")
            replies = app.control.ping(destination=[self.name], timeout=1.0)
            if any(self.name in reply for reply in replies):
                return
        raise RuntimeError(f"the worker did not answer a ping in {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # warm shutdown
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no worker log)"


def outbox_send(ids: list[int], timeout: float) -> tuple[float, float, dict[str, int]]:
    """Enqueue every row and wait until all are sent; answers the seconds until the last
    was marked sent, the seconds the enqueueing took, and the rows per status."""
    from django.db.models import Count, Max

    from subscriptions.models import OutboxEmail
    from subscriptions.tasks import outbox_email_send

    rows = OutboxEmail.objects.filter(pk__in=ids)
    started_wall = time.time()
    started = time.perf_counter()
    for email_id in ids:
        outbox_email_send.delay(email_id)
    enqueued = time.perf_counter() - started
    while True:
        statuses = dict(rows.values_list("status").annotate(n=Count("pk")).order_by())
        if statuses.get("sent", 0) + statuses.get("failed", 0) >= len(ids):
            break
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"the outbox did not finish in {timeout:.0f} s: {statuses}")
        time.sleep(0.5)
    # The last row's own sent_at, not the poll that saw it: no 0.5 s polling error.
    last_sent = rows.aggregate(last=Max("sent_at"))["last"]
    elapsed = (last_sent.timestamp() - started_wall) if last_sent else float("nan")
    return elapsed, enqueued, statuses


def check_delivery(sink: Sink, expected: set[str], path: str) -> None:
    total, received = sink.stats()
    if total != len(expected) or received != expected:
        raise RuntimeError(
            f"{path}: the sink received {total} messages, {len(received & expected)} of the "
            f"{len(expected)} expected Message-IDs and {len(received - expected)} unexpected"
        )


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=10_000, help="receipts to send (10000)")
    # The Procfile's worker: the same variable and default, and the settings' prefetch.
    parser.add_argument(
        "--concurrency",
        type=int,
        default=int(os.environ.get("WORKER_CONCURRENCY", "4")),
        help="worker processes ($WORKER_CONCURRENCY, else 4, as the Procfile)",
    )
    parser.add_argument("--prefetch", type=int, default=1, help="prefetch multiplier (1)")
    parser.add_argument("--database", default="newsroom_bench_emails", help="made and dropped")
    parser.add_argument("--redis-db", type=int, default=14, help="must be empty; flushed at end")
    parser.add_argument("--timeout", type=float, default=900, help="seconds for the outbox")
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    count = arguments.count

    import redis

    broker = redis.Redis(host="127.0.0.1", port=6379, db=arguments.redis_db)
    if broker.dbsize():
        sys.exit(f"Redis database {arguments.redis_db} is not empty; choose another --redis-db")

    sink = Sink()
    env = bench_environment(arguments.database, arguments.redis_db, sink.port)
    os.environ.update(env)
    child_env = {**os.environ, **env}
    scratch = tempfile.TemporaryDirectory(prefix="bench-emails-")
    worker = Worker(
        child_env, Path(scratch.name) / "worker.log", arguments.concurrency, arguments.prefetch
    )
    database_made = False
    try:
        database_create(arguments.database)
        database_made = True
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=child_env,
            check=True,
        )
        import django

        django.setup()
        from django.db import connections

        from subscriptions.models import EmailStatus, OutboxEmail

        started = time.perf_counter()
        ids = prepare(count)
        expected = set(OutboxEmail.objects.filter(pk__in=ids).values_list("message_id", flat=True))
        print(f"prepared {len(ids)} rendered receipts in {time.perf_counter() - started:.1f} s")
        sink.start()

        plain = plain_send(ids, sink.port)
        check_delivery(sink, expected, "smtplib")
        print(f"smtplib: {count} in {plain:.1f} s ({count / plain:.0f}/s)", flush=True)
        sink.reset()

        worker.start()
        outbox, enqueued, statuses = outbox_send(ids, arguments.timeout)
        check_delivery(sink, expected, "outbox")
        failed = statuses.get(EmailStatus.FAILED, 0)
        retried = OutboxEmail.objects.filter(pk__in=ids, attempts__gt=1).count()
        if failed or retried:
            raise RuntimeError(f"outbox: {failed} rows failed, {retried} took more than one try")
        print(
            f"outbox: {count} in {outbox:.1f} s ({count / outbox:.0f}/s; "
            f"enqueueing took {enqueued:.1f} s) with {arguments.concurrency} worker processes, "
            f"prefetch multiplier {arguments.prefetch}",
            flush=True,
        )
        ratio = (count / outbox) / (count / plain)
        verdict = "met" if ratio >= TARGET else "NOT met"
        print(
            f"outbox: {count} in {outbox:.1f} s ({count / outbox:.0f}/s); "
            f"smtplib: {count} in {plain:.1f} s ({count / plain:.0f}/s); "
            f"ratio outbox/plain = {ratio:.2f} (target >= {TARGET}: {verdict})"
        )
        connections.close_all()
    finally:
        worker.stop()
        sink.stop()
        scratch_teardown(
            redis_client=broker,
            database=arguments.database,
            database_made=database_made,
            files=scratch,
        )


if __name__ == "__main__":
    main()
