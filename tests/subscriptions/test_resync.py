"""stripe_resync: what Stripe has and we lost (webhooks never delivered, rows dropped, a
status gone wrong) is rebuilt through the webhook handlers; twice is once; a dry run
changes nothing; no email is sent twice."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from subscriptions.models import (
    AuditAction,
    AuditEntry,
    BalanceTransaction,
    Contribution,
    OutboxEmail,
    Payment,
)
from subscriptions.services.resync import stripe_resync
from tests.gifts import Site
from tests.records import (
    forget_everything_stripe_told_us,
    pending_contributions,
    records_shape,
    records_snapshot,
)


@pytest.fixture
def deaf_site(live_server, stripe_settings, settings, celery_eager, client):
    """Our site and a fresh sandbox that has no webhook endpoint: every event is lost."""
    settings.SITE_URL = live_server.url
    return Site(sandbox=stripe_settings, live_url=live_server.url, client=client)


def _sandbox_now(site: Site) -> datetime:
    return datetime.fromtimestamp(site.sandbox.control("GET", "/_sandbox/clock")["now"], tz=UTC)


def _period(site: Site) -> dict[str, datetime]:
    """A period around everything the sandbox has made so far (its clock may be ahead)."""
    now = _sandbox_now(site)
    return {"start": now - timedelta(days=60), "end": now + timedelta(days=1)}


def _emails() -> list[tuple[str, str, str]]:
    return sorted(OutboxEmail.objects.values_list("to", "kind", "key"))


def test_lost_webhooks_are_rebuilt_with_their_receipts_and_a_second_run_is_a_no_op(deaf_site):
    deaf_site.give(amount="5", frequency="month", email="monthly@example.org")
    deaf_site.give(amount="20", frequency="once", email="once@example.org")
    assert Payment.objects.count() == 0  # nothing arrived

    report = stripe_resync(**_period(deaf_site), apply=True)

    assert not report.errors
    assert set(Contribution.objects.values_list("status", flat=True)) == {"active", "paid"}
    payments = Payment.objects.order_by("amount")
    assert [(p.amount, p.supporter.email) for p in payments] == [
        (500, "monthly@example.org"),
        (2000, "once@example.org"),
    ]
    assert all(p.receipt_number for p in payments)
    receipts = OutboxEmail.objects.filter(kind="receipt")
    assert sorted(receipts.values_list("key", flat=True)) == sorted(
        p.stripe_charge_id for p in payments
    )
    assert report.emails()["receipt"] == 2
    assert BalanceTransaction.objects.count() == 2
    entry = AuditEntry.objects.get(action=AuditAction.STRIPE_RESYNC)
    assert entry.after["created"]["payments"] == 2

    before = records_snapshot()
    again = stripe_resync(**_period(deaf_site), apply=True)

    assert again.changes == []
    assert records_snapshot() == before


def test_renewals_missed_during_an_outage_get_one_receipt_each(deaf_site):
    deaf_site.give(amount="5", frequency="month", email="monthly@example.org")
    stripe_resync(**_period(deaf_site), apply=True)
    first_emails = _emails()

    deaf_site.advance(days=31)  # the renewal's events are lost too
    report = stripe_resync(**_period(deaf_site), apply=True)

    assert Payment.objects.count() == 2
    renewal = Payment.objects.exclude(stripe_charge_id__in=[key for *_, key in first_emails]).get()
    new_emails = sorted(set(_emails()) - set(first_emails))
    assert new_emails == [("monthly@example.org", "receipt", renewal.stripe_charge_id)]
    assert report.created()["payments"] == 1
    assert stripe_resync(**_period(deaf_site), apply=True).changes == []


def test_a_resync_after_losing_every_record_rebuilds_what_the_webhooks_made(site):
    site.give(amount="5", frequency="month", email="monthly@example.org")
    site.give(amount="12", frequency="year", currency="usd", email="yearly@example.org")
    site.give(amount="20", frequency="once", email="once@example.org")
    site.advance(days=31)
    made_by_webhooks = records_shape()
    emails_by_webhooks = sorted(OutboxEmail.objects.values_list("to", "kind"))
    pending = [dict(row, status="pending", supporter=None) for row in pending_contributions()]
    for row in pending:
        row["stripe_subscription_id"] = row["stripe_payment_intent_id"] = None
    forget_everything_stripe_told_us(pending)

    report = stripe_resync(**_period(site), apply=True)

    assert not report.errors
    rebuilt = records_shape()
    emails_rebuilt = sorted(OutboxEmail.objects.values_list("to", "kind"))
    assert emails_rebuilt == emails_by_webhooks
    made_by_webhooks.pop("emails"), rebuilt.pop("emails")  # sent before, pending now
    assert rebuilt == made_by_webhooks


def test_dropped_rows_and_a_wrong_status_are_repaired_without_a_second_receipt(site):
    site.give(amount="5", frequency="month", email="monthly@example.org")
    before = records_snapshot()
    payment = Payment.objects.get()
    Payment.objects.filter(pk=payment.pk).delete()
    Contribution.objects.update(status="canceled")
    emails_before = list(OutboxEmail.objects.values_list("pk", "status"))

    dry = StringIO()
    start, end = (f"{moment:%Y-%m-%d}" for moment in _period(site).values())
    call_command("stripe_resync", "--start", start, "--end", end, stdout=dry)

    text = dry.getvalue()
    assert "dry run: nothing was changed" in text
    assert "Would create:\n  payments: 1" in text
    assert "contributions: 1 (status 1)" in text
    assert "Run again with --apply" in text
    assert Payment.objects.count() == 0
    assert Contribution.objects.get().status == "canceled"
    assert not AuditEntry.objects.filter(action=AuditAction.STRIPE_RESYNC).exists()

    applied = StringIO()
    call_command("stripe_resync", "--start", start, "--end", end, "--apply", stdout=applied)

    assert "Created:\n  payments: 1" in applied.getvalue()
    assert "emails to send" not in applied.getvalue()
    assert records_snapshot() == before
    assert list(OutboxEmail.objects.values_list("pk", "status")) == emails_before

    quiet = StringIO()
    call_command("stripe_resync", "--start", start, "--end", end, "--apply", stdout=quiet)
    assert "Created: nothing" in quiet.getvalue()
    assert "Changed: nothing" in quiet.getvalue()


def test_held_emails_are_kept_failed_with_the_reason_and_not_sent(deaf_site):
    deaf_site.give(amount="5", frequency="month", email="monthly@example.org")

    report = stripe_resync(**_period(deaf_site), apply=True, hold_emails=True)

    emails = OutboxEmail.objects.all()
    assert report.emails_held == emails.count() > 0
    assert {email.status for email in emails} == {"failed"}
    assert all("stripe_resync --hold-emails" in email.last_error for email in emails)
    assert Payment.objects.get().receipt_number


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--start", "2026-13-01", "--end", "2026-12-01"], "is not a date"),
        (["--start", "2026-11-02", "--end", "2026-11-01"], "must be after"),
    ],
)
def test_bad_periods_are_refused_before_stripe_is_asked(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("stripe_resync", *arguments)


def test_dry_run_and_apply_cannot_be_asked_together():
    with pytest.raises(CommandError, match="not allowed with"):
        call_command(
            "stripe_resync", "--start", "2026-11-01", "--end", "2026-11-02", "--dry-run", "--apply"
        )


def test_when_stripe_cannot_be_read_nothing_is_changed_and_the_command_says_so(
    db, stripe_settings, settings
):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.STRIPE_MAX_NETWORK_RETRIES = 0

    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("stripe_resync", "--start", "2026-11-01", "--end", "2026-11-02", "--apply")
    assert not AuditEntry.objects.filter(action=AuditAction.STRIPE_RESYNC).exists()
