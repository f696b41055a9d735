"""Every response tells the browser what the page may do: no framing, no inline script,
and none of the device features a news site has no use for."""

import pytest

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    directives = (
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return {name: value for name, value in directives}


def test_the_policy_forbids_inline_scripts_and_allows_the_payment_redirect(client, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:12111"

    policy = _policy(client.get("/support/"))

    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in " ".join(policy.values())
    assert policy["form-action"].startswith("'self' https://checkout.stripe.com")
    assert "http://127.0.0.1:12111" in policy["form-action"]


def test_no_page_can_be_framed_by_another_site(client, admin_client):
    for response in (client.get("/support/"), admin_client.get("/admin/")):
        assert _policy(response)["frame-ancestors"] == "'none'"
        assert response["X-Frame-Options"] == "DENY"


def test_only_the_admin_may_use_inline_styles(client, admin_client):
    assert _policy(client.get("/support/"))["style-src"] == "'self'"
    assert _policy(admin_client.get("/admin/"))["style-src"] == "'self' 'unsafe-inline'"
    assert _policy(admin_client.get("/admin/"))["script-src"] == "'self'"


def test_the_policy_names_no_sandbox_when_stripe_itself_is_used(client, settings):
    settings.STRIPE_API_BASE = ""

    form_action = _policy(client.get("/support/"))["form-action"]

    assert form_action == "'self' https://checkout.stripe.com https://billing.stripe.com"


def test_device_features_the_site_does_not_use_are_denied(client):
    header = client.get("/support/")["Permissions-Policy"]

    denied = {item.strip() for item in header.split(",")}
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert f"{feature}=()" in denied
