"""Appeal tests through the page cache: each reader keeps one variant, nobody is shown
another reader's variant, no cookie while no test runs, and counting costs no SQL."""

import re

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from newsroom.counting import (
    COUNTS_KEY,
    FORM_START,
    IMPRESSION,
    PENDING_BATCHES_KEY,
    SUPPORT_PAGE,
    _redis,
    appeal_count,
    appeal_counts_flush,
)
from newsroom.models import AppealTallyFlush, AppealTest, AppealVariant, AppealVariantTally
from newsroom.services import (
    AppealTestRefused,
    appeal_create_default,
    appeal_test_end,
    appeal_test_start,
)
from newsroom.variants import BUCKET_COOKIE, BUCKETS, RunningTest, VariantSlot
from subscriptions.models import Contribution
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

LIVE_HEADING = "The live appeal asks"
HEADINGS = ("Variant A asks", "Variant B asks")
HIDDEN_VARIANT = re.compile(r'name="appeal_variant" value="(\d+)"')


def _appeal(name: str, heading: str, *, is_live: bool = False):
    appeal = appeal_create_default(name=name, is_live=is_live)
    appeal.heading = heading
    appeal.save()
    return appeal


@pytest.fixture
def live_appeal():
    return _appeal("Live", LIVE_HEADING, is_live=True)


def _test_with_variants(*, weights=(1, 1), start=True) -> tuple[AppealTest, list[AppealVariant]]:
    test = AppealTest.objects.create(name="Headline test")
    variants = [
        AppealVariant.objects.create(
            test=test, appeal=_appeal(f"Appeal {index}", HEADINGS[index]), weight=weight
        )
        for index, weight in enumerate(weights)
    ]
    if start:
        test = appeal_test_start(test=test)
    return test, variants


def _heading_shown(response) -> str:
    text = response.content.decode()
    shown = [heading for heading in (LIVE_HEADING, *HEADINGS) if heading in text]
    assert len(shown) == 1, shown
    return shown[0]


def _counts() -> dict[str, int]:
    raw = _redis().hgetall(cache.make_key(COUNTS_KEY))
    return {field.decode(): int(value) for field, value in raw.items()}


def test_with_no_test_running_no_cookie_is_set_and_pages_stay_public(client, live_appeal):
    _test_with_variants(start=False)  # a draft changes nothing
    article = ArticleFactory()

    for url in (article.get_absolute_url(), reverse("newsroom:support"), "/"):
        response = client.get(url)
        assert response.status_code == 200
        assert not response.cookies
        assert response["Cache-Control"].startswith("public")
    assert _heading_shown(client.get(article.get_absolute_url())) == LIVE_HEADING
    assert _counts() == {}


def test_a_new_reader_gets_a_bucket_and_a_private_page_from_the_cache(
    client, live_appeal, django_assert_num_queries
):
    test, variants = _test_with_variants()
    article = ArticleFactory()
    url = article.get_absolute_url()
    client.get(url)  # fills the entry of whichever variant
    client.cookies.clear()

    response = client.get(url)

    bucket = int(response.cookies[BUCKET_COOKIE].value)
    assert 0 <= bucket < BUCKETS
    assert response.cookies[BUCKET_COOKIE]["httponly"]
    assert response.cookies[BUCKET_COOKIE]["samesite"] == "Lax"
    assert response["Cache-Control"].startswith("private")
    expected = variants[0] if bucket < BUCKETS // 2 else variants[1]
    assert _heading_shown(response) == HEADINGS[variants.index(expected)]
    assert HIDDEN_VARIANT.search(response.content.decode()).group(1) == str(expected.pk)

    with django_assert_num_queries(0):
        again = client.get(url)  # the same reader, now with the cookie, from the cache
    assert BUCKET_COOKIE not in again.cookies
    assert again["Cache-Control"].startswith("private")
    assert again.content == response.content


