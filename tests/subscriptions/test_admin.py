"""Supporter care in admin: find a supporter, see their gifts, payments and emails."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User

from subscriptions.models import EmailKind, OutboxEmail, StripeEvent
from subscriptions.stripe_events.money import payment_acknowledge
from tests.factories import PaymentFactory
from tests.staff import staff_member

pytestmark = pytest.mark.django_db


def test_staff_find_a_supporter_by_email_and_see_gifts_and_payments(admin_client):
    payment = PaymentFactory(amount=1234)
    supporter = payment.supporter

    found = admin_client.get("/admin/subscriptions/supporter/", {"q": supporter.email.upper()})
    page = admin_client.get(f"/admin/subscriptions/supporter/{supporter.pk}/change/")

    assert supporter.email in found.content.decode()
    html = page.content.decode()
    assert "€12.34" in html  # money formatted, not 1234 eur


@pytest.mark.parametrize("model", ["contribution", "payment", "payout", "stripeevent"])
def test_rows_that_mirror_stripe_cannot_be_added_or_deleted_in_admin(admin_client, model):
    assert admin_client.get(f"/admin/subscriptions/{model}/add/").status_code == 403
    assert admin_client.get(f"/admin/subscriptions/{model}/").status_code == 200


def test_a_contribution_page_is_read_only(admin_client):
    payment = PaymentFactory()

    page = admin_client.get(
        f"/admin/subscriptions/contribution/{payment.contribution_id}/change/"
    ).content.decode()

    assert 'name="amount"' not in page
    assert "sub_test_" in page


def test_an_operator_processes_a_stored_event_again_from_admin(admin_client):
    event = StripeEvent.objects.create(
        stripe_id="evt_unknown_type",
        type="customer.tax_id.created",
        stripe_created_at="2026-11-27T00:00:00Z",
        payload={"id": "evt_unknown_type", "data": {"object": {"id": "txi_1"}}},
    )

    response = admin_client.post(
        "/admin/subscriptions/stripeevent/",
        {"action": "process_again", "_selected_action": [event.pk], "index": 0},
        follow=True,
    )

    assert "Event evt_unknown_type processed." in response.content.decode()
    event.refresh_from_db()
    assert event.processed_at is not None
    assert event.attempts == 1


def _view_only_staff() -> User:
    """A staff member who may read every model in admin, and change nothing."""
    user = staff_member(username="reader-only", password="x")
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached


def test_a_view_only_staff_member_can_run_no_admin_action(rf):
    request = rf.get("/admin/")
    request.user = _view_only_staff()
    checked = 0

    for model, model_admin in admin.site._registry.items():
        for function, name, _ in model_admin._get_base_actions():
            assert getattr(function, "allowed_permissions", ()), (
                f"{model.__name__} admin action {name!r} declares no permissions="
            )
            checked += 1
        assert model_admin.get_actions(request) == {}, model.__name__

    assert checked >= 4  # process again, sign out, publish, make live (and delete)


def test_processing_an_event_again_needs_the_change_permission(client):
    event = StripeEvent.objects.create(
        stripe_id="evt_view_only",
        type="customer.tax_id.created",
        stripe_created_at="2026-11-27T00:00:00Z",
        payload={"id": "evt_view_only", "data": {"object": {"id": "txi_1"}}},
    )
    client.force_login(_view_only_staff())

    response = client.post(
        "/admin/subscriptions/stripeevent/",
        {"action": "process_again", "_selected_action": [event.pk], "index": 0},
    )

    event.refresh_from_db()
    assert event.attempts == 0
    assert event.processed_at is None
    assert response.status_code in (200, 302)


def test_previewing_an_email_needs_the_view_permission_on_emails(client):
    payment = PaymentFactory()
    payment_acknowledge(payment)
    receipt = OutboxEmail.objects.get(kind=EmailKind.RECEIPT)
    url = f"/admin/subscriptions/outboxemail/{receipt.pk}/preview/"

    client.force_login(staff_member(username="no-role", password="x"))
    refused = client.get(url)
    client.force_login(staff_member(username="care", password="x", role="Supporter care"))
    shown = client.get(url)

    assert refused.status_code == 403
    assert shown.status_code == 200
    assert shown.content.decode() == receipt.html


def test_a_stored_email_is_read_only_in_admin_text_included(admin_client):
    payment = PaymentFactory()
    payment_acknowledge(payment)
    receipt = OutboxEmail.objects.get(kind=EmailKind.RECEIPT)
    url = f"/admin/subscriptions/outboxemail/{receipt.pk}/change/"

    page = admin_client.get(url)
    admin_client.post(url, {"text": "Follow http://evil.example/ to manage your support."})

    assert page.status_code == 200
    assert 'name="text"' not in page.content.decode()
    receipt.refresh_from_db()
    assert "evil.example" not in receipt.text
