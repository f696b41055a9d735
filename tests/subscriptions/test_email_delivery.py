"""The email outbox end to end: a real Celery worker on the Redis broker sends what the
outbox holds through a real SMTP server (aiosmtpd), once, even after failures."""

import contextlib
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache
from django.db import OperationalError, transaction
from django.test import Client
from django.utils import timezone

from config.celery import HEARTBEAT_CACHE_KEY, app
from subscriptions import tasks
from subscriptions.emails.smtp import TERMINATOR, HandoverSMTP
from subscriptions.models import (
    AuditEntry,
    Contribution,
    EmailKind,
    EmailStatus,
    OutboxEmail,
    Payment,
    Supporter,
)
from subscriptions.services import handover, outbox, reminders
from subscriptions.services.handover import handover_seen
from subscriptions.services.outbox import (
    CLAIM_TIMEOUT,
    TransientSendFailure,
    email_queue,
    outbox_email_claim,
    outbox_email_send,
    outbox_sweep,
)
from subscriptions.stripe_events.money import payment_acknowledge
from tests.gifts import post_event
from tests.staff import staff_member

SEND_TASK = "subscriptions.outbox_email_send"
WORKER_QUEUES = ["emails", "default"]


# --- An SMTP server that keeps what it is sent -------------------------------------------


