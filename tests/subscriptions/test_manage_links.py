"""Manage links: single-purpose, as long-lived as their email says, revocable, and
exchanged for a short session so the token never stays in a URL (issue 10, item 2)."""

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client

from subscriptions.models import AuditAction, AuditEntry, EmailKind, OutboxEmail
from subscriptions.services.outbox import email_queue, outbox_email_send
from subscriptions.signing import (
    IN_EMAIL,
    MANAGE_SALT,
    MANAGE_SESSION_COOKIE,
    REQUESTED,
    STATEMENT,
    ManageGrant,
    manage_token_make,
)
from tests.factories import ContributionFactory, PaymentFactory, SupporterFactory
from tests.staff import staff_member

pytestmark = pytest.mark.django_db

DAY = 24 * 3600


def _link(supporter, purpose: str = IN_EMAIL, *, year: int | None = None, age: int = 0) -> str:
    """The path of a manage link made `age` seconds ago."""
    if not age:
        token = manage_token_make(
            supporter_id=supporter.pk, version=supporter.token_version, purpose=purpose, year=year
        )
        return f"/support/manage/{token}/"

    class OlderSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - age)

    grant = ManageGrant(supporter.pk, supporter.token_version, purpose, year)
    return f"/support/manage/{OlderSigner(salt=MANAGE_SALT).sign(grant.dump())}/"


def _shows_the_manage_page(client: Client, supporter) -> bool:
    page = client.get("/support/manage/")
    return page.status_code == 200 and f"Your support, {supporter.name}" in page.content.decode()


def _sent_text(kind: str, supporter, **facts) -> str:
    email = email_queue(kind=kind, supporter=supporter, **facts)
    assert outbox_email_send(email_id=email.pk) == "sent"
    return mail.outbox[-1].body