def test_no_reader_ever_sees_another_readers_variant_through_the_cache(client, live_appeal):
    _test_with_variants(weights=(3, 1))
    article = ArticleFactory()
    url = article.get_absolute_url()
    seen: dict[int, str] = {}

    # Readers of both variants, interleaved, on warm and cold entries alike.
    for bucket in [0, 9999, 7499, 7500, 1, 8000, 3000, 9000, 7499, 7500, 42, 9998]:
        client.cookies.clear()
        client.cookies[BUCKET_COOKIE] = str(bucket)
        response = client.get(url)
        assert BUCKET_COOKIE not in response.cookies  # they have one
        heading = _heading_shown(response)
        assert heading == (HEADINGS[0] if bucket < 7500 else HEADINGS[1])
        assert seen.setdefault(bucket, heading) == heading


def test_weights_share_out_the_buckets_exactly_and_each_bucket_keeps_its_variant():
    running = RunningTest(
        test_id=1,
        slots=(
            VariantSlot(variant_id=10, appeal_id=1, weight=3),
            VariantSlot(variant_id=11, appeal_id=2, weight=1),
            VariantSlot(variant_id=12, appeal_id=3, weight=1),
        ),
    )
    shares = {10: 0, 11: 0, 12: 0}
    for bucket in range(BUCKETS):
        slot = running.slot_for(bucket)
        assert running.slot_for(bucket) == slot  # the same every time
        shares[slot.variant_id] += 1

    assert shares == {10: 6000, 11: 2000, 12: 2000}


def test_a_supporter_gets_no_bucket_and_the_thank_you_page(client, live_appeal):
    from tests.newsroom.test_page_cache import _as_supporter

    _test_with_variants()
    article = ArticleFactory()
    _as_supporter(client)

    response = client.get(article.get_absolute_url())

    assert BUCKET_COOKIE not in response.cookies
    assert not any(heading in response.content.decode() for heading in HEADINGS)
    assert _counts() == {}


def test_a_supporters_bucket_never_reaches_the_shared_thank_you_page(client, live_appeal):
    from tests.newsroom.test_page_cache import _as_supporter

    _test_with_variants()
    _as_supporter(client)
    pages = []
    for bucket in ("10", "9000"):  # they had a bucket before they gave
        client.cookies[BUCKET_COOKIE] = bucket
        pages.append(client.get(reverse("newsroom:support")))

    for page in pages:
        assert not HIDDEN_VARIANT.search(page.content.decode())  # the live appeal's form
        assert BUCKET_COOKIE not in page.cookies
    assert _counts() == {}


def test_counting_adds_no_query_to_a_cached_page_and_counts_per_variant_and_article(
    client, live_appeal, django_assert_num_queries
):
    test, (first, second) = _test_with_variants()
    article = ArticleFactory()
    url = article.get_absolute_url()
    client.cookies[BUCKET_COOKIE] = "10"  # variant A
    client.get(url)

    with django_assert_num_queries(0):
        for _ in range(3):
            assert client.get(url).status_code == 200
    client.cookies[BUCKET_COOKIE] = "9000"  # variant B
    client.get(reverse("newsroom:support"))

    assert _counts() == {
        f"{first.pk}:{article.pk}:{IMPRESSION}": 4,
        f"{second.pk}:{SUPPORT_PAGE}:{IMPRESSION}": 1,
    }


def test_a_page_is_served_when_redis_cannot_count(client, live_appeal, monkeypatch):
    _test_with_variants()
    article = ArticleFactory()
    client.cookies[BUCKET_COOKIE] = "10"
    client.get(article.get_absolute_url())

    def refused(*args, **kwargs):
        raise redis.ConnectionError("Redis is down")

    monkeypatch.setattr(redis.Redis, "hincrby", refused)
    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert _heading_shown(response) == HEADINGS[0]
    assert appeal_count(variant_id=1, article_id=1, metric=IMPRESSION) is False


