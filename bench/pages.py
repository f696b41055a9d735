"""Benchmark: reader pages and webhooks against a trivial view, on the production stack.

Run `python bench/pages.py [--runs 3] [--seconds 8]` from the project root. It needs
PostgreSQL and Redis on this machine and `wrk` (Debian: `apt-get install -y wrk`; the
script installs it when it runs as root with apt-get, and otherwise says so and stops).
It makes a database of its own with the demo content, collects static files, starts
`gunicorn config.wsgi`-style workers (`-w 2`, with the threads per worker and the
keep-alive of the production config, config/gunicorn.py; WEB_THREADS overrides the
threads) on 127.0.0.1 with the production settings plus a trivial view
(bench/settings.py, bench/urls.py), and loads each URL with `wrk -t2 -c50` for a bounded
time:

- trivial: `HttpResponse("ok")` through the same middleware, the baseline;
- article: a demo article, anonymous (from the page cache once warm);
- supporter: the same article with a signed supporter cookie (the thank-you variant);
- front: the front page;
- webhooks: `POST /stripe/webhook/`, each request a distinct event signed as Stripe does.

It prints req/s, p50 and p99 latency for each, and each ratio to the trivial view against
the targets (article 0.7, front 0.6, supporter 0.5, webhooks 0.5). BENCH_GUNICORN_EXTRA
adds gunicorn arguments for every page alike (e.g. "--threads 4"); `--only webhooks` runs
the trivial view and the named pages only. Only loopback is used;
the database, the Redis database and the server are removed when it ends.
"""

import argparse
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scratch import database_create, scratch_teardown  # noqa: E402

from config import gunicorn as gunicorn_settings  # noqa: E402

PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
# The production worker model (config/gunicorn.py): its threads per worker.
THREADS = os.environ.get("WEB_THREADS") or str(gunicorn_settings.threads)
KEEPALIVE = str(gunicorn_settings.keepalive)
TARGETS = {"article": 0.7, "supporter": 0.5, "front": 0.6, "webhooks": 0.5}
PAGES = ("trivial", "article", "supporter", "front", "webhooks")
EXTRA_GUNICORN = os.environ.get("BENCH_GUNICORN_EXTRA", "").split()
WEBHOOK_SECRET = "whsec_bench_" + secrets.token_hex(8)

# One request per call of `request()`: each wrk thread walks its own slice of the
# pre-signed events (wrk's Lua has no HMAC), so every POST is a new event id.
WEBHOOK_LUA = """
local events = {}
local index = 0
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  local file = io.open(args[1], "r")
  local n = 0
  for line in file:lines() do
    if n %% %(threads)d == id then
      local signature, body = line:match("^([^\\t]*)\\t(.*)$")
      events[#events + 1] = {signature, body}
    end
    n = n + 1
  end
  file:close()
end
function request()
  index = index + 1
  local event = events[(index - 1) %% #events + 1]
  return wrk.format("POST", "/stripe/webhook/", {
    ["Content-Type"] = "application/json",
    ["Stripe-Signature"] = event[1],
  }, event[2])
end
"""


def wrk_ensure() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
        found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed: run `apt-get install -y wrk` as root (Debian), then try again.")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bench_environment(database: str, redis_db: int, static_root: str) -> dict[str, str]:
    redis_url = f"redis://127.0.0.1:6379/{redis_db}"
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_bench",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "ANYMAIL_WEBHOOK_SECRET": "bench:bench",
        "TRUSTED_PROXY_COUNT": "0",
        # Loopback HTTP: production would redirect it to HTTPS.
        "SECURE_SSL_REDIRECT": "False",
        "BENCH_STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
    }


def signed_events(path: Path, count: int) -> None:
    """`count` distinct events, each line "Stripe-Signature<TAB>body", signed now."""
    timestamp = int(time.time())
    with path.open("w") as out:
        for number in range(count):
            body = json.dumps(
                {
                    "id": f"evt_bench_{secrets.token_hex(6)}_{number}",
                    "object": "event",
                    "type": "customer.updated",
                    "api_version": "2026-10-28.endive",
                    "created": timestamp,
                    "livemode": False,
                    "pending_webhooks": 1,
                    "data": {
                        "object": {
                            "id": f"cus_bench{number}",
                            "object": "customer",
                            "email": f"reader{number}@example.org",
                            "name": "Rowan Reader",
                            "metadata": {},
                        }
                    },
                },
                separators=(",", ":"),
            )
            mac = hmac.new(
                WEBHOOK_SECRET.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256
            ).hexdigest()
            out.write(f"t={timestamp},v1={mac}\t{body}\n")


def supporter_cookie(env: dict[str, str]) -> str:
    from django.core import signing

    from subscriptions.signing import SUPPORTER_COOKIE, SUPPORTER_COOKIE_SALT

    signer = signing.get_cookie_signer(salt=SUPPORTER_COOKIE + SUPPORTER_COOKIE_SALT)
    return f"{SUPPORTER_COOKIE}={signer.sign('bench-contribution')}"


