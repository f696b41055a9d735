"""Settings shared by every environment; each variable comes from the environment."""

from decimal import Decimal
from email.utils import formataddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Django's admin behind a second factor for staff (subscriptions/admin_site.py).
    "subscriptions.admin_apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_celery_beat",
    "anymail",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "newsroom",
    "subscriptions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Stripe's webhooks skip everything below (subscriptions/middleware.py).
    "subscriptions.middleware.StripeWebhookMiddleware",
    # Reader pages from Redis: a hit skips everything below (newsroom/page_cache.py).
    "newsroom.page_cache.PageCacheMiddleware",
    "config.headers.SiteCSPMiddleware",
    "config.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware (Django's order). PageCacheMiddleware above
    # keys its entries by the language this middleware will choose (cookie, then
    # Accept-Language), so a hit never skips a language decision it should have made.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "subscriptions.middleware.StaffSessionMiddleware",
    "subscriptions.middleware.AuditRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.newsroom",
                "subscriptions.context_processors.supporter",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "config.redis_cache.ReusedClientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

# Reader pages (front, sections, authors, articles, /support/): browsers and CDNs may keep
# them PAGE_CACHE_MAX_AGE seconds and serve them stale while they revalidate for
# PAGE_CACHE_STALE_WHILE_REVALIDATE more; Redis keeps each rendered page (per variant) for
# PAGE_CACHE_SECONDS unless something it shows changes first.
PAGE_CACHE_MAX_AGE = env.int("PAGE_CACHE_MAX_AGE", default=60)
PAGE_CACHE_STALE_WHILE_REVALIDATE = env.int("PAGE_CACHE_STALE_WHILE_REVALIDATE", default=600)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# How long one request may hold the right to refill a page before another may try.
PAGE_CACHE_FILL_LOCK_SECONDS = 10
# While an appeal test runs, a reader's variant bucket (a random number, nothing else)
# is kept this long, so they see the same variant on every visit.
APPEAL_BUCKET_COOKIE_MAX_AGE = 60 * 60 * 24 * 90

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff sign-in. django-axes counts failed sign-ins before Django checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Every staff session needs a TOTP code (or a recovery code) on top of the password;
# production forces it on, local settings leave it off for the demo login.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=True)
# A staff session ends this long after sign-in, however active (subscriptions/middleware.py);
# only staff have sessions, so the cookie follows the same limit.
STAFF_SESSION_MAX_AGE = 8 * 60 * 60
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_AGE
# Failed sign-ins (wrong password or wrong code): after AXES_FAILURE_LIMIT for one account,
# or from one address, further tries are refused for AXES_COOLOFF_TIME hours. Records are
# kept in the database (admin: Axes), the address is the one our rate limits use.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_TIME", default=1)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "subscriptions.ratelimit.client_ip"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The largest refund Supporter care may make without Finance, per currency, in minor
# units (10000 = 100.00): CARE_REFUND_LIMIT=eur=10000,usd=10000,gbp=10000. A currency not
# listed has no care limit: Finance refunds it.
CARE_REFUND_LIMIT = {
    currency.lower(): amount
    for currency, amount in env.dict(
        "CARE_REFUND_LIMIT", cast={"value": int}, default={"eur": 10000, "usd": 10000, "gbp": 10000}
    ).items()
}

# Reader pages and emails in English and Russian (README "Languages"). An article's page
# follows the article's language; other pages follow the language cookie (the switch in
# the header), then Accept-Language; a supporter's emails follow the language they gave in.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Babel's locale for each language: dates and money read "3 March 2027" and "€5" in British
# English, "3 марта 2027 г." and "5 €" in Russian.
BABEL_LOCALES = {"en": "en_GB", "ru": "ru_RU"}
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Reports cut days, and pages show times, in the newsroom's own zone.
NEWSROOM_TIME_ZONE = env.str("NEWSROOM_TIME_ZONE", default="Europe/London")

STATIC_URL = "/static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

