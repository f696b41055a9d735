"""The email outbox: written in the same transaction as the fact it reports, sent by
workers, swept so that a broker outage or a killed worker delays an email but never loses
or doubles it."""

import contextlib
import logging
import smtplib
import time
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from subscriptions.emails.kinds import SPECS
from subscriptions.emails.links import links_fill
from subscriptions.emails.render import email_render
from subscriptions.emails.smtp import handover_hook
from subscriptions.models import EmailStatus, OutboxEmail, Supporter
from subscriptions.services.handover import handover_forget, handover_mark, handover_seen

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A pending row no task has picked up by then is sent again (the broker lost the task).
PENDING_GRACE = timedelta(minutes=2)
# A claimed row still unsent after this lost its worker: a minute longer than Celery lets
# any task run (CELERY_TASK_TIME_LIMIT), so a live sender never has its row taken.
CLAIM_TIMEOUT = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


# Back-off after transient failures: 30 s, 1 min, 2 min … at most an hour.
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600
# Our own fault (the server or provider refused our credentials): no message can go until
# an operator fixes it, so keep trying, up to 6 hours apart, for three days; then it
# waits, failed, for "send again" in admin.
OPERATOR_FAULT_MAX_RETRY_SECONDS = 6 * 3600
OPERATOR_FAULT_WINDOW = timedelta(days=3)
# SMTP: 530 authentication required, 535 credentials invalid; HTTP: 401, 403.
OPERATOR_FAULT_SMTP_CODES = {530, 535}
OPERATOR_FAULT_HTTP_STATUSES = {401, 403}
# Once the server has accepted a message, recording it as sent must outlast a database
# restart: a row left `sending` is sent again when its claim times out, a second email.
# Tried this many times, 0.5 s, 1 s, 2 s … at most 10 s apart (about a minute in all,
# within the task's time limit).
SENT_RECORD_TRIES = 10
SENT_RECORD_MAX_WAIT_SECONDS = 10
# On a row whose worker died after handing its message to the SMTP server (handover.py).
HANDED_OVER_NOTE = (
    "Recorded as sent without sending again: its worker stopped after handing the message "
    "to the mail server, before hearing the answer."
)


class TransientSendFailure(Exception):
    """The mail server or provider failed for now; try again in `retry_in` seconds."""

    def __init__(self, message: str, *, retry_in: int) -> None:
        super().__init__(message)
        self.retry_in = retry_in


def email_queue(*, kind: str, supporter: Supporter | None, **facts: Any) -> OutboxEmail | None:
    """Store the email of this kind about these facts, once; it is sent after the
    transaction commits. Call it inside the transaction that records the facts.

    Answers None when there is nobody to write to (or they were erased), when the kind's
    spec says it is not due, when it was queued before, or when it is a reminder the
    supporter does not want (unsubscribed) or cannot receive (the address bounced).
    """
    if supporter is None or supporter.erased_at is not None:
        return None  # an erased supporter is written to no more
    spec = SPECS[kind]
    facts = {**facts, "supporter": supporter}
    if spec.reminder and not supporter.accepts_reminders:
        return None
    if not spec.due(facts):
        return None
    key = spec.key(facts)
    if OutboxEmail.objects.filter(supporter=supporter, kind=kind, key=key).exists():
        return None
    # In the supporter's language: the subject, the words, the dates and the amounts.
    with translation.override(supporter.language):
        rendered = email_render(kind=kind, supporter=supporter, context=spec.context(facts))
    try:
        with transaction.atomic():
            email = OutboxEmail.objects.create(
                supporter=supporter,
                kind=kind,
                key=key,
                to=supporter.email,
                subject=rendered.subject,
                html=rendered.html,
                text=rendered.text,
                unsubscribe_url=rendered.unsubscribe_url,
                message_id=_message_id(),
            )
    except IntegrityError:
        return None  # queued a moment ago by a concurrent worker
    email_id = email.pk
    transaction.on_commit(lambda: _enqueue(email_id))
    return email


def _message_id() -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{uuid.uuid4()}@{domain}>"


def _enqueue(email_id: int) -> None:
    from subscriptions import tasks

    try:
        tasks.outbox_email_send.delay(email_id)
    except Exception:
        # The row is stored; the sweeper sends it once the broker is back.
        logger.exception("Could not enqueue email %s; the sweeper will retry", email_id)


def outbox_email_claim(*, email_id: int) -> OutboxEmail | None:
    """Mark a sendable row as being sent by us; None if it is sent or another has it."""
    stale = timezone.now() - CLAIM_TIMEOUT
    with transaction.atomic(savepoint=False):  # in a send's transaction: no savepoint
        email = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=EmailStatus.PENDING) | Q(status=EmailStatus.SENDING, claimed_at__lt=stale),
                pk=email_id,
            )
            .first()
        )
        if email is None:
            return None
        if email.status == EmailStatus.SENDING and _handed_over_settle(email):
            return None
        email.status = EmailStatus.SENDING
        email.claimed_at = timezone.now()
        email.attempts += 1
        email.save(update_fields=["status", "claimed_at", "attempts"])
    return email


