"""Undoing a cancellation: the supporter is told their support continues, and the plan's
history keeps the cancellation and its reason."""

from subscriptions.models import Contribution, ContributionChange, OutboxEmail
from tests.subscriptions.test_manage import _open_manage_page


def test_undoing_a_cancellation_emails_that_support_continues_and_keeps_the_reason(site):
    site.give(amount="5")
    path = _open_manage_page(site)
    contribution = Contribution.objects.get()
    site.client.post(
        f"{path}gifts/{contribution.public_id}/cancel/",
        {"reason": "too_expensive", "detail": "Money is tight this year."},
    )
    site.settle()

    site.client.post(f"{path}gifts/{contribution.public_id}/resume/")
    site.settle()
    again = site.client.post(f"{path}gifts/{contribution.public_id}/resume/")
    site.settle()

    assert again.status_code == 400
    (continues,) = OutboxEmail.objects.filter(kind="continues")
    assert continues.subject == "Your support for The Harbour Ledger continues"
    assert "Your support of €5.00 every month for The Harbour Ledger is no longer set to end" in (
        continues.text
    )
    contribution.refresh_from_db()
    next_payment = f"{contribution.current_period_end:%-d %B %Y}"
    assert f"Your next payment is on {next_payment}." in continues.text
    assert "no longer set to end" in continues.html

    assert (contribution.cancel_at_period_end, contribution.cancel_reason) == (False, "")
    undone, cancelled = ContributionChange.objects.filter(contribution=contribution)
    assert (cancelled.field, cancelled.before, cancelled.after) == (
        "cancel_at_period_end",
        "False",
        "True",
    )
    assert (cancelled.reason, cancelled.reason_detail) == (
        "too_expensive",
        "Money is tight this year.",
    )
    assert cancelled.changed_by == undone.changed_by == "supporter"
    assert (undone.before, undone.after, undone.reason) == ("True", "False", "")
    assert undone.created_at >= cancelled.created_at
