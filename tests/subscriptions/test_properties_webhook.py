"""`/stripe/webhook/` under generated input: random bodies, headers, encodings, sizes and
signatures, signed bodies that are not events, and events signed at the wrong time.

Never a server error (Stripe would retry it for days), and only a body signed with our
secret, recently, that is a whole event, is stored. Anything stored would be processed
at once here (eager Celery, on-commit callbacks run), so a stored forgery would also show
up as calls at Stripe: the sandbox must list exactly what it listed before.
"""

import json
import time

import pytest
from django.db import transaction
from hypothesis import assume, given
from hypothesis import strategies as st

from subscriptions.models import StripeEvent
from subscriptions.views.webhooks import MAX_BODY_BYTES
from tests.gifts import WEBHOOK_SECRET, sign
from tests.properties import assert_not_a_server_error, row_counts, stripe_footprint

pytestmark = pytest.mark.django_db

TOLERANCE_SECONDS = 300


def _event(**overrides) -> dict:
    event = {
        "id": "evt_prop_1",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "customer.tax_id.created",
        "data": {"object": {"id": "txi_prop_1", "object": "tax_id"}},
    }
    return event | overrides


@pytest.fixture
def deliver(client, stripe_settings, celery_eager, django_capture_on_commit_callbacks):
    """Post one body; answer the response, whether anything changed here or at Stripe, and
    the ids of the events then stored (every example is rolled back afterwards)."""

    def post(body: bytes, headers: dict[str, str], content_type: str = "application/json"):
        before = row_counts(), stripe_footprint(stripe_settings)
        # Each example starts from the same rows, so a failure replays the same way.
        with transaction.atomic():
            with django_capture_on_commit_callbacks(execute=True):
                response = client.generic(
                    "POST",
                    "/stripe/webhook/",
                    data=body,
                    content_type=content_type,
                    headers=headers,
                )
            assert_not_a_server_error(response)
            changed = (row_counts(), stripe_footprint(stripe_settings)) != before
            stored = set(StripeEvent.objects.values_list("stripe_id", flat=True))
            transaction.set_rollback(True)
        return response, changed, stored

    return post


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(str.encode),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.just(json.dumps(_event()).encode()),
)
encodings = st.sampled_from(["utf-8", "utf-16", "utf-32", "latin-1", "cp1252"])
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-16", "text/plain", "multipart/form-data"]
)
hex_digests = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
# Headers a forger, a broken proxy or a confused client might send.
forged_signatures = st.one_of(
    st.text(max_size=120),
    st.builds(lambda t, v1: f"t={t},v1={v1}", st.integers(), hex_digests),
    st.builds(lambda t, v1: f"t={t},v0={v1}", st.integers(), hex_digests),
    st.builds(lambda t, v1: f"t={t},v1={v1}", st.integers(), st.text(max_size=70)),
    st.builds(lambda t, v1: f"t={t},v1={v1}", st.text(max_size=12), st.text(max_size=70)),
    st.sampled_from(["", "t=", "v1=", ",", "t=1,v1=", "t=1,t=2,v1=x", "t=1=2,v1=3=4"]),
)


def _latin1(text: str) -> str:
    # HTTP carries header values as bytes; a WSGI server hands them over as Latin-1.
    return text.encode("utf-8").decode("latin-1")


@given(body=bodies, signature=forged_signatures, content_type=content_types)
def test_an_unsigned_or_forged_body_is_refused_and_stores_nothing(
    deliver, body, signature, content_type
):
    response, changed, _ = deliver(body, {"Stripe-Signature": _latin1(signature)}, content_type)

    assert response.status_code == 400
    assert not changed


@given(body=bodies, secret=st.text(min_size=1, max_size=40), encoding=encodings)
def test_a_body_signed_with_another_secret_is_refused(deliver, body, secret, encoding):
    assume(secret != WEBHOOK_SECRET)
    text = body.decode("utf-8", "replace")
    encoded = text.encode(encoding, "replace")

    response, changed, _ = deliver(encoded, {"Stripe-Signature": sign(encoded, secret=secret)})

    assert response.status_code == 400
    assert not changed


