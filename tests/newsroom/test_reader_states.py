"""Who is reading: a supporter's browser sees what fits their record now (thank-you, a
failed payment's note, nothing for 90 days after a one-time gift, then a monthly ask),
through the page cache, and never another state's page."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom.services import appeal_create_default
from subscriptions.reader_state import (
    APPEAL_REST_AFTER_ONE_TIME_GIFT,
    GAVE_ONCE_RECENTLY,
    PAYMENT_FAILED,
    SUGGEST_MONTHLY,
    THANK_YOU,
    _key,
)
from subscriptions.signing import SUPPORTER_COOKIE, SUPPORTER_COOKIE_SALT
from tests.factories import ArticleFactory, ContributionFactory, PaymentFactory
from tests.gifts import FAILS_LATER_CARD

APPEAL_FORM = 'id="appeal-heading"'
THANK_YOU_WORDS = "Thank you for supporting"
FAILED_NOTE = "Your last payment did not go through"
GAVE_ONCE_WORDS = "Thank you for your gift to"
SUGGEST_WORDS = "You gave to us once before"


def _cookie_for(contribution) -> str:
    signer = signing.get_cookie_signer(salt=SUPPORTER_COOKIE + SUPPORTER_COOKIE_SALT)
    return signer.sign(str(contribution.public_id))


def _as(client, contribution) -> None:
    client.cookies[SUPPORTER_COOKIE] = _cookie_for(contribution)


def _one_time_gift(*, days_ago: float):
    contribution = ContributionFactory(
        frequency="once", status="paid", stripe_subscription_id=None, current_period_end=None
    )
    PaymentFactory(contribution=contribution, paid_at=timezone.now() - timedelta(days=days_ago))
    return contribution


@pytest.fixture
def article():
    appeal_create_default(name="Live", is_live=True)
    return ArticleFactory(headline="Harbour wall to be rebuilt")


@pytest.mark.django_db
def test_a_supporter_with_a_running_plan_is_thanked(client, article):
    _as(client, ContributionFactory(status="active"))

    for _ in range(2):  # rendered, then from the cache
        response = client.get(article.get_absolute_url())
        page = response.content.decode()
        assert THANK_YOU_WORDS in page
        assert APPEAL_FORM not in page
        assert response["Cache-Control"].startswith("private")


@pytest.mark.django_db
def test_a_failed_payment_shows_a_note_with_the_way_to_update_the_card(client, article):
    supporter_email = "failing@example.org"
    plan = ContributionFactory(status="past_due", supporter__email=supporter_email)
    _as(client, plan)

    for _ in range(2):
        page = client.get(article.get_absolute_url()).content.decode()
        assert FAILED_NOTE in page
        assert 'href="/support/manage/"' in page  # asks for a link by email: no token here
        assert APPEAL_FORM not in page
        assert supporter_email not in page


@pytest.mark.django_db
def test_a_one_time_gift_rests_the_appeal(client, article):
    _as(client, _one_time_gift(days_ago=10))

    for _ in range(2):
        page = client.get(article.get_absolute_url()).content.decode()
        assert GAVE_ONCE_WORDS in page
        assert APPEAL_FORM not in page


@pytest.mark.django_db
def test_ninety_days_after_a_one_time_gift_the_appeal_suggests_monthly(client, article):
    _as(client, _one_time_gift(days_ago=91))

    page = client.get(article.get_absolute_url()).content.decode()

    assert SUGGEST_WORDS in page
    assert APPEAL_FORM in page
    assert 'id="appeal-frequency-month" value="month" checked' in page


@pytest.mark.django_db
def test_the_rest_after_a_one_time_gift_ends_on_time_through_the_cache(client, article):
    rest = APPEAL_REST_AFTER_ONE_TIME_GIFT.total_seconds()
    gift = _one_time_gift(days_ago=(rest - 2) / 86400)  # the 90 days end in two seconds
    _as(client, gift)
    url = article.get_absolute_url()
    assert GAVE_ONCE_WORDS in client.get(url).content.decode()
    assert GAVE_ONCE_WORDS in client.get(url).content.decode()  # from the cache

    time.sleep(3.1)

    page = client.get(url).content.decode()
    assert SUGGEST_WORDS in page
    assert GAVE_ONCE_WORDS not in page


@pytest.mark.django_db
def test_a_payment_failing_later_changes_the_page_at_once(
    client, article, django_capture_on_commit_callbacks
):
    plan = ContributionFactory(status="active")
    _as(client, plan)
    url = article.get_absolute_url()
    assert THANK_YOU_WORDS in client.get(url).content.decode()
    assert THANK_YOU_WORDS in client.get(url).content.decode()  # cached

    with django_capture_on_commit_callbacks(execute=True):
        plan.status = "past_due"  # as the invoice.payment_failed handler saves it
        plan.save()

    assert cache.get(_key(str(plan.public_id))) == PAYMENT_FAILED
    page = client.get(url).content.decode()
    assert FAILED_NOTE in page
    assert THANK_YOU_WORDS not in page

    with django_capture_on_commit_callbacks(execute=True):
        plan.status = "active"  # the card was updated and the retry paid
        plan.save()

    assert THANK_YOU_WORDS in client.get(url).content.decode()


@pytest.mark.django_db
def test_every_cookie_of_a_supporter_follows_their_state(django_capture_on_commit_callbacks):
    once = _one_time_gift(days_ago=5)
    with django_capture_on_commit_callbacks(execute=True):
        plan = ContributionFactory(supporter=once.supporter, status="active")

    assert cache.get(_key(str(once.public_id))) == THANK_YOU
    assert cache.get(_key(str(plan.public_id))) == THANK_YOU


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: ContributionFactory(status="active"), THANK_YOU_WORDS),
        (lambda: ContributionFactory(status="past_due"), FAILED_NOTE),
        (lambda: _one_time_gift(days_ago=3), GAVE_ONCE_WORDS),
        (lambda: _one_time_gift(days_ago=200), SUGGEST_WORDS),
    ],
    ids=[THANK_YOU, PAYMENT_FAILED, GAVE_ONCE_RECENTLY, SUGGEST_MONTHLY],
)
def test_no_reader_sees_another_states_page_through_the_cache(client, article, make, words):
    url = article.get_absolute_url()
    others = {THANK_YOU_WORDS, FAILED_NOTE, GAVE_ONCE_WORDS, SUGGEST_WORDS} - {words}
    _as(client, make())
    client.get(url)  # this state's page is cached now

    del client.cookies[SUPPORTER_COOKIE]
    reader = client.get(url).content.decode()
    assert APPEAL_FORM in reader
    assert words not in reader

    for other, maker in [
        (THANK_YOU_WORDS, lambda: ContributionFactory(status="active")),
        (FAILED_NOTE, lambda: ContributionFactory(status="past_due")),
        (GAVE_ONCE_WORDS, lambda: _one_time_gift(days_ago=3)),
        (SUGGEST_WORDS, lambda: _one_time_gift(days_ago=200)),
    ]:
        if other not in others:
            continue
        _as(client, maker())
        page = client.get(url).content.decode()
        assert other in page
        assert words not in page


@pytest.mark.django_db
def test_a_state_redis_lost_is_read_again_from_the_database(client, article):
    plan = ContributionFactory(status="past_due")
    _as(client, plan)
    client.get(article.get_absolute_url())
    cache.delete(_key(str(plan.public_id)))

    assert FAILED_NOTE in client.get(article.get_absolute_url()).content.decode()
    assert cache.get(_key(str(plan.public_id))) == PAYMENT_FAILED


def test_a_renewal_declined_at_stripe_turns_the_thank_you_into_the_card_note(site):
    article = ArticleFactory(headline="Ferry timetable changes")
    url = article.get_absolute_url()
    success_url = site.give(card=FAILS_LATER_CARD)
    site.client.get(site.thanks_path(success_url))  # sets the supporter cookie
    assert THANK_YOU_WORDS in site.client.get(url).content.decode()

    site.advance(days=31)  # the renewal is declined: invoice.payment_failed

    page = site.client.get(url).content.decode()
    assert FAILED_NOTE in page
    assert THANK_YOU_WORDS not in page


@pytest.mark.django_db
def test_the_support_page_keeps_its_form_and_shows_the_card_note(client, article):
    _as(client, ContributionFactory(status="past_due"))

    page = client.get("/support/").content.decode()

    assert FAILED_NOTE in page
    assert 'name="frequency"' in page


@pytest.mark.django_db
def test_several_saves_in_one_transaction_write_the_state_once(
    django_capture_on_commit_callbacks,
):
    # A paid renewal saves the plan and the payment four times in one transaction; the
    # state is read and written once after the commit, and it is the committed one.
    plan = ContributionFactory(status="active")
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        plan.status = "past_due"
        plan.save()
        plan.card_last4 = "4444"
        plan.save()
        plan.save()

    state_reads = [q for q in queries if '"subscriptions_supporter"."state"' in q["sql"]]
    assert len(state_reads) == 1
    assert cache.get(_key(str(plan.public_id))) == PAYMENT_FAILED