def _handed_over_settle(email: OutboxEmail) -> bool:
    """A dead worker's claim: if it had handed the message over, record the row as sent
    and answer True. The server then has the message (unless it refused it with nobody
    left to hear), and sending it again would be the reader's second copy."""
    if not handover_seen(email):
        return False
    settled = OutboxEmail.objects.filter(
        pk=email.pk, status=EmailStatus.SENDING, claimed_at=email.claimed_at
    ).update(
        status=EmailStatus.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        operator_fault=False,
        last_error=HANDED_OVER_NOTE,
    )
    if settled:  # else the sweeper and a redelivered task both found it: one tells
        logger.warning("Email %s: %s", email.pk, HANDED_OVER_NOTE)
    return True


class _SharedConnection:
    """One mail connection per worker process, kept open between emails (the SMTP
    handshake is most of the cost of a send), dropped after any failure so the next send
    reconnects, and remade whenever the mail settings change."""

    def __init__(self) -> None:
        self.settings_key: tuple[str, str, int, str] | tuple[()] = ()
        self.connection: BaseEmailBackend | None = None

    def get(self) -> BaseEmailBackend:
        # An HTTP provider's address and token are in ANYMAIL.
        provider = repr(sorted(getattr(settings, "ANYMAIL", {}).items()))
        key = (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, provider)
        if self.connection is None or key != self.settings_key:
            self.drop()
            self.connection = get_connection(fail_silently=False)
            self.connection.open()
            self.settings_key = key
        return self.connection

    def drop(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection can fail too
                self.connection.close()
        self.connection = None


_shared_connection = _SharedConnection()


def _message(email: OutboxEmail) -> EmailMultiAlternatives:
    # The Message-ID is the row's, so a resend after a crash is recognisably the same
    # message to the provider and the reader's mail client.
    headers = {"Message-ID": email.message_id}
    if email.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # The stored row holds placeholders; the links are made now, for this send only.
    text, html = links_fill(email.text, email.html, supporter=email.supporter)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=text,
        to=[email.to],
        headers=headers,
        connection=_shared_connection.get(),
    )
    message.attach_alternative(html, "text/html")
    return message


def _is_operator_fault(error: Exception) -> bool:
    """Refused credentials: every message fails alike until an operator fixes them."""
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code in OPERATOR_FAULT_SMTP_CODES
    status = getattr(getattr(error, "response", None), "status_code", None)
    return status in OPERATOR_FAULT_HTTP_STATUSES


def _is_transient(error: Exception) -> bool:
    if isinstance(error, SoftTimeLimitExceeded):
        return True  # a slow server, not a bad message
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException) and code is not None:
        return 400 <= code < 500
    status = getattr(getattr(error, "response", None), "status_code", None)
    if status is not None:  # an HTTP API provider (anymail)
        return status == 429 or status >= 500
    return isinstance(error, OSError | smtplib.SMTPException)


def _hung_up(error: Exception) -> bool:
    """The server closed our idle kept-open connection, silently or with a 421 first
    (Postfix and most providers time idle connections out that way)."""
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421


def _send(email: OutboxEmail) -> None:
    try:
        _message(email).send()
    except smtplib.SMTPException as error:
        if not _hung_up(error):
            raise
        # Reconnect once, right away: the message itself was never refused.
        _shared_connection.drop()
        _message(email).send()


