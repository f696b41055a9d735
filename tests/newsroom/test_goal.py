"""The campaign goal: staff set it in admin, the appeal shows its progress (bar and words
a screen reader reads), counted from our records by the minute job, never per page view."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsroom.goals import goal_progress_compute, goal_progress_refresh
from newsroom.models import CampaignGoal, GoalKind
from newsroom.services import appeal_create_default
from newsroom.tasks import goal_progress_refresh as goal_progress_refresh_task
from tests.factories import ArticleFactory, ContributionFactory, PaymentFactory
from tests.newsroom.html import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    appeal_create_default(name="Live", is_live=True)
    return ArticleFactory(headline="Harbour wall to be rebuilt")


def _goal(django_capture_on_commit_callbacks, **fields) -> CampaignGoal:
    now = timezone.now()
    values = {
        "name": "Spring drive",
        "kind": GoalKind.SUPPORTERS,
        "target": 50,
        "starts_at": now - timedelta(days=3),
        "ends_at": now + timedelta(days=10),
        **fields,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return CampaignGoal.objects.create(**values)


def _new_monthly_supporter(*, days_ago: float = 1):
    plan = ContributionFactory(status="active", frequency="month")
    PaymentFactory(contribution=plan, paid_at=timezone.now() - timedelta(days=days_ago))
    return plan


def _bar(page: str):
    return parse(page).find("progress")


def test_the_appeal_shows_progress_towards_new_monthly_supporters(
    client, article, django_capture_on_commit_callbacks
):
    _new_monthly_supporter()
    _new_monthly_supporter()
    _new_monthly_supporter(days_ago=5)  # before the goal started: not counted
    once = ContributionFactory(frequency="once", status="paid")
    PaymentFactory(contribution=once)  # one-time: not a monthly supporter
    _goal(django_capture_on_commit_callbacks, target=50)

    page = client.get(article.get_absolute_url()).content.decode()

    assert "2 new monthly supporters towards our goal of 50" in page
    bar = _bar(page)
    assert (bar.attrs["value"], bar.attrs["max"]) == ("2", "50")
    # The bar is named by the words beside it, for screen readers.
    words = parse(page).find("p", id=bar.attrs["aria-labelledby"])
    assert words.text == "2 new monthly supporters towards our goal of 50"


def test_an_amount_goal_counts_payments_in_its_currency_less_refunds(
    client, article, django_capture_on_commit_callbacks
):
    PaymentFactory(amount=2500, currency="eur")
    PaymentFactory(amount=1000, currency="eur", amount_refunded=400)
    PaymentFactory(amount=9900, currency="gbp", contribution=ContributionFactory(currency="gbp"))
    _goal(django_capture_on_commit_callbacks, kind=GoalKind.AMOUNT, target=200, currency="eur")

    page = client.get(article.get_absolute_url()).content.decode()

    assert "€31 given towards our goal of €200" in page
    bar = _bar(page)
    assert (bar.attrs["value"], bar.attrs["max"]) == ("3100", "20000")


def test_a_new_gift_shows_within_a_minute_through_the_page_cache(
    client, article, django_assert_num_queries, django_capture_on_commit_callbacks
):
    _goal(django_capture_on_commit_callbacks, target=10)
    url = article.get_absolute_url()
    assert "0 new monthly supporters" in client.get(url).content.decode()
    with django_assert_num_queries(0):
        client.get(url)  # a page view counts nothing

    _new_monthly_supporter(days_ago=0)
    assert "0 new monthly supporters" in client.get(url).content.decode()  # until the job runs
    goal_progress_refresh_task.apply()  # the beat job, every minute

    page = client.get(url).content.decode()
    assert "1 new monthly supporter towards our goal of 10" in page


def test_an_unchanged_figure_leaves_cached_pages_alone(
    client, article, django_capture_on_commit_callbacks
):
    _goal(django_capture_on_commit_callbacks)
    goal_progress_refresh()

    assert goal_progress_refresh() is False


def test_no_goal_running_shows_no_bar(client, article, django_capture_on_commit_callbacks):
    now = timezone.now()
    _goal(
        django_capture_on_commit_callbacks,
        starts_at=now - timedelta(days=30),
        ends_at=now - timedelta(days=1),
    )

    page = client.get(article.get_absolute_url()).content.decode()

    assert goal_progress_compute() is None
    assert _bar(page) is None


def test_a_goal_passed_fills_the_bar_and_no_more(django_capture_on_commit_callbacks):
    _goal(django_capture_on_commit_callbacks, target=1)
    _new_monthly_supporter()
    _new_monthly_supporter()

    progress = goal_progress_compute()

    assert (progress.current, progress.shown, progress.percent) == (2, 1, 100)


def test_staff_set_a_goal_in_admin_and_bad_input_changes_nothing(superuser_client):
    url = reverse("admin:newsroom_campaigngoal_add")
    base = {
        "name": "Spring drive",
        "kind": "amount",
        "target": "20000",
        "starts_at_0": "2026-03-01",
        "starts_at_1": "00:00:00",
        "ends_at_0": "2026-04-01",
        "ends_at_1": "00:00:00",
    }

    refused = superuser_client.post(url, {**base, "currency": "jpy"})
    backwards = superuser_client.post(url, {**base, "currency": "eur", "ends_at_0": "2026-02-01"})

    assert refused.status_code == 200
    assert "Choose one of the currencies we take" in refused.content.decode()
    assert "The goal must end after it starts" in backwards.content.decode()
    assert not CampaignGoal.objects.exists()

    saved = superuser_client.post(url, {**base, "currency": "eur"})
    assert saved.status_code == 302
    assert CampaignGoal.objects.get().target == 20000


def test_the_admin_list_shows_the_running_goals_progress(
    superuser_client, django_capture_on_commit_callbacks
):
    _new_monthly_supporter()
    _goal(django_capture_on_commit_callbacks, name="Spring drive", target=40)

    page = superuser_client.get(reverse("admin:newsroom_campaigngoal_changelist"))

    assert "Spring drive" in page.content.decode()
    assert "1 (2%)" in page.content.decode()
