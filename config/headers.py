"""Security headers: the Content-Security-Policy (django-csp) and a Permissions-Policy.

The policy itself is in settings (CONTENT_SECURITY_POLICY); this middleware adds the two
parts that depend on the request or on settings that tests and `make run` change at run
time: the Stripe sandbox as a payment origin, and inline styles for Django's admin.
"""

from urllib.parse import urlsplit

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        update = dict(parts.update or {})
        # The appeal form answers with a redirect to Stripe's hosted pages (or the
        # sandbox's), and browsers apply form-action to that redirect too.
        if settings.STRIPE_API_BASE:
            update["form-action"] = [
                *update.get("form-action", []),
                _origin(settings.STRIPE_API_BASE),
            ]
        # Django's admin widgets set a few style attributes; the public site sets none.
        if request.path.startswith("/admin/"):
            update["style-src"] = [*update.get("style-src", []), UNSAFE_INLINE]
        parts.update = update
        return parts


class PermissionsPolicyMiddleware:
    """Deny every browser feature the site does not use (PERMISSIONS_POLICY_DENIED)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENIED)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response
