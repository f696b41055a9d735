"""Staff sessions: who is acting (for the audit log), and an absolute 8-hour limit; and
Stripe's webhooks past the middleware they do not need."""

import time
from functools import cached_property

from django.conf import settings
from django.contrib.auth import logout
from django.urls import reverse

from .services.audit import audit_request_bind
from .views.webhooks import stripe_webhook

SIGNED_IN_AT_SESSION_KEY = "staff_signed_in_at"


def staff_session_start(sender, request, user, **kwargs) -> None:
    """user_logged_in: the session's clock starts at sign-in, not at the last request."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT_SESSION_KEY] = int(time.time())


class StaffSessionMiddleware:
    """Sign out a session STAFF_SESSION_MAX_AGE seconds after its sign-in, however busy.

    SESSION_COOKIE_AGE alone would not do: every change to the session pushes its
    expiry back, so an active session could live for ever.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT_SESSION_KEY, 0)
            if time.time() - signed_in_at > settings.STAFF_SESSION_MAX_AGE:
                request.staff_sign_out_reason = (
                    f"Session ended {settings.STAFF_SESSION_MAX_AGE // 3600} hours after sign-in."
                )
                logout(request)
        return self.get_response(request)


class AuditRequestMiddleware:
    """Let audit entries written during this request name its user and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        unbind = audit_request_bind(request)
        try:
            return self.get_response(request)
        finally:
            unbind()


class StripeWebhookMiddleware:
    """Hand `/stripe/webhook/` to its view at once; place it right after SecurityMiddleware.

    Stripe sends no cookie and reads nothing but the status and the body: what sits below
    (page cache, sessions, CSRF, which the view is exempt from anyway, authentication,
    second factor, audit, messages, lockouts, CSP and framing headers, URL resolution) has
    nothing to do for it and cost a webhook a fifth of its CPU. The view keeps its own
    checks: POST only, size, signature.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def path(self) -> str:
        return reverse("subscriptions:stripe_webhook")

    def __call__(self, request):
        if request.path_info == self.path:
            return stripe_webhook(request)
        return self.get_response(request)
