import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "news.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/newsroom",
    "STRIPE_SECRET_KEY": "sk_test_abc",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_abc",
    "STRIPE_WEBHOOK_SECRET": "whsec_abc",
    "ANYMAIL_WEBHOOK_SECRET": "provider:long-webhook-words",
    "TRUSTED_PROXY_COUNT": "1",
}


def _load_settings(
    env: dict, code: str = "import django; django.setup(); print('loaded')"
) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "STRIPE_API_BASE"
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_settings_load_with_every_secret():
    result = _load_settings(PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "STRIPE_SECRET_KEY",
        "STRIPE_PUBLISHABLE_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "ANYMAIL_WEBHOOK_SECRET",
        "TRUSTED_PROXY_COUNT",
    ],
)
def test_production_settings_refuse_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}

    result = _load_settings(env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ANYMAIL_WEBHOOK_SECRET", "no-colon", "ANYMAIL_WEBHOOK_SECRET to user:password"),
        ("TRUSTED_PROXY_COUNT", "one", "TRUSTED_PROXY_COUNT to the number of proxies"),
        ("TRUSTED_PROXY_COUNT", "-1", "TRUSTED_PROXY_COUNT to the number of proxies"),
    ],
)
def test_production_settings_refuse_a_malformed(name, value, message):
    result = _load_settings({**PRODUCTION_ENV, name: value})

    assert result.returncode != 0
    assert message in result.stderr


def test_without_the_webhook_secret_production_says_why():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "ANYMAIL_WEBHOOK_SECRET"}

    result = _load_settings(env)

    assert "/anymail/<provider>/tracking/ would accept anyone's posts" in result.stderr


POST_TRACKING_WEBHOOK = """
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="news.example.org")
bounce = {"RecordType": "Bounce", "Email": "reader@example.org", "Type": "HardBounce"}
for auth in ["", "Basic " + __import__("base64").b64encode(b"provider:guess").decode()]:
    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    response = client.post(
        "/anymail/postmark/tracking/", bounce, content_type="application/json", secure=True,
        **extra,
    )
    print(response.status_code)
"""


def test_in_production_the_tracking_webhook_refuses_posts_without_the_secret():
    result = _load_settings(PRODUCTION_ENV, POST_TRACKING_WEBHOOK)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["400", "400"], "no credentials, then wrong ones"


@pytest.mark.parametrize(
    "entry_point",
    [
        "import config.wsgi",
        "import config.asgi",
        "from config.celery import app; app.loader.import_default_modules()",
    ],
)
def test_servers_and_workers_default_to_production_settings(entry_point):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = f"{entry_point}\nfrom django.conf import settings\nprint(settings.SETTINGS_MODULE)"

    result = _load_settings(env, code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "config.settings.production"


CODE_PRINTING_SETTINGS = (
    "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"
)


def test_manage_py_defaults_to_local_settings():
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", CODE_PRINTING_SETTINGS],
        env=clean,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["config.settings.local", "True"]


def test_a_live_key_is_never_sent_to_another_api_base():
    env = {
        **PRODUCTION_ENV,
        "STRIPE_SECRET_KEY": "sk_live_abc",
        "STRIPE_API_BASE": "http://127.0.0.1:12111",
    }

    result = _load_settings(env)

    assert result.returncode != 0
    assert "A live Stripe key only talks to Stripe" in result.stderr


def test_production_settings_pass_the_deploy_check():
    env = {**PRODUCTION_ENV}
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, **env, "SECRET_KEY": "a-Long_and-Unique-" + "kq83jf0a9sd8f7ga0s9df8g7" * 2},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_tasks_that_send_email_go_to_the_emails_queue():
    from config.celery import app
    from subscriptions.tasks import outbox_email_send, stripe_event_process

    router = app.amqp.router
    # As a task's delay() routes it, and as beat or another process sends it by name.
    for task in (outbox_email_send, None):
        options = router.route({}, "subscriptions.outbox_email_send", task_type=task)
        assert options["queue"].name == "emails"
    options = router.route({}, "subscriptions.stripe_event_process", task_type=stripe_event_process)
    assert options["queue"].name == "default"


# The scheduler closes database connections as beat would: a transactional test reconnects.
@pytest.mark.django_db(transaction=True)
def test_every_schedule_shows_in_admin_through_the_database_scheduler(admin_client):
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from config.celery import app

    DatabaseScheduler(app=app)

    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert set(settings.CELERY_BEAT_SCHEDULE) <= names
    page = admin_client.get("/admin/django_celery_beat/periodictask/")
    assert "outbox-sweep" in page.content.decode()
    assert "year-end-statements" in page.content.decode()
