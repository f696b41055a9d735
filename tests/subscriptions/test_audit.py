"""The audit log records every change to staff, and nothing can rewrite it; the roles."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from subscriptions.models import AuditAction, AuditEntry
from subscriptions.roles import care_refund_limit
from subscriptions.services.audit import audit_record
from tests.factories import PaymentFactory
from tests.staff import staff_member

pytestmark = pytest.mark.django_db


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


@pytest.fixture
def entry():
    return audit_record(actor=None, action="payment.refund", target=None, reason="Duplicate")


def test_postgresql_refuses_a_raw_update_of_an_audit_entry(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE subscriptions_auditentry SET reason = 'nothing happened' WHERE id = %s",
            [entry.pk],
        )
    entry.refresh_from_db()
    assert entry.reason == "Duplicate"


def test_postgresql_refuses_a_raw_delete_of_an_audit_entry(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM subscriptions_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_orm_refuses_to_change_or_delete_entries_too(entry):
    entry.reason = "changed"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="changed")
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == "Duplicate"


def test_an_entry_about_a_payment_lands_on_its_supporters_timeline_with_the_address(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    payment = PaymentFactory()
    staff = User.objects.create_user("care1", password="x", is_staff=True)
    request = rf.post("/", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7")
    request.user = staff

    recorded = audit_record(
        actor=None,
        action="payment.refund",
        target=payment,
        reason="Gave twice by mistake",
        before={"amount_refunded": 0},
        after={"amount_refunded": 500},
        request=request,
    )

    assert list(payment.supporter.audit_entries.all()) == [recorded]
    recorded.refresh_from_db()
    assert recorded.actor_username == "care1"
    assert recorded.ip_address == "203.0.113.7"
    assert recorded.target_label == payment.stripe_charge_id
    assert recorded.after == {"amount_refunded": 500}


def test_the_audit_log_in_admin_is_read_only_even_for_a_superuser(admin_client, entry):
    listing = admin_client.get("/admin/subscriptions/auditentry/")
    detail = admin_client.get(f"/admin/subscriptions/auditentry/{entry.pk}/change/")

    assert listing.status_code == 200
    assert "Duplicate" in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert admin_client.get("/admin/subscriptions/auditentry/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/subscriptions/auditentry/{entry.pk}/delete/").status_code == 403
    )
    response = admin_client.post(
        f"/admin/subscriptions/auditentry/{entry.pk}/change/", {"reason": "rewritten"}
    )
    assert response.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).reason == "Duplicate"


def test_the_audit_log_filters_by_action_actor_and_date(admin_client, entry):
    User.objects.create_user("newcomer", password="x", is_staff=True)

    by_action = admin_client.get(
        "/admin/subscriptions/auditentry/", {"action": AuditAction.USER_CREATED}
    ).content.decode()
    by_actor = admin_client.get(
        "/admin/subscriptions/auditentry/", {"actor_username": "nobody-here"}
    ).content.decode()
    by_date = admin_client.get(
        "/admin/subscriptions/auditentry/", {"created_at__year": entry.created_at.year}
    )

    assert "newcomer" in by_action
    assert "Duplicate" not in by_action
    assert "newcomer" not in by_actor
    assert by_date.status_code == 200
    assert "Duplicate" in by_date.content.decode()


def test_creating_a_staff_account_in_admin_is_recorded_with_who_and_where(admin_client, admin_user):
    admin_client.post(
        "/admin/auth/user/add/",
        {"username": "newcare", "password1": "a-Long-pass-123", "password2": "a-Long-pass-123"},
        REMOTE_ADDR="192.0.2.44",
    )

    [created] = [e for e in entries(AuditAction.USER_CREATED) if e.target_label == "newcare"]
    assert created.actor_username == admin_user.username
    assert created.ip_address == "192.0.2.44"
    assert created.after["is_staff"] is False


def test_group_membership_and_staff_flag_changes_are_recorded_before_and_after(admin_client):
    care = Group.objects.get(name="Supporter care")
    user = User.objects.create_user("maria", password="x", email="m@example.org")

    admin_client.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": "maria",
            "email": "m@example.org",
            "is_active": "on",
            "is_staff": "on",
            "groups": [care.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )

    [groups] = entries(AuditAction.GROUPS_CHANGED)
    assert groups.before == {"groups": []}
    assert groups.after == {"groups": ["Supporter care"]}
    [changed] = entries(AuditAction.USER_CHANGED)
    assert changed.before == {"is_staff": False}
    assert changed.after == {"is_staff": True}


def test_removing_members_from_the_group_side_is_recorded_per_member():
    finance = Group.objects.get(name="Finance")
    ann = User.objects.create_user("ann")
    bob = User.objects.create_user("bob")
    finance.user_set.add(ann, bob)

    finance.user_set.clear()

    removed = [e for e in entries(AuditAction.GROUPS_CHANGED) if e.after == {"groups": []}]
    assert sorted(e.target_label for e in removed) == ["ann", "bob"]
    assert all(e.before == {"groups": ["Finance"]} for e in removed)


def test_a_password_change_is_recorded_without_the_password():
    user = User.objects.create_user("pat", password="first-Secret-1")
    user.set_password("second-Secret-2")
    user.save()

    [entry] = entries(AuditAction.PASSWORD_CHANGED)
    assert entry.target_label == "pat"
    assert "pbkdf2" not in str(entry.before) + str(entry.after)
    assert "md5" not in str(entry.before) + str(entry.after)
    assert not entries(AuditAction.USER_CHANGED)


def test_a_sign_in_only_updating_last_login_is_not_a_change_of_the_account(client):
    User.objects.create_user("lee", password="pw-Lee-12345", is_staff=True)

    client.post("/admin/login/", {"username": "lee", "password": "pw-Lee-12345"})

    assert len(entries(AuditAction.SIGNED_IN)) == 1
    assert not entries(AuditAction.USER_CHANGED)


def test_deleting_an_account_and_changing_permissions_are_recorded():
    user = User.objects.create_user("gone", is_staff=True)
    group = Group.objects.create(name="Temps")
    perm = Permission.objects.get(codename="view_supporter")
    group.permissions.add(perm)
    user.user_permissions.add(perm)
    user.delete()
    group.delete()

    assert entries(AuditAction.USER_DELETED)[0].before["username"] == "gone"
    assert entries(AuditAction.PERMISSIONS_CHANGED)[0].after == {
        "user_permissions": ["subscriptions.view_supporter"]
    }
    assert entries(AuditAction.GROUP_PERMISSIONS_CHANGED)[0].after == {
        "permissions": ["subscriptions.view_supporter"]
    }
    assert entries(AuditAction.GROUP_DELETED)[0].before == {
        "name": "Temps",
        "members": [],
        "permissions": ["subscriptions.view_supporter"],
    }


def _perms(name):
    group = Group.objects.get(name=name)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


MONEY_VIEWS = {
    "subscriptions.view_supporter",
    "subscriptions.view_contribution",
    "subscriptions.view_payment",
    "subscriptions.view_payout",
    "subscriptions.view_balancetransaction",
    "subscriptions.view_receiptcounter",
    "subscriptions.view_stripeevent",
    "subscriptions.view_outboxemail",
    "subscriptions.view_refundrequest",
    "subscriptions.view_possibleduplicate",
    "subscriptions.view_contributionchange",
}


def test_supporter_care_has_exactly_its_permissions():
    assert _perms("Supporter care") == {
        "subscriptions.view_supporter",
        "subscriptions.view_contribution",
        "subscriptions.view_payment",
        "subscriptions.view_outboxemail",
        "subscriptions.view_stripeevent",
        "subscriptions.view_refundrequest",
        "subscriptions.view_possibleduplicate",
        "subscriptions.view_contributionchange",
        "subscriptions.resolve_duplicate",
        "subscriptions.resend_receipt",
        "subscriptions.send_manage_link",
        "subscriptions.export_supporter_data",
        "subscriptions.erase_supporter",
        "subscriptions.sign_out_supporter",
        "subscriptions.change_supporter_language",
        "subscriptions.cancel_contribution",
        "subscriptions.pause_contribution",
        "subscriptions.change_amount",
        "subscriptions.refund_payment",
    }


def test_finance_has_exactly_its_permissions():
    assert _perms("Finance") == MONEY_VIEWS | {
        "subscriptions.refund_payment",
        "subscriptions.refund_payment_any_amount",
        "subscriptions.approve_refund",
        "subscriptions.resolve_duplicate",
        "subscriptions.view_reports",
        "subscriptions.export_reports",
        "subscriptions.close_month",
        "subscriptions.view_monthclose",
    }


def test_the_auditor_has_exactly_view_permissions_audit_log_included():
    assert _perms("Auditor") == MONEY_VIEWS | {
        "subscriptions.view_auditentry",
        "subscriptions.view_reports",
        "auth.view_user",
        "auth.view_group",
    }


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("Supporter care", "/admin/subscriptions/supporter/", 200),
        ("Supporter care", "/admin/subscriptions/payout/", 403),
        ("Supporter care", "/admin/subscriptions/auditentry/", 403),
        ("Finance", "/admin/subscriptions/payout/", 200),
        ("Finance", "/admin/subscriptions/auditentry/", 403),
        ("Auditor", "/admin/subscriptions/auditentry/", 200),
        ("Auditor", "/admin/auth/user/", 200),
        ("Auditor", "/admin/auth/user/add/", 403),
    ],
)
def test_each_role_sees_its_pages_in_admin_and_no_others(client, role, url, status):
    client.force_login(staff_member(username=f"member-{role}", password="pw-Role-2026", role=role))

    assert client.get(url).status_code == status


def test_care_refund_limit_is_per_currency_in_minor_units(settings):
    settings.CARE_REFUND_LIMIT = {"eur": 10000, "gbp": 5000}

    assert care_refund_limit(currency="EUR") == 10000
    assert care_refund_limit(currency="gbp") == 5000
    assert care_refund_limit(currency="usd") == 0


def test_an_entry_about_a_supporter_names_them_by_id_never_by_email():
    payment = PaymentFactory()

    recorded = audit_record(action="supporter.manage_link", target=payment.supporter)

    assert recorded.target_label == f"Supporter {payment.supporter.pk}"
    assert payment.supporter.email not in str(recorded)
    assert recorded.supporter_id == payment.supporter.pk
