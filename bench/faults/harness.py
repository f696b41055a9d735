"""The fault scripts' shared harness: a whole site on loopback, a stream, a comparison.

A run starts two stacks side by side, each with web (gunicorn, production settings), a
Celery worker, beat, the Stripe sandbox and an SMTP sink, on PostgreSQL and Redis on
loopback, each in databases of its own:

- "clean": the stream in order, no fault;
- "fault": the same stream (same seed), with the scenario's fault injected.

When both have settled it compares, by stable keys (supporter email, Stripe ids mapped to
the gift they belong to, email kind + recipient + related object), every supporter,
contribution, payment, refund, payout link and sent email, prints "0 lost, 0 doubled" or
the differences, and the time from the fault's end until the last event and email were
done. Everything it started is stopped on the way out, Ctrl-C and failures included.
"""

import argparse
import contextlib
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
SANDBOX_KEY = "sk_test_faults_dashboard"
GOOD_CARD = "4242424242424242"
FAILS_LATER_CARD = "4000000000000341"
DISPUTED_CARD = "4000000000000259"
ADMIN_DB = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1:] or [Path("/usr/bin")]


def say(line: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {line}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what: str, check: Callable[[], bool], timeout: float, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(every)
    raise RuntimeError(f"{what} did not happen within {timeout:.0f} s")


# Processes ---------------------------------------------------------------------------


class Process:
    """One program in a process group of its own, its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path):
        self.name, self.command, self.env, self.log = name, command, env, log
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> "Process":
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603 - our own programs
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal_group(self, signum: int) -> None:
        if self.popen is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        """SIGKILL to the whole group: the program and its children, at once."""
        self.signal_group(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait()

    def stop(self, timeout: float = 10) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        # Whatever is left of the group (children of a program that ended) goes too.
        self.signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)


class PrivateRedis:
    """A redis-server of our own on a free loopback port: stopping it harms nobody."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Process | None = None

    def start(self) -> None:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port)]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        self.process = Process("redis", command, dict(os.environ), self.workdir / "redis.log")
        self.process.start()
        wait_for("redis start", self.answers, 20)

    def answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        if self.process:
            self.process.stop()
            self.process = None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (initdb) on a free loopback port, run as the postgres
    user; restarting it harms nobody."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.dir = workdir / "pgdata"
        self.socket_dir = workdir / "pgsocket"
        self.log = workdir / "postgres.log"
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True)  # noqa: S603

    def init(self) -> None:
        for path in (self.dir, self.socket_dir):
            path.mkdir(parents=True)
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.dir.parent, "postgres")
            for path in (self.dir, self.socket_dir, self.log):
                shutil.chown(path, "postgres")
        initdb = str(PG_BIN[0] / "initdb")
        self._as_postgres(
            initdb, "-D", str(self.dir), "-A", "trust", "-U", "postgres", "-E", "UTF8"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        pg_ctl = str(PG_BIN[0] / "pg_ctl")
        self._as_postgres(
            pg_ctl, "-D", str(self.dir), "-l", str(self.log), "-o", options, "-w", "start"
        )

    def stop(self) -> None:
        pg_ctl = str(PG_BIN[0] / "pg_ctl")
        with contextlib.suppress(subprocess.CalledProcessError):
            self._as_postgres(pg_ctl, "-D", str(self.dir), "-m", "fast", "-w", "stop")


def database_create(admin_url: str, name: str, template: str | None = None) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        connection.execute(create)


def database_drop(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with contextlib.suppress(psycopg.Error), psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def redis_flush(url: str) -> None:
    import redis

    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()


# HTTP ------------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def http(
    method: str,
    url: str,
    fields: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
    json_body: Any = None,
    timeout: float = 60,
) -> tuple[int, dict[str, str], bytes]:
    """One request, no redirects followed; a connection failure answers status 0."""
    data = None
    headers = dict(headers or {})
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif fields is not None and method == "GET":
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(fields, doseq=True)
    elif fields is not None:
        data = urllib.parse.urlencode(fields, doseq=True).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except (OSError, ValueError) as error:
        return 0, {}, str(error).encode()


# The stack --------------------------------------------------------------------------------


@dataclass
class StackConfig:
    label: str
    database: str
    redis_url: str | None  # None: a private redis-server
    private_postgres: bool = False
    chaos_seed: int | None = None
    worker_concurrency: int = 2
    email_worker: bool = False
    web_workers: int = 2


class Stack:
    """web, worker, beat, the sandbox and the SMTP sink on loopback, in own databases."""

    def __init__(self, config: StackConfig, workdir: Path):
        self.config = config
        self.label = config.label
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.processes: dict[str, Process] = {}
        self.redis: PrivateRedis | None = None
        self.postgres: PrivatePostgres | None = None
        self.web_port = free_port()
        self.sandbox_port = free_port()
        self.smtp_port = free_port()
        self.site = f"http://127.0.0.1:{self.web_port}"
        self.sandbox = f"http://127.0.0.1:{self.sandbox_port}"
        self.webhook_secret = "whsec_" + secrets.token_urlsafe(24)
        self.mail_log = workdir / "mail.jsonl"
        self.mode_file = workdir / "smtp_mode"
        self.admin_db = ADMIN_DB
        self.redis_url = config.redis_url or ""
        self.database_url = ""

    # set-up ------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        return os.environ | {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "faults-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": self.site,
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "TRUSTED_PROXY_COUNT": "0",
            "ANYMAIL_WEBHOOK_SECRET": "faults:" + secrets.token_urlsafe(12),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.redis_url,
            "STRIPE_SECRET_KEY": "sk_test_faults_site",
            "STRIPE_PUBLISHABLE_KEY": "pk_test_faults_site",
            "STRIPE_WEBHOOK_SECRET": self.webhook_secret,
            "STRIPE_API_BASE": self.sandbox,
            "EMAIL_URL": f"smtp://faults:faults-password@127.0.0.1:{self.smtp_port}",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            # One reader address drives the whole stream: no rate limit may refuse it.
            "CHECKOUT_RATE_LIMIT_PER_IP": "1000000",
            "CHECKOUT_RATE_LIMIT_PER_EMAIL": "1000000",
            "PYTHONUNBUFFERED": "1",
        }

    def _manage(self, *args: str) -> None:
        log = self.workdir / "manage.log"
        with log.open("ab") as out:
            subprocess.run(  # noqa: S603
                [PYTHON, "manage.py", *args],
                cwd=ROOT,
                env=self.env(),
                check=True,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def prepare(self, template: str | None = None) -> None:
        """Its Redis and an empty, migrated database: a copy of `template` (a migrated
        database on the same server nobody is connected to) or migrated here."""
        if self.config.private_postgres:
            self.postgres = PrivatePostgres(self.workdir)
            self.postgres.init()
            self.postgres.start()
            self.admin_db = self.postgres.admin_url
        if self.config.redis_url is None:
            self.redis = PrivateRedis(self.workdir)
            self.redis.start()
            self.redis_url = self.redis.url
        else:
            redis_flush(self.redis_url)
        database_create(self.admin_db, self.config.database, template=template)
        parts = urllib.parse.urlsplit(self.admin_db)
        self.database_url = (
            f"postgres://postgres@{parts.netloc.split('@')[-1]}/{self.config.database}"
        )
        if template is None:
            self._manage("migrate", "--no-input", "--verbosity", "0")
        self.mode_file.write_text("ok")

    def _add(self, name: str, command: list[str]) -> Process:
        process = Process(name, command, self.env(), self.workdir / f"{name}.log")
        self.processes[name] = process
        return process.start()

    def worker_start(self, name: str = "worker", queues: str = "default,emails") -> Process:
        celery = [str(BIN / "celery"), "-A", "config", "worker", "-Q", queues]
        concurrency = str(self.config.worker_concurrency)
        node = f"{name}-{self.label}@faults"
        return self._add(name, [*celery, "-c", concurrency, "-l", "info", "-n", node])

    def start(self) -> None:
        sandbox = [PYTHON, "-m", "stripe_sandbox", "--port", str(self.sandbox_port)]
        sandbox += ["--db", str(self.workdir / "sandbox.sqlite3")]
        sandbox += ["--webhook-url", f"{self.site}/stripe/webhook/"]
        sandbox += ["--webhook-secret", self.webhook_secret]
        if self.config.chaos_seed is not None:
            sandbox += ["--chaos", str(self.config.chaos_seed)]
        self._add("sandbox", sandbox)
        sink = [PYTHON, str(HERE / "smtp_sink.py"), "--port", str(self.smtp_port)]
        self._add("smtp", [*sink, "--log", str(self.mail_log), "--mode-file", str(self.mode_file)])
        gunicorn = [str(BIN / "gunicorn"), "config.wsgi", "-c", "python:config.gunicorn"]
        gunicorn += ["--bind", f"127.0.0.1:{self.web_port}", "-w", str(self.config.web_workers)]
        gunicorn += ["--control-socket", str(self.workdir / "gunicorn.ctl")]
        self._add("web", gunicorn)
        if self.config.email_worker:
            # One worker for events, one for emails: a deployment may run them apart.
            self.worker_start("worker", "default")
            self.worker_start("email-worker", "emails")
        else:
            self.worker_start()
        beat = [str(BIN / "celery"), "-A", "config", "beat", "-l", "info"]
        beat += ["--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"]
        self._add("beat", beat)
        wait_for(f"{self.label} sandbox", lambda: self.control("GET", "/_sandbox/clock"), 120)
        wait_for(
            f"{self.label} web", lambda: http("GET", f"{self.site}/healthz")[0] == 200, 60, 0.5
        )
        if self.config.chaos_seed is not None:
            # A wide window and 30% duplicates: Stripe promises neither order nor one delivery.
            self.control(
                "POST",
                "/_sandbox/chaos",
                {
                    "on": True,
                    "seed": self.config.chaos_seed,
                    "window": 64,
                    "duplicate_share": 0.3,
                    "late_share": 0.2,
                    "late_seconds": 5,
                },
            )

    def stop(self) -> None:
        for name in ("beat", "worker", "email-worker", "web", "sandbox", "smtp"):
            if name in self.processes:
                self.processes[name].stop()
        if self.redis:
            self.redis.stop()
        elif self.redis_url:
            redis_flush(self.redis_url)
        if self.database_url:
            database_drop(self.admin_db, self.config.database)
        if self.postgres:
            self.postgres.stop()

    # talking to it ------------------------------------------------------------

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        status, _, content = http(
            method, self.sandbox + path, json_body=body or {} if method == "POST" else None
        )
        if status != 200:
            raise RuntimeError(f"sandbox {path}: {status} {content[:300]!r}")
        return json.loads(content)

    def api(self, method: str, path: str, fields: dict[str, Any] | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {SANDBOX_KEY}"}
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        status, _, content = http(method, self.sandbox + path, fields, headers=headers)
        try:
            return status, json.loads(content)
        except ValueError:
            return status, None

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(
            self.database_url.replace("postgres://", "postgresql://"), connect_timeout=5
        ) as connection:
            return connection.execute(sql, params).fetchall()


# The stream -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gift:
    n: int
    email: str
    amount: str
    currency: str
    frequency: str
    card: str


@dataclass(frozen=True)
class Stream:
    gifts: tuple[Gift, ...]
    refunded: tuple[int, ...]
    disputed: tuple[int, ...]
    months: int

    @classmethod
    def make(cls, seed: int, gifts: int, months: int, *, monthly_only: bool = False) -> "Stream":
        rng = random.Random(seed)  # noqa: S311 - a repeatable stream, not a secret
        made = []
        for n in range(gifts):
            frequency = "month" if monthly_only else rng.choice(["month", "month", "year", "once"])
            card = rng.choices([GOOD_CARD, FAILS_LATER_CARD, DISPUTED_CARD], [90, 5, 5])[0]
            made.append(
                Gift(
                    n=n,
                    email=f"faults-{seed}-{n}@example.org",
                    amount=str(rng.choice([2, 3, 5, 7, 10, 12, 20, 25, 50])),
                    currency=rng.choice(["eur", "eur", "usd", "gbp"]),
                    frequency=frequency,
                    card=card,
                )
            )
        plain = [g.n for g in made if g.card == GOOD_CARD]
        refunded = tuple(plain[3::7])
        disputed = tuple(n for n in plain[5::9] if n not in refunded)
        return cls(tuple(made), refunded, disputed, months)


class Driver:
    """Plays the stream against one stack, as readers, Stripe's dashboard and time do."""

    def __init__(self, stack: Stack, stream: Stream, hooks: dict[str, Callable[[], None]]):
        self.stack = stack
        self.stream = stream
        self.hooks = hooks
        self.reader_retries = 0

    def hook(self, phase: str) -> None:
        if phase in self.hooks:
            self.hooks[phase]()

    def give(self, gift: Gift, deadline: float) -> None:
        """A reader gives: our appeal form, then Stripe's hosted checkout page. When the site
        or Stripe fails, the reader tries again a little later (a new form, as a reload)."""
        site = self.stack.site
        while True:
            form = {
                "amount": gift.amount,
                "currency": gift.currency,
                "frequency": gift.frequency,
                "form_token": str(uuid.uuid4()),
            }
            same_site = {"Origin": site, "Sec-Fetch-Site": "same-origin"}
            status, headers, body = http("POST", f"{site}/support/", form, headers=same_site)
            if status == 200 and b'name="upsell"' in body:
                # A gift once is first offered as a smaller monthly one: "No, give once".
                form["upsell"] = "declined"
                status, headers, body = http("POST", f"{site}/support/", form, headers=same_site)
            if status == 303 and "/checkout/" in headers.get("Location", ""):
                status, headers, body = http(
                    "POST",
                    headers["Location"],
                    {
                        "email": gift.email,
                        "name": f"Reader {gift.n}",
                        "card_number": gift.card,
                        "exp_month": "12",
                        "exp_year": "2034",
                        "cvc": "123",
                    },
                )
                if status == 303:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"gift {gift.n} could not be made: {status} {body[:300]!r}")
            self.reader_retries += 1
            time.sleep(3)

    def charge_of(self, gift: Gift, deadline: float) -> str:
        while True:
            status, customers = self.stack.api("GET", "/v1/customers", {"email": gift.email})
            if status == 200 and customers["data"]:
                customer = customers["data"][-1]["id"]
                status, charges = self.stack.api("GET", "/v1/charges", {"customer": customer})
                if status == 200 and charges["data"]:
                    return charges["data"][-1]["id"]
            if time.monotonic() > deadline:
                raise RuntimeError(f"no charge found for gift {gift.n}")
            time.sleep(2)

    def dashboard(
        self, path: str, fields: dict[str, Any], deadline: float, control: bool = False
    ) -> Any:
        """Staff in Stripe's dashboard (or Stripe itself): tried again while Stripe fails."""
        while True:
            if control:
                status, _, content = http("POST", self.stack.sandbox + path, json_body=fields)
                answer = json.loads(content) if status == 200 else content
            else:
                status, answer = self.stack.api("POST", path, fields)
            if status == 200:
                return answer
            if time.monotonic() > deadline:
                raise RuntimeError(f"{path}: {status} {answer!r:.300}")
            time.sleep(3)

    def play(self, deadline: float) -> None:
        gifts = self.stream.gifts
        half = len(gifts) // 2
        self.hook("start")
        for gift in gifts[:half]:
            self.give(gift, deadline)
        self.hook("gifts_half")
        for gift in gifts[half:]:
            self.give(gift, deadline)
        self.hook("gifts_done")
        for n in self.stream.refunded:
            charge = self.charge_of(gifts[n], deadline)
            fields = {"charge": charge}
            if n % 2:  # every other refund is partial
                fields["amount"] = "100"
            self.dashboard("/v1/refunds", fields, deadline)
        for n in self.stream.disputed:
            charge = self.charge_of(gifts[n], deadline)
            self.dashboard(f"/_sandbox/charges/{charge}/dispute", {}, deadline, control=True)
        self.hook("renewals")
        for month in range(self.stream.months):
            self.dashboard(
                "/_sandbox/clock/advance",
                {"days": 32 if month == 0 else 31},
                deadline,
                control=True,
            )
            self.hook(f"month_{month + 1}")
        payouts = self.dashboard("/_sandbox/payouts", {}, deadline, control=True)
        for payout in payouts["data"]:
            self.dashboard(
                f"/_sandbox/payouts/{payout['id']}/reconcile", {}, deadline, control=True
            )
        self.hook("stream_done")


# Settling and snapshots ----------------------------------------------------------------


def open_work(stack: Stack) -> dict[str, int]:
    """What is still to do: undelivered webhooks, unprocessed events, unsent emails."""
    counts = stack.control("GET", "/_sandbox/deliveries?limit=1")["counts"]
    (events,) = stack.query(
        "SELECT COUNT(*) FILTER (WHERE processed_at IS NULL AND next_attempt_at IS NOT NULL), "
        "COUNT(*) FILTER (WHERE processed_at IS NULL AND next_attempt_at IS NULL) "
        "FROM subscriptions_stripeevent"
    )
    (emails,) = stack.query(
        "SELECT COUNT(*) FILTER (WHERE status IN ('pending', 'sending')), "
        "COUNT(*) FILTER (WHERE status = 'failed') FROM subscriptions_outboxemail"
    )
    return {
        "deliveries_pending": counts["pending"],
        "deliveries_failed": counts["failed"],
        "events_open": events[0],
        "events_parked": events[1],
        "emails_open": emails[0],
        "emails_failed": emails[1],
    }


def settle(
    stack: Stack, deadline: float, ready: Callable[[], bool] = lambda: True
) -> dict[str, int]:
    """Wait until nothing is left to do (twice in a row, 5 s apart) or the deadline."""
    quiet = 0
    work: dict[str, int] = {}
    while time.monotonic() < deadline:
        try:
            work = open_work(stack)
        except Exception as error:  # the fault may be on: look again
            work = {"error": 1}
            say(f"{stack.label}: cannot look yet ({error.__class__.__name__})")
        done = "error" not in work and not (
            work["deliveries_pending"] or work["events_open"] or work["emails_open"]
        )
        quiet = quiet + 1 if done and ready() else 0
        if quiet >= 2:
            return work
        time.sleep(5)
    say(f"{stack.label}: deadline reached with work left: {work}")
    return work


ID = re.compile(
    r"\b(?:ch|py|in|pi|sub|cus|cs|re|du|dp|po|txn|pyr|il|ii|evt)_[A-Za-z0-9]{6,}\b"
    r"|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
)


def snapshot(stack: Stack) -> dict[str, Any]:
    """Every record the comparison looks at, with Stripe ids replaced by stable names."""
    names: dict[str, str] = {}
    contributions = stack.query(
        "SELECT s.email, c.frequency, c.amount, c.currency, c.status, c.covers_fees, "
        "c.stripe_subscription_id, c.stripe_payment_intent_id, c.stripe_customer_id, "
        "c.stripe_checkout_session_id, c.public_id FROM subscriptions_contribution c "
        "JOIN subscriptions_supporter s ON s.id = c.supporter_id "
        "WHERE c.stripe_subscription_id IS NOT NULL OR c.stripe_payment_intent_id IS NOT NULL "
        "ORDER BY s.email, c.created_at, c.id"
    )
    seen: Counter[str] = Counter()
    contribution_rows = []
    for (
        email,
        frequency,
        amount,
        currency,
        status,
        covers,
        sub,
        pi,
        cus,
        cs,
        public,
    ) in contributions:
        seen[email] += 1
        name = f"contribution:{email}#{seen[email]}"
        names[str(public)] = name
        for stripe_id in (sub, pi, cs):
            if stripe_id:
                names[stripe_id] = name
        if cus:
            names[cus] = f"customer:{email}"
        contribution_rows.append((name, frequency, amount, currency, status, covers))
    payments = stack.query(
        "SELECT s.email, p.stripe_charge_id, p.stripe_invoice_id, p.stripe_payment_intent_id, "
        "p.stripe_balance_transaction_id, p.stripe_dispute_id, p.amount, p.currency, "
        "p.settled_amount, p.fee, p.net, p.amount_refunded, p.dispute_status, "
        "p.receipt_number IS NOT NULL FROM subscriptions_payment p "
        "JOIN subscriptions_supporter s ON s.id = p.supporter_id "
        "ORDER BY s.email, p.paid_at, p.stripe_charge_id"
    )
    seen = Counter()
    payment_rows = []
    for email, charge, invoice, pi, txn, dispute, *money in payments:
        seen[email] += 1
        name = f"payment:{email}#{seen[email]}"
        for stripe_id, suffix in (
            (charge, ""),
            (invoice, "/invoice"),
            (pi, "/intent"),
            (txn, "/txn"),
            (dispute, "/dispute"),
        ):
            if stripe_id:
                names[stripe_id] = name + suffix
        payment_rows.append((name, *money))
    payouts = stack.query(
        "SELECT stripe_payout_id, amount, currency, status, reconciliation_status "
        "FROM subscriptions_payout ORDER BY currency, amount"
    )
    payout_rows = []
    for payout_id, amount, currency, status, reconciliation in payouts:
        names[payout_id] = f"payout:{currency}:{amount}"
        payout_rows.append((names[payout_id], status, reconciliation))
    transactions = stack.query(
        "SELECT t.stripe_id, t.type, t.reporting_category, t.source_id, t.charge_id, t.amount, "
        "t.fee, t.net, t.currency, po.stripe_payout_id FROM subscriptions_balancetransaction t "
        "LEFT JOIN subscriptions_payout po ON po.id = t.payout_id"
    )

    def name_of(stripe_id: str | None) -> str:
        if not stripe_id:
            return ""
        return names.get(stripe_id) or stripe_id.split("_")[0] + "_(unknown)"

    for _txn, kind, category, source, charge, *_ in transactions:
        if kind in ("refund", "payment_refund") or category == "refund":
            names[source] = f"refund-of:{name_of(charge)}"
    refund_rows, link_rows, transaction_rows = [], [], []
    for _txn, kind, category, source, charge, amount, fee, net, currency, payout in transactions:
        row = (kind, category, name_of(source), name_of(charge), amount, fee, net, currency)
        transaction_rows.append(row)
        if category in ("refund", "refund_failure"):
            refund_rows.append(row)
        link_rows.append((*row, name_of(payout)))
    supporters = stack.query(
        "SELECT email, state, plan_amount, plan_currency, plan_frequency, has_failed_payment "
        "FROM subscriptions_supporter ORDER BY email"
    )
    emails = stack.query(
        'SELECT kind, "to", key, status, message_id FROM subscriptions_outboxemail'
    )
    email_rows = []
    by_message: dict[str, tuple[Any, ...]] = {}
    for kind, to, key, status, message_id in emails:
        stable_key = ID.sub(lambda match: name_of(match.group(0)), key)
        email_rows.append((kind, to, stable_key, status))
        by_message[message_id] = (kind, to, stable_key)
    deliveries = []
    if stack.mail_log.exists():
        for line in stack.mail_log.read_text().splitlines():
            message = json.loads(line)
            deliveries.append(
                by_message.get(
                    message["message_id"],
                    ("(no outbox row)", tuple(message["to"]), message["message_id"]),
                )
            )
    return {
        "supporters": [tuple(row) for row in supporters],
        "contributions": contribution_rows,
        "payments": payment_rows,
        "refunds": refund_rows,
        "balance transactions and payout links": link_rows,
        "payouts": payout_rows,
        "emails (outbox)": email_rows,
        "emails (received by SMTP)": deliveries,
    }


def compare(clean: dict[str, Any], fault: dict[str, Any]) -> tuple[int, int, list[str]]:
    lost = doubled = 0
    lines = []
    for what in clean:
        want, got = Counter(map(repr, clean[what])), Counter(map(repr, fault[what]))
        missing, extra = want - got, got - want
        lost += sum(missing.values())
        doubled += sum(extra.values())
        lines.append(
            f"  {what}: {sum(want.values())} clean, {sum(got.values())} under the fault, "
            f"{sum(missing.values())} lost, {sum(extra.values())} doubled or extra"
        )
        for row, count in sorted(missing.items())[:20]:
            lines.append(f"    lost x{count}: {row}")
        for row, count in sorted(extra.items())[:20]:
            lines.append(f"    extra x{count}: {row}")
    return lost, doubled, lines


def last_done(stack: Stack) -> float | None:
    ((events, emails),) = stack.query(
        "SELECT (SELECT MAX(processed_at) FROM subscriptions_stripeevent), "
        "(SELECT MAX(sent_at) FROM subscriptions_outboxemail)"
    )
    stamps = [stamp.timestamp() for stamp in (events, emails) if stamp]
    return max(stamps) if stamps else None


def during_the_fault(stack: Stack, start: float, end: float) -> str:
    window = (datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC))
    ((events, emails, sent),) = stack.query(
        "SELECT (SELECT COUNT(*) FROM subscriptions_stripeevent "
        "WHERE received_at BETWEEN %s AND %s), "
        "(SELECT COUNT(*) FROM subscriptions_outboxemail WHERE created_at BETWEEN %s AND %s), "
        "(SELECT COUNT(*) FROM subscriptions_outboxemail WHERE sent_at BETWEEN %s AND %s)",
        window * 3,
    )
    return (
        f"during the fault ({end - start:.0f} s): {events} events accepted, "
        f"{emails} emails queued, {sent} emails sent"
    )


