"""Staff sign-in: a second factor, throttled failures, sessions that end."""

import os
import re
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from subscriptions.middleware import SIGNED_IN_AT_SESSION_KEY
from subscriptions.models import AuditAction, AuditEntry
from tests.config.test_settings import PRODUCTION_ENV
from tests.staff import authenticator_for, code_now, staff_member

pytestmark = pytest.mark.django_db

PASSWORD = "staff-Pass-2026"


@pytest.fixture(autouse=True)
def _second_factor_required(settings):
    settings.STAFF_REQUIRE_2FA = True
    settings.AXES_FAILURE_LIMIT = 5


@pytest.fixture
def staff():
    return staff_member(username="care", password=PASSWORD)


@pytest.fixture
def authenticator(staff):
    return authenticator_for(staff)


@pytest.fixture
def recovery_code(staff):
    device = StaticDevice.objects.create(user=staff, name="Recovery codes", confirmed=True)
    device.token_set.create(token="r3c0v3ry")
    return "r3c0v3ry"


def sign_in(client, username="care", password=PASSWORD, code="", address="192.0.2.10"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "otp_token": code, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def in_admin(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_a_password_without_the_code_is_refused(client, authenticator):
    response = sign_in(client)

    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert not in_admin(client)


def test_a_wrong_code_is_refused_and_recorded(client, authenticator):
    sign_in(client, code="000000" if code_now(authenticator) != "000000" else "111111")

    assert not in_admin(client)
    failed = AuditEntry.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert failed.actor_username == "care"
    assert "code did not work" in failed.reason


def test_password_and_the_apps_current_code_let_staff_in(client, authenticator):
    response = sign_in(client, code=code_now(authenticator))

    assert response.status_code == 302
    assert in_admin(client)
    signed_in = AuditEntry.objects.get(action=AuditAction.SIGNED_IN)
    assert signed_in.after == {"second_factor": "Authenticator app"}
    assert signed_in.ip_address == "192.0.2.10"


def test_a_recovery_code_works_once(client, authenticator, recovery_code):
    sign_in(client, code=recovery_code)
    assert in_admin(client)
    client.post("/admin/logout/")
    assert not in_admin(client)

    response = sign_in(client, code=recovery_code)

    assert "That code did not work" in response.content.decode()
    assert not in_admin(client)


def test_without_a_second_factor_a_forced_session_cannot_open_admin(client, staff, authenticator):
    client.force_login(staff)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_new_staff_member_sets_up_the_app_and_gets_ten_recovery_codes_once(client, staff):
    response = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/admin/two-factor/"
    assert not in_admin(client)

    page = client.get("/admin/two-factor/")
    html = page.content.decode()
    assert "otpauth://totp/" in html
    assert "<svg" in html
    assert page["Cache-Control"].startswith("max-age=0")
    device = TOTPDevice.objects.get(user=staff, confirmed=False)

    wrong = client.post("/admin/two-factor/", {"token": "12345"})
    assert "That code did not match" in wrong.content.decode()
    too_soon = client.post("/admin/two-factor/", {"token": code_now(device)})
    assert "wait a few seconds" in too_soon.content.decode()
    time.sleep(1.1)  # django-otp's throttle after one wrong code: a human takes this long

    confirmed = client.post("/admin/two-factor/", {"token": code_now(device)})
    codes = [token.token for token in StaticDevice.objects.get(user=staff).token_set.order_by("pk")]
    assert len(codes) == 10
    assert all(code in confirmed.content.decode() for code in codes)
    assert in_admin(client)
    again = client.get("/admin/two-factor/")
    assert again.status_code == 302
    assert codes[0] not in client.get(again["Location"]).content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_ENROLLED).count() == 1


def test_someone_else_cannot_add_a_device_to_an_account_that_has_one(client, authenticator):
    client.force_login(authenticator.user)

    response = client.get("/admin/two-factor/")

    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=authenticator.user).count() == 1


def test_an_account_is_locked_after_five_failures_from_any_address(client, authenticator):
    for attempt in range(5):
        sign_in(client, password="wrong", address=f"198.51.100.{attempt + 1}")

    response = sign_in(client, code=code_now(authenticator), address="203.0.113.50")

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert not in_admin(client)
    assert AuditEntry.objects.filter(
        action=AuditAction.SIGN_IN_FAILED, reason__startswith="Refused: too many"
    ).exists()


