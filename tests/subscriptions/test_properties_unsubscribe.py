"""One-click unsubscribe under generated tokens: only the supporter's own signed link
unsubscribes them; anything else is a 404 that changes nothing, and never a server error."""

import urllib.parse

import pytest
from django.core import signing
from hypothesis import assume, given
from hypothesis import strategies as st

from subscriptions.models import Supporter
from subscriptions.signing import UNSUBSCRIBE_SALT, unsubscribe_token_make
from tests.factories import SupporterFactory
from tests.properties import any_text, assert_not_a_server_error, row_counts, stripe_footprint

pytestmark = pytest.mark.django_db


def _signed(value: str) -> str:
    # Signed with our key, as only we can: a token that passes the signature check but
    # names no supporter, or names something that is not an id at all.
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(value)


def _names(value: str, supporter: Supporter) -> bool:
    """Whether a signed value is this supporter's id, written as we write ids."""
    return value.isascii() and value.isdigit() and int(value) == supporter.pk


def _tampered(token: str, position: int, character: str) -> str:
    index = position % len(token)
    return token[:index] + character + token[index + 1 :]


@pytest.fixture
def supporter():
    return SupporterFactory()


@given(
    kind=st.sampled_from(["junk", "signed junk", "tampered", "another salt"]),
    text=any_text,
    position=st.integers(0, 200),
    character=st.characters(codec="utf-8"),
    method=st.sampled_from(["GET", "HEAD", "POST"]),
    post_data=st.sampled_from([{}, {"List-Unsubscribe": "One-Click"}]),
)
def test_only_the_supporters_own_link_unsubscribes_them(
    client, stripe_settings, supporter, kind, text, position, character, method, post_data
):
    assume(not (kind == "signed junk" and _names(text, supporter)))
    real = unsubscribe_token_make(supporter_id=supporter.pk)
    token = {
        "junk": text,
        "signed junk": _signed(text or "²"),
        "tampered": _tampered(real, position, character),
        "another salt": signing.Signer(salt="subscriptions.manage-link").sign(str(supporter.pk)),
    }[kind]
    if token == real:
        token = real + "x"
    before = row_counts(), stripe_footprint(stripe_settings)
    url = f"/support/unsubscribe/{urllib.parse.quote(token, safe='')}/"

    response = client.generic(
        method, url, urllib.parse.urlencode(post_data), "application/x-www-form-urlencoded"
    )

    assert_not_a_server_error(response)
    assert response.status_code == 404
    assert (row_counts(), stripe_footprint(stripe_settings)) == before
    assert not Supporter.objects.filter(reminders_unsubscribed_at__isnull=False).exists()


@given(
    value=st.one_of(
        st.sampled_from(["²", "١٢", "-1", "+1", "1.0", "1e3", " 1", "0", "9" * 30, ""]),
        any_text,
    ),
    method=st.sampled_from(["GET", "POST"]),
)
def test_a_signed_token_that_names_no_supporter_is_a_404(
    client, stripe_settings, supporter, value, method
):
    assume(not _names(value, supporter))
    before = row_counts(), stripe_footprint(stripe_settings)
    url = f"/support/unsubscribe/{urllib.parse.quote(_signed(value), safe='')}/"

    response = client.generic(method, url)

    assert_not_a_server_error(response)
    assert response.status_code == 404
    assert (row_counts(), stripe_footprint(stripe_settings)) == before
    assert not Supporter.objects.filter(reminders_unsubscribed_at__isnull=False).exists()


def test_the_supporters_own_link_unsubscribes_them(client, supporter):
    """The property above would hold for an endpoint that refused everything: not this one."""
    token = unsubscribe_token_make(supporter_id=supporter.pk)

    response = client.post(f"/support/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    supporter.refresh_from_db()
    assert supporter.reminders_unsubscribed_at is not None