# What makes a signed body an event we store: each field, and what it must hold.
EVENT_FIELDS = {
    "id": lambda value: isinstance(value, str) and 0 < len(value) <= 255,
    "type": lambda value: isinstance(value, str) and 0 < len(value) <= 100,
    "created": lambda value: type(value) is int and 0 < value < 253_402_300_800,
    "data": lambda value: isinstance(value, dict) and isinstance(value.get("object"), dict),
    "api_version": lambda value: value is None or isinstance(value, str) and len(value) <= 40,
}
event_field_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=300),
    json_values,
)
not_events = st.one_of(
    # Not JSON objects at all.
    json_values.filter(lambda value: not isinstance(value, dict)),
    # An event with one of its required fields missing.
    st.sampled_from(["id", "type", "created", "data"]).map(
        lambda field: {k: v for k, v in _event().items() if k != field}
    ),
    # An event with one field of the wrong kind or size.
    st.tuples(st.sampled_from(sorted(EVENT_FIELDS)), event_field_junk)
    .filter(lambda pair: not EVENT_FIELDS[pair[0]](pair[1]))
    .map(lambda pair: _event(**{pair[0]: pair[1]})),
    st.builds(
        lambda obj: _event(data={"object": obj}),
        event_field_junk.filter(lambda value: not isinstance(value, dict)),
    ),
    # Fields at their limits, and text PostgreSQL cannot store (NUL, lone surrogates).
    st.sampled_from(
        [
            _event(id=""),
            _event(id="evt_" + "x" * 252),
            _event(type="t" * 101),
            _event(created=0),
            _event(created=-1),
            _event(created=10**20),
            _event(created=True),
            _event(created=1.5),
            _event(api_version="v" * 41),
            _event(id="evt_nul\u0000"),
            _event(data={"object": {"id": "cus_1", "name": "nul \u0000 inside"}}),
            _event(data={"object": {"id": "cus_1", "\u0000": "in a key"}}),
            _event(data={"object": {"id": "cus_1", "name": "lone \ud800 surrogate"}}),
        ]
    ),
)


@given(value=not_events)
def test_a_signed_body_that_is_not_an_event_is_refused_and_stores_nothing(deliver, value):
    body = json.dumps(value).encode()

    response, changed, _ = deliver(body, {"Stripe-Signature": sign(body)})

    assert response.status_code == 400
    assert not changed


@given(
    text=st.sampled_from(
        [
            b'{"id": NaN}',
            b'{"id": "evt_1", "type": "a.b", "created": 1, "data": {"object": {"n": Infinity}}}',
            b'{"id": "evt_1", "type": "a.b", "created": 1, "data": {"object": {"n": 1e400}}}',
            b'{"id": "evt_1", "type": "a.b", "created": 1, "data": {"object": {"n": 1'
            + b"0" * 5000
            + b"}}}",
        ]
    )
    | st.integers(1, 200_000).map(lambda depth: b"[" * depth + b"]" * depth)
)
def test_signed_json_that_cannot_be_stored_is_refused(deliver, text):
    response, changed, _ = deliver(text, {"Stripe-Signature": sign(text)})

    assert response.status_code == 400
    assert not changed


@given(
    raw=st.one_of(st.binary(max_size=300), st.text(max_size=200).map(lambda t: t.encode("utf-16")))
)
def test_a_signed_body_that_is_not_utf8_json_is_refused(deliver, raw):
    assume(not raw.startswith(b"{"))

    response, changed, _ = deliver(raw, {"Stripe-Signature": sign(raw)})

    assert response.status_code == 400
    assert not changed


@given(
    age=st.integers(min_value=TOLERANCE_SECONDS + 1, max_value=20 * 365 * 86400),
    shift=st.integers(min_value=1, max_value=10**6) | st.integers(min_value=-(10**6), max_value=-1),
    stale=st.booleans(),
)
def test_a_valid_event_signed_long_ago_or_for_another_time_is_refused(deliver, age, shift, stale):
    body = json.dumps(_event()).encode()
    now = int(time.time())
    if stale:
        header = sign(body, timestamp=now - age)
    else:
        # Signed now, but the header claims another moment: the signature no longer matches.
        header = sign(body, timestamp=now).replace(f"t={now},", f"t={now + shift},")

    response, changed, _ = deliver(body, {"Stripe-Signature": header})

    assert response.status_code == 400
    assert not changed


@given(
    size=st.one_of(
        st.integers(0, 3 * MAX_BODY_BYTES), st.integers(-64, 64).map(MAX_BODY_BYTES.__add__)
    )
)
def test_only_bodies_within_the_size_limit_are_read(deliver, size):
    event = _event(id=f"evt_size_{size}")
    event["data"]["object"]["padding"] = ""
    base = len(json.dumps(event).encode())
    event["data"]["object"]["padding"] = "x" * max(0, size - base)
    body = json.dumps(event).encode()

    response, changed, stored = deliver(body, {"Stripe-Signature": sign(body)})

    if len(body) > MAX_BODY_BYTES:
        assert 400 <= response.status_code < 500
        assert not changed
    else:
        assert response.status_code == 200
        assert stored == {event["id"]}


event_ids = st.from_regex(r"\Aevt_[A-Za-z0-9]{1,40}\Z")
event_types = st.from_regex(r"\A[a-z_]{1,20}(\.[a-z_]{1,20}){1,3}\Z")


@given(event_id=event_ids, event_type=event_types, repeats=st.integers(1, 3))
def test_a_signed_event_is_stored_once_however_often_it_comes(
    client, stripe_settings, event_id, event_type, repeats
):
    body = json.dumps(_event(id=event_id, type=event_type)).encode()
    already = StripeEvent.objects.filter(stripe_id=event_id).exists()

    answers = [
        client.post(
            "/stripe/webhook/",
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": sign(body)},
        )
        for _ in range(repeats)
    ]

    assert [answer.status_code for answer in answers] == [200] * repeats
    assert [answer.json()["duplicate"] for answer in answers] == [already] + [True] * (repeats - 1)
    assert StripeEvent.objects.filter(stripe_id=event_id).count() == 1
