"""Staff accounts' second factor: an authenticator app (TOTP) plus recovery codes."""

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import AuditAction
from .audit import audit_record

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def staff_totp_device_start(*, user) -> TOTPDevice:
    """The unconfirmed device being set up; the same one (and QR code) on every reload."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


class CodeRefused(Exception):
    """The code did not confirm the device; the message says what to do next."""


def staff_two_factor_confirm(*, user, device: TOTPDevice, token: str, request) -> list[str]:
    """Confirm the device with a code from the app; answer the new recovery codes.

    Recovery codes are stored by django-otp and shown to the staff member only now.
    """
    if device.user_id != user.pk or device.confirmed:
        raise CodeRefused("This device is not yours to set up: start again from sign-in.")
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise CodeRefused(
            "Too many wrong codes in a row: wait a few seconds, then enter the code "
            "the app shows now."
        )
    if not device.verify_token(token):
        raise CodeRefused(
            "That code did not match. Check that the app shows this account, then enter "
            "the code it shows now."
        )
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
        audit_record(
            actor=user,
            action=AuditAction.TWO_FACTOR_ENROLLED,
            target=user,
            request=request,
            after={"device": device.name, "recovery_codes": len(codes)},
        )
    return codes