# Scenarios ---------------------------------------------------------------------------------


@dataclass
class Fault:
    """What a scenario does to the fault stack; `end` is set when the fault is over."""

    stack: Stack
    started: float | None = None
    end: float | None = None
    notes: list[str] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    error: BaseException | None = None

    def later(self, action: Callable[[], None]) -> None:
        """Run this beside the stream (the stream does not wait for it)."""

        def run() -> None:
            try:
                action()
            except BaseException as error:  # noqa: BLE001 - reported at the end
                self.error = error
                traceback.print_exc()

        thread = threading.Thread(target=run, daemon=True)
        self.threads.append(thread)
        thread.start()

    def begin(self, note: str) -> None:
        self.started = time.time()
        self.notes.append(f"{datetime.now(UTC):%H:%M:%S} {note}")
        say(f"fault: {note}")

    def finish(self, note: str) -> None:
        self.end = time.time()
        self.notes.append(f"{datetime.now(UTC):%H:%M:%S} {note}")
        say(f"fault: {note}")

    def done(self) -> bool:
        return self.end is not None


@dataclass
class Scenario:
    name: str
    description: str
    gifts: int
    months: int
    hooks: Callable[[Fault], dict[str, Callable[[], None]]]
    monthly_only: bool = False
    chaos: bool = False
    private_redis: bool = False
    private_postgres: bool = False
    email_worker: bool = False
    timeout_minutes: float = 25
    check: Callable[[Stack, dict[str, Any]], list[str]] | None = None