def test_the_form_carries_the_variant_a_start_is_counted_and_the_gift_credited(
    client, live_appeal, stripe_settings, settings
):
    test, (first, second) = _test_with_variants()
    article = ArticleFactory()
    client.cookies[BUCKET_COOKIE] = "9000"
    page = client.get(article.get_absolute_url()).content.decode()
    variant_id = HIDDEN_VARIANT.search(page).group(1)
    assert variant_id == str(second.pk)

    response = client.post(
        article.get_absolute_url(),
        {"amount": "5", "currency": "eur", "frequency": "month", "appeal_variant": variant_id},
    )

    assert response.status_code == 303
    contribution = Contribution.objects.get()
    assert contribution.appeal_variant == second
    assert contribution.source_article == article
    assert _counts()[f"{second.pk}:{article.pk}:{FORM_START}"] == 1


def test_a_form_with_an_invalid_amount_still_counts_a_start_and_shows_the_same_variant(
    client, live_appeal
):
    test, (first, second) = _test_with_variants()
    article = ArticleFactory()

    response = client.post(
        article.get_absolute_url(),
        {"amount": "", "currency": "eur", "frequency": "month", "appeal_variant": str(first.pk)},
    )

    assert response.status_code == 400
    assert _heading_shown(response) == HEADINGS[0]
    assert _counts() == {f"{first.pk}:{article.pk}:{FORM_START}": 1}
    assert not Contribution.objects.exists()


def test_a_malformed_variant_is_refused_and_an_unknown_one_is_not_credited(
    client, live_appeal, stripe_settings
):
    test, (first, second) = _test_with_variants()
    gift = {"amount": "5", "currency": "eur", "frequency": "month"}

    refused = client.post(reverse("newsroom:support"), {**gift, "appeal_variant": "A'1"})
    assert refused.status_code == 400
    assert "Please reload the page and try again." in refused.content.decode()
    assert not Contribution.objects.exists()

    ended_test, (old,) = _test_with_variants(weights=(1,), start=False)
    response = client.post(reverse("newsroom:support"), {**gift, "appeal_variant": str(old.pk)})
    assert response.status_code == 303
    assert Contribution.objects.get().appeal_variant is None
    assert _counts() == {}


def test_the_flush_moves_counts_once_even_after_a_crash(live_appeal):
    test, (first, second) = _test_with_variants()
    for _ in range(5):
        appeal_count(variant_id=first.pk, article_id=7, metric=IMPRESSION)
    appeal_count(variant_id=first.pk, article_id=7, metric=FORM_START)
    appeal_count(variant_id=second.pk, article_id=SUPPORT_PAGE, metric=IMPRESSION)

    assert appeal_counts_flush() == 7
    assert appeal_counts_flush() == 0  # nothing twice

    client = _redis()
    # A flush that died after its database commit: its batch is still in Redis.
    appeal_count(variant_id=first.pk, article_id=7, metric=IMPRESSION)
    done = "newsroom:appeal-counts:v1:batch:done-before-crash"
    client.rename(cache.make_key(COUNTS_KEY), cache.make_key(done))
    client.sadd(cache.make_key(PENDING_BATCHES_KEY), done)
    AppealTallyFlush.objects.create(batch=done)
    # A flush that died before its commit: its batch is in Redis only.
    appeal_count(variant_id=second.pk, article_id=SUPPORT_PAGE, metric=IMPRESSION)
    appeal_count(variant_id=second.pk, article_id=SUPPORT_PAGE, metric=IMPRESSION)
    lost = "newsroom:appeal-counts:v1:batch:died-before-commit"
    client.rename(cache.make_key(COUNTS_KEY), cache.make_key(lost))
    client.sadd(cache.make_key(PENDING_BATCHES_KEY), lost)
    appeal_count(variant_id=second.pk, article_id=SUPPORT_PAGE, metric=FORM_START)

    assert appeal_counts_flush() == 3

    tallies = {
        (row.variant_id, row.article_id): (row.impressions, row.form_starts)
        for row in AppealVariantTally.objects.all()
    }
    assert tallies == {(first.pk, 7): (5, 1), (second.pk, SUPPORT_PAGE): (3, 1)}
    assert client.smembers(cache.make_key(PENDING_BATCHES_KEY)) == set()
    assert not client.exists(cache.make_key(done), cache.make_key(lost))