class SmtpSink:
    """An aiosmtpd handler: collects each accepted message, parsed; can answer 451 first."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse_next = 0
        self.refused = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.refuse_next:
            self.refuse_next -= 1
            self.refused += 1
            return "451 4.3.0 Try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 2.0.0 Message accepted for delivery"

    def by_message_id(self, message_id: str) -> EmailMessage:
        found = [message for message in self.messages if message["Message-ID"] == message_id]
        assert len(found) == 1, [message["Message-ID"] for message in self.messages]
        return found[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SinkController(Controller):
    """aiosmtpd's threaded server, able to hang up on its clients as a real server does
    with connections left idle too long."""

    def __init__(self, handler: SmtpSink) -> None:
        super().__init__(handler, hostname="127.0.0.1", port=_free_port())
        self.sessions: list[SMTP] = []

    def factory(self) -> SMTP:
        session = super().factory()
        self.sessions.append(session)
        return session

    def hang_up(self, *, last_words: bytes = b"") -> None:
        done = threading.Event()

        def close_all() -> None:
            for session in self.sessions:
                transport = session.transport
                if transport is not None and not transport.is_closing():
                    transport.write(last_words)
                    transport.close()
            done.set()

        self.loop.call_soon_threadsafe(close_all)
        assert done.wait(5)


@pytest.fixture
def smtp_server(settings) -> Iterator[SinkController]:
    """A real SMTP server on 127.0.0.1, and the site configured to send through it."""
    controller = SinkController(SmtpSink())
    controller.start()
    settings.EMAIL_BACKEND = "subscriptions.emails.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield controller
    controller.stop()


@pytest.fixture
def smtp_sink(smtp_server) -> SmtpSink:
    return smtp_server.handler


# --- The broker and a real worker --------------------------------------------------------


def _broker_purge() -> None:
    with app.connection_for_write() as connection:
        for queue in WORKER_QUEUES:
            connection.default_channel.queue_purge(queue)


@pytest.fixture
def broker() -> Iterator[None]:
    """Redis queues with nothing left over from other tests, and nothing left after."""
    _broker_purge()
    yield
    _broker_purge()


@contextlib.contextmanager
def running_worker() -> Iterator[list[tuple[str, str, object]]]:
    """A real worker thread on the Redis broker; yields (task, state, result) as tasks end."""
    finished: list[tuple[str, str, object]] = []

    def record(task=None, retval=None, state=None, **kwargs) -> None:
        finished.append((task.name, state, retval))

    task_postrun.connect(record, weak=False)
    try:
        with start_worker(
            app,
            pool="solo",
            queues=WORKER_QUEUES,
            perform_ping_check=False,
            shutdown_timeout=20,
        ):
            yield finished
    finally:
        task_postrun.disconnect(record)


def wait_until(condition: Callable[[], bool], *, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Gave up waiting for {what}")
        time.sleep(0.05)


def _all_sent(*emails: OutboxEmail) -> Callable[[], bool]:
    ids = [email.pk for email in emails]
    return lambda: (
        OutboxEmail.objects.filter(pk__in=ids, status=EmailStatus.SENT).count() == len(ids)
    )


# --- Supporters, plans and payments as the webhooks would record them --------------------


def _supporter(email: str = "reader@example.org") -> Supporter:
    return Supporter.objects.create(email=email, name="Rowan Reader")


def _monthly_plan(supporter: Supporter, *, amount: int = 750) -> Contribution:
    now = timezone.now()
    return Contribution.objects.create(
        supporter=supporter,
        amount=amount,
        currency="eur",
        frequency="month",
        status="active",
        stripe_customer_id=f"cus_{uuid.uuid4().hex[:14]}",
        stripe_subscription_id=f"sub_{uuid.uuid4().hex[:14]}",
        started_at=now,
        current_period_end=now + timedelta(days=40),
        card_brand="visa",
        card_last4="4242",
        # Expires at the end of this month: before the next payment, 40 days away.
        card_exp_month=now.month,
        card_exp_year=now.year,
    )


def _record_payment(supporter: Supporter, contribution: Contribution | None = None) -> Payment:
    """A payment and the emails it deserves, in one transaction as the webhook does it;
    the send tasks go to the broker when it commits."""
    amount = contribution.amount if contribution else 2500
    with transaction.atomic():
        payment = Payment.objects.create(
            supporter=supporter,
            contribution=contribution,
            stripe_charge_id=f"ch_{uuid.uuid4().hex[:14]}",
            amount=amount,
            currency="eur",
            settled_amount=amount,
            settlement_currency="eur",
            fee=40,
            net=amount - 40,
            paid_at=timezone.now(),
        )
        payment_acknowledge(payment)
    return payment


def _parts(message: EmailMessage) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if not part.is_multipart()
    }


def _manage_url(text: str) -> str:
    match = re.search(r"Manage your support[^:]*: (\S+)", text)
    assert match, text
    return match.group(1)


# --- 1, 2: receipt and thank-you through a real worker and SMTP --------------------------


def _deliver_first_payment() -> tuple[Payment, OutboxEmail, OutboxEmail]:
    supporter = _supporter()
    contribution = _monthly_plan(supporter)
    with running_worker():
        payment = _record_payment(supporter, contribution)
        receipt = OutboxEmail.objects.get(kind=EmailKind.RECEIPT)
        thank_you = OutboxEmail.objects.get(kind=EmailKind.THANK_YOU)
        wait_until(_all_sent(receipt, thank_you), what="the receipt and thank-you to be sent")
    receipt.refresh_from_db()
    thank_you.refresh_from_db()
    return payment, receipt, thank_you


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker")
def test_a_worker_sends_the_receipt_and_thank_you_through_smtp(smtp_sink):
    payment, receipt, thank_you = _deliver_first_payment()

    assert len(smtp_sink.messages) == 2
    for row in (receipt, thank_you):
        message = smtp_sink.by_message_id(row.message_id)
        assert message["To"] == "reader@example.org"
        assert message["Subject"] == row.subject
        parts = _parts(message)
        assert set(parts) == {"text/plain", "text/html"}
        assert "<html" in parts["text/html"].lower()
        assert row.status == EmailStatus.SENT
        assert row.sent_at is not None
        assert row.attempts == 1
        # Receipts and thank-yous are not reminders: no way to unsubscribe from them.
        assert message["List-Unsubscribe"] is None
        assert message["List-Unsubscribe-Post"] is None
    receipt_message = smtp_sink.by_message_id(receipt.message_id)
    payment.refresh_from_db()
    assert payment.receipt_number in receipt_message["Subject"]
    assert "€7.50" in _parts(receipt_message)["text/plain"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker")
def test_the_manage_link_in_the_delivered_emails_opens_the_supporters_gifts(smtp_sink):
    _, receipt, thank_you = _deliver_first_payment()

    for row in (receipt, thank_you):
        parts = _parts(smtp_sink.by_message_id(row.message_id))
        url = _manage_url(parts["text/plain"])
        assert url in parts["text/html"]

        page = Client().get(urlsplit(url).path, follow=True)

        assert page.status_code == 200
        content = page.content.decode()
        assert "Your support, Rowan Reader" in content
        assert "€7.50 monthly" in content


# --- 3: a reminder, and its one-click unsubscribe -----------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker")
def test_a_reminder_offers_one_click_unsubscribe_that_stops_further_reminders(smtp_sink):
    supporter = _supporter()
    contribution = _monthly_plan(supporter)

    with running_worker():
        reminders.card_expiry_scan()
        reminder = OutboxEmail.objects.get(kind=EmailKind.CARD_EXPIRING)
        wait_until(_all_sent(reminder), what="the card-expiry reminder to be sent")

    [message] = smtp_sink.messages
    assert message["Message-ID"] == reminder.message_id
    # Long headers are folded onto a second line; the value is what follows the fold.
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    header = re.fullmatch(r"<(https?://[^>]+/support/unsubscribe/[^/>]+/)>", unsubscribe)
    assert header, unsubscribe
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "ending 4242" in _parts(message)["text/plain"]

    # What a mail provider does when the reader clicks "Unsubscribe": no cookie, no token.
    provider = Client(enforce_csrf_checks=True)
    response = provider.post(urlsplit(header.group(1)).path, data={"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    supporter.refresh_from_db()
    assert supporter.reminders_unsubscribed_at is not None
    # A new card that expires too would deserve a reminder, but the reader said no more.
    contribution.card_last4 = "1881"
    contribution.save(update_fields=["card_last4"])
    with transaction.atomic():
        email_queue(
            kind=EmailKind.CARD_EXPIRING,
            supporter=contribution.supporter,
            contribution=contribution,
        )
    reminders.card_expiry_scan()
    assert OutboxEmail.objects.filter(kind=EmailKind.CARD_EXPIRING).count() == 1


# --- 4: a transient SMTP failure, then a retry --------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker")
def test_an_email_refused_for_now_is_sent_once_on_retry(smtp_sink):
    smtp_sink.refuse_next = 1
    supporter = _supporter()
    # A payment outside any plan: only its receipt is due.
    payment = _record_payment(supporter)
    receipt = OutboxEmail.objects.get()
    assert receipt.key == payment.stripe_charge_id

    # The first attempt, in-process (a worker's retry would wait 30 s): 451 from the server.
    with pytest.raises(TransientSendFailure) as failure:
        outbox_email_send(email_id=receipt.pk)

    assert failure.value.retry_in > 0
    receipt.refresh_from_db()
    assert receipt.status == EmailStatus.PENDING
    assert receipt.attempts == 1
    assert "451" in receipt.last_error
    assert receipt.next_attempt_at > timezone.now()
    assert (smtp_sink.refused, smtp_sink.messages) == (1, [])

    # The retry, and the task still queued from the commit: the worker runs both.
    tasks.outbox_email_send.delay(receipt.pk)
    with running_worker() as finished:
        wait_until(
            lambda: len([name for name, *_ in finished if name == SEND_TASK]) == 2,
            what="both send tasks to run",
        )

    outcomes = sorted(result for name, _, result in finished if name == SEND_TASK)
    assert outcomes == ["sent", "skipped"]
    receipt.refresh_from_db()
    assert receipt.status == EmailStatus.SENT
    assert receipt.attempts == 2
    [message] = smtp_sink.messages
    assert message["Message-ID"] == receipt.message_id


# --- 5: a worker killed between claiming and sending --------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker")
def test_an_email_claimed_by_a_worker_that_died_is_swept_and_sent_once(smtp_sink):
    supporter = _supporter()
    _record_payment(supporter)
    receipt = OutboxEmail.objects.get()
    # The worker took the task off the queue, claimed the row, and was killed.
    _broker_purge()
    assert outbox_email_claim(email_id=receipt.pk) is not None
    receipt.refresh_from_db()
    assert receipt.status == EmailStatus.SENDING

    # It might still be sending: the sweep leaves it alone until the claim times out.
    assert outbox_sweep() == 0
    OutboxEmail.objects.filter(pk=receipt.pk).update(
        claimed_at=timezone.now() - CLAIM_TIMEOUT - timedelta(minutes=1)
    )

    with running_worker() as finished:
        tasks.outbox_sweep.delay()
        wait_until(_all_sent(receipt), what="the swept receipt to be sent")
        wait_until(lambda: (SEND_TASK, "SUCCESS", "sent") in finished, what="the send task")

    [message] = smtp_sink.messages
    assert message["Message-ID"] == receipt.message_id
    receipt.refresh_from_db()
    assert receipt.attempts == 2
    assert receipt.sent_at is not None
    assert outbox_sweep() == 0


@pytest.mark.django_db(transaction=True)
def test_a_sent_email_is_recorded_once_the_database_is_back_and_never_sent_again(
    smtp_sink, monkeypatch
):
    """PostgreSQL restarting between the server's 250 and our UPDATE: the row must still
    end `sent`, or the claim timeout would send the email a second time (found by
    bench/faults/fault_postgres.py)."""
    supporter = _supporter()
    _record_payment(supporter)
    receipt = OutboxEmail.objects.get()
    real_save = OutboxEmail.save
    cuts = []

    def save_while_the_database_restarts(self, *args, **kwargs):
        if "sent_at" in (kwargs.get("update_fields") or ()) and len(cuts) < 2:
            cuts.append(self.pk)
            raise OperationalError("terminating connection due to administrator command")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(OutboxEmail, "save", save_while_the_database_restarts)
    monkeypatch.setattr(outbox.time, "sleep", lambda seconds: None)

    assert outbox.outbox_email_send(email_id=receipt.pk) == "sent"

    assert cuts == [receipt.pk, receipt.pk]
    receipt.refresh_from_db()
    assert receipt.status == EmailStatus.SENT
    assert receipt.sent_at is not None
    [message] = smtp_sink.messages
    assert message["Message-ID"] == receipt.message_id
    # Long after any claim timeout, the sweep finds nothing to send again.
    long_ago = timezone.now() - CLAIM_TIMEOUT - timedelta(minutes=1)
    OutboxEmail.objects.filter(pk=receipt.pk).update(created_at=long_ago, claimed_at=long_ago)
    assert outbox_sweep() == 0


# --- The kept-open connection, closed by the server while idle ---------------------------

# What Postfix and Exim say before closing a connection left idle past their timeout.
IDLE_TIMEOUT_REPLY = b"421 4.4.2 mx.example Error: timeout exceeded\r\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "last_words",
    [
        pytest.param(b"", id="silent-hang-up"),
        pytest.param(IDLE_TIMEOUT_REPLY, id="421-timeout-then-hang-up"),
    ],
)
def test_the_next_email_after_the_server_hung_up_an_idle_connection_goes_at_once(
    smtp_server, last_words, settings
):
    settings.OUTBOX_BATCH_SIZE = 1  # one email per call: the connection sits idle between
    first, second = _supporter(), _supporter("another.reader@example.org")
    _record_payment(first)
    _record_payment(second)
    earlier, later = OutboxEmail.objects.order_by("pk")
    assert outbox_email_send(email_id=earlier.pk) == "sent"

    smtp_server.hang_up(last_words=last_words)

    assert outbox_email_send(email_id=later.pk) == "sent"
    later.refresh_from_db()
    assert (later.attempts, later.last_error) == (1, "")
    delivered = [message["Message-ID"] for message in smtp_server.handler.messages]
    assert delivered == [earlier.message_id, later.message_id]


# --- Refused credentials: our fault, retried, visible, sent again from admin ---------------

MAIL_LOGIN, MAIL_PASSWORD = "newsroom", "the-right-password"
PLAIN_AUTH_WARNING = "ignore:Requiring AUTH while not requiring TLS:UserWarning"


def _only_the_right_password(server, session, envelope, mechanism, auth_data) -> AuthResult:
    right = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        MAIL_LOGIN.encode(),
        MAIL_PASSWORD.encode(),
    )
    # Not handled here: aiosmtpd answers "535 5.7.8 Authentication credentials invalid".
    return AuthResult(success=right, handled=False)


@pytest.fixture
def smtp_with_login(settings) -> Iterator[SmtpSink]:
    """A real SMTP server that takes mail only after AUTH with the right password (and
    answers 535 to any other), with the site configured to log in with a wrong one."""
    sink = SmtpSink()
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=_free_port(),
        authenticator=_only_the_right_password,
        auth_required=True,
        auth_require_tls=False,  # plain AUTH on loopback (the tests silence its warning)
    )
    controller.start()
    settings.EMAIL_BACKEND = "subscriptions.emails.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = MAIL_LOGIN
    settings.EMAIL_HOST_PASSWORD = "an-expired-password"
    yield sink
    controller.stop()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker")
@pytest.mark.filterwarnings(PLAIN_AUTH_WARNING)
def test_a_refused_login_is_retried_shown_to_operators_and_sent_once_when_fixed(
    smtp_with_login, settings, client
):
    _record_payment(_supporter())
    receipt = OutboxEmail.objects.get()

    with pytest.raises(TransientSendFailure) as failure:
        outbox_email_send(email_id=receipt.pk)

    receipt.refresh_from_db()
    assert receipt.status == EmailStatus.PENDING, "not failed for good: it is our fault"
    assert receipt.operator_fault, receipt.last_error
    assert "535" in receipt.last_error
    assert receipt.next_attempt_at > timezone.now()
    assert failure.value.retry_in >= 30
    assert smtp_with_login.messages == []

    # Still failing an hour later: /healthz says so, without failing the load balancer.
    OutboxEmail.objects.filter(pk=receipt.pk).update(created_at=timezone.now() - timedelta(hours=2))
    cache.set(HEARTBEAT_CACHE_KEY, time.time())
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["backlog"]["emails_stuck"] == 1

    settings.EMAIL_HOST_PASSWORD = MAIL_PASSWORD  # the operator fixes the credentials
    assert outbox_email_send(email_id=receipt.pk) == "sent"
    assert outbox_email_send(email_id=receipt.pk) == "skipped"

    [message] = smtp_with_login.messages
    assert message["Message-ID"] == receipt.message_id
    receipt.refresh_from_db()
    assert (receipt.status, receipt.attempts, receipt.operator_fault) == ("sent", 2, False)
    assert client.get("/healthz").json()["status"] == "ok"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker")
@pytest.mark.filterwarnings(PLAIN_AUTH_WARNING)
def test_an_email_given_up_after_days_of_refused_logins_is_sent_again_by_staff(
    smtp_with_login, settings, client
):
    _record_payment(_supporter())
    receipt = OutboxEmail.objects.get()
    OutboxEmail.objects.filter(pk=receipt.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert outbox_email_send(email_id=receipt.pk) == "failed"
    receipt.refresh_from_db()
    assert (receipt.status, receipt.operator_fault) == (EmailStatus.FAILED, True)

    operator = staff_member(username="operator", password="unused-password-1")
    operator.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_outboxemail", "change_outboxemail"])
    )
    viewer = staff_member(username="viewer", password="unused-password-2")
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxemail"))
    changelist = "/admin/subscriptions/outboxemail/"

    client.force_login(viewer)
    assert "send_again" not in client.get(changelist).content.decode()
    client.force_login(operator)
    banner = client.get("/admin/").content.decode()
    assert "1 email failing to send" in banner
    assert f"{changelist}?attention=stuck" in banner

    settings.EMAIL_HOST_PASSWORD = MAIL_PASSWORD
    with running_worker():
        response = client.post(
            changelist, {"action": "send_again", "_selected_action": [receipt.pk]}, follow=True
        )
        assert "1 email(s) queued to be sent again." in response.content.decode()
        wait_until(_all_sent(receipt), what="the receipt sent again")

    [message] = smtp_with_login.messages
    assert message["Message-ID"] == receipt.message_id
    assert "email failing to send" not in client.get("/admin/").content.decode()
    [entry] = AuditEntry.objects.filter(action="email.sent_again", actor=operator)
    assert entry.target_label == f"Receipt email {receipt.pk}", "no address in the log"


class ProviderApi:
    """An email provider's HTTP API on 127.0.0.1, as Postmark answers it: 401 while our
    server token is refused (or for the requests numbered in `refuse_requests`), then
    accepted messages."""

    def __init__(self) -> None:
        self.refuse = True
        self.refuse_requests: set[int] = set()
        self.requests = 0
        self.accepted: list[dict] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                message = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                api.requests += 1
                if api.refuse or api.requests in api.refuse_requests:
                    status = 401
                    answer = {"ErrorCode": 10, "Message": "No valid Server token."}
                else:
                    status = 200
                    api.accepted.append(message)
                    answer = {
                        "To": message["To"],
                        "SubmittedAt": "2026-11-27T10:00:00Z",
                        "MessageID": str(uuid.uuid4()),
                        "ErrorCode": 0,
                        "Message": "OK",
                    }
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def provider_api(settings) -> Iterator[ProviderApi]:
    api = ProviderApi()
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "a-revoked-token", "POSTMARK_API_URL": api.url}
    yield api
    api.server.shutdown()
    api.server.server_close()


@pytest.mark.django_db
def test_a_provider_refusing_our_token_is_an_operator_fault_retried_then_sent_once(
    provider_api,
):
    _record_payment(_supporter())
    receipt = OutboxEmail.objects.get()

    with pytest.raises(TransientSendFailure):
        outbox_email_send(email_id=receipt.pk)
    receipt.refresh_from_db()
    assert (receipt.status, receipt.operator_fault) == (EmailStatus.PENDING, True)
    assert "401" in receipt.last_error

    provider_api.refuse = False  # the operator puts in a valid token
    assert outbox_email_send(email_id=receipt.pk) == "sent"
    assert outbox_email_send(email_id=receipt.pk) == "skipped"
    assert [message["To"] for message in provider_api.accepted] == ["reader@example.org"]


@pytest.mark.django_db
def test_a_token_refused_mid_batch_holds_back_only_that_email_until_its_retry(provider_api):
    provider_api.refuse = False
    provider_api.refuse_requests = {2}  # the provider refuses our token once, mid-batch
    for number in range(3):
        _record_payment(_supporter(f"reader{number}@example.org"))
    first, refused, last = OutboxEmail.objects.order_by("pk")

    assert outbox_email_send(email_id=first.pk) == "sent"

    for email in (first, refused, last):
        email.refresh_from_db()
    assert (first.status, last.status) == (EmailStatus.SENT, EmailStatus.SENT)
    assert (refused.status, refused.operator_fault) == (EmailStatus.PENDING, True)
    assert "401" in refused.last_error
    assert refused.next_attempt_at > timezone.now()
    assert sorted(message["To"] for message in provider_api.accepted) == [
        "reader0@example.org",
        "reader2@example.org",
    ]
    # Long past the sweep's grace, but not due yet: the sweep leaves it to its back-off.
    OutboxEmail.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert outbox_sweep() == 0

    OutboxEmail.objects.filter(pk=refused.pk).update(next_attempt_at=timezone.now())
    assert outbox_email_send(email_id=refused.pk) == "sent"
    refused.refresh_from_db()
    assert (refused.status, refused.operator_fault) == (EmailStatus.SENT, False)
    assert [message["To"] for message in provider_api.accepted].count("reader1@example.org") == 1


# --- 6: duplicated webhooks -------------------------------------------------------------


def test_duplicated_webhooks_send_one_receipt_per_payment(site, stripe_api, settings):
    site.give(amount="5", frequency="month")
    listed = stripe_api.v1.events.list({"limit": 100})
    # Stripe's JSON as delivered (to_dict() would turn decimal strings into Decimals).
    events = json.loads(listed.last_response.body)["data"]
    assert len(events) == len(listed.data) > 0
    assert not listed.has_more

    for _ in range(2):
        for event in reversed(events):
            response = post_event(site.client, event)
            assert response.status_code == 200, response.content.decode()[:500]

    payments = list(Payment.objects.all())
    assert len(payments) == 1
    for payment in payments:
        assert (
            OutboxEmail.objects.filter(kind=EmailKind.RECEIPT, key=payment.stripe_charge_id).count()
            == 1
        )
        subjects = [message.subject for message in mail.outbox]
        assert [s for s in subjects if payment.receipt_number in s] == [
            f"Your receipt {payment.receipt_number} from {settings.NEWSROOM_NAME}"
        ]
    assert len([m for m in mail.outbox if m.subject.startswith("Your receipt")]) == len(payments)
    # The first payment of the plan also earns one thank-you, not three.
    assert len([m for m in mail.outbox if m.subject.startswith("Thank you")]) == 1
    assert OutboxEmail.objects.filter(kind=EmailKind.THANK_YOU).count() == 1


# --- a batch on one connection --------------------------------------------------------------


@pytest.mark.django_db
def test_one_send_takes_the_due_emails_with_it_and_one_refusal_holds_none_back(smtp_sink):
    readers = [_supporter(f"reader{number}@example.org") for number in range(4)]
    for reader in readers:
        _record_payment(reader)  # a receipt each
    first, *others = OutboxEmail.objects.order_by("pk")
    smtp_sink.refuse_next = 1  # the server refuses the first message for now

    with pytest.raises(TransientSendFailure):
        outbox_email_send(email_id=first.pk)

    first.refresh_from_db()
    assert first.status == EmailStatus.PENDING
    assert first.next_attempt_at > timezone.now()
    for email in others:
        email.refresh_from_db()
        assert email.status == EmailStatus.SENT
        assert email.attempts == 1
    assert sorted(message["Message-ID"] for message in smtp_sink.messages) == sorted(
        email.message_id for email in others
    )
    # Their own tasks find nothing left to do.
    assert outbox_email_send(email_id=others[0].pk) == "skipped"
    assert len(smtp_sink.messages) == len(others)


@pytest.mark.django_db
def test_a_batch_counts_each_rows_own_attempts(smtp_sink):
    readers = [_supporter(f"reader{number}@example.org") for number in range(3)]
    for reader in readers:
        _record_payment(reader)
    first, retried, fresh = OutboxEmail.objects.order_by("pk")
    # Tried twice before and due again now.
    OutboxEmail.objects.filter(pk=retried.pk).update(attempts=2, next_attempt_at=timezone.now())

    assert outbox_email_send(email_id=first.pk) == "sent"

    counts = dict(OutboxEmail.objects.values_list("pk", "attempts"))
    assert counts == {first.pk: 1, retried.pk: 3, fresh.pk: 1}
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


# --- A worker killed while it hands a message over (bench/faults/fault_worker_kill.py) ----


class WorkerKilled(BaseException):
    """SIGKILL, as far as the sender can tell: no `except Exception` runs, nothing more is
    written to the server or the database."""


def _killed_at(monkeypatch, moment: Callable[[bytes], bool], *, after_writing: bool) -> None:
    """Kill the sender at the write `moment` picks: its socket closes with no QUIT."""
    real_send = HandoverSMTP.send

    def send(self, data):
        if not moment(data):
            return real_send(self, data)
        if after_writing:
            real_send(self, data)
        self.close()
        raise WorkerKilled

    monkeypatch.setattr(HandoverSMTP, "send", send)


def _claim_timed_out(email: OutboxEmail, monkeypatch) -> None:
    """Move the clock past the claim's timeout (the claim itself, and so its mark, stay)."""
    email.refresh_from_db()
    assert email.status == EmailStatus.SENDING
    later = email.claimed_at + CLAIM_TIMEOUT + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)


