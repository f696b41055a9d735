"""`make run`: set up a local site with embedded defaults, then run every process together.

Every variable already set in the environment wins; only the unset ones get local
defaults. Web, worker, beat and (without a real Stripe key) the Stripe sandbox run under
honcho until Ctrl-C.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
SANDBOX_PORT = 12111


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
    env = os.environ
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env.setdefault("PORT", "8000")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{env['PORT']}")
    VAR_DIR.mkdir(exist_ok=True)

    redis_url = env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    if _redis_answers(redis_url):
        _say(f"broker and cache: Redis at {redis_url}")
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
    return (
        f"{sys.executable} -m stripe_sandbox --port {SANDBOX_PORT} "
        f"--db var/stripe_sandbox.sqlite3 "
        f"--webhook-url {webhook_url} --webhook-secret {env['STRIPE_WEBHOOK_SECRET']}"
    )


def main() -> int:
    from honcho.manager import Manager

    os.chdir(BASE_DIR)
    use_sandbox = _configure_environment()
    _manage("migrate", "--no-input", "--verbosity", "0")
    _manage("load_demo_content")
    _manage("create_demo_staff")

    python = sys.executable
    celery = [python, "-m", "celery", "-A", "config"]
    manager = Manager()
    if use_sandbox and (sandbox := _sandbox_command()):
        manager.add_process("sandbox", sandbox)
    port = os.environ["PORT"]
    manager.add_process("web", f"{python} manage.py runserver 127.0.0.1:{port} --noreload")
    manager.add_process(
        "worker", " ".join([*celery, "worker", "-Q", "default,emails", "-c", "2", "-l", "info"])
    )
    manager.add_process(
        "beat", " ".join([*celery, "beat", "-l", "info", "-s", "var/celerybeat-schedule"])
    )
    _say(f"the site is at {os.environ['SITE_URL']}/ (Ctrl-C stops everything)")
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
