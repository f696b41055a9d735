from django.db import migrations, models


def fill_settlement(apps, schema_editor):
    """Before this, every payment settled in its own currency; payouts were itemized when
    paid, so they count as reconciled then."""
    Payment = apps.get_model("subscriptions", "Payment")
    Payment.objects.update(
        settled_amount=models.F("amount"), settlement_currency=models.F("currency")
    )
    Payout = apps.get_model("subscriptions", "Payout")
    Payout.objects.update(reconciliation_status="completed", reconciled_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0007_staff_roles"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="payment", name="payment_net_is_gross_less_fee"),
        migrations.AddField(
            model_name="payment",
            name="settled_amount",
            field=models.PositiveIntegerField(
                null=True,
                help_text="The gross the newsroom received, in minor units of the settlement currency.",
            ),
        ),
        migrations.AddField(
            model_name="payment",
            name="settlement_currency",
            field=models.CharField(max_length=3, default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="payment",
            name="exchange_rate",
            field=models.DecimalField(blank=True, decimal_places=9, max_digits=18, null=True),
        ),
        migrations.AlterField(
            model_name="payment",
            name="amount",
            field=models.PositiveIntegerField(help_text="What the supporter paid, in minor units."),
        ),
        migrations.AddField(
            model_name="balancetransaction",
            name="exchange_rate",
            field=models.DecimalField(blank=True, decimal_places=9, max_digits=18, null=True),
        ),
        migrations.AddField(
            model_name="balancetransaction",
            name="description",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="payout",
            name="automatic",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="payout",
            name="reconciliation_status",
            field=models.CharField(
                choices=[
                    ("in_progress", "In progress"),
                    ("completed", "Completed"),
                    ("not_applicable", "Not itemizable (manual payout)"),
                ],
                default="in_progress",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="payout",
            name="reconciled_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="payout",
            name="failure_code",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="payout",
            name="failure_message",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(fill_settlement, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="payment",
            name="settled_amount",
            field=models.PositiveIntegerField(
                help_text="The gross the newsroom received, in minor units of the settlement currency."
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(net=models.F("settled_amount") - models.F("fee")),
                name="payment_net_is_settled_gross_less_fee",
            ),
        ),
    ]
