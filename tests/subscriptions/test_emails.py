"""What each email says, when it is sent, and to whom it is never sent."""

import re
import threading
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from subscriptions.models import EmailKind, OutboxEmail, Payment, ReceiptCounter
from subscriptions.services import reminders
from subscriptions.services.outbox import email_queue, outbox_email_send
from subscriptions.services.receipts import receipt_number_assign
from subscriptions.stripe_events.money import payment_acknowledge
from tests.factories import ContributionFactory, PaymentFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def _emails(kind: str) -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind=kind))


def _sent(email: OutboxEmail) -> mail.EmailMultiAlternatives:
    """The message as the supporter receives it (links are made when it is sent). A send
    takes other due emails with it, so the message is found by the row's Message-ID."""
    outbox_email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == "sent"
    return next(m for m in mail.outbox if m.extra_headers["Message-ID"] == email.message_id)


def _manage_path(email: OutboxEmail) -> str:
    """The path of the footer's manage link in the email as sent."""
    text = _sent(email).body
    match = re.search(r"Manage your support[^:]*: https?://[^/\s]+(/support/manage/\S+/)", text)
    assert match, text
    return match.group(1)


def test_a_payment_gets_a_numbered_receipt_and_the_first_one_a_thank_you(client):
    payment = PaymentFactory(amount=750)

    payment_acknowledge(payment)
    payment_acknowledge(payment)  # a duplicated webhook changes nothing

    (receipt,) = _emails(EmailKind.RECEIPT)
    (thank_you,) = _emails(EmailKind.THANK_YOU)
    payment.refresh_from_db()
    year = timezone.localtime(payment.paid_at).year
    assert payment.receipt_number == f"{year}-000001"
    assert receipt.subject == f"Your receipt {year}-000001 from The Harbour Ledger"
    assert "€7.50" in receipt.text
    assert "€7.50" in receipt.html
    assert receipt.unsubscribe_url == ""
    assert "Thank you for your first gift of €7.50" in thank_you.text
    assert client.get(_manage_path(receipt), follow=True).status_code == 200


def test_later_payments_get_receipts_but_no_second_thank_you():
    first = PaymentFactory(paid_at=timezone.now() - timedelta(days=31))
    second = PaymentFactory(contribution=first.contribution)

    payment_acknowledge(first)
    payment_acknowledge(second)

    assert len(_emails(EmailKind.RECEIPT)) == 2
    assert len(_emails(EmailKind.THANK_YOU)) == 1


def test_a_payment_of_someone_we_cannot_email_is_recorded_without_an_email():
    payment = PaymentFactory(supporter=None, contribution=None)

    payment_acknowledge(payment)

    assert OutboxEmail.objects.count() == 0


def test_a_rolled_back_payment_gives_its_receipt_number_back():
    first = PaymentFactory()

    def number_then_fail() -> None:
        with transaction.atomic():
            receipt_number_assign(first)
            raise RuntimeError("the webhook processing failed after numbering")

    with pytest.raises(RuntimeError):
        number_then_fail()

    second = PaymentFactory()
    receipt_number_assign(second)

    assert second.receipt_number.endswith("-000001")


@pytest.mark.django_db(transaction=True)
def test_receipt_numbers_are_gap_free_under_concurrent_payments():
    payments = [PaymentFactory() for _ in range(12)]
    errors = []

    def number(payment: Payment) -> None:
        try:
            with transaction.atomic():
                receipt_number_assign(payment)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=number, args=(payment,)) for payment in payments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(Payment.objects.values_list("receipt_number", flat=True))
    year = timezone.localtime(timezone.now()).year
    assert numbers == [f"{year}-{n:06d}" for n in range(1, 13)]
    assert ReceiptCounter.objects.get(year=year).last_number == 12


def test_numbering_a_receipt_in_a_counted_year_locks_bumps_and_writes_only(
    django_assert_num_queries,
):
    # Every renewal is numbered: three queries, where a get_or_create first cost three more.
    receipt_number_assign(PaymentFactory())
    later = PaymentFactory()

    with django_assert_num_queries(3):
        number = receipt_number_assign(later)

    assert number.endswith("-000002")


def test_receipt_numbers_start_again_each_calendar_year():
    old = PaymentFactory(paid_at=datetime(2025, 12, 31, 12, tzinfo=timezone.get_current_timezone()))
    new = PaymentFactory(paid_at=datetime(2026, 1, 2, 12, tzinfo=timezone.get_current_timezone()))

    assert receipt_number_assign(old) == "2025-000001"
    assert receipt_number_assign(new) == "2026-000001"