class Server:
    def __init__(self, env: dict[str, str], port: int, log_path: Path) -> None:
        self.env, self.port, self.log_path = env, port, log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                *(
                    GUNICORN,
                    "config.wsgi",
                    "-w",
                    "2",
                    "--threads",
                    THREADS,
                    "--keep-alive",
                    KEEPALIVE,
                ),
                *("-b", f"127.0.0.1:{self.port}", *EXTRA_GUNICORN),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url("/_bench/trivial/"), timeout=1) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer:\n{self.log_path.read_text()[-3000:]}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def _milliseconds(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        raise RuntimeError(f"wrk printed a latency this script cannot read: {text}")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk_run(
    wrk: str, url: str, seconds: int, extra: list[str], script_args: list[str] | None = None
) -> dict[str, float]:
    command = [wrk, "-t2", "-c50", f"-d{seconds}s", "--latency", "--timeout", "5s", *extra, url]
    if script_args:
        command += ["--", *script_args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in output:
        raise RuntimeError(f"{url} answered errors under load:\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s*50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.MULTILINE)
    if not (rate and p50 and p99):
        raise RuntimeError(f"wrk said something unexpected for {url}:\n{output}")
    return {
        "rate": float(rate.group(1)),
        "p50": _milliseconds(p50.group(1)),
        "p99": _milliseconds(p99.group(1)),
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds of every page (3)")
    parser.add_argument("--seconds", type=int, default=8, help="wrk duration per page (8)")
    parser.add_argument("--database", default="newsroom_bench_pages", help="made and dropped")
    parser.add_argument("--redis-db", type=int, default=13, help="must be empty; flushed at end")
    parser.add_argument(
        "--only",
        type=lambda text: [name for name in text.split(",") if name],
        default=list(PAGES),
        help=f"comma-separated pages out of {','.join(PAGES)} (the trivial view always runs)",
    )
    arguments = parser.parse_args()
    unknown = set(arguments.only) - set(PAGES)
    if unknown:
        parser.error(f"no such page: {', '.join(sorted(unknown))}; choose from {', '.join(PAGES)}")
    return arguments


def main() -> None:
    arguments = parse_arguments()
    wrk = wrk_ensure()
    import redis

    store = redis.Redis(host="127.0.0.1", port=6379, db=arguments.redis_db)
    if store.dbsize():
        sys.exit(f"Redis database {arguments.redis_db} is not empty; choose another --redis-db")
    scratch = tempfile.TemporaryDirectory(prefix="bench-pages-")
    work = Path(scratch.name)
    env = bench_environment(arguments.database, arguments.redis_db, str(work / "static"))
    os.environ.update(env)
    child_env = {**os.environ, **env}
    server = Server(child_env, _free_port(), work / "gunicorn.log")
    database_made = False
    try:
        database_create(arguments.database)
        database_made = True
        for command in (
            ["migrate", "--noinput", "-v", "0"],
            ["collectstatic", "--noinput", "-v", "0"],
            ["load_demo_content"],
        ):
            subprocess.run(
                [PYTHON, "manage.py", *command],
                cwd=ROOT,
                env=child_env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        import django

        django.setup()
        from newsroom.selectors import article_list_published

        article = article_list_published().first()
        assert article is not None, "load_demo_content made no article"
        cookie = supporter_cookie(env)
        events_path = work / "events.txt"
        per_run = 12_000 * arguments.seconds
        signed_events(events_path, per_run * arguments.runs)
        script = work / "webhooks.lua"
        script.write_text(WEBHOOK_LUA % {"threads": 2})
        server.start()
        pages = {
            "trivial": (server.url("/_bench/trivial/"), []),
            "article": (server.url(article.get_absolute_url()), []),
            "supporter": (server.url(article.get_absolute_url()), ["-H", f"Cookie: {cookie}"]),
            "front": (server.url("/"), []),
            "webhooks": (server.url("/stripe/webhook/"), ["-s", str(script)]),
        }
        pages = {
            name: page
            for name, page in pages.items()
            if name == "trivial" or name in arguments.only
        }
        for name, (url, extra) in pages.items():  # warm the page cache and each worker
            if name != "webhooks":
                wrk_run(wrk, url, 1, extra)
        print(
            f"{os.cpu_count()} CPUs; gunicorn -w 2 --threads {THREADS} --keep-alive {KEEPALIVE} "
            f"{' '.join(EXTRA_GUNICORN)}; "
            f"wrk -t2 -c50 -d{arguments.seconds}s"
        )
        lines = events_path.read_text().splitlines(keepends=True)
        for run in range(1, arguments.runs + 1):
            # A fresh slice of never-sent events for each run.
            part = work / f"events-{run}.txt"
            part.write_text("".join(lines[(run - 1) * per_run : run * per_run]))
            results = {
                name: wrk_run(
                    wrk,
                    url,
                    arguments.seconds,
                    extra,
                    [str(part)] if name == "webhooks" else None,
                )
                for name, (url, extra) in pages.items()
            }
            baseline = results["trivial"]["rate"]
            print(f"run {run}:")
            for name, result in results.items():
                ratio = result["rate"] / baseline
                target = TARGETS.get(name)
                verdict = (
                    ""
                    if target is None
                    else (f"  target >= {target}: {'met' if ratio >= target else 'NOT met'}")
                )
                print(
                    f"  {name:<10} {result['rate']:>8.0f} req/s  p50 {result['p50']:6.2f} ms  "
                    f"p99 {result['p99']:6.2f} ms  ratio {ratio:4.2f}{verdict}",
                    flush=True,
                )
    finally:
        server.stop()
        scratch_teardown(
            redis_client=store,
            database=arguments.database,
            database_made=database_made,
            files=scratch,
        )


if __name__ == "__main__":
    main()
