"""Staff roles by job: each group holds exactly the permissions that job needs.

The groups are created by migration 0004 and recreated, if missing, after every
`migrate`; a group that exists is left as an administrator last saved it.
"""

from django.apps import apps as global_apps
from django.conf import settings

SUPPORTER_CARE = "Supporter care"
FINANCE = "Finance"
AUDITOR = "Auditor"

# Every model a role may read, as "app_label.model".
_MONEY_MODELS = [
    "subscriptions.supporter",
    "subscriptions.contribution",
    "subscriptions.payment",
    "subscriptions.payout",
    "subscriptions.balancetransaction",
    "subscriptions.receiptcounter",
    "subscriptions.stripeevent",
    "subscriptions.outboxemail",
    "subscriptions.refundrequest",
    "subscriptions.possibleduplicate",
    "subscriptions.contributionchange",
]


def _view(models: list[str]) -> list[str]:
    return [f"{model.split('.')[0]}.view_{model.split('.')[1]}" for model in models]


ROLE_PERMISSIONS: dict[str, list[str]] = {
    SUPPORTER_CARE: [
        *_view(
            [
                "subscriptions.supporter",
                "subscriptions.contribution",
                "subscriptions.payment",
                "subscriptions.outboxemail",
                "subscriptions.stripeevent",
                "subscriptions.refundrequest",
                "subscriptions.possibleduplicate",
                "subscriptions.contributionchange",
            ]
        ),
        "subscriptions.resolve_duplicate",
        "subscriptions.resend_receipt",
        "subscriptions.send_manage_link",
        # Privacy requests: a supporter's data exported, or the supporter erased.
        "subscriptions.export_supporter_data",
        "subscriptions.erase_supporter",
        "subscriptions.sign_out_supporter",
        # Added by migration 0018 (languages), which gives it to the group.
        "subscriptions.change_supporter_language",
        "subscriptions.cancel_contribution",
        "subscriptions.pause_contribution",
        "subscriptions.change_amount",
        # Up to CARE_REFUND_LIMIT; above it, someone from Finance approves.
        "subscriptions.refund_payment",
    ],
    FINANCE: [
        *_view(_MONEY_MODELS),
        "subscriptions.refund_payment",
        "subscriptions.refund_payment_any_amount",
        "subscriptions.approve_refund",
        "subscriptions.resolve_duplicate",
        "subscriptions.view_reports",
        "subscriptions.export_reports",
        # Added by migration 0016 (finance reports), which gives them to the group.
        "subscriptions.close_month",
        "subscriptions.view_monthclose",
    ],
    AUDITOR: [
        *_view(_MONEY_MODELS),
        "subscriptions.view_auditentry",
        "subscriptions.view_reports",
        "auth.view_user",
        "auth.view_group",
    ],
}


def roles_ensure(*, apps, only_missing: bool, skip_later: bool = False) -> None:
    """Give each role's group exactly its permissions (all groups, or only missing ones).

    `apps` is a migration's app registry or the live one; permissions must exist already,
    except those no model declares yet in `apps`, and with `skip_later` any missing one: an
    early migration skips those a later migration adds (and gives to the role itself).
    """
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, perms in ROLE_PERMISSIONS.items():
        if only_missing and group_model.objects.filter(name=name).exists():
            continue
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            try:
                wanted.append(
                    permission_model.objects.get(
                        content_type__app_label=app_label, codename=codename
                    )
                )
            except permission_model.DoesNotExist:
                if skip_later or codename not in _declared_codenames(apps, app_label):
                    continue  # a later migration adds it (and gives it to the role then)
                raise LookupError(f"Role {name!r} needs {perm}, which does not exist.") from None
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set(wanted)


def _declared_codenames(apps, app_label: str) -> set[str]:
    """Every permission the models of `app_label` declare in this (migration) state."""
    codenames: set[str] = set()
    for model in apps.get_app_config(app_label).get_models():
        meta = model._meta
        codenames |= {f"{action}_{meta.model_name}" for action in meta.default_permissions}
        codenames |= {codename for codename, _ in meta.permissions}
    return codenames


def roles_recreate_missing(sender, apps=global_apps, plan=None, **kwargs) -> None:
    """post_migrate: a flushed or hand-emptied database gets its roles back.

    Not after migrating backwards: unapplying migration 0005 removes the roles on purpose.
    """
    if any(backwards for _, backwards in plan or []):
        return
    # By label: the live registry's is_installed() wants "django.contrib.auth", a
    # migration state's wants "auth"; get_app_config() takes the label in both.
    try:
        apps.get_app_config("auth")
        apps.get_app_config("subscriptions")
    except LookupError:
        return
    roles_ensure(apps=apps, only_missing=True)


def care_refund_limit(*, currency: str) -> int:
    """The largest refund, in minor units, that Supporter care may make alone.

    A currency missing from CARE_REFUND_LIMIT has a limit of 0: Finance refunds it.
    """
    return settings.CARE_REFUND_LIMIT.get(currency.lower(), 0)
