"""A strict Content-Security-Policy: no inline scripts anywhere on the site."""

from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"
STRIPE_BILLING_ORIGIN = "https://billing.stripe.com"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@lru_cache(maxsize=8)
def _policy(*, admin: bool, stripe_api_base: str) -> str:
    # The appeal form answers with a redirect to Stripe's hosted pages (or the sandbox's),
    # and browsers apply form-action to that redirect too.
    payment_origins = [STRIPE_CHECKOUT_ORIGIN, STRIPE_BILLING_ORIGIN]
    if stripe_api_base:
        payment_origins.append(_origin(stripe_api_base))
    # Django's admin widgets set a few style attributes; the public site sets none.
    style = "'self' 'unsafe-inline'" if admin else "'self'"
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": style,
        "img-src": "'self' data:",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'none'",
        "form-action": " ".join(["'self'", *payment_origins]),
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def build_policy(*, admin: bool) -> str:
    return _policy(admin=admin, stripe_api_base=settings.STRIPE_API_BASE)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = build_policy(admin=request.path.startswith("/admin/"))
        response.setdefault("Content-Security-Policy", policy)
        return response