_email = env.email_url("EMAIL_URL", default="consolemail://")
# EMAIL_URL covers SMTP; any django-anymail provider is chosen by EMAIL_BACKEND (e.g.
# anymail.backends.postmark.EmailBackend) plus its ANYMAIL_* variables, by settings alone.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=_email["EMAIL_BACKEND"])
# SMTP goes through Django's backend with a hook before each message's end, which lets the
# outbox tell a dead worker's delivered emails from its undelivered ones (emails/smtp.py).
if EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_BACKEND = "subscriptions.emails.smtp.EmailBackend"
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
# ANYMAIL_POSTMARK_SERVER_TOKEN=… becomes ANYMAIL["POSTMARK_SERVER_TOKEN"]; set
# ANYMAIL_WEBHOOK_SECRET to the "user:password" your provider's tracking webhook sends.
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in env.ENVIRON.items()
    if name.startswith("ANYMAIL_")
}
# The newsroom's identity, shown on pages and in emails.
NEWSROOM_NAME = env.str("NEWSROOM_NAME", default="The Harbour Ledger")
# Emails come from the newsroom by name: "The Harbour Ledger <support@example.org>", at the
# site's own domain (a local or numeric address has none: newsroom.invalid).
_site_host = (urlsplit(SITE_URL).hostname or "").removeprefix("www.")
_mail_domain = (
    _site_host
    if "." in _site_host and not _site_host.replace(".", "").isdigit()
    else "newsroom.invalid"
)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default=formataddr((NEWSROOM_NAME, f"support@{_mail_domain}"))
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
NEWSROOM_ADDRESS = env.str("NEWSROOM_ADDRESS", default="1 Quay Street, Harbourtown")
# The logo at the top of every email; empty means the site's own icon.
NEWSROOM_LOGO_URL = env.str("NEWSROOM_LOGO_URL", default="")
# How staff authenticator apps name this site's account.
OTP_TOTP_ISSUER = NEWSROOM_NAME

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# A strict Content-Security-Policy: no inline scripts anywhere on the site.
# config/headers.py adds the Stripe sandbox's origin and the admin's inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, "https://checkout.stripe.com", "https://billing.stripe.com"],
    }
}
# Browser features nobody here uses: pages, embeds and injected scripts get none of them.
PERMISSIONS_POLICY_DENIED = [
    "accelerometer",
    "autoplay",
    "bluetooth",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]

# Stripe. The SDK version is pinned in requirements.txt and the API version with it.
STRIPE_API_VERSION = "2026-10-28.endive"
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# The billing portal configuration `manage.py stripe_setup` made (Stripe's default if empty).
STRIPE_PORTAL_CONFIGURATION = env.str("STRIPE_PORTAL_CONFIGURATION", default="")
# Empty means Stripe itself; the sandbox sets http://127.0.0.1:12111.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="").rstrip("/")
if STRIPE_API_BASE and STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_")):
    # A live key must never be sent to anything but Stripe itself.
    raise ImproperlyConfigured("A live Stripe key only talks to Stripe: unset STRIPE_API_BASE.")
# Every Stripe call may wait this long (seconds) to connect and then for the answer, and
# is retried this many times, with the SDK's back-off, when the network fails or Stripe
# asks for it (409, 429, 5xx); creates carry idempotency keys, so a retry is one change.
STRIPE_CONNECT_TIMEOUT = 5
STRIPE_READ_TIMEOUT = 30
STRIPE_MAX_NETWORK_RETRIES = 2
# Stripe event payloads (names, emails, card details) are cut to id, type and object id
# after this many days by a nightly job.
STRIPE_EVENT_PAYLOAD_RETENTION_DAYS = env.int("STRIPE_EVENT_PAYLOAD_RETENTION_DAYS", default=30)

