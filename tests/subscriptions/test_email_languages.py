"""A supporter's emails are in the language they gave in: subjects, words, amounts and
dates (Babel's Russian: "10,00 £", "3 марта 2027 г.")."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.urls import reverse

from subscriptions.models import AuditEntry, Contribution, EmailKind, OutboxEmail, Supporter
from subscriptions.roles import SUPPORTER_CARE
from subscriptions.services.outbox import email_queue, outbox_email_send
from subscriptions.stripe_events.money import payment_acknowledge
from tests.factories import (
    AppealFactory,
    ArticleFactory,
    ContributionFactory,
    PaymentFactory,
    SupporterFactory,
)
from tests.staff import staff_member

pytestmark = pytest.mark.django_db

NBSP, NNBSP = "\u00a0", "\u202f"


def _sent(email: OutboxEmail) -> mail.EmailMultiAlternatives:
    outbox_email_send(email_id=email.pk)
    email.refresh_from_db()
    return next(m for m in mail.outbox if m.extra_headers["Message-ID"] == email.message_id)


def _payment_for(language: str):
    supporter = SupporterFactory(name="Ольга Петрова", language=language)
    contribution = ContributionFactory(supporter=supporter, currency="gbp", amount=1000)
    return PaymentFactory(
        supporter=supporter,
        contribution=contribution,
        amount=1000,
        currency="gbp",
        paid_at=datetime(2027, 3, 3, 12, 0, tzinfo=UTC),
    )


def test_a_supporter_who_gave_in_russian_gets_a_russian_receipt_and_thank_you():
    payment = _payment_for("ru")

    payment_acknowledge(payment)

    receipt = OutboxEmail.objects.get(kind=EmailKind.RECEIPT)
    thank_you = OutboxEmail.objects.get(kind=EmailKind.THANK_YOU)
    assert receipt.subject == f"Ваша квитанция {payment.receipt_number} от The Harbour Ledger"
    assert thank_you.subject == "Спасибо, что поддерживаете The Harbour Ledger"
    for body in (receipt.text, receipt.html):
        assert "Здравствуйте, Ольга!" in body
        assert f"10,00{NBSP}£" in body  # Babel's Russian money
        assert f"3 марта 2027{NNBSP}г." in body  # and date
        assert "Ежемесячная поддержка The Harbour Ledger" in body
        assert "Номер квитанции" in body
        assert "Thank you" not in body
    assert 'lang="ru-RU"' in receipt.html
    assert "Спасибо за ваше первое пожертвование" in thank_you.text
    assert "каждый месяц" in thank_you.text
    sent = _sent(receipt)
    assert sent.subject == receipt.subject
    assert "Управление поддержкой" in sent.body
    assert "ссылка действует 60 дней" in sent.body  # Russian plural of "days"


def test_an_english_supporter_gets_the_same_emails_in_english():
    payment = _payment_for("en")

    payment_acknowledge(payment)

    receipt = OutboxEmail.objects.get(kind=EmailKind.RECEIPT)
    assert receipt.subject == f"Your receipt {payment.receipt_number} from The Harbour Ledger"
    assert "£10.00" in receipt.text
    assert "3 March 2027" in receipt.text
    assert "Monthly support for The Harbour Ledger" in receipt.text


def test_every_kind_of_email_has_a_russian_subject_and_body():
    """Each kind rendered for a Russian supporter reads Russian from subject to footer."""
    supporter = SupporterFactory(language="ru")
    contribution = ContributionFactory(supporter=supporter, cancel_at_period_end=True)
    payment = PaymentFactory(supporter=supporter, contribution=contribution, amount=500)
    facts = {
        EmailKind.PAYMENT_FAILED: {
            "contribution": contribution,
            "amount": 500,
            "next_attempt": contribution.current_period_end,
            "invoice_id": "in_1",
            "attempt": 1,
        },
        EmailKind.CONTRIBUTION_CHANGED: {
            "contribution": contribution,
            "old_amount": 300,
            "old_frequency": "month",
            "price_id": "price_1",
        },
        EmailKind.CANCELLATION: {"contribution": contribution},
        EmailKind.REFUND: {"payment": payment, "refunded_now": 200, "refund_id": "re_1"},
        EmailKind.MANAGE_LINK: {"request": "r1"},
    }
    for kind, kind_facts in facts.items():
        email = email_queue(kind=kind, supporter=supporter, **kind_facts)
        assert email is not None, kind
        assert "Harbour Ledger" in email.subject
        assert email.subject.split(" ")[0] in {"Ваш", "Ваша", "Возврат", "Ссылка"}, email.subject
        assert "С благодарностью," in email.text, kind
        assert "Dear" not in email.text, kind
        assert "With thanks" not in email.text, kind


def test_staff_can_set_the_language_a_supporter_is_written_in(client):
    supporter = SupporterFactory(language="en")
    client.force_login(staff_member(username="carer", password="pw-Care-2026", role=SUPPORTER_CARE))
    staff = client
    changelist = reverse("admin:subscriptions_supporter_changelist")

    page = staff.get(changelist).content.decode()
    assert "Write to the selected supporters in Русский" in page
    staff.post(changelist, {"action": "write_in_ru", "_selected_action": [supporter.pk]})

    supporter.refresh_from_db()
    assert supporter.language == "ru"
    entry = AuditEntry.objects.get(action="supporter.language_changed")
    assert entry.after == {"language": "ru"}
    assert (
        "Русский"
        in staff.get(
            reverse("admin:subscriptions_supporter_change", args=[supporter.pk])
        ).content.decode()
    )


def test_a_gift_from_a_russian_article_records_the_language_and_the_receipt_is_russian(
    site, stripe_api
):
    AppealFactory(language="ru", heading="Пока вы здесь")
    article = ArticleFactory(language="ru")

    site.give(path=article.get_absolute_url(), amount="10", currency="gbp", frequency="month")

    contribution = Contribution.objects.get()
    assert contribution.language == "ru"
    assert Supporter.objects.get().language == "ru"
    session = stripe_api.v1.checkout.sessions.retrieve(contribution.stripe_checkout_session_id)
    assert session.locale == "ru"  # Stripe Checkout itself speaks Russian
    receipt = OutboxEmail.objects.get(kind=EmailKind.RECEIPT)
    assert receipt.subject.startswith("Ваша квитанция")
    assert f"10,00{NBSP}£" in receipt.text
    assert receipt.status == "sent"


def test_a_gift_from_the_english_support_page_keeps_english_emails(site):
    site.give(amount="5", currency="eur", frequency="once")

    assert Supporter.objects.get().language == "en"
    assert OutboxEmail.objects.get(kind=EmailKind.RECEIPT).subject.startswith("Your receipt")
