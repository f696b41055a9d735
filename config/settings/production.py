"""Production: every secret comes from the environment, and none has a default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ANYMAIL, env


def _required(name: str, why: str = "production settings have no default for it") -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"Set {name}: {why}.")
    return value


DEBUG = False
SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = [host for host in _required("ALLOWED_HOSTS").split(",") if host]
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

STRIPE_SECRET_KEY = _required("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = _required("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = _required("STRIPE_WEBHOOK_SECRET")

# The email provider's tracking webhooks (/anymail/<provider>/tracking/) can mark a
# supporter undeliverable: without this secret anyone could post to them.
_webhook_secret = _required(
    "ANYMAIL_WEBHOOK_SECRET",
    "the email provider's tracking webhooks at /anymail/<provider>/tracking/ would accept "
    "anyone's posts without it (use the user:password your provider sends)",
)
if ":" not in _webhook_secret:
    raise ImproperlyConfigured(
        "Set ANYMAIL_WEBHOOK_SECRET to user:password, the basic-auth credentials your email "
        "provider sends with its tracking webhooks."
    )
ANYMAIL["WEBHOOK_SECRET"] = _webhook_secret

# Rate limits key on the reader's address; guessing the number of proxies wrong either
# trusts what clients claim or limits every reader together, so it must be stated
# (base settings parse it).
_required(
    "TRUSTED_PROXY_COUNT",
    "the number of proxies in front of web that append to X-Forwarded-For, 0 when "
    "readers connect directly (rate limits depend on it)",
)
# Every staff account signs in with a second factor; there is no switch to turn it off.
STAFF_REQUIRE_2FA = True

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers probe /healthz over plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
