"""The staff login that `make run` prints, for a local site only."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model

DEMO_STAFF_USERNAME = "staff"


def demo_staff_ensure() -> tuple[str, str]:
    """Create the demo staff user once; later runs print the same password again."""
    path = settings.BASE_DIR / "var" / "demo_staff_password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
    password = path.read_text().strip()
    user, _ = get_user_model().objects.get_or_create(
        username=DEMO_STAFF_USERNAME, defaults={"email": "staff@newsroom.invalid"}
    )
    user.is_staff = True
    user.is_superuser = True
    if not user.check_password(password):
        user.set_password(password)
    user.save()
    return DEMO_STAFF_USERNAME, password