def _run_stack(
    stack: Stack,
    stream: Stream,
    hooks: dict[str, Callable[[], None]],
    deadline: float,
    results: dict[str, Any],
    fault: Fault | None,
) -> None:
    try:
        started = time.monotonic()
        driver = Driver(stack, stream, hooks)
        driver.play(deadline)
        say(
            f"{stack.label}: stream played in {time.monotonic() - started:.0f} s "
            f"({driver.reader_retries} reader retries); settling"
        )
        work = settle(stack, deadline, ready=(fault.done if fault else lambda: True))
        results["work"] = work
        results["played_seconds"] = time.monotonic() - started
        results["deliveries"] = stack.control("GET", "/_sandbox/deliveries?limit=1")["counts"]
        (events,) = stack.query("SELECT COUNT(*) FROM subscriptions_stripeevent")
        results["events"] = events[0]
        results["snapshot"] = snapshot(stack)
        results["last_done"] = last_done(stack)
    except BaseException as error:  # noqa: BLE001 - reported by the caller
        results["error"] = error
        traceback.print_exc()


def static_collect(env: dict[str, str]) -> None:
    """The manifest production settings serve static files from, made once at a time."""
    import fcntl

    with open(Path(tempfile.gettempdir()) / "newsroom-faults-static.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
            cwd=ROOT,
            env=env | {"DATABASE_URL": "sqlite://:memory:"},
            check=True,
        )