def test_reminders_carry_unsubscribe_and_respect_it(client):
    contribution = ContributionFactory(
        card_exp_month=1, card_exp_year=2020, current_period_end=timezone.now() + timedelta(days=9)
    )

    assert reminders.card_expiry_scan() == 1
    (reminder,) = _emails(EmailKind.CARD_EXPIRING)
    assert "/support/unsubscribe/" in reminder.unsubscribe_url
    assert "Visa ending 4242" in reminder.text
    path = reminder.unsubscribe_url.split("://", 1)[1].split("/", 1)[1]
    page = client.get(f"/{path}")
    assert page.status_code == 200
    assert "Unsubscribe from reminders" in page.content.decode()

    response = client.post(f"/{path}", {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    contribution.supporter.refresh_from_db()
    assert contribution.supporter.reminders_unsubscribed_at is not None
    contribution.card_exp_year = 2021  # a new card, also expired: a new reminder is due
    contribution.save()
    reminders.card_expiry_scan()
    assert len(_emails(EmailKind.CARD_EXPIRING)) == 1
    # Receipts still go.
    payment_acknowledge(PaymentFactory(contribution=contribution))
    assert len(_emails(EmailKind.RECEIPT)) == 1


def test_one_click_unsubscribe_needs_no_csrf_token_or_login():
    from django.test import Client

    supporter = SupporterFactory()
    contribution = ContributionFactory(supporter=supporter, card_exp_month=1, card_exp_year=2020)
    email_queue(
        kind=EmailKind.CARD_EXPIRING, supporter=contribution.supporter, contribution=contribution
    )
    (reminder,) = _emails(EmailKind.CARD_EXPIRING)
    path = "/" + reminder.unsubscribe_url.split("://", 1)[1].split("/", 1)[1]

    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    supporter.refresh_from_db()
    assert supporter.reminders_unsubscribed_at is not None


def test_a_forged_unsubscribe_link_changes_nothing(client):
    supporter = SupporterFactory()

    response = client.post(f"/support/unsubscribe/{supporter.pk}:forged/")

    assert response.status_code == 404
    supporter.refresh_from_db()
    assert supporter.reminders_unsubscribed_at is None


def test_the_card_reminder_goes_once_per_card_and_only_when_it_expires_before_renewal():
    expiring = ContributionFactory(
        card_exp_month=1, card_exp_year=2020, current_period_end=timezone.now() + timedelta(days=9)
    )
    ContributionFactory()  # valid card
    ContributionFactory(card_exp_month=1, card_exp_year=2020, cancel_at_period_end=True)

    reminders.card_expiry_scan()
    reminders.card_expiry_scan()

    (reminder,) = _emails(EmailKind.CARD_EXPIRING)
    assert reminder.supporter == expiring.supporter


def test_win_back_goes_once_a_month_after_a_plan_ended_and_never_to_who_gave_again():
    now = timezone.now()
    lapsed = ContributionFactory(status="canceled", ended_at=now - timedelta(days=31))
    came_back = ContributionFactory(status="canceled", ended_at=now - timedelta(days=35))
    ContributionFactory(supporter=came_back.supporter)  # a new active plan
    ContributionFactory(status="canceled", ended_at=now - timedelta(days=5))  # too soon
    ContributionFactory(status="canceled", ended_at=now - timedelta(days=200))  # long ago

    assert reminders.win_back_scan() == 1
    reminders.win_back_scan(now=now + timedelta(days=10))

    (win_back,) = _emails(EmailKind.WIN_BACK)
    assert win_back.supporter == lapsed.supporter
    assert win_back.unsubscribe_url


def test_undeliverable_addresses_get_no_reminders():
    contribution = ContributionFactory(card_exp_month=1, card_exp_year=2020)
    contribution.supporter.email_undeliverable_at = timezone.now()
    contribution.supporter.save()

    reminders.card_expiry_scan()

    assert _emails(EmailKind.CARD_EXPIRING) == []


def test_a_bounce_reported_by_the_provider_marks_the_address_undeliverable(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret-words"}
    supporter = SupporterFactory(email="Bouncing@Example.org")
    bounce = {
        "RecordType": "Bounce",
        "ID": 42,
        "Type": "HardBounce",
        "TypeCode": 1,
        "MessageID": "00000000-0000-0000-0000-000000000000",
        "Description": "The server was unable to deliver your message.",
        "Email": "bouncing@example.org",
        "BouncedAt": "2026-11-27T10:00:00Z",
        "Inactive": True,
    }

    response = client.post(
        "/anymail/postmark/tracking/",
        data=bounce,
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic aG9vazpzZWNyZXQtd29yZHM=",
    )

    assert response.status_code == 200
    supporter.refresh_from_db()
    assert supporter.email_undeliverable_at is not None
    assert "bounced" in supporter.email_undeliverable_reason


def test_yearly_plans_are_reminded_a_week_before_renewal_monthly_ones_are_not():
    yearly = ContributionFactory(frequency="year", amount=6000)
    monthly = ContributionFactory()

    for contribution in (yearly, yearly, monthly):
        email_queue(
            kind=EmailKind.RENEWAL_COMING,
            supporter=contribution.supporter,
            contribution=contribution,
        )

    (reminder,) = _emails(EmailKind.RENEWAL_COMING)
    assert reminder.supporter == yearly.supporter
    assert "€60.00" in reminder.text
    assert reminder.unsubscribe_url


def test_the_year_end_statement_goes_once_and_can_be_printed_or_downloaded(client):
    supporter = SupporterFactory()
    plan = ContributionFactory(supporter=supporter)
    zone = timezone.get_current_timezone()
    for month in (3, 4, 5):
        payment = PaymentFactory(contribution=plan, paid_at=datetime(2025, month, 1, tzinfo=zone))
        receipt_number_assign(payment)
    PaymentFactory(contribution=plan, paid_at=datetime(2026, 1, 3, tzinfo=zone))
    PaymentFactory(
        contribution=plan, paid_at=datetime(2025, 6, 1, tzinfo=zone), amount_refunded=500
    )

    assert reminders.year_end_statements_send(year=2025) == 1
    reminders.year_end_statements_send(year=2025)

    (statement,) = _emails(EmailKind.YEAR_END)
    assert "4 payments" in statement.text
    assert "€15.00" in statement.text  # after the refund
    link = re.search(r"https?://[^/\s]+(/support/manage/\S+/)", _sent(statement).body)
    opened = client.get(link.group(1))
    assert opened.status_code == 303
    assert opened["Location"] == "/support/manage/statement/2025/"
    page = client.get(opened["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("2025-00000") == 3
    assert "€15.00" in html
    download = client.get(opened["Location"] + "?download=1")
    assert download["Content-Disposition"] == 'attachment; filename="giving-statement-2025.html"'


def test_every_email_has_both_parts_the_newsroom_address_and_a_working_manage_link(client):
    contribution = ContributionFactory(card_exp_month=1, card_exp_year=2020, frequency="year")
    payment = PaymentFactory(contribution=contribution, amount_refunded=200)
    payment_acknowledge(payment)
    supporter = contribution.supporter
    email_queue(kind=EmailKind.REFUND, supporter=supporter, payment=payment, refunded_now=200)
    email_queue(
        kind=EmailKind.PAYMENT_FAILED,
        supporter=supporter,
        contribution=contribution,
        invoice_id="in_x",
        attempt=1,
        amount=500,
        next_attempt=timezone.now(),
    )
    email_queue(
        kind=EmailKind.PAYMENT_ACTION_REQUIRED,
        supporter=supporter,
        contribution=contribution,
        invoice_id="in_x",
        amount=500,
        confirm_url="https://invoice.stripe.com/i/acct_x/test_x",
    )
    email_queue(
        kind=EmailKind.CONTRIBUTION_CHANGED,
        supporter=supporter,
        contribution=contribution,
        price_id="price_x",
        old_amount=300,
        old_frequency="month",
    )
    contribution.cancel_at_period_end = True
    email_queue(kind=EmailKind.CANCELLATION, supporter=supporter, contribution=contribution)
    email_queue(kind=EmailKind.CONTINUES, supporter=supporter, contribution=contribution)
    email_queue(kind=EmailKind.CARD_EXPIRING, supporter=supporter, contribution=contribution)
    yearly = ContributionFactory(frequency="year")
    email_queue(kind=EmailKind.RENEWAL_COMING, supporter=yearly.supporter, contribution=yearly)
    email_queue(kind=EmailKind.WIN_BACK, supporter=supporter, contribution=contribution)
    email_queue(
        kind=EmailKind.YEAR_END, supporter=supporter, year=2025, totals=["€5.00"], payment_count=1
    )
    email_queue(kind=EmailKind.MANAGE_LINK, supporter=supporter)

    kinds = set(OutboxEmail.objects.values_list("kind", flat=True))
    assert kinds == set(EmailKind.values)
    for email in OutboxEmail.objects.all():
        assert "1 Quay Street, Harbourtown" in email.text, email.kind
        assert "1 Quay Street, Harbourtown" in email.html, email.kind
        assert email.html.startswith("<!doctype html>"), email.kind
        assert client.get(_manage_path(email), follow=True).status_code == 200, email.kind
        assert bool(email.unsubscribe_url) == (
            email.kind in {"card_expiring", "renewal_coming", "win_back"}
        ), email.kind


def test_staff_see_a_supporters_emails_and_can_preview_one_as_sent(admin_client):
    payment = PaymentFactory()
    payment_acknowledge(payment)
    receipt = OutboxEmail.objects.get(kind=EmailKind.RECEIPT)

    page = admin_client.get(f"/admin/subscriptions/supporter/{payment.supporter_id}/change/")
    preview = admin_client.get(f"/admin/subscriptions/outboxemail/{receipt.pk}/preview/")

    assert receipt.subject in page.content.decode()
    assert preview.status_code == 200
    assert preview.content.decode() == receipt.html
    assert preview["Content-Security-Policy"].startswith("sandbox")


def test_the_preview_is_for_staff_only(client):
    payment = PaymentFactory()
    payment_acknowledge(payment)
    receipt = OutboxEmail.objects.get(kind=EmailKind.RECEIPT)

    response = client.get(f"/admin/subscriptions/outboxemail/{receipt.pk}/preview/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
