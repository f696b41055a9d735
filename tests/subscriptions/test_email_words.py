"""Emails say what happened, in words a supporter would use."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from subscriptions.models import EmailKind, OutboxEmail
from subscriptions.services.outbox import email_queue, outbox_email_send
from subscriptions.stripe_events.money import payment_acknowledge
from tests.config.test_settings import _load_settings
from tests.factories import ContributionFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def _email(kind: str, supporter=None) -> OutboxEmail:
    emails = OutboxEmail.objects.filter(kind=kind)
    return (emails.filter(supporter=supporter) if supporter else emails).get()


def test_the_thank_you_says_first_gift_only_for_a_supporters_first_gift_ever():
    first = PaymentFactory(amount=500, paid_at=timezone.now() - timedelta(days=40))
    supporter = first.contribution.supporter
    payment_acknowledge(first)
    second_plan = ContributionFactory(supporter=supporter, frequency="year", amount=5000)
    later = PaymentFactory(contribution=second_plan, amount=5000)
    payment_acknowledge(later)

    first_thanks, later_thanks = OutboxEmail.objects.filter(kind=EmailKind.THANK_YOU).order_by("pk")
    assert "Thank you for your first gift of €5.00, and for choosing to give every month." in (
        first_thanks.text
    )
    assert "first" not in later_thanks.text
    assert "Thank you for your new gift of €50.00, and for choosing to give every year." in (
        later_thanks.text
    )


@pytest.mark.parametrize(
    ("frequency", "given_for"),
    [
        ("month", "Monthly support for The Harbour Ledger"),
        ("year", "Yearly support for The Harbour Ledger"),
        ("once", "One-time support for The Harbour Ledger"),
    ],
)
def test_the_receipt_names_what_was_given(frequency, given_for):
    payment = PaymentFactory(contribution=ContributionFactory(frequency=frequency))

    payment_acknowledge(payment)

    receipt = _email(EmailKind.RECEIPT)
    assert re.search(rf"^For: +{given_for}$", receipt.text, flags=re.M), receipt.text
    assert f"<td>{given_for}</td>" in receipt.html


@pytest.mark.parametrize("frequency", ["month", "year"])
def test_no_email_says_a_month_or_a_year(frequency):
    now = timezone.now()
    contribution = ContributionFactory(
        frequency=frequency,
        card_exp_month=1,
        card_exp_year=2020,
        status="canceled",
        ended_at=now - timedelta(days=31),
    )
    supporter = contribution.supporter
    payment_acknowledge(PaymentFactory(contribution=contribution))
    email_queue(
        kind=EmailKind.CONTRIBUTION_CHANGED,
        supporter=supporter,
        contribution=contribution,
        price_id="price_x",
        old_amount=300,
        old_frequency="month" if frequency == "year" else "year",
    )
    for kind in (EmailKind.CANCELLATION, EmailKind.CARD_EXPIRING, EmailKind.WIN_BACK):
        email_queue(kind=kind, supporter=supporter, contribution=contribution)

    assert OutboxEmail.objects.count() == 6
    for email in OutboxEmail.objects.all():
        for words in (email.text, email.html):
            # "€5.00 a month", "give a month"; "it has been a month since" is fine.
            assert not re.search(r"(\d|give) a (month|year)\b", words), (email.kind, words)
    assert f"€5.00 every {frequency}" in _email(EmailKind.CANCELLATION).text
    assert "a monthly gift starts at just €2" in _email(EmailKind.WIN_BACK).text


def test_emails_come_from_the_newsroom_by_name(settings):
    payment_acknowledge(PaymentFactory())
    receipt = _email(EmailKind.RECEIPT)

    assert outbox_email_send(email_id=receipt.pk) == "sent"

    assert mail.outbox[-1].from_email == "The Harbour Ledger <support@newsroom.invalid>"


def test_the_sender_is_named_after_the_newsroom_at_the_sites_domain_unless_set():
    show = "from django.conf import settings; print(settings.DEFAULT_FROM_EMAIL)"
    newsroom = {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "NEWSROOM_NAME": "The Quay Times",
        "SITE_URL": "https://www.quaytimes.example",
    }

    derived = _load_settings(newsroom, code=show)
    chosen = _load_settings(
        {**newsroom, "DEFAULT_FROM_EMAIL": "Desk <desk@example.org>"}, code=show
    )

    assert derived.stdout.strip() == "The Quay Times <support@quaytimes.example>", derived.stderr
    assert chosen.stdout.strip() == "Desk <desk@example.org>", chosen.stderr