def run(scenario: Scenario, *, seed: int, scale: float, keep: bool = False) -> int:
    """Run one scenario (clean and under its fault, side by side); answer the exit status."""
    # Each scenario's databases are named after it, so several scenarios can run at once.
    database = (
        os.environ.get("FAULTS_DATABASE", "newsroom_faults") + "_" + scenario.name.replace("-", "_")
    )
    # "private": a redis-server of the run's own (what running scenarios side by side needs).
    redis_url = os.environ.get("FAULTS_REDIS_URL", "redis://127.0.0.1:6379/7")
    if redis_url == "private":
        redis_url = None
    gifts = max(4, round(scenario.gifts * scale))
    stream = Stream.make(seed, gifts, scenario.months, monthly_only=scenario.monthly_only)
    workdir = Path(tempfile.mkdtemp(prefix=f"faults-{scenario.name}-"))
    # The throwaway PostgreSQL cluster runs as the postgres user and lives inside it.
    os.chmod(workdir, 0o755)  # noqa: S103
    say(f"scenario {scenario.name}: {scenario.description}")
    say(
        f"seed {seed}, {gifts} gifts, {len(stream.refunded)} refunds, "
        f"{len(stream.disputed)} disputes by hand, {scenario.months} month(s) of renewals; "
        f"logs in {workdir}"
    )
    clean = Stack(
        StackConfig("clean", f"{database}_clean", None, chaos_seed=None), workdir / "clean"
    )
    faulty = Stack(
        StackConfig(
            "fault",
            database,
            None if scenario.private_redis or redis_url is None else redis_url,
            private_postgres=scenario.private_postgres,
            email_worker=scenario.email_worker,
            chaos_seed=seed if scenario.chaos else None,
        ),
        workdir / "fault",
    )
    fault = Fault(faulty)
    stacks = [clean, faulty]
    previous_handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    began = time.monotonic()
    try:
        static_collect(clean.env())
        # The clean database is migrated before anything connects to it, so the faulty
        # site's (on the same server) is a copy of it: one migration instead of two.
        clean.prepare()
        faulty.prepare(template=None if scenario.private_postgres else clean.config.database)
        for stack in stacks:
            stack.start()
        say(f"both stacks up: clean {clean.site}, fault {faulty.site}")
        deadline = time.monotonic() + scenario.timeout_minutes * 60
        results: dict[str, dict[str, Any]] = {"clean": {}, "fault": {}}
        threads = [
            threading.Thread(
                target=_run_stack,
                args=(clean, stream, {}, deadline, results["clean"], None),
                daemon=True,  # an interrupted run ends without waiting for them
            ),
            threading.Thread(
                target=_run_stack,
                args=(faulty, stream, scenario.hooks(fault), deadline, results["fault"], fault),
                daemon=True,
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(1)
        for label, result in results.items():
            if "error" in result:
                say(f"{label} run failed: {result['error']!r}")
                return 2
        lost, doubled, lines = compare(results["clean"]["snapshot"], results["fault"]["snapshot"])
        extra_lines = scenario.check(faulty, results["fault"]) if scenario.check else []
        if fault.started and fault.end:
            extra_lines.insert(0, during_the_fault(faulty, fault.started, fault.end))
        print()
        say(f"scenario {scenario.name}, seed {seed}, {gifts} gifts; fault timeline:")
        for note in fault.notes:
            print(f"  {note}")
        for label in ("clean", "fault"):
            result = results[label]
            print(
                f"  {label}: {result['events']} events stored, deliveries {result['deliveries']}, "
                f"open work at the end {result['work']}, {result['played_seconds']:.0f} s"
            )
        print("\n".join(lines))
        for line in extra_lines:
            print(f"  {line}")
        recovered = results["fault"]["last_done"]
        if fault.end and recovered:
            print(
                f"  time to recover: {max(0.0, recovered - fault.end):.1f} s "
                "(from the fault's end until the last event was processed and the last email sent)"
            )
        work = results["fault"]["work"]
        problems = (
            lost
            or doubled
            or fault.error
            or work.get("events_parked")
            or work.get("emails_failed")
            or work.get("deliveries_failed")
        )
        verdict = f"{lost} lost, {doubled} doubled"
        print(
            f"RESULT {scenario.name}: {verdict}" + ("" if not problems else f"  (open work {work})")
        )
        say(f"scenario {scenario.name} took {time.monotonic() - began:.0f} s in all")
        return 1 if problems else 0
    except KeyboardInterrupt:
        say("interrupted: stopping everything")
        return 130
    finally:
        # A second Ctrl-C or SIGTERM must not cut the clean-up short.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        for stack in stacks:
            with contextlib.suppress(Exception):
                stack.stop()
        for signum, handler in previous_handlers.items():
            signal.signal(signum, handler)
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def main(scenario: Scenario, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=f"Fault script: {scenario.description}")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FAULTS_SEED", "15")))
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("FAULTS_SCALE", "1")),
        help="multiplies the number of gifts",
    )
    parser.add_argument("--keep", action="store_true", help="keep the logs' directory")
    args = parser.parse_args(argv)
    return run(scenario, seed=args.seed, scale=args.scale, keep=args.keep)


@contextlib.contextmanager
def timed(fault: Fault, start_note: str, end_note: str) -> Iterator[None]:
    fault.begin(start_note)
    try:
        yield
    finally:
        fault.finish(end_note)
