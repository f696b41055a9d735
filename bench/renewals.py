"""Benchmark: a month of renewals in one day. N active monthly supporters (10,000 by default)
renew on one sandbox clock advance; how long until every receipt has been sent?

Run `python bench/renewals.py [--count N]` from the project root. Not timed, it:

1. starts a fresh Stripe sandbox and makes N real monthly subscriptions there through its
   API (Checkout sessions completed on its hosted page, as readers do), with no webhook
   endpoint yet;
2. makes a scratch database and loads our side of the same gifts from what the sandbox lists
   (supporters, plans with their Stripe ids, first payments), set-based;
3. runs `manage.py stripe_setup` (the endpoint, with exactly the event types we handle, and
   its secret), then web (gunicorn, `WEB_CONCURRENCY` default), worker and beat exactly as
   the Procfile does (`-Q default,emails --concurrency 4`), with the production settings,
   and a local SMTP sink in its own process.

Timed: `POST /_sandbox/clock/advance days=31`, from the request until the last renewal
receipt is marked sent. The sandbox renews every plan and delivers the webhooks (one at a
time, in order); our web stores them, the worker processes them and sends the receipts.

It prints the rate (receipts per second), the peak memory (RSS) of web and of worker (each
the sum over its processes, and the largest single process), the longest any event waited
(from received to processed, and from Stripe's event to processed) and any email waited
(from written to sent), and checks: N new payments, N receipts, each delivered once to the
sink, no event left unprocessed. Targets: under 10 minutes; nothing waits more than 5.
"""

import argparse
import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import stripe  # noqa: E402
from emails import Sink, _free_port  # noqa: E402
from scratch import database_create, scratch_teardown  # noqa: E402

from tests.sandbox_process import SandboxProcess  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
TARGET_SECONDS = 600
MAX_WAIT_SECONDS = 300
API_KEY = "sk_test_bench_renewals"
CARD = {
    "name": "Bench Reader",
    "card_number": "4242424242424242",
    "exp_month": "12",
    "exp_year": "2034",
    "cvc": "123",
}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# 1. The sandbox's side: real subscriptions, made through its API and hosted checkout.


def sandbox_load(sandbox: SandboxProcess, count: int) -> list[dict[str, str | int]]:
    """N monthly gifts at the sandbox; answers our side of each (public id, email, amount)."""
    client = stripe.StripeClient(API_KEY, base_addresses={"api": sandbox.url})
    opener = urllib.request.build_opener(_NoRedirect)
    gifts = []
    for n in range(count):
        public_id = str(uuid.uuid4())
        amount = 500 + 100 * (n % 7)
        email = f"reader{n}@bench.example.org"
        session = client.v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "success_url": "http://127.0.0.1/support/thanks/?session={CHECKOUT_SESSION_ID}",
                "cancel_url": "http://127.0.0.1/support/",
                "client_reference_id": public_id,
                "metadata": {"contribution_id": public_id},
                "subscription_data": {"metadata": {"contribution_id": public_id}},
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": "eur",
                            "unit_amount": amount,
                            "recurring": {"interval": "month"},
                            "product_data": {"name": "Monthly support"},
                        },
                    }
                ],
            },
            options={"idempotency_key": f"bench-renewals-{public_id}"},
        )
        form = urllib.parse.urlencode({**CARD, "email": email}).encode()
        try:
            opener.open(session.url, data=form, timeout=30)
        except urllib.error.HTTPError as answer:
            if answer.code != 303:
                raise
        gifts.append(
            {"public_id": public_id, "email": email, "amount": amount, "session": session.id}
        )
    return gifts


def sandbox_list(sandbox: SandboxProcess, path: str) -> list[dict]:
    client = stripe.StripeClient(API_KEY, base_addresses={"api": sandbox.url})
    service = client.v1
    for part in path.split("."):
        service = getattr(service, part)
    params: dict = {"limit": 100}
    if path == "subscriptions":
        params["status"] = "all"
    return [obj.to_dict(for_json=True) for obj in service.list(params).auto_paging_iter()]


# 2. Our side of the same gifts, loaded set-based (what the first webhooks would have made).


