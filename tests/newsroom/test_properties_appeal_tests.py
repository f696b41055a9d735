"""Readers of a running appeal test, in any order, through the shared page cache: each is
shown exactly the variant their bucket gives (a new reader the one their new cookie
gives), on every page with the appeal, warm or cold, and the next time too."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from newsroom.models import AppealTest, AppealVariant
from newsroom.services import appeal_create_default, appeal_test_start
from newsroom.variants import BUCKET_COOKIE, BUCKETS, running_test_from_db
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

HIDDEN_VARIANT = re.compile(r'name="appeal_variant" value="(\d+)"')
HEADINGS = ["Variant one asks", "Variant two asks", "Variant three asks"]

readers = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(min_value=0, max_value=BUCKETS - 1)),  # None: new
        st.sampled_from(["first", "second", "support"]),
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture
def running():
    appeal_create_default(name="Live", is_live=True)
    test = AppealTest.objects.create(name="Three-way test")
    for heading, weight in zip(HEADINGS, (5, 3, 2), strict=True):
        appeal = appeal_create_default(name=heading)
        appeal.heading = heading
        appeal.save()
        AppealVariant.objects.create(test=test, appeal=appeal, weight=weight)
    appeal_test_start(test=test)
    return running_test_from_db()


@pytest.fixture
def pages():
    # Made once for every example: later examples meet entries earlier ones filled.
    return {
        "first": ArticleFactory().get_absolute_url(),
        "second": ArticleFactory().get_absolute_url(),
        "support": reverse("newsroom:support"),
    }


@given(visits=readers)
def test_no_reader_is_shown_another_readers_variant(running, pages, visits):
    variant_ids = [slot.variant_id for slot in running.slots]
    headings_by_variant = dict(zip(variant_ids, HEADINGS, strict=True))
    for bucket, page in visits:
        reader = Client()
        if bucket is not None:
            reader.cookies[BUCKET_COOKIE] = str(bucket)
        response = reader.get(pages[page])
        if bucket is None:
            bucket = int(response.cookies[BUCKET_COOKIE].value)
        else:
            assert BUCKET_COOKIE not in response.cookies
        variant_id = running.slot_for(bucket).variant_id
        text = response.content.decode()
        assert HIDDEN_VARIANT.findall(text) == [str(variant_id)]
        if page != "support":  # /support/ has words of its own, the variant's amounts
            expected = headings_by_variant[variant_id]
            assert expected in text
            assert not [heading for heading in HEADINGS if heading != expected and heading in text]
        assert response["Cache-Control"].startswith("private")