def outbox_batch_claim(*, limit: int, exclude: int | None = None) -> list[OutboxEmail]:
    """Claim up to `limit` due pending rows at once; rows another worker holds are skipped,
    never waited for."""
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        due = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(status=EmailStatus.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        )
        if exclude is not None:
            due = due.exclude(pk=exclude)
        emails = list(due.order_by("pk")[:limit])
        if not emails:
            return []
        # One plain UPDATE for the batch (bulk_update's CASE per row cost more than a send's
        # bookkeeping): the rows are locked by us, so each attempt count is its own plus one.
        OutboxEmail.objects.filter(pk__in=[email.pk for email in emails]).update(
            status=EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        for email in emails:
            email.status = EmailStatus.SENDING
            email.claimed_at = now
            email.attempts += 1
    return emails


def _deliver(email: OutboxEmail) -> int | None:
    """Send one claimed row and record the outcome on it. Answers None when it is done
    (sent, or failed for good), else the seconds until it may be tried again."""
    try:
        with handover_hook(lambda: handover_mark(email)):
            _send(email)
    except Exception as error:
        _shared_connection.drop()
        handover_forget(email)
        return _failure_record(email, error)
    # One UPDATE per email, at once: a worker killed after this resends nothing it sent.
    # Killed between the handover mark and this UPDATE, the row is settled by its mark.
    email.status = EmailStatus.SENT
    email.sent_at = timezone.now()
    email.next_attempt_at = None
    email.operator_fault = False
    _sent_record(email)
    return None


def _sent_record(email: OutboxEmail) -> None:
    """Save a sent row, trying again while the database is away (restarting, failing
    over): the message is out, and only this row stops it going out twice."""
    for attempt in range(SENT_RECORD_TRIES):
        try:
            email.save(update_fields=["status", "sent_at", "next_attempt_at", "operator_fault"])
            return
        except DatabaseError:
            if attempt == SENT_RECORD_TRIES - 1 or connection.in_atomic_block:
                raise
            logger.warning("Email %s was sent but cannot be recorded yet; trying again", email.pk)
            # A connection the server cut is useless; the next query opens a fresh one.
            connection.close()
            time.sleep(min(0.5 * 2**attempt, SENT_RECORD_MAX_WAIT_SECONDS))


def outbox_email_send(*, email_id: int) -> str:
    """Send this email and, on the same connection, a batch of other due ones
    (OUTBOX_BATCH_SIZE in all). Answers what happened to this one: sent, skipped or
    failed; raises TransientSendFailure when it should be retried later.

    The batch's own failures are recorded on their rows (the sweeper re-queues them when
    due) and never stop the rest of the batch.
    """
    # Both claims in one transaction: a task whose row another batch took (most of them,
    # in a burst) costs one commit, not two.
    with transaction.atomic():
        email = outbox_email_claim(email_id=email_id)
        others = outbox_batch_claim(
            limit=settings.OUTBOX_BATCH_SIZE - (email is not None), exclude=email_id
        )
    retry_in = _deliver(email) if email is not None else None
    for other in others:
        _deliver(other)
    if email is None:
        return "skipped"
    if retry_in is not None:
        raise TransientSendFailure(email.last_error, retry_in=retry_in)
    return "sent" if email.status == EmailStatus.SENT else "failed"


def _failure_record(email: OutboxEmail, error: Exception) -> int | None:
    """Record a failed send on its row: book the next attempt and answer the seconds
    until then, or give up and answer None."""
    now = timezone.now()
    operator_fault = _is_operator_fault(error)
    backoff = FIRST_RETRY_SECONDS * 2 ** min(email.attempts - 1, 20)
    if operator_fault:
        retry_in = min(backoff, OPERATOR_FAULT_MAX_RETRY_SECONDS)
        final = now + timedelta(seconds=retry_in) > email.created_at + OPERATOR_FAULT_WINDOW
    else:
        retry_in = min(backoff, MAX_RETRY_SECONDS)
        final = not _is_transient(error) or email.attempts >= MAX_ATTEMPTS
    email.status = EmailStatus.FAILED if final else EmailStatus.PENDING
    email.last_error = f"{error.__class__.__name__}: {error}"[:2000]
    email.next_attempt_at = None if final else now + timedelta(seconds=retry_in)
    email.operator_fault = operator_fault
    email.save(update_fields=["status", "last_error", "next_attempt_at", "operator_fault"])
    if operator_fault:
        logger.error("Email %s: the mail server refused our credentials: %s", email.pk, error)
    if final:
        logger.error("Email %s failed for good: %s", email.pk, email.last_error)
        return None
    return retry_in


def outbox_email_send_again(*, email: OutboxEmail) -> bool:
    """Queue a failed email once more, with a fresh count of attempts; answer whether it
    was failed (a sent or still pending email is left alone)."""
    with transaction.atomic():
        requeued = OutboxEmail.objects.filter(pk=email.pk, status=EmailStatus.FAILED).update(
            status=EmailStatus.PENDING, attempts=0, next_attempt_at=None, claimed_at=None
        )
        if requeued:
            email_id = email.pk
            transaction.on_commit(lambda: _enqueue(email_id))
    return bool(requeued)


def outbox_sweep() -> int:
    """Re-queue rows left pending (lost task) or claimed by a worker that died before it
    handed the message over (one that died after is recorded sent); answer how many."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    unsent = OutboxEmail.objects.filter(
        Q(status=EmailStatus.PENDING, created_at__lt=now - PENDING_GRACE) & due
        | Q(status=EmailStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    ).only("pk", "status", "claimed_at")
    count = 0
    for email in unsent.iterator():
        if email.status == EmailStatus.SENDING and _handed_over_settle(email):
            continue
        _enqueue(email.pk)
        count += 1
    return count