@pytest.mark.django_db
@pytest.mark.usefixtures("broker")
@pytest.mark.parametrize("found_by", ["sweep", "redelivered-task"])
def test_a_worker_killed_after_handing_a_message_over_never_sends_it_again(
    smtp_sink, monkeypatch, found_by
):
    """Killed after writing the message's end, before reading the 250: the server has the
    email, and the row left `sending` is recorded sent, not sent a second time."""
    _record_payment(_supporter())
    receipt = OutboxEmail.objects.get()
    _killed_at(monkeypatch, lambda data: data == TERMINATOR, after_writing=True)

    with pytest.raises(WorkerKilled):
        outbox_email_send(email_id=receipt.pk)

    wait_until(lambda: len(smtp_sink.messages) == 1, what="the server to take the message")
    monkeypatch.undo()
    _claim_timed_out(receipt, monkeypatch)
    if found_by == "sweep":
        assert outbox_sweep() == 0
    else:
        assert outbox_email_send(email_id=receipt.pk) == "skipped"

    receipt.refresh_from_db()
    assert receipt.status == EmailStatus.SENT
    assert receipt.sent_at is not None
    assert receipt.attempts == 1
    assert receipt.last_error == outbox.HANDED_OVER_NOTE
    [message] = smtp_sink.messages
    assert message["Message-ID"] == receipt.message_id
    assert outbox_sweep() == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("broker")
