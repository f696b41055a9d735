"""Possible double gifts go to a review queue; staff mark them intended or refund the
second one in one step."""

import re
from datetime import timedelta

import pytest

from subscriptions.models import AuditEntry, Payment, PossibleDuplicate
from subscriptions.roles import AUDITOR, SUPPORTER_CARE
from tests.factories import ContributionFactory, PaymentFactory
from tests.staff import staff_member

QUEUE = "/admin/subscriptions/possibleduplicate/"


def _login(client, role: str = SUPPORTER_CARE) -> None:
    client.force_login(staff_member(username=f"u-{role}", password="pw-Role-2026", role=role))


def _resolve(client, duplicate: PossibleDuplicate, decision: str):
    url = f"{QUEUE}{duplicate.pk}/resolve/"
    token = re.search(r'name="token" value="([^"]+)"', client.get(url).content.decode()).group(1)
    return client.post(
        url, {"token": token, "decision": decision, "reason": "Charged twice"}, follow=True
    )


@pytest.mark.django_db
def test_the_same_gift_twice_within_a_day_is_flagged_and_two_days_apart_is_not(client):
    first = PaymentFactory(amount=1000)
    second = PaymentFactory(
        contribution=first.contribution, amount=1000, paid_at=first.paid_at + timedelta(hours=3)
    )
    PaymentFactory(
        contribution=first.contribution, amount=1000, paid_at=first.paid_at + timedelta(days=2)
    )
    PaymentFactory(contribution=first.contribution, amount=700, paid_at=first.paid_at)
    _login(client)

    flagged = PossibleDuplicate.objects.get()
    queue = client.get(QUEUE).content.decode()

    assert (flagged.first_payment, flagged.duplicate_payment) == (first, second)
    assert "Two payments of €10.00 within a day" in queue


@pytest.mark.django_db
def test_two_plans_running_at_once_are_flagged(client):
    older = ContributionFactory()
    newer = ContributionFactory(supporter=older.supporter, amount=800)
    ContributionFactory(supporter=older.supporter, status="canceled")

    flagged = PossibleDuplicate.objects.get()

    assert (flagged.first_contribution, flagged.duplicate_contribution) == (older, newer)


@pytest.mark.django_db
def test_staff_mark_a_double_gift_as_intended(client):
    first = PaymentFactory(amount=1000)
    PaymentFactory(contribution=first.contribution, amount=1000, paid_at=first.paid_at)
    _login(client)

    response = _resolve(client, PossibleDuplicate.objects.get(), "intended")

    assert "Marked as intended." in response.content.decode()
    assert PossibleDuplicate.objects.get().status == "intended"
    assert AuditEntry.objects.get(action="care.duplicate_resolved").reason == "Charged twice"


@pytest.mark.django_db
def test_an_auditor_sees_the_queue_but_cannot_resolve(client):
    first = PaymentFactory(amount=1000)
    PaymentFactory(contribution=first.contribution, amount=1000, paid_at=first.paid_at)
    _login(client, AUDITOR)
    url = f"{QUEUE}{PossibleDuplicate.objects.get().pk}/resolve/"

    assert client.get(QUEUE).status_code == 200
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "intended"}).status_code == 403


def test_staff_refund_the_second_of_two_single_gifts_in_one_step(site, client):
    site.give(amount="7", frequency="once", email="twice@example.org")
    site.give(amount="7", frequency="once", email="twice@example.org")
    _login(client)

    response = _resolve(client, PossibleDuplicate.objects.get(), "refund")

    assert "Refunded the second gift." in response.content.decode()
    first, second = Payment.objects.order_by("paid_at", "pk")
    assert (first.amount_refunded, second.amount_refunded) == (0, 700)
    assert PossibleDuplicate.objects.get().status == "refunded"