def test_opening_a_link_swaps_it_for_a_session_and_a_url_without_the_token(client):
    supporter = ContributionFactory().supporter
    link = _link(supporter)

    opened = client.get(link)

    assert opened.status_code == 303
    assert opened["Location"] == "/support/manage/"
    assert opened["Referrer-Policy"] == "no-referrer"
    assert "no-store" in opened["Cache-Control"]
    cookie = opened.cookies[MANAGE_SESSION_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/support/manage/"
    assert cookie["max-age"] == 3600
    assert link.split("/")[3] not in cookie.value, "the session is not the token itself"
    page = client.get("/support/manage/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert f"Your support, {supporter.name}" in page.content.decode()


def test_the_session_lasts_an_hour(client, settings):
    supporter = SupporterFactory()
    client.get(_link(supporter))
    settings.MANAGE_SESSION_MAX_AGE = 0
    time.sleep(1)

    page = client.get("/support/manage/")

    assert "your session on this page has ended" in page.content.decode()
    assert not _shows_the_manage_page(client, supporter)


def test_each_link_lives_as_long_as_its_email_says():
    supporter = SupporterFactory()

    # Asked for on the manage page: 24 hours.
    assert Client().get(_link(supporter, REQUESTED, age=23 * 3600)).status_code == 303
    assert Client().get(_link(supporter, REQUESTED, age=25 * 3600)).status_code == 403
    # In the footer of our other emails: 60 days.
    assert Client().get(_link(supporter, IN_EMAIL, age=59 * DAY)).status_code == 303
    assert Client().get(_link(supporter, IN_EMAIL, age=61 * DAY)).status_code == 403


def test_the_emails_state_how_long_their_links_work():
    contribution = ContributionFactory()
    supporter = contribution.supporter
    payment = PaymentFactory(contribution=contribution)

    receipt = _sent_text(EmailKind.RECEIPT, supporter, payment=payment)
    asked = _sent_text(EmailKind.MANAGE_LINK, supporter)
    statement = _sent_text(
        EmailKind.YEAR_END, supporter, year=2025, totals=["€5.00"], payment_count=1
    )

    assert re.search(r"the link works for 60 days\): http://\S+/support/manage/\S+/", receipt)
    assert "The link works for 24 hours." in asked
    # The "24-hour link" email carries no longer-lived link in its footer.
    assert "60 days" not in asked
    assert len(set(re.findall(r"/support/manage/[^\s/]+/", asked))) == 1
    assert "The link works for 60 days" in statement


def test_a_statement_link_opens_that_statement_and_nothing_else(client):
    payment = PaymentFactory()
    supporter = payment.supporter
    year = payment.paid_at.year

    opened = client.get(_link(supporter, STATEMENT, year=year))

    assert opened.status_code == 303
    assert opened["Location"] == f"/support/manage/statement/{year}/"
    assert client.get(opened["Location"]).status_code == 200
    assert client.get(f"/support/manage/statement/{year - 1}/").status_code == 403
    assert not _shows_the_manage_page(client, supporter)
    cancel = client.post(
        f"/support/manage/gifts/{payment.contribution.public_id}/cancel/", {"reason": "other"}
    )
    assert cancel.status_code == 403


def test_sign_out_everywhere_ends_every_link_and_session(client):
    supporter = ContributionFactory().supporter
    link = _link(supporter)
    other_device = Client()
    other_device.get(link)
    client.get(link)
    assert "Sign out everywhere" in client.get("/support/manage/").content.decode()

    signed_out = client.post("/support/manage/sign-out/")

    assert signed_out.status_code == 303
    assert "You are signed out on every device" in client.get("/support/manage/").content.decode()
    assert not _shows_the_manage_page(client, supporter)
    assert not _shows_the_manage_page(other_device, supporter)
    assert Client().get(link).status_code == 403


def test_a_new_email_address_ends_the_links_sent_to_the_old_one(admin_client):
    supporter = SupporterFactory(email="old@example.org")
    link = _link(supporter)
    session = Client()
    session.get(link)
    form = {"email": "new@example.org", "name": supporter.name}
    for inline in ("contributions", "payments", "emails"):
        form |= {f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0"}

    saved = admin_client.post(f"/admin/subscriptions/supporter/{supporter.pk}/change/", form)

    assert saved.status_code == 302, saved.content.decode()[:3000]
    supporter.refresh_from_db()
    assert supporter.email == "new@example.org"
    assert Client().get(link).status_code == 403
    assert not _shows_the_manage_page(session, supporter)
    assert _shows_the_manage_page(_opened(_link(supporter)), supporter)


def _opened(link: str) -> Client:
    client = Client()
    client.get(link)
    return client


def _sign_out_by_staff(client: Client, supporter):
    return client.post(
        "/admin/subscriptions/supporter/",
        {"action": "sign_out_everywhere", "_selected_action": [supporter.pk]},
    )


def test_supporter_care_can_sign_a_supporter_out_everywhere(client):
    supporter = SupporterFactory()
    session = _opened(_link(supporter))
    client.force_login(staff_member(username="care", password="x", role="Supporter care"))

    response = _sign_out_by_staff(client, supporter)

    assert response.status_code == 302
    assert not _shows_the_manage_page(session, supporter)
    (entry,) = AuditEntry.objects.filter(action=AuditAction.SUPPORTER_SIGNED_OUT)
    assert (entry.actor_username, entry.supporter_id) == ("care", supporter.pk)


def test_a_staff_member_without_the_permission_cannot_sign_a_supporter_out(client):
    supporter = SupporterFactory()
    session = _opened(_link(supporter))
    client.force_login(staff_member(username="auditor", password="x", role="Auditor"))

    _sign_out_by_staff(client, supporter)

    assert _shows_the_manage_page(session, supporter)


@pytest.mark.parametrize("year", [0, 9999, 1000000])
def test_a_statement_for_an_impossible_year_is_not_found(client, year):
    supporter = PaymentFactory().supporter
    client.get(_link(supporter))

    assert client.get(f"/support/manage/statement/{year}/").status_code == 404


def test_the_expired_link_page_asks_for_a_new_link_at_the_manage_page(client):
    supporter = SupporterFactory()

    expired = client.get(_link(supporter, REQUESTED, age=2 * DAY))

    assert expired.status_code == 403
    assert expired["Referrer-Policy"] == "no-referrer"
    html = expired.content.decode()
    assert 'action="/support/manage/"' in html
    asked = client.post("/support/manage/", {"email": supporter.email})
    assert asked.status_code == 200


def test_stored_emails_hold_no_usable_link_and_the_sent_one_works(settings):
    settings.OUTBOX_BATCH_SIZE = 1  # one email per send, to read each one's link
    contribution = ContributionFactory()
    supporter = contribution.supporter
    payment = PaymentFactory(contribution=contribution)
    email_queue(kind=EmailKind.RECEIPT, supporter=supporter, payment=payment)
    email_queue(kind=EmailKind.MANAGE_LINK, supporter=supporter)
    email_queue(kind=EmailKind.YEAR_END, supporter=supporter, year=2025, totals=[], payment_count=0)

    for stored in OutboxEmail.objects.all():
        for body in (stored.text, stored.html):
            assert not re.search(r"/support/manage/[^\s\"</]+/", body), stored.kind
        assert outbox_email_send(email_id=stored.pk) == "sent"
        sent = mail.outbox[-1]
        link = re.search(r"https?://[^/\s]+(/support/manage/[^\s\"</]+/)", sent.body)
        assert link, sent.body
        assert link.group(1) in sent.alternatives[0][0], "the same link in both parts"
        assert Client().get(link.group(1)).status_code == 303, stored.kind
