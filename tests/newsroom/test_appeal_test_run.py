"""The issue's scripted run: 1,000 impressions and 30 gifts split over two variants,
through the real pages, the sandbox's hosted checkout and its webhooks, then the beat
job's flush; every figure the admin shows is checked against one worked out by hand."""

import re
from fractions import Fraction

import pytest
from django.test import Client
from django.urls import reverse

from newsroom.appeal_stats import appeal_test_results
from newsroom.models import AppealTest, AppealVariant
from newsroom.services import appeal_create_default, appeal_test_start
from newsroom.tasks import appeal_counts_flush
from newsroom.variants import BUCKET_COOKIE
from subscriptions.models import Payment
from tests.factories import ArticleFactory
from tests.gifts import DECLINED_CARD, GOOD_CARD

HIDDEN_VARIANT = re.compile(r'name="appeal_variant" value="(\d+)"')
# Buckets 0..4999 see A, 5000..9999 see B (equal weights).
BUCKET_OF = {"A": 1234, "B": 8765}

# Impressions per variant and page (X, Y: articles; S: the support page).
IMPRESSIONS = {("A", "X"): 300, ("A", "Y"): 200, ("A", "S"): 100}
IMPRESSIONS |= {("B", "X"): 250, ("B", "Y"): 100, ("B", "S"): 50}
# Gifts: (variant, page, how many, amount, currency, frequency).
GIFTS = [
    ("A", "X", 10, "5", "eur", "month"),
    ("A", "X", 4, "60", "gbp", "year"),
    ("A", "Y", 6, "24", "usd", "once"),
    ("A", "S", 4, "10", "eur", "month"),
    ("B", "X", 3, "5", "eur", "month"),
    ("B", "Y", 2, "120", "eur", "year"),
    ("B", "S", 1, "12", "gbp", "once"),
]
# Form starts that give nothing: abandoned at Stripe, or a declined card.
ABANDONED = [("A", "X"), ("A", "X"), ("B", "Y"), ("B", "Y")]
DECLINED = [("B", "S")]


def test_a_scripted_run_of_a_thousand_impressions_and_thirty_gifts(
    site, settings, django_user_model
):
    settings.CHECKOUT_RATE_LIMIT_PER_IP = 1000
    appeal_create_default(name="Live", is_live=True)
    test = AppealTest.objects.create(name="Headline test")
    variant = {
        name: AppealVariant.objects.create(
            test=test, appeal=appeal_create_default(name=f"Appeal {name}")
        )
        for name in ("A", "B")
    }
    appeal_test_start(test=test)
    articles = {"X": ArticleFactory(), "Y": ArticleFactory()}
    url = {name: article.get_absolute_url() for name, article in articles.items()}
    url["S"] = reverse("newsroom:support")
    reader = site.client

    # Ten new readers arrive without a cookie and are given a bucket; the rest return.
    shown = {"A": 0, "B": 0}
    for _ in range(10):
        reader.cookies.clear()
        page = reader.get(url["X"])
        bucket = int(page.cookies[BUCKET_COOKIE].value)
        name = "A" if bucket < 5000 else "B"
        assert HIDDEN_VARIANT.search(page.content.decode()).group(1) == str(variant[name].pk)
        shown[name] += 1
    for (name, page_name), count in IMPRESSIONS.items():
        reader.cookies.clear()
        reader.cookies[BUCKET_COOKIE] = str(BUCKET_OF[name])
        for _ in range(count - (shown[name] if page_name == "X" else 0)):
            page = reader.get(url[page_name])
            assert page.status_code == 200
            assert BUCKET_COOKIE not in page.cookies
    reader.cookies.clear()

    emails = iter(f"reader{number}@example.org" for number in range(100))

    def start(name: str, page_name: str, amount="5", currency="eur", frequency="month"):
        response = site.start_gift(
            path=url[page_name],
            amount=amount,
            currency=currency,
            frequency=frequency,
            appeal_variant=str(variant[name].pk),
        )
        assert response.status_code == 303, response.content.decode()[:500]
        return response["Location"]

    for name, page_name, count, amount, currency, frequency in GIFTS:
        for _ in range(count):
            checkout = start(name, page_name, amount, currency, frequency)
            status, _, body = site.pay(checkout, card=GOOD_CARD, email=next(emails))
            assert status == 303, body[:500]
    for name, page_name in ABANDONED:
        start(name, page_name)
    for name, page_name in DECLINED:
        status, _, _ = site.pay(start(name, page_name), card=DECLINED_CARD, email=next(emails))
        assert status != 303
    for _ in range(10):  # some 350 webhooks: a busy machine takes more than one wait
        if not site.settle()["pending"]:
            break
    assert Payment.objects.count() == 30

    appeal_counts_flush()  # the beat job

    results = appeal_test_results(test=test)
    a, b = results.variants
    assert (a.variant_id, b.variant_id) == (variant["A"].pk, variant["B"].pk)
    assert (a.impressions, a.form_starts, a.gifts) == (600, 26, 24)
    assert (b.impressions, b.form_starts, b.gifts) == (400, 9, 6)
    # Monthly equivalents, minor units: a month at its amount, a year or once a twelfth.
    assert a.revenue == {"eur": 10 * 500 + 4 * 1000, "gbp": 4 * 500, "usd": 6 * 200}
    assert b.revenue == {"eur": 3 * 500 + 2 * 1000, "gbp": 100}
    assert a.rate == pytest.approx(0.04)
    assert b.rate == pytest.approx(0.015)
    # Wilson score intervals at 95%, worked out by hand from the textbook formula.
    assert a.interval == pytest.approx((0.027025, 0.058828), abs=1e-6)
    assert b.interval == pytest.approx((0.006892, 0.032335), abs=1e-6)
    assert a.rpm == {"eur": 15000, "gbp": Fraction(10000, 3), "usd": 2000}
    assert b.rpm == {"eur": 8750, "gbp": 250}
    # Pooled two-proportion z: (0.04 - 0.015) / sqrt(0.03 * 0.97 * (1/600 + 1/400)).
    assert results.ahead is a
    assert results.ahead_z == pytest.approx(2.270383, abs=1e-6)

    pages = {
        (row.variant_id, row.article_id): (row.impressions, row.form_starts, row.gifts)
        for row in results.pages
    }
    x, y = articles["X"].pk, articles["Y"].pk
    assert pages == {
        (variant["A"].pk, x): (300, 16, 14),
        (variant["A"].pk, y): (200, 6, 6),
        (variant["A"].pk, 0): (100, 4, 4),
        (variant["B"].pk, x): (250, 3, 3),
        (variant["B"].pk, y): (100, 4, 2),
        (variant["B"].pk, 0): (50, 2, 1),
    }

    staff = Client()
    staff.force_login(
        django_user_model.objects.create_superuser(
            username="boss", email="boss@example.org", password="pw-boss"
        )
    )
    page = staff.get(reverse("admin:newsroom_appealtest_change", args=[test.pk])).content.decode()
    assert "“Appeal A” is ahead with 95% confidence" in page
    # RPM as the site writes money (Babel, en-GB): €150, £33.33 (3333.3 pence), US$20.
    for figure in ("4.00%", "2.70% – 5.88%", "€150", "£33.33", "US$20"):
        assert figure in page