# Money: minimum and maximum gift in major units, and the currencies offered.
CONTRIBUTION_CURRENCIES = env.list("CONTRIBUTION_CURRENCIES", default=["eur", "usd", "gbp"])
CONTRIBUTION_DEFAULT_CURRENCY = env.str("CONTRIBUTION_DEFAULT_CURRENCY", default="eur")
CONTRIBUTION_MINIMUM = env.int("CONTRIBUTION_MINIMUM", default=2)
CONTRIBUTION_MAXIMUM = env.int("CONTRIBUTION_MAXIMUM", default=10_000)
# The appeal's default currency follows the reader's country, from a header the CDN sets
# (its request.META name; Cloudflare's CF-IPCountry by default), then the region of
# Accept-Language ("en-GB"), then CONTRIBUTION_DEFAULT_CURRENCY. Only currencies in
# CONTRIBUTION_CURRENCIES are used; NEWSROOM_COUNTRY_CURRENCIES="CH=eur,CA=usd" adds or
# overrides countries.
NEWSROOM_COUNTRY_HEADER = env.str("NEWSROOM_COUNTRY_HEADER", default="HTTP_CF_IPCOUNTRY")
EURO_COUNTRIES = [
    "AT",
    "BE",
    "HR",
    "CY",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PT",
    "SK",
    "SI",
    "ES",
    "AD",
    "MC",
    "SM",
    "VA",
    "ME",
    "XK",
]
NEWSROOM_COUNTRY_CURRENCIES = (
    {country: "eur" for country in EURO_COUNTRIES}
    | {"GB": "gbp", "GG": "gbp", "JE": "gbp", "IM": "gbp"}
    | {"US": "usd", "PR": "usd", "EC": "usd", "SV": "usd", "PA": "usd"}
    | {
        country.upper(): currency.lower()
        for country, currency in env.dict("NEWSROOM_COUNTRY_CURRENCIES", default={}).items()
    }
)
# Stripe's card fee, for "cover the fees": a percentage plus a fixed part in major units.
STRIPE_FEE_PERCENT = Decimal(env.str("STRIPE_FEE_PERCENT", default="1.5"))
STRIPE_FEE_FIXED = Decimal(env.str("STRIPE_FEE_FIXED", default="0.25"))
# Card-testing defences: checkout attempts and manage-link requests per hour.
CHECKOUT_RATE_LIMIT_PER_IP = env.int("CHECKOUT_RATE_LIMIT_PER_IP", default=20)
# How many proxies (load balancer, CDN) stand in front of web and append to
# X-Forwarded-For; 0 means readers connect directly and REMOTE_ADDR is their address.
_proxy_count = env.str("TRUSTED_PROXY_COUNT", default="0")
if not _proxy_count.isdigit():
    raise ImproperlyConfigured(
        "Set TRUSTED_PROXY_COUNT to the number of proxies in front of web (0 when readers "
        f"connect directly), not {_proxy_count!r}."
    )
TRUSTED_PROXY_COUNT = int(_proxy_count)
CHECKOUT_RATE_LIMIT_PER_EMAIL = env.int("CHECKOUT_RATE_LIMIT_PER_EMAIL", default=10)
MANAGE_LINK_RATE_LIMIT_PER_IP = env.int("MANAGE_LINK_RATE_LIMIT_PER_IP", default=10)
MANAGE_LINK_RATE_LIMIT_PER_EMAIL = env.int("MANAGE_LINK_RATE_LIMIT_PER_EMAIL", default=3)
# How long each kind of manage link works (the emails state it), how long the manage
# session a link opens lasts, and how long the supporter and checkout cookies last.
MANAGE_LINK_MAX_AGE = 60 * 60 * 24
EMAIL_MANAGE_LINK_MAX_AGE = 60 * 60 * 24 * 60
STATEMENT_LINK_MAX_AGE = 60 * 60 * 24 * 60
MANAGE_SESSION_MAX_AGE = 60 * 60
SUPPORTER_COOKIE_MAX_AGE = 60 * 60 * 24 * 365
CHECKOUT_COOKIE_MAX_AGE = 60 * 60 * 6

