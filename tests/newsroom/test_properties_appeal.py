"""The appeal form under generated input, on an article page and on /support/.

Whatever is posted: never a server error; either a 303 to a checkout session that now
exists at Stripe, or a 4xx page with its reasons in sentences and nothing new at Stripe
or in our database.
"""

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import event, given
from hypothesis import strategies as st

from subscriptions.models import Contribution
from tests.factories import ArticleFactory
from tests.properties import (
    any_text,
    assert_not_a_server_error,
    forget_rate_limits,
    number_like,
    row_counts,
    sandbox_get,
    stripe_footprint,
)

pytestmark = pytest.mark.django_db

VALID_AMOUNTS = ["2", "5", "7.50", "7,5", "10000", " 12 "]


def _value(valid: list[str], *junk) -> st.SearchStrategy:
    """One field's value: valid, junk, or the same field sent several times."""
    single = st.one_of(st.sampled_from(valid), *junk)
    return st.one_of(single, st.lists(single, min_size=2, max_size=3))


appeal_posts = st.fixed_dictionaries(
    {},
    optional={
        "amount": _value([*VALID_AMOUNTS, "other"], number_like, any_text),
        "other_amount": _value(VALID_AMOUNTS, number_like, any_text),
        "currency": _value(["eur", "usd", "gbp"], st.sampled_from(["EUR", "jpy", "xx"]), any_text),
        "frequency": _value(
            ["month", "year", "once"], st.sampled_from(["Month", "week"]), any_text
        ),
        "cover_fees": _value(["on", "true", "1"], any_text),
        "website": _value([""], any_text),
        "form_token": _value(
            ["8f0c3c1e-9a35-4d93-9b8e-1ad64d3c5f1a"], st.uuids().map(str), any_text
        ),
    },
)

# Each of these breaks the form on its own, whatever the other fields hold. A typed
# "other amount" wins over the chosen one, so a broken amount comes with that field empty.
bad_amounts = st.one_of(
    st.sampled_from(["0", "1.99", "-5", "10000.01", "1e3", "other"]),
    st.from_regex(r"\A[0-9]{6,12}\Z"),
    any_text.filter(lambda text: not any(c.isdigit() for c in text)),
)
sure_refusals = st.one_of(
    st.builds(lambda amount: {"amount": amount, "other_amount": ""}, bad_amounts),
    st.builds(lambda amount: {"other_amount": amount}, bad_amounts.filter(str.strip)),
    st.fixed_dictionaries(
        {"currency": any_text.filter(lambda text: text.strip() not in {"eur", "usd", "gbp"})}
    ),
    st.fixed_dictionaries(
        {"frequency": any_text.filter(lambda text: text.strip() not in {"month", "year", "once"})}
    ),
    st.fixed_dictionaries({"website": any_text.filter(str.strip)}),
)


@pytest.fixture(params=["article", "support"])
def appeal_url(request):
    if request.param == "article":
        return ArticleFactory().get_absolute_url()
    return reverse("newsroom:support")


def _post_and_observe(client, sandbox, url: str, data: dict):
    forget_rate_limits()
    rows, at_stripe = row_counts(), stripe_footprint(sandbox)
    response = client.post(url, data)
    assert_not_a_server_error(response)
    return response, (rows, at_stripe), (row_counts(), stripe_footprint(sandbox))


def _assert_refused_with_sentences(response) -> None:
    assert response.status_code == 400
    errors = [
        error for errors in response.context["appeal_form"].errors.values() for error in errors
    ]
    assert errors, "a refused form says why"
    html = response.content.decode()
    for error in errors:
        assert error[0].isupper(), f"not a sentence: {error!r}"
        assert error.endswith("."), f"not a sentence: {error!r}"
        assert escape(error) in html


@given(data=appeal_posts)
def test_any_post_opens_exactly_one_checkout_or_is_refused_with_nothing_made(
    client, stripe_settings, appeal_url, data
):
    response, before, after = _post_and_observe(client, stripe_settings, appeal_url, data)

    (rows_before, stripe_before), (rows_after, stripe_after) = before, after
    event(f"answered {response.status_code}")
    if response.status_code == 303:
        session_id = response["Location"].rsplit("/", 1)[-1]
        assert sandbox_get(stripe_settings, f"checkout/sessions/{session_id}")["status"] == "open"
        # At most one new session, the one we were sent to: a resubmitted form (same
        # form_token, same gift) reopens the session it opened before.
        assert stripe_after["checkout/sessions"] in (
            [session_id],
            stripe_before["checkout/sessions"],
        )
        assert rows_after["Contribution"] - rows_before["Contribution"] in (0, 1)
        assert Contribution.objects.filter(stripe_checkout_session_id=session_id).count() == 1
        untouched = {"Supporter", "Payment", "StripeEvent", "OutboxEmail"}
        assert {k: rows_after[k] for k in untouched} == {k: rows_before[k] for k in untouched}
    else:
        _assert_refused_with_sentences(response)
        assert stripe_after == stripe_before
        assert rows_after == rows_before


@given(data=appeal_posts, refusal=sure_refusals)
def test_a_broken_field_is_always_refused_before_stripe_is_asked(
    client, stripe_settings, appeal_url, data, refusal
):
    response, before, after = _post_and_observe(
        client, stripe_settings, appeal_url, {**data, **refusal}
    )

    _assert_refused_with_sentences(response)
    assert after == before


raw_bodies = st.tuples(
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=latin-1",
            "application/x-www-form-urlencoded; charset=no-such-charset",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "application/json",
            "text/plain",
        ]
    ),
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(str.encode),
        st.sampled_from(
            [
                b"amount=%ZZ&currency=eur&frequency=month",
                b"amount=5&currency=eur&frequency=month&amount=%ff%fe",
                b'--xyz\r\nContent-Disposition: form-data; name="amount"\r\n\r\n5\r\n',
                b"&&&==&=",
                b"a=" + b"x" * 5000,
                b"&".join(b"f%d=1" % n for n in range(1200)),
            ]
        ),
    ),
)


# Django parses the body before either page's view runs, so one page is enough here.
@given(body=raw_bodies)
def test_a_malformed_request_body_is_refused_with_nothing_made(client, stripe_settings, body):
    appeal_url = reverse("newsroom:support")
    content_type, payload = body
    forget_rate_limits()
    before = row_counts(), stripe_footprint(stripe_settings)

    # generic() sends the bytes as they are; post() would re-encode them for the charset.
    response = client.generic("POST", appeal_url, data=payload, content_type=content_type)

    assert_not_a_server_error(response)
    assert 400 <= response.status_code < 500
    assert (row_counts(), stripe_footprint(stripe_settings)) == before