def test_a_worker_killed_before_handing_a_message_over_has_it_sent_once(smtp_sink, monkeypatch):
    """Killed with the whole message written but not its end: the server discards it, so
    the row is sent again when its claim times out, once."""
    _record_payment(_supporter())
    receipt = OutboxEmail.objects.get()
    message_id = receipt.message_id.encode()
    # The body goes in one write (commands go as text).
    body = lambda data: isinstance(data, bytes) and message_id in data  # noqa: E731
    _killed_at(monkeypatch, body, after_writing=True)

    with pytest.raises(WorkerKilled):
        outbox_email_send(email_id=receipt.pk)

    monkeypatch.undo()
    _claim_timed_out(receipt, monkeypatch)
    assert outbox_sweep() == 1
    assert outbox_email_send(email_id=receipt.pk) == "sent"

    receipt.refresh_from_db()
    assert (receipt.status, receipt.attempts, receipt.last_error) == (EmailStatus.SENT, 2, "")
    [message] = smtp_sink.messages
    assert message["Message-ID"] == receipt.message_id
    assert outbox_sweep() == 0


@pytest.mark.django_db
def test_a_message_refused_after_its_end_leaves_no_handed_over_mark(smtp_sink):
    """451 to the message's end: the row waits for its retry, and had its next worker died
    mid-send, nothing would claim the message was delivered."""
    smtp_sink.refuse_next = 1
    _record_payment(_supporter())
    receipt = OutboxEmail.objects.get()

    with pytest.raises(TransientSendFailure):
        outbox_email_send(email_id=receipt.pk)

    receipt.refresh_from_db()
    assert receipt.status == EmailStatus.PENDING
    assert "451" in receipt.last_error
    assert smtp_sink.refused == 1
    assert not handover_seen(receipt)


@pytest.mark.django_db
def test_an_email_goes_unmarked_and_logged_when_redis_is_away(
    smtp_sink, settings, monkeypatch, caplog
):
    """No place for the mark: the email still goes (a dead worker would send it again, as
    before marks existed), and the operator is told."""
    # Restored after the test, so the sends of later tests are marked again at once.
    monkeypatch.setattr(handover, "_store_down_until", 0.0)
    settings.CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.ReusedClientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    _record_payment(_supporter())
    receipt = OutboxEmail.objects.get()

    assert outbox_email_send(email_id=receipt.pk) == "sent"

    [message] = smtp_sink.messages
    assert message["Message-ID"] == receipt.message_id
    assert f"Email {receipt.pk}: could not store its handed-over mark" in caplog.text