def test_a_test_needs_two_variants_and_only_one_runs_at_a_time(live_appeal):
    lonely, _ = _test_with_variants(weights=(1,), start=False)
    with pytest.raises(AppealTestRefused, match="at least two variants"):
        appeal_test_start(test=lonely)

    running, _ = _test_with_variants()
    other = AppealTest.objects.create(name="Another")
    for appeal in (live_appeal, _appeal("Other", "Other asks")):
        AppealVariant.objects.create(test=other, appeal=appeal)
    with pytest.raises(AppealTestRefused, match="already running"):
        appeal_test_start(test=other)
    other.refresh_from_db()
    assert other.status == AppealTest.Status.DRAFT


def test_ending_a_test_keeps_the_winner_live_and_stops_the_cookie(client, live_appeal):
    test, (first, second) = _test_with_variants()
    article = ArticleFactory()
    assert BUCKET_COOKIE in client.get(article.get_absolute_url()).cookies

    appeal_test_end(test=test, keep=second.appeal)

    client.cookies.clear()
    response = client.get(article.get_absolute_url())
    assert not response.cookies
    assert response["Cache-Control"].startswith("public")
    assert _heading_shown(response) == HEADINGS[1]
    test.refresh_from_db()
    assert test.status == AppealTest.Status.ENDED
    assert test.winner == second.appeal
    second.appeal.refresh_from_db()
    assert second.appeal.is_live
    # A reader who still has a bucket sees the live appeal too, and no new cookie.
    client.cookies[BUCKET_COOKIE] = "10"
    again = client.get(article.get_absolute_url())
    assert _heading_shown(again) == HEADINGS[1]
    assert not again.cookies


def test_staff_start_a_test_and_end_it_keeping_the_variant_they_choose(
    superuser_client, live_appeal
):
    assert superuser_client.get(reverse("admin:newsroom_appealtest_add")).status_code == 200
    test, (first, second) = _test_with_variants(start=False)
    changelist = reverse("admin:newsroom_appealtest_changelist")

    superuser_client.post(
        changelist, {"action": "start_test", "_selected_action": [test.pk]}, follow=True
    )
    test.refresh_from_db()
    assert test.status == AppealTest.Status.RUNNING

    change = superuser_client.get(reverse("admin:newsroom_appealtest_change", args=[test.pk]))
    assert "No variant is ahead with 95% confidence yet" in change.content.decode()
    end_url = reverse("admin:newsroom_appealtest_end", args=[test.pk])
    assert end_url in change.content.decode()
    assert superuser_client.post(end_url, {}).status_code == 200  # must choose one
    test.refresh_from_db()
    assert test.status == AppealTest.Status.RUNNING

    response = superuser_client.post(end_url, {"keep": first.appeal_id})

    assert response.status_code == 302
    test.refresh_from_db()
    assert test.status == AppealTest.Status.ENDED
    assert test.winner == first.appeal
    first.appeal.refresh_from_db()
    assert first.appeal.is_live
    assert superuser_client.get(end_url).status_code == 404  # nothing left to end


