"""Staff members for tests: an account in a role, its authenticator, the code it shows."""

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from subscriptions.roles import roles_ensure


def staff_member(*, username: str, password: str, role: str = "") -> User:
    """A staff account, in one of the role groups (Supporter care, Finance, Auditor)."""
    user = User.objects.create_user(username, password=password, is_staff=True)
    if role:
        # A transactional test's flush leaves the tables empty without the role groups.
        roles_ensure(apps=django_apps, only_missing=True)
        user.groups.add(Group.objects.get(name=role))
    return user


def authenticator_for(user: User) -> TOTPDevice:
    """A confirmed authenticator app, as if the staff member had enrolled."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def code_now(device: TOTPDevice) -> str:
    """What the staff member's authenticator app shows at this moment."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"
