"""`make run`: set up a local site with embedded defaults, then run every process together.

Every variable already set in the environment wins; only the unset ones get local
defaults. Web (Django's development server), worker, beat and (without a real Stripe key)
the Stripe sandbox run under honcho until Ctrl-C, which stops them all and exits 0.

Two checkouts on one machine share one Redis (database 0 by default): each names its
cache keys, broker keys and Celery queues after its own directory (`checkout_name`), so
neither reads the other's tasks, rate-limit counters or cached pages.
"""

import contextlib
import hashlib
import os
import secrets
import shlex
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from config.translations import translations_compile

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
SANDBOX_PORT = 12111
# The queues of config/settings/base.py, which the worker listens to under this checkout's name.
QUEUES = ("default", "emails")


def checkout_name(base_dir: Path) -> str:
    """A short name of this checkout, the same on every run: "newsroom-" and a hash of its
    directory. It prefixes the checkout's Redis keys and Celery queues."""
    digest = hashlib.sha256(str(base_dir.resolve()).encode()).hexdigest()[:10]
    return f"newsroom-{digest}"


def checkout_queue(name: str, queue: str) -> str:
    return f"{name}.{queue}"


def _say(line: str) -> None:
    print(f"make run: {line}", flush=True)


def _persisted_secret(name: str, prefix: str) -> str:
    """A random local secret, made once and kept under var/ so restarts agree."""
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(prefix + secrets.token_urlsafe(32))
    return path.read_text().strip()


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except (redis.RedisError, OSError, ValueError):
        return False


def _configure_environment() -> bool:
    """Fill in local defaults; answer whether the Stripe sandbox should run."""
    from config.celery import SETTINGS_DEFAULTED

    env = os.environ
    if SETTINGS_DEFAULTED:
        # Importing the config package defaulted to production; `make run` is local.
        env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    env.setdefault("PORT", "8000")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{env['PORT']}")
    VAR_DIR.mkdir(exist_ok=True)

    name = checkout_name(BASE_DIR)
    # Recorded for people: `redis-cli --scan --pattern '<name>*'` lists this checkout's keys.
    (VAR_DIR / "checkout_name").write_text(f"{name}\n")
    redis_url = env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    if _redis_answers(redis_url):
        _say(f"broker and cache: Redis at {redis_url}, keys and queues named {name}.*")
    else:
        env["LOCAL_WITHOUT_REDIS"] = "1"
        _say(
            f"Redis does not answer at {redis_url}: using the local fallback broker "
            "(kombu filesystem transport under var/broker) with a real worker process."
        )

    use_sandbox = not env.get("STRIPE_SECRET_KEY")
    if use_sandbox:
        env.setdefault("STRIPE_API_BASE", f"http://127.0.0.1:{SANDBOX_PORT}")
        env["STRIPE_SECRET_KEY"] = "sk_test_sandbox"  # noqa: S105 - the sandbox takes any sk_test_
        env.setdefault("STRIPE_PUBLISHABLE_KEY", "pk_test_sandbox")
        _say(f"payments: the offline Stripe sandbox at {env['STRIPE_API_BASE']} (no real money)")
    else:
        _say("payments: Stripe with the STRIPE_SECRET_KEY from the environment")
    env.setdefault("STRIPE_WEBHOOK_SECRET", _persisted_secret("webhook_secret", "whsec_"))
    return use_sandbox


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, check=True)  # noqa: S603


def _sandbox_command() -> str | None:
    if not (BASE_DIR / "stripe_sandbox" / "__main__.py").exists():
        return None
    env = os.environ
    webhook_url = f"{env['SITE_URL']}/stripe/webhook/"
    # The sandbox listens where the site will look for it (STRIPE_API_BASE may move it).
    port = urlsplit(env["STRIPE_API_BASE"]).port or SANDBOX_PORT
    # The sandbox account's settlement currency: gifts in others are converted to it.
    settlement = env.get("STRIPE_SANDBOX_SETTLEMENT_CURRENCY") or "eur"
    return (
        f"{sys.executable} -m stripe_sandbox --port {port} "
        f"--db var/stripe_sandbox.sqlite3 --settlement-currency {shlex.quote(settlement)} "
        # The sandbox signs with the first secret (more are accepted during a rotation).
        f"--webhook-url {webhook_url} "
        f"--webhook-secret {env['STRIPE_WEBHOOK_SECRET'].split(',')[0].strip()}"
    )


@contextlib.contextmanager
def _own_terminal_group():
    """Take Ctrl-C for ourselves, so `make` does not also get it and end with an error.

    A terminal sends SIGINT to its whole foreground process group: `make` and us. Make then
    kills itself with that signal once we return, whatever our exit status, and reports an
    error. In a process group of our own in the foreground, Ctrl-C reaches only us (the
    programs honcho starts have sessions of their own and are stopped by honcho); on the
    way out the terminal goes back to the group that had it.
    """
    try:
        terminal = os.open("/dev/tty", os.O_RDWR)
    except OSError:  # no terminal: started by a test, a supervisor or CI
        yield
        return
    handed_back = None
    try:
        previous = os.tcgetpgrp(terminal)
        if previous == os.getpgrp():  # `make run`, or started straight from a shell
            # A background group may not take the terminal without SIGTTOU; ignore it.
            old_ttou = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            try:
                os.setpgid(0, 0)
                os.tcsetpgrp(terminal, os.getpgrp())
                handed_back = previous
                # Ctrl-Z would stop only us, leaving the shell waiting on make for good.
                signal.signal(signal.SIGTSTP, signal.SIG_IGN)
            except OSError:  # a session leader cannot move; Ctrl-C still works
                pass
            finally:
                signal.signal(signal.SIGTTOU, old_ttou)
        yield
    finally:
        if handed_back is not None:
            signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            with contextlib.suppress(OSError):
                os.tcsetpgrp(terminal, handed_back)
        os.close(terminal)


def _stop_is_success() -> None:
    """honcho answers 130 after Ctrl-C and 143 after SIGTERM; for `make run` being asked to
    stop is how it ends, so that is 0. A process that fails on its own still sets the code."""
    from honcho.manager import SIGNALS

    for stop in SIGNALS.values():
        stop["rc"] = 0


def main() -> int:
    from honcho.manager import Manager

    os.chdir(BASE_DIR)
    use_sandbox = _configure_environment()
    translations_compile()  # the Russian pages and emails (locale/*.mo, not in git)
    _manage("migrate", "--no-input", "--verbosity", "0")
    _manage("load_demo_content")
    _manage("create_demo_staff")

    python = sys.executable
    celery = [python, "-m", "celery", "-A", "config"]
    queues = ",".join(checkout_queue(checkout_name(BASE_DIR), queue) for queue in QUEUES)
    manager = Manager()
    if use_sandbox and (sandbox := _sandbox_command()):
        manager.add_process("sandbox", sandbox)
    port = os.environ["PORT"]
    manager.add_process("web", f"{python} manage.py runserver 127.0.0.1:{port} --noreload")
    manager.add_process(
        "worker", " ".join([*celery, "worker", "-Q", queues, "-c", "2", "-l", "info"])
    )
    manager.add_process(
        "beat", " ".join([*celery, "beat", "-l", "info", "-s", "var/celerybeat-schedule"])
    )
    _say(f"the site is at {os.environ['SITE_URL']}/ (Ctrl-C stops everything)")
    _stop_is_success()
    with _own_terminal_group():
        manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
