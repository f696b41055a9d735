"""What a block of code changed in our records: every row it created, and every row it
saved with a value that differs from the stored one (a save that writes the same values
is no change). Used by `stripe_resync` to show, before anything is kept, what it would do.

Only `Model.save()` is seen (signals); `QuerySet.update()` is not, which leaves out only
derived columns (a supporter's summary, counters), whose source rows are seen.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models.signals import post_save, pre_save

# Written on every save whatever changed: not a difference.
VOLATILE_FIELDS = frozenset({"updated_at", "stripe_synced_at"})
# Identify a row in a report without naming a person (donor safety: no email, no name).
LABEL_FIELDS = (
    "stripe_charge_id",
    "stripe_subscription_id",
    "stripe_payout_id",
    "stripe_id",
    "public_id",
)


@dataclass(frozen=True)
class RowChange:
    model: str
    label: str
    created: bool
    fields: tuple[str, ...] = ()
    pk: Any = None


@dataclass
class ChangeLog:
    app_label: str
    ignored: frozenset[str]
    changes: list[RowChange] = field(default_factory=list)
    _pending: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def watches(self, sender: type[models.Model]) -> bool:
        meta = sender._meta
        return meta.app_label == self.app_label and meta.model_name not in self.ignored

    def before_save(
        self, sender: type[models.Model], instance: models.Model, **kwargs: Any
    ) -> None:
        if not self.watches(sender) or instance._state.adding or instance.pk is None:
            return
        update_fields = kwargs.get("update_fields")
        names = [
            f.attname
            for f in sender._meta.concrete_fields
            if f.attname not in VOLATILE_FIELDS
            and not getattr(f, "auto_now", False)
            and (update_fields is None or f.name in update_fields or f.attname in update_fields)
        ]
        stored = sender._base_manager.filter(pk=instance.pk).values(*names).first()
        if stored is None:
            return  # saved with a pk that is not stored: post_save sees it created
        differs = tuple(name for name in names if stored[name] != getattr(instance, name))
        self._pending[id(instance)] = differs

    def after_save(
        self, sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
    ) -> None:
        if not self.watches(sender):
            return
        differs = self._pending.pop(id(instance), ())
        if created or differs:
            self.changes.append(
                RowChange(
                    model=str(sender._meta.verbose_name_plural),
                    label=row_label(instance),
                    created=created,
                    fields=() if created else differs,
                    pk=instance.pk,
                )
            )


def row_label(instance: models.Model) -> str:
    for name in LABEL_FIELDS:
        if value := getattr(instance, name, None):
            return str(value)
    if kind := getattr(instance, "kind", None):
        return f"{kind} to supporter {getattr(instance, 'supporter_id', '?')}"
    return f"#{instance.pk}"


@contextmanager
def changes_recorded(*, app_label: str, ignored: tuple[str, ...] = ()) -> Iterator[ChangeLog]:
    """Record the rows of `app_label` created or changed inside the block."""
    log = ChangeLog(app_label=app_label, ignored=frozenset(ignored))
    pre_save.connect(log.before_save, weak=False)
    post_save.connect(log.after_save, weak=False)
    try:
        yield log
    finally:
        pre_save.disconnect(log.before_save)
        post_save.disconnect(log.after_save)
