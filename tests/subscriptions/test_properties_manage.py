"""The supporter's pages under generated input: the form that asks for a manage link, and
the manage page's forms (change amount, switch frequency, cancel with a reason, undo)
reached with a real link for a real supporter whose gift went through the sandbox.

Never a server error; a refused input is a 4xx that changes nothing at Stripe (the
sandbox lists the same objects) or in our rows; an accepted one changes Stripe and our
record mirrors it.
"""

import re
import urllib.parse

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils.html import escape
from hypothesis import assume, event, given
from hypothesis import strategies as st

from subscriptions.models import Contribution
from subscriptions.models.supporters import CancelReason
from subscriptions.services.contributions import SUPPORTER_CANCEL_REASONS
from subscriptions.signing import MANAGE_SALT, manage_token_read
from tests.factories import SupporterFactory
from tests.properties import (
    any_text,
    assert_not_a_server_error,
    forget_rate_limits,
    number_like,
    row_counts,
    stripe_footprint,
)

KNOWN_EMAIL = "known.reader@example.org"

emails = st.one_of(
    st.emails().map(str),
    st.sampled_from(
        [
            KNOWN_EMAIL,
            KNOWN_EMAIL.upper(),
            f"  {KNOWN_EMAIL} ",
            "known.reader@example.org.",
            "@",
            "",
        ]
    ),
    any_text,
    st.text(min_size=250, max_size=400).map(lambda text: f"{text}@example.org"),
)
link_requests = st.fixed_dictionaries(
    {},
    optional={
        "email": emails | st.lists(emails, min_size=2, max_size=3),
        "website": any_text,
        "csrfmiddlewaretoken": any_text,
    },
)


@pytest.fixture
def known_supporter(db):
    return SupporterFactory(email=KNOWN_EMAIL)


@pytest.mark.django_db
@given(data=link_requests)
def test_asking_for_a_link_never_fails_and_only_a_known_address_gets_one(
    client, stripe_settings, known_supporter, data
):
    forget_rate_limits()
    rows, at_stripe = row_counts(), stripe_footprint(stripe_settings)

    response = client.post("/support/manage/", data)

    assert_not_a_server_error(response)
    assert stripe_footprint(stripe_settings) == at_stripe
    after = row_counts()
    sent = after.pop("OutboxEmail") - rows.pop("OutboxEmail")
    assert after == rows
    if response.status_code == 400:
        assert sent == 0
        errors = response.context["form"].errors.get("email")
        assert errors, "a refused address is told why"
        assert all(escape(error) in response.content.decode() for error in errors)
    else:
        assert response.status_code == 200
        assert "link to manage your support is on its way" in response.content.decode()
        email = data["email"][-1] if isinstance(data["email"], list) else data["email"]
        assert sent == (1 if email.strip().lower() == KNOWN_EMAIL else 0)


# --- the manage page, for a real gift -------------------------------------------------


