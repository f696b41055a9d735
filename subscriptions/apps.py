from collections.abc import Callable

from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Supporters and contributions"

    def ready(self) -> None:
        from anymail.signals import tracking

        from .receivers import email_tracking_received

        tracking.connect(email_tracking_received, dispatch_uid="subscriptions.email_tracking")
        self._connect_staff_signals()
        self._connect_care_summary()

    def _connect_care_summary(self) -> None:
        from django.db.models.signals import post_save

        from .models import Contribution, Payment
        from .reader_state import reader_state_on_save
        from .services.care_records import summary_on_save

        for model in (Contribution, Payment):
            post_save.connect(
                summary_on_save, sender=model, dispatch_uid=f"care.summary.{model.__name__}"
            )
            # After the summary: the reader's state is read from it.
            post_save.connect(
                reader_state_on_save, sender=model, dispatch_uid=f"reader.state.{model.__name__}"
            )

    def _connect_staff_signals(self) -> None:
        from django.contrib.auth import get_user_model, signals
        from django.contrib.auth.models import Group
        from django.db.models import Model
        from django.db.models.signals import (
            ModelSignal,
            m2m_changed,
            post_delete,
            post_migrate,
            post_save,
            pre_delete,
            pre_save,
        )
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from . import audit_receivers as audit
        from .middleware import staff_session_start
        from .roles import roles_recreate_missing

        user = get_user_model()
        receivers: list[tuple[ModelSignal, Callable[..., None], type[Model]]] = [
            (pre_save, audit.user_pre_save, user),
            (post_save, audit.user_post_save, user),
            (post_delete, audit.user_post_delete, user),
            (pre_save, audit.group_pre_save, Group),
            (post_save, audit.group_post_save, Group),
            (pre_delete, audit.group_pre_delete, Group),
            (post_delete, audit.group_post_delete, Group),
            (post_delete, audit.device_post_delete, TOTPDevice),
            (post_delete, audit.device_post_delete, StaticDevice),
        ]
        for signal, receiver, sender in receivers:
            uid = f"audit.{receiver.__name__}.{sender.__name__}"
            signal.connect(receiver, sender=sender, dispatch_uid=uid)
        m2m_changed.connect(audit.m2m_changed_audit, dispatch_uid="audit.m2m_changed")
        signals.user_logged_in.connect(staff_session_start, dispatch_uid="staff.session_start")
        signals.user_logged_in.connect(audit.user_signed_in, dispatch_uid="audit.signed_in")
        signals.user_logged_out.connect(audit.user_signed_out, dispatch_uid="audit.signed_out")
        signals.user_login_failed.connect(
            audit.user_sign_in_failed, dispatch_uid="audit.sign_in_failed"
        )
        post_migrate.connect(roles_recreate_missing, sender=self, dispatch_uid="roles.recreate")