def test_no_variant_is_ahead_while_the_difference_may_be_chance():
    from newsroom.appeal_stats import VariantResult, _ahead, two_proportion_z, wilson_interval

    # 10/500 against 6/500: z = (0.02 - 0.012) / sqrt(0.016 * 0.984 * 2 / 500) = 1.0081.
    close = [
        VariantResult(variant_id=1, impressions=500, gifts=10),
        VariantResult(variant_id=2, impressions=500, gifts=6),
    ]
    assert two_proportion_z(10, 500, 6, 500) == pytest.approx(1.008097, abs=1e-6)
    assert _ahead(close) == (None, pytest.approx(1.008097, abs=1e-6))
    # Three variants: the leader must beat each of the others, not just their average.
    three = [*close, VariantResult(variant_id=3, impressions=500, gifts=0)]
    assert _ahead(three)[0] is None
    assert wilson_interval(0, 0) is None
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.277533), abs=1e-6)


def test_beat_flushes_the_counts_every_minute(settings, celery_eager, live_appeal):
    from config.celery import app
    from newsroom.tasks import appeal_counts_flush as flush_task

    entry = settings.CELERY_BEAT_SCHEDULE["appeal-counts-flush"]
    assert entry["task"] == "newsroom.appeal_counts_flush"
    assert entry["schedule"] == 60.0
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks

    test, (first, second) = _test_with_variants()
    appeal_count(variant_id=second.pk, article_id=SUPPORT_PAGE, metric=IMPRESSION)
    flush_task.delay()

    assert AppealVariantTally.objects.get().impressions == 1


def test_staff_create_a_test_with_its_variants_and_weights_in_the_admin(
    superuser_client, live_appeal
):
    one, two = _appeal("One", HEADINGS[0]), _appeal("Two", HEADINGS[1])

    response = superuser_client.post(
        reverse("admin:newsroom_appealtest_add"),
        {
            "name": "Spring headline test",
            "variants-TOTAL_FORMS": "2",
            "variants-INITIAL_FORMS": "0",
            "variants-MIN_NUM_FORMS": "0",
            "variants-MAX_NUM_FORMS": "1000",
            "variants-0-appeal": str(one.pk),
            "variants-0-weight": "3",
            "variants-1-appeal": str(two.pk),
            "variants-1-weight": "1",
        },
    )

    assert response.status_code == 302
    test = AppealTest.objects.get()
    assert test.status == AppealTest.Status.DRAFT
    assert list(test.variants.values_list("appeal__name", "weight")) == [("One", 3), ("Two", 1)]


def test_the_once_to_monthly_offer_keeps_the_variant_and_counts_one_start(
    client, live_appeal, stripe_settings
):
    from tests.gifts import offer_fields

    test, (first, second) = _test_with_variants()
    article = ArticleFactory()
    once = {"amount": "25", "currency": "eur", "frequency": "once"}

    offer = client.post(article.get_absolute_url(), {**once, "appeal_variant": str(second.pk)})
    assert offer.status_code == 200
    assert HIDDEN_VARIANT.search(offer.content.decode()).group(1) == str(second.pk)

    response = client.post(
        article.get_absolute_url(), {**offer_fields(offer), "upsell": "accepted"}
    )

    assert response.status_code == 303
    gift = Contribution.objects.get()
    assert (gift.frequency, gift.appeal_variant) == ("month", second)
    assert _counts() == {f"{second.pk}:{article.pk}:{FORM_START}": 1}


def test_a_variant_in_another_language_is_neither_shown_nor_counted_on_a_russian_page(
    client, live_appeal
):
    _test_with_variants()  # both variants are English appeals
    russian = appeal_create_default(
        name="Russian", is_live=True, language="ru", heading="Просьба", body="Поддержите нас."
    )
    article = ArticleFactory(language="ru")
    url = article.get_absolute_url()

    for bucket in (0, 9999):
        client.cookies.clear()
        client.cookies[BUCKET_COOKIE] = str(bucket)
        page = client.get(url).content.decode()
        page_again = client.get(url).content.decode()  # from the cache

        assert russian.heading in page
        assert not any(heading in page for heading in HEADINGS)
        assert page_again == page
        assert HIDDEN_VARIANT.search(page) is None
    assert not any(name.endswith(f":{IMPRESSION}") for name in _counts())