def _manage_path(site) -> str:
    """Ask for a link and open it: the site's client holds a manage session now."""
    mail.outbox.clear()
    site.client.post("/support/manage/", {"email": "reader@example.org"})
    match = re.search(r"https?://[^/\s]+(/support/manage/[^\s\"<]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    opened = site.client.get(match.group(1))
    assert opened.status_code == 303
    return opened["Location"]


@pytest.fixture
def gift(site):
    """A monthly €5 gift paid at the sandbox, and its manage page's address."""
    site.give(amount="5")
    path = _manage_path(site)
    contribution = Contribution.objects.get()
    return site, path, contribution


def _record(contribution: Contribution) -> dict:
    return Contribution.objects.values(
        "amount",
        "frequency",
        "status",
        "cancel_at_period_end",
        "cancel_reason",
        "cancel_reason_detail",
        "covers_fees",
    ).get(pk=contribution.pk)


def _observe(site, contribution):
    site.settle()
    return _record(contribution), row_counts(), stripe_footprint(site.sandbox)


def _subscription(site, contribution) -> dict:
    footprint = stripe_footprint(site.sandbox)
    return next(
        sub
        for sub in footprint["subscriptions"]
        if sub["id"] == contribution.stripe_subscription_id
    )


def _assert_refused(response) -> None:
    assert 400 <= response.status_code < 500
    if response.status_code == 400:
        error = response.context["error"]
        assert error
        assert escape(error) in response.content.decode()


amounts = st.one_of(st.sampled_from(["5", "8", "12.50", "50", "2"]), number_like, any_text)
frequencies = st.one_of(
    st.sampled_from(["month", "year"]), st.sampled_from(["once", "Month"]), any_text
)
changes = st.fixed_dictionaries({}, optional={"amount": amounts, "frequency": frequencies})
# Each of these is refused whatever else is sent.
sure_refusals = st.one_of(
    st.fixed_dictionaries({"frequency": st.sampled_from(["once", "week", "", "MONTH "])}),
    st.fixed_dictionaries(
        {"amount": st.sampled_from(["0", "1.99", "10000.01", "-8", "8.505", ""])}
    ),
    st.fixed_dictionaries(
        {"amount": any_text.filter(lambda text: not any(c.isdigit() for c in text))}
    ),
)


@pytest.mark.django_db(transaction=True)
@given(
    case=st.one_of(
        st.tuples(changes, st.just(False)),
        st.builds(lambda data, refusal: ({**data, **refusal}, True), changes, sure_refusals),
    )
)
def test_changing_the_amount_or_frequency_goes_to_stripe_only_when_accepted(gift, case):
    site, path, contribution = gift
    data, must_refuse = case
    forget_rate_limits()
    record, rows, at_stripe = _observe(site, contribution)

    response = site.client.post(f"{path}gifts/{contribution.public_id}/change/", data)

    assert_not_a_server_error(response)
    event(f"answered {response.status_code}")
    new_record, new_rows, new_at_stripe = _observe(site, contribution)
    if must_refuse or response.status_code != 302:
        _assert_refused(response)
        assert (new_record, new_rows, new_at_stripe) == (record, rows, at_stripe)
        return
    subscription = _subscription(site, contribution)
    price = subscription["items"]["data"][0]["price"]
    assert (price["unit_amount"], price["recurring"]["interval"]) == (
        new_record["amount"],
        new_record["frequency"],
    )
    unchanged = (new_record["amount"], new_record["frequency"]) == (
        record["amount"],
        record["frequency"],
    )
    assert (new_at_stripe == at_stripe) is unchanged


reasons = st.one_of(
    st.sampled_from([reason.value for reason in SUPPORTER_CANCEL_REASONS]),
    st.sampled_from([CancelReason.STAFF.value, CancelReason.PAYMENT_FAILED.value, "OTHER", ""]),
    any_text,
)
details = st.one_of(any_text, st.text(min_size=1990, max_size=2100), st.just("nul\x00inside"))
cancellations = st.fixed_dictionaries(
    {}, optional={"reason": reasons | st.lists(reasons, min_size=2, max_size=3), "detail": details}
)
undo_junk = st.dictionaries(
    st.sampled_from(["reason", "confirm", "cancel", "x"]), any_text, max_size=2
)


@pytest.mark.django_db(transaction=True)
@given(data=cancellations, undo=undo_junk)
def test_cancel_with_a_reason_then_undo_reach_stripe_only_when_accepted(gift, data, undo):
    site, path, contribution = gift
    forget_rate_limits()
    record, rows, at_stripe = _observe(site, contribution)
    gift_path = f"{path}gifts/{contribution.public_id}"

    cancel = site.client.post(f"{gift_path}/cancel/", data)

    assert_not_a_server_error(cancel)
    event(f"answered {cancel.status_code}")
    cancelled, _, _ = _observe(site, contribution)
    if cancel.status_code != 302:
        _assert_refused(cancel)
        # Nothing to undo either: the undo form is refused and changes nothing.
        undone = site.client.post(f"{gift_path}/resume/", undo)
        assert_not_a_server_error(undone)
        _assert_refused(undone)
        assert _observe(site, contribution) == (record, rows, at_stripe)
        return
    assert cancelled["cancel_at_period_end"]
    assert _subscription(site, contribution)["cancel_at_period_end"] is True
    posted = data["reason"][-1] if isinstance(data["reason"], list) else data["reason"]
    assert cancelled["cancel_reason"] == posted

    undone = site.client.post(f"{gift_path}/resume/", undo)

    assert undone.status_code == 302
    resumed, _, _ = _observe(site, contribution)
    assert not resumed["cancel_at_period_end"]
    assert _subscription(site, contribution)["cancel_at_period_end"] is False


path_text = st.text(max_size=40).map(lambda text: urllib.parse.quote(text, safe=""))
actions = st.sampled_from(["", "change/", "cancel/", "resume/", "card/"])


# Signed with our key, as only we can, but naming no supporter (or nothing like an id).
signed_junk = st.one_of(
    any_text, st.sampled_from(["²", "².r", "١.e", "-1.r", "99999999999999999999.r"])
)


@pytest.mark.django_db(transaction=True)
@given(
    token=st.one_of(
        path_text,
        signed_junk.map(
            lambda text: urllib.parse.quote(
                signing.TimestampSigner(salt=MANAGE_SALT).sign(text), safe=""
            )
        ),
        st.just(None),
    ),
    public_id=st.one_of(path_text, st.uuids().map(str)),
    action=actions,
    data=st.dictionaries(st.sampled_from(["amount", "frequency", "reason"]), any_text, max_size=3),
)
def test_a_forged_link_or_gift_reaches_nothing(gift, token, public_id, action, data):
    site, path, contribution = gift
    # A made-up token that happens to be a valid one for this supporter is no forgery.
    grant = manage_token_read(urllib.parse.unquote(token)) if token is not None else None
    assume(grant is None or grant.supporter_id != contribution.supporter_id)
    forget_rate_limits()
    before = _observe(site, contribution)
    if token is None:
        # The real session, with a gift id that is not the supporter's.
        client, action = site.client, action or "cancel/"
    else:
        # Another browser, with only the forged link: opening it gives no session.
        client = Client()
        opened = client.get(f"/support/manage/{token}/", data)
        assert_not_a_server_error(opened)
        assert opened.status_code in (403, 404, 405)
    url = f"{path}gifts/{public_id}/{action}" if action else path

    response = client.post(url, data) if action else client.get(url, data)

    assert_not_a_server_error(response)
    if token is None or action:
        assert response.status_code in (403, 404)
    else:
        assert "Send me a link" in response.content.decode()  # the form, not a page
    assert _observe(site, contribution) == before
