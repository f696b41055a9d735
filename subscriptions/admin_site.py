"""The admin site staff sign in to: password, then a code from their authenticator app.

With STAFF_REQUIRE_2FA (production), a staff session opens admin pages only once a
TOTP or recovery code was checked; a staff member without a device is sent to set one
up first. Locally the demo login works with a password alone.
"""

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django_otp import match_token, user_has_device

from .alerts import operator_alerts

WRONG_CODE = (
    "That code did not work. Enter the 6-digit code your authenticator app shows now, "
    "or one of your unused recovery codes."
)


class StaffAuthenticationForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        label="Code",
        required=False,
        max_length=16,
        help_text="From your authenticator app, or a recovery code.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and user_has_device(user):
            token = "".join(cleaned.get("otp_token", "").split())
            device = match_token(user, token) if token else None
            if device is None:
                # Counted like a wrong password: django-axes throttles code guessing too.
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": user.get_username(), "failure": WRONG_CODE},
                    request=self.request,
                )
                raise ValidationError(WRONG_CODE, code="invalid_otp")
            # django_otp marks the session verified when login() sees this attribute.
            user.otp_device = device  # type: ignore[attr-defined]  # django_otp's, not a field
        return cleaned


def staff_is_verified(user) -> bool:
    """This session's sign-in was confirmed with a code (OTPMiddleware or django_otp.login
    set `otp_device`; right after login() the plain user object carries it too)."""
    return getattr(user, "otp_device", None) is not None


def staff_needs_enrolment(request) -> bool:
    """A signed-in staff member who must, and can only, set up a second factor now."""
    user = request.user
    return (
        settings.STAFF_REQUIRE_2FA
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and not staff_is_verified(user)
        and not user_has_device(user)
    )


def _needing_change(action: Callable[..., Any]) -> Callable[..., Any]:
    """An action that declared no permissions= (some apps' own) needs the change one:
    without it, anyone who may only view the list could run it."""

    @functools.wraps(action)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        return action(*args, **kwargs)

    return admin.action(permissions=["change"])(guarded)


class ActionsDeclarePermissions:
    """Every admin action on our site requires a permission, ours and other apps' alike."""

    def _get_base_actions(self) -> list[tuple[Callable[..., Any], str, str]]:
        return [
            (
                func if getattr(func, "allowed_permissions", None) else _needing_change(func),
                name,
                description,
            )
            for func, name, description in super()._get_base_actions()  # type: ignore[misc]
        ]


class StaffAdminSite(admin.AdminSite):
    login_form = StaffAuthenticationForm
    login_template = "admin/staff_login.html"
    index_template = "admin/dashboard_index.html"

    def index(self, request, extra_context=None):
        """The admin index, with finance's dashboard for those who may see reports."""
        from .reports.dashboard import dashboard_figures

        extra_context = dict(extra_context or {})
        if request.user.has_perm("subscriptions.view_reports"):
            extra_context["dashboard"] = dashboard_figures()
        return super().index(request, extra_context)

    def each_context(self, request):
        context = super().each_context(request)
        # Counted only where the banner is drawn (admin/base_site.html), for staff.
        context["operator_alerts"] = SimpleLazyObject(operator_alerts)
        return context

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        base = admin_class or admin.ModelAdmin
        guarded = type(
            base.__name__, (ActionsDeclarePermissions, base), {"__module__": base.__module__}
        )
        super().register(model_or_iterable, guarded, **options)

    def get_urls(self):
        from django.urls import path

        from . import admin_reports

        def view(function):
            return self.admin_view(lambda request, **kwargs: function(request, self, **kwargs))

        return [
            path("reports/", view(admin_reports.reports_page), name="reports"),
            path(
                "reports/download/", view(admin_reports.reports_download), name="reports_download"
            ),
            path(
                "reports/exports/<int:pk>/",
                view(admin_reports.reports_export_file),
                name="reports_export_file",
            ),
            path("reports/close/", view(admin_reports.reports_close_month), name="reports_close"),
            path(
                "reports/compare/",
                view(admin_reports.reports_compare_with_stripe),
                name="reports_compare",
            ),
            *super().get_urls(),
        ]

    def has_permission(self, request) -> bool:
        if not super().has_permission(request):
            return False
        return not settings.STAFF_REQUIRE_2FA or staff_is_verified(request.user)

    def login(self, request, extra_context=None):
        if request.method == "GET" and staff_needs_enrolment(request):
            return redirect("staff_two_factor_setup")
        response = super().login(request, extra_context)
        signed_in = request.method == "POST" and response.status_code == 302
        if signed_in and staff_needs_enrolment(request):
            return redirect("staff_two_factor_setup")
        return response