def database_load(gifts: list[dict], subscriptions: list[dict], charges: list[dict]) -> None:
    from django.utils import timezone

    from subscriptions.models import Contribution, Payment, ReceiptCounter, Supporter

    by_public_id = {s["metadata"]["contribution_id"]: s for s in subscriptions}
    charge_of_customer = {c["customer"]: c for c in charges}
    now = timezone.now()
    supporters = Supporter.objects.bulk_create(
        [Supporter(email=gift["email"], name="Bench Reader") for gift in gifts], batch_size=1000
    )
    plans = []
    for gift, supporter in zip(gifts, supporters, strict=True):
        sub = by_public_id[gift["public_id"]]
        item = sub["items"]["data"][0]
        plans.append(
            Contribution(
                public_id=gift["public_id"],
                supporter=supporter,
                amount=gift["amount"],
                currency="eur",
                frequency="month",
                status=sub["status"],
                stripe_checkout_session_id=gift["session"],
                stripe_customer_id=sub["customer"],
                stripe_subscription_id=sub["id"],
                current_period_end=datetime.fromtimestamp(item["current_period_end"], tz=UTC),
                started_at=datetime.fromtimestamp(sub["start_date"], tz=UTC),
                stripe_synced_at=now,
            )
        )
    plans = Contribution.objects.bulk_create(plans, batch_size=1000)
    year = now.year
    payments = []
    for n, plan in enumerate(plans, start=1):
        charge = charge_of_customer[plan.stripe_customer_id]
        payments.append(
            Payment(
                supporter=plan.supporter,
                contribution=plan,
                stripe_charge_id=charge["id"],
                stripe_payment_intent_id=charge["payment_intent"] or "",
                amount=charge["amount"],
                currency=charge["currency"],
                settled_amount=charge["amount"],
                settlement_currency=charge["currency"],
                fee=0,
                net=charge["amount"],
                receipt_number=f"{year}-{n:06d}",
                paid_at=datetime.fromtimestamp(charge["created"], tz=UTC),
            )
        )
    Payment.objects.bulk_create(payments, batch_size=1000)
    ReceiptCounter.objects.update_or_create(year=year, defaults={"last_number": len(plans)})


# 3. The site's processes, as the Procfile runs them, and what they weigh.