# Celery: JSON only, bounded task time, emails on their own queue.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Schedules (crontab hours) are the newsroom's local time.
CELERY_TIMEZONE = NEWSROOM_TIME_ZONE
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up otherwise opens a new database connection for every task (a
# third of an email's cost); config/celery.py still drops broken or old connections.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_DEFAULT_QUEUE = "default"
# A task may name its own queue (a `queue_name` attribute on the task); see the router.
CELERY_TASK_ROUTES = ("config.celery.route_to_own_queue",)
# Put before every queue a task names for itself; `make run` sets it to its checkout's name.
TASK_QUEUE_PREFIX = ""
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Every periodic job lives here; django-celery-beat mirrors it into admin (Periodic tasks).
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "config.tasks.heartbeat", "schedule": 30.0},
    "stripe-events-sweep": {"task": "subscriptions.stripe_events_sweep", "schedule": 60.0},
    "outbox-sweep": {"task": "subscriptions.outbox_sweep", "schedule": 60.0},
    # Appeal test impressions and form starts, from Redis counters into the database.
    "appeal-counts-flush": {"task": "newsroom.appeal_counts_flush", "schedule": 60.0},
    # The campaign goal's figure on the appeal, fresh within a minute (newsroom/goals.py).
    "goal-progress-refresh": {"task": "newsroom.goal_progress_refresh", "schedule": 60.0},
    "stripe-event-payloads-prune": {
        "task": "subscriptions.stripe_event_payloads_prune",
        "schedule": crontab(hour=3, minute=30),
    },
    "card-expiry-scan": {
        "task": "subscriptions.card_expiry_scan",
        "schedule": crontab(hour=8, minute=0),
    },
    "win-back-scan": {
        "task": "subscriptions.win_back_scan",
        "schedule": crontab(hour=10, minute=0),
    },
    "payouts-reconcile": {
        "task": "subscriptions.payouts_reconcile_pending",
        "schedule": crontab(hour=7, minute=0),
    },
    "ledger-nightly": {
        "task": "subscriptions.ledger_nightly",
        "schedule": crontab(hour=6, minute=30),
    },
    "stripe-report-compare": {
        "task": "subscriptions.stripe_report_comparison_daily",
        "schedule": crontab(hour=7, minute=30),
    },
    "report-exports-prune": {
        "task": "subscriptions.report_exports_prune",
        "schedule": crontab(hour=4, minute=0),
    },
    "year-end-statements": {
        "task": "subscriptions.year_end_statements_send",
        "schedule": crontab(month_of_year=1, day_of_month=5, hour=9, minute=0),
    },
}
# A worker sending one email claims up to this many due ones and sends them on one
# connection (subscriptions/services/outbox.py).
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=50)

# The currency the Stripe account settles in: what finance reports default to.
STRIPE_SETTLEMENT_CURRENCY = env.str("STRIPE_SETTLEMENT_CURRENCY", default="eur").lower()
# Exports with more rows than this are written by a worker (progress bar, kept 7 days).
FINANCE_BACKGROUND_EXPORT_ROWS = env.int("FINANCE_BACKGROUND_EXPORT_ROWS", default=50_000)
# Finance's journal: the account code each kind of money is booked to (README "For
# finance"); FINANCE_ACCOUNTS="donations_once=4010,card_fees=6810" overrides any of them.
FINANCE_ACCOUNTS = {
    "stripe_balance": "1210",
    "payouts_to_bank": "1200",
    "donations_recurring": "4000",
    "donations_once": "4010",
    "refunds": "4090",
    "card_fees": "6810",
    "disputes": "6820",
    "other": "6990",
} | env.dict("FINANCE_ACCOUNTS", default={})

# A worker is "alive" for /healthz when its heartbeat is younger than this.
WORKER_HEARTBEAT_MAX_AGE = 90

# Every line passes config.logfilters.RedactFilter: no email address, query string or
# token-looking path segment reaches a log (runserver's request lines included).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "config.logfilters.RedactFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The SDK logs every request at INFO; its errors reach us as exceptions anyway.
        "stripe": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; the audit log records them all anyway.
        "axes": {"level": "WARNING"},
        # Django's default handlers for these would write (or mail) request lines unfiltered.
        "django": {"level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
