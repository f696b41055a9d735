"""Supporter care finds anyone: the list's columns, filters and search by any Stripe id."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from subscriptions.models import StripeEvent
from subscriptions.roles import SUPPORTER_CARE
from tests.factories import ContributionFactory, PaymentFactory, SupporterFactory
from tests.staff import staff_member

pytestmark = pytest.mark.django_db

LIST = "/admin/subscriptions/supporter/"


@pytest.fixture
def care(client):
    client.force_login(staff_member(username="carer", password="pw-Care-2026", role=SUPPORTER_CARE))
    return client


def _rows(response) -> str:
    html = response.content.decode()
    return html[html.index('id="result_list"') :] if 'id="result_list"' in html else ""


def test_the_list_shows_state_plan_monthly_equivalent_lifetime_total_and_first_gift(care, settings):
    settings.NEWSROOM_TIME_ZONE = "UTC"
    first_paid = timezone.now() - timedelta(days=400)
    yearly = ContributionFactory(amount=6000, frequency="year")
    PaymentFactory(contribution=yearly, amount=6000, fee=115)
    PaymentFactory(
        contribution=ContributionFactory(supporter=yearly.supporter, status="canceled"),
        amount=500,
        currency="usd",
        paid_at=first_paid,
    )

    rows = _rows(care.get(LIST))

    assert yearly.supporter.email in rows
    assert "Active" in rows
    assert "€60.00 a year" in rows
    assert "€60.00 a year (€5.00 a month)" in rows  # sixty a year is five a month
    assert "€60.00, US$5.00" in rows
    assert first_paid.date().isoformat() in rows


def test_states_follow_the_supporters_plans_and_payments(care):
    active = ContributionFactory().supporter
    past_due = ContributionFactory(status="past_due").supporter
    ended = ContributionFactory(status="canceled").supporter
    once = PaymentFactory(contribution=ContributionFactory(frequency="once", status="paid"))

    def listed(state: str) -> str:
        return _rows(care.get(LIST, {"state__exact": state}))

    assert active.email in listed("active")
    assert past_due.email not in listed("active")
    assert past_due.email in listed("past_due")
    assert ended.email in listed("ended")
    assert once.supporter.email in listed("one_time")
    assert past_due.email in _rows(care.get(LIST, {"has_failed_payment__exact": "1"}))
    assert active.email not in _rows(care.get(LIST, {"has_failed_payment__exact": "1"}))


def test_filters_by_frequency_currency_and_first_gift_between_two_dates(care):
    old = PaymentFactory(paid_at=timezone.now() - timedelta(days=100))
    yearly_gbp = PaymentFactory(
        contribution=ContributionFactory(frequency="year", currency="gbp"), currency="gbp"
    )
    since = (timezone.now() - timedelta(days=10)).date().isoformat()

    recent = _rows(care.get(LIST, {"first_gift_at__gte": since}))
    yearly = _rows(care.get(LIST, {"plan_frequency__exact": "year"}))
    pounds = _rows(care.get(LIST, {"plan_currency": "gbp"}))

    assert yearly_gbp.supporter.email in recent
    assert old.supporter.email not in recent
    assert yearly_gbp.supporter.email in yearly
    assert old.supporter.email not in yearly
    assert yearly_gbp.supporter.email in pounds
    assert old.supporter.email not in pounds
    assert 'type="date"' in care.get(LIST).content.decode()


@pytest.mark.parametrize(
    "stripe_id",
    ["stripe_charge_id", "stripe_invoice_id", "stripe_payment_intent_id", "customer", "sub"],
)
def test_search_finds_the_supporter_by_any_stripe_id(care, stripe_id):
    payment = PaymentFactory(stripe_payment_intent_id="pi_test_found")
    other = PaymentFactory()
    term = {
        "customer": payment.contribution.stripe_customer_id,
        "sub": payment.contribution.stripe_subscription_id,
    }.get(stripe_id) or getattr(payment, stripe_id)

    rows = _rows(care.get(LIST, {"q": term}))

    assert payment.supporter.email in rows
    assert other.supporter.email not in rows


def test_search_finds_the_supporter_by_an_event_about_their_charge(care):
    payment = PaymentFactory()
    StripeEvent.objects.create(
        stripe_id="evt_test_refund",
        type="charge.refunded",
        object_id=payment.stripe_charge_id,
        stripe_created_at=timezone.now(),
        payload={},
    )

    assert payment.supporter.email in _rows(care.get(LIST, {"q": "evt_test_refund"}))
    assert "0 supporters" in care.get(LIST, {"q": "evt_unknown"}).content.decode()


def test_search_by_email_ignores_case_and_by_name_finds_part_of_it(care):
    supporter = SupporterFactory(email="Ada.Lovelace@Example.org", name="Ada Lovelace")
    SupporterFactory(email="someone@example.org", name="Someone Else")

    assert supporter.email in _rows(care.get(LIST, {"q": "ada.lovelace@example.ORG"}))
    by_name = _rows(care.get(LIST, {"q": "lovelace"}))
    assert supporter.email in by_name
    assert "someone@example.org" not in by_name


def test_the_list_never_counts_the_whole_table(care):
    SupporterFactory.create_batch(3)

    with CaptureQueriesContext(connection) as queries:
        response = care.get(LIST)

    assert response.status_code == 200
    # Supporters only: the operators' banner counts its few stuck events and emails.
    counts = [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(" in q["sql"].upper() and '"subscriptions_supporter"' in q["sql"]
    ]
    assert counts, "the paginator still counts, up to its cap"
    assert all("LIMIT" in sql.upper() for sql in counts), counts


def test_each_row_links_to_the_supporters_page_keeps_the_filters_and_escapes_names(care):
    supporter = SupporterFactory(name="<b>Bold</b> & Co", email="bold@example.org")

    rows = _rows(care.get(LIST, {"state__exact": "none"}))

    page = f"/admin/subscriptions/supporter/{supporter.pk}/change/"
    assert f'<th class="field-email"><a href="{page}?_changelist_filters=state__exact%3Dnone">' in (
        rows
    )
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in rows
    assert "<b>Bold</b>" not in rows
    assert f'name="_selected_action" value="{supporter.pk}" class="action-select"' in rows
    assert '<td class="field-current_plan">-</td>' in rows


def test_a_search_by_part_of_a_name_can_use_the_trigram_index(care):
    from subscriptions.models import Supporter

    SupporterFactory(name="Ada Lovelace")
    matching = Supporter.objects.filter(name__icontains="lovelace").order_by()
    sql, params = matching.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "supporter_name_trgm" in plan


def _summary_updates(action) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].startswith('UPDATE "subscriptions_supporter"')
    )


def test_the_summary_follows_a_change_and_skips_a_save_that_changes_nothing_it_shows():
    from subscriptions.models import Contribution, Payment, Supporter

    plan = ContributionFactory(amount=500)
    payment = PaymentFactory(contribution=plan, amount=500)
    plan, payment = Contribution.objects.get(pk=plan.pk), Payment.objects.get(pk=payment.pk)

    # What a repeated webhook does: save the rows again as they are, or a receipt number.
    unchanged = _summary_updates(plan.save) + _summary_updates(payment.save)
    payment.receipt_number = "2026-000001"
    numbered = _summary_updates(lambda: payment.save(update_fields=["receipt_number"]))
    plan.amount = 700
    raised = _summary_updates(plan.save)
    payment.amount_refunded = 200
    refunded = _summary_updates(payment.save)

    assert (unchanged, numbered, raised, refunded) == (0, 0, 1, 1)
    supporter = Supporter.objects.get(pk=plan.supporter_id)
    assert supporter.plan_amount == 700
    assert supporter.lifetime_totals == {"eur": 300}