class Process:
    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path):
        self.name, self.command, self.env = name, command, env
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own commands
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def pids(self) -> list[int]:
        """The process and its descendants."""
        if self.process is None or self.process.poll() is not None:
            return []
        family, frontier = [self.process.pid], [self.process.pid]
        while frontier:
            parent = frontier.pop()
            with contextlib.suppress(OSError):
                children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
                family += [int(child) for child in children]
                frontier += [int(child) for child in children]
        return family

    def stop(self) -> None:
        """Stop its whole process group (a master may be gone while its children live)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def log_tail(self, lines: int = 25) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"


def rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class MemoryWatch(threading.Thread):
    """Every half second, the RSS of each process group: the peak sum and the peak single."""

    def __init__(self, groups: dict[str, Process]):
        super().__init__(daemon=True)
        self.groups = groups
        self.peak_total = dict.fromkeys(groups, 0)
        self.peak_single = dict.fromkeys(groups, 0)
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            for name, group in self.groups.items():
                sizes = [rss_kib(pid) for pid in group.pids()]
                self.peak_total[name] = max(self.peak_total[name], sum(sizes))
                self.peak_single[name] = max(self.peak_single[name], max(sizes, default=0))


def site_environment(database: str, redis_db: int, smtp_port: int, web_port: int, api: str):
    redis_url = f"redis://127.0.0.1:6379/{redis_db}"
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{web_port}",
        "PORT": str(web_port),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "STRIPE_SECRET_KEY": API_KEY,
        "STRIPE_PUBLISHABLE_KEY": "pk_test_bench",
        "STRIPE_API_BASE": api,
        "STRIPE_WEBHOOK_SECRET": "whsec_replaced_by_stripe_setup",
        "ANYMAIL_WEBHOOK_SECRET": "bench:bench",
        "TRUSTED_PROXY_COUNT": "0",
        "SECURE_SSL_REDIRECT": "False",
        "LOG_LEVEL": "WARNING",
    }


def webhook_secret_from_setup(env: dict[str, str]) -> str:
    output = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "stripe_setup"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"STRIPE_WEBHOOK_SECRET=(\S+)", output)
    if found is None:
        raise RuntimeError(f"stripe_setup printed no secret:\n{output}")
    return found.group(1)


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2):  # noqa: S310
            return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s")


# The measurement.


def receipts_wait(count: int, started: float, timeout: float, processes: list[Process]) -> None:
    from subscriptions.models import EmailKind, EmailStatus, OutboxEmail

    receipts = OutboxEmail.objects.filter(kind=EmailKind.RECEIPT)
    last_report = 0.0
    while True:
        sent = receipts.filter(status=EmailStatus.SENT).count()
        if sent >= count:
            return
        waited = time.time() - started
        if waited > timeout:
            raise RuntimeError(f"only {sent} of {count} receipts sent after {timeout:.0f} s")
        for process in processes:
            if process.process is not None and process.process.poll() is not None:
                raise RuntimeError(f"{process.name} exited:\n{process.log_tail()}")
        if waited - last_report >= 30:
            print(f"  {waited:5.0f} s: {sent} receipts sent", flush=True)
            last_report = waited
        time.sleep(1)


def results(count: int, started: float) -> dict:
    from django.db.models import Count, F, Max

    from subscriptions.models import EmailKind, EmailStatus, OutboxEmail, Payment, StripeEvent

    receipts = OutboxEmail.objects.filter(kind=EmailKind.RECEIPT)
    last_sent = receipts.aggregate(last=Max("sent_at"))["last"]
    events = StripeEvent.objects.filter(received_at__gte=datetime.fromtimestamp(started, tz=UTC))
    processed = events.filter(processed_at__isnull=False)
    queue_wait = processed.aggregate(w=Max(F("processed_at") - F("received_at")))["w"]
    retried = processed.filter(attempts__gt=1)
    errors = Counter(
        (error.strip().splitlines() or [""])[-1][:160]
        for error in events.exclude(last_error="").values_list("last_error", flat=True)
    )
    email_wait = OutboxEmail.objects.filter(status=EmailStatus.SENT).aggregate(
        w=Max(F("sent_at") - F("created_at"))
    )["w"]
    return {
        "elapsed": last_sent.timestamp() - started,
        "events": events.count(),
        "unprocessed": events.filter(processed_at__isnull=True).count(),
        "event_wait": queue_wait.total_seconds() if queue_wait else 0.0,
        "retried": retried.count(),
        "errors": dict(errors.most_common(3)),
        "email_wait": email_wait.total_seconds() if email_wait else 0.0,
        "payments": Payment.objects.count(),
        "receipts": receipts.count(),
        "duplicate_keys": receipts.values("key").annotate(n=Count("pk")).filter(n__gt=1).count(),
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=10_000, help="monthly supporters (10000)")
    parser.add_argument("--database", default="newsroom_bench_renewals", help="made and dropped")
    parser.add_argument("--redis-db", type=int, default=12, help="must be empty; flushed at end")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds for the receipts")
    return parser.parse_args()


def main() -> None:  # noqa: PLR0915 - one story, told in order
    arguments = parse_arguments()
    count = arguments.count
    import redis

    broker = redis.Redis(host="127.0.0.1", port=6379, db=arguments.redis_db)
    if broker.dbsize():
        sys.exit(f"Redis database {arguments.redis_db} is not empty; choose another --redis-db")
    scratch = tempfile.TemporaryDirectory(prefix="bench-renewals-")
    work = Path(scratch.name)
    sink = Sink()
    sandbox = SandboxProcess(db_path=work / "sandbox.sqlite3")
    processes: list[Process] = []
    database_made = False
    try:
        sandbox.__enter__()
        started = time.perf_counter()
        gifts = sandbox_load(sandbox, count)
        subscriptions = sandbox_list(sandbox, "subscriptions")
        charges = sandbox_list(sandbox, "charges")
        print(f"sandbox: {count} monthly subscriptions in {time.perf_counter() - started:.0f} s")

        web_port = _free_port()
        env = site_environment(
            arguments.database, arguments.redis_db, sink.port, web_port, sandbox.url
        )
        os.environ.update(env)
        database_create(arguments.database)
        database_made = True
        child_env = {**os.environ, **env}
        subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=child_env,
            check=True,
        )
        import django

        django.setup()
        started = time.perf_counter()
        database_load(gifts, subscriptions, charges)
        print(f"database: loaded the same {count} gifts in {time.perf_counter() - started:.0f} s")

        secret = webhook_secret_from_setup(child_env)
        child_env["STRIPE_WEBHOOK_SECRET"] = secret
        web = Process(
            "web",
            [str(BIN / "gunicorn"), "config.wsgi", "-c", "python:config.gunicorn"],
            child_env,
            work,
        )
        worker = Process(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "-Q",
                "default,emails",
                "--concurrency",
                # The Procfile's default, or the same variable it reads.
                os.environ.get("WORKER_CONCURRENCY", "4"),
                "-l",
                "warning",
            ],
            child_env,
            work,
        )
        beat = Process(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "-l",
                "warning",
                "--scheduler",
                "django_celery_beat.schedulers:DatabaseScheduler",
            ],
            child_env,
            work,
        )
        processes = [web, worker, beat]
        sink.start()
        for process in processes:
            process.start()
        wait_until_up(f"http://127.0.0.1:{web_port}/healthz")
        time.sleep(5)  # the worker's pool forks and connects
        watch = MemoryWatch({"web": web, "worker": worker})
        watch.start()

        print(f"clock +31 days: {count} renewals", flush=True)
        started_wall = time.time()
        advanced = sandbox.control("POST", "/_sandbox/clock/advance", {"days": 31}, timeout=3600)
        print(
            f"  the sandbox ran {advanced['jobs_run']} clock jobs in "
            f"{time.time() - started_wall:.0f} s",
            flush=True,
        )
        receipts_wait(count, started_wall, arguments.timeout, processes)
        time.sleep(2)  # the last sends' rows and the sink settle
        watch.stopping.set()
        watch.join()
        figures = results(count, started_wall)
        total, _ids = sink.stats()

        elapsed = figures["elapsed"]
        print(
            f"renewals: {count} receipts sent {elapsed:.0f} s after the clock advance "
            f"({count / elapsed:.1f}/s; target under {TARGET_SECONDS} s: "
            f"{'met' if elapsed < TARGET_SECONDS else 'NOT met'})"
        )
        print(
            f"checks: {figures['payments']} payments ({2 * count} expected), "
            f"{figures['receipts']} receipts, {figures['duplicate_keys']} doubled, "
            f"{total} messages at the SMTP sink, {figures['events']} events stored, "
            f"{figures['unprocessed']} unprocessed"
        )
        if figures["retried"]:
            print(
                f"events processed after a failed attempt: {figures['retried']} "
                f"({figures['errors']})"
            )
        longest = max(figures["event_wait"], figures["email_wait"])
        print(
            f"longest waits: event received->processed {figures['event_wait']:.0f} s, "
            f"email written->sent {figures['email_wait']:.0f} s "
            f"(target under {MAX_WAIT_SECONDS} s: "
            f"{'met' if longest < MAX_WAIT_SECONDS else 'NOT met'})"
        )
        for name in ("web", "worker"):
            print(
                f"peak RSS {name}: {watch.peak_total[name] / 1024:.0f} MiB in all its "
                f"processes, {watch.peak_single[name] / 1024:.0f} MiB the largest one"
            )
        from django.db import connections

        connections.close_all()
    finally:
        # Each step on its own: one that fails must not leave the others running.
        for stop in [*(p.stop for p in reversed(processes)), sink.stop, sandbox.close]:
            try:
                stop()
            except BaseException as error:  # noqa: BLE001 - report it and go on cleaning up
                print(f"cleaning up: {stop}: {error!r}", file=sys.stderr)
        scratch_teardown(
            redis_client=broker,
            database=arguments.database,
            database_made=database_made,
            files=scratch,
        )


if __name__ == "__main__":
    main()
