"""Supporter care in admin: find a supporter, see their gifts, payments and emails."""

import pytest

from subscriptions.models import StripeEvent
from tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db


def test_staff_find_a_supporter_by_email_and_see_gifts_and_payments(admin_client):
    payment = PaymentFactory(amount=1234)
    supporter = payment.supporter

    found = admin_client.get("/admin/subscriptions/supporter/", {"q": supporter.email.upper()})
    page = admin_client.get(f"/admin/subscriptions/supporter/{supporter.pk}/change/")

    assert supporter.email in found.content.decode()
    html = page.content.decode()
    assert "1234" in html


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