def test_an_address_is_locked_after_five_failures_whatever_the_accounts(client, authenticator):
    for attempt in range(5):
        sign_in(client, username=f"guess{attempt}", password="wrong", address="198.51.100.7")

    refused = sign_in(client, code=code_now(authenticator), address="198.51.100.7")
    assert refused.status_code == 429
    accepted = sign_in(client, code=code_now(authenticator), address="198.51.100.8")
    assert accepted.status_code == 302
    assert in_admin(client)


def test_lockout_by_address_uses_the_address_the_proxy_saw(client, settings, authenticator):
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(5):
        client.post(
            "/admin/login/",
            {"username": f"guess{attempt}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            # A forged left-hand entry must not let the attacker look like someone new.
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 198.51.100.99",
        )

    response = client.post(
        "/admin/login/",
        {"username": "care", "password": PASSWORD, "otp_token": code_now(authenticator)},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )

    assert response.status_code == 429


def test_wrong_codes_count_towards_the_lockout(client, authenticator, recovery_code):
    for _ in range(5):
        sign_in(client, code="not-a-code", address="198.51.100.3")

    response = sign_in(client, code=recovery_code, address="198.51.100.4")

    assert response.status_code == 429


def test_a_session_ends_eight_hours_after_sign_in(client, authenticator):
    sign_in(client, code=code_now(authenticator))
    assert in_admin(client)

    session = client.session
    session[SIGNED_IN_AT_SESSION_KEY] = int(time.time()) - 8 * 3600 - 60
    session.save()

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not in_admin(client)
    ended = AuditEntry.objects.get(action=AuditAction.SIGNED_OUT)
    assert ended.reason == "Session ended 8 hours after sign-in."


def test_a_session_seven_hours_old_stays_open(client, authenticator):
    sign_in(client, code=code_now(authenticator))
    session = client.session
    session[SIGNED_IN_AT_SESSION_KEY] = int(time.time()) - 7 * 3600
    session.save()

    assert in_admin(client)


def test_changing_the_password_signs_out_every_other_session(client, authenticator, recovery_code):
    other = Client()
    sign_in(client, code=code_now(authenticator))
    sign_in(other, code=recovery_code, address="192.0.2.11")
    assert in_admin(client)
    assert in_admin(other)

    response = client.post(
        "/admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-Pass-2027",
            "new_password2": "another-Pass-2027",
        },
    )

    assert response.status_code == 302
    assert in_admin(client), "the session that changed it stays signed in"
    assert not in_admin(other)
    assert AuditEntry.objects.filter(action=AuditAction.PASSWORD_CHANGED).count() == 1


def test_the_demo_login_that_make_run_prints_works_without_a_code(client, settings, tmp_path):
    settings.STAFF_REQUIRE_2FA = False  # as config/settings/local.py has it
    settings.DEBUG = True
    settings.BASE_DIR = tmp_path
    printed = StringIO()
    call_command("create_demo_staff", stdout=printed)
    username, password = re.findall(r"'([^']+)'", printed.getvalue())

    response = sign_in(client, username=username, password=password)

    assert response.status_code == 302
    assert in_admin(client)


def test_a_superuser_resetting_someones_authenticator_is_recorded(authenticator):
    authenticator.delete()

    removed = AuditEntry.objects.get(action=AuditAction.TWO_FACTOR_REMOVED)
    assert removed.target_label == "care"
    assert removed.before == {"device": "Authenticator app", "confirmed": True}


def test_production_settings_always_require_the_second_factor():
    show = "from django.conf import settings as s; print(s.STAFF_REQUIRE_2FA, s.SESSION_COOKIE_AGE)"
    result = subprocess.run(
        [sys.executable, "-c", show],
        env={**_without(PRODUCTION_ENV), **PRODUCTION_ENV, "STAFF_REQUIRE_2FA": "false"},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.stdout.split() == ["True", "28800"], result.stderr


def _without(names) -> dict:
    return {k: v for k, v in os.environ.items() if k not in names and k != "STAFF_REQUIRE_2FA"}
