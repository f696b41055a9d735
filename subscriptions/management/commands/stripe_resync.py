import getpass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from subscriptions.services.resync import ResyncReport, stripe_resync
from subscriptions.stripe_gateway import GatewayError


def _moment(text: str, *, option: str) -> datetime:
    """A day (its start in NEWSROOM_TIME_ZONE) or an ISO date and time (UTC if no offset)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time(), tzinfo=ZoneInfo(settings.NEWSROOM_TIME_ZONE))
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{option} {text!r} is not a date: write YYYY-MM-DD, or YYYY-MM-DDTHH:MM+00:00."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


class Command(BaseCommand):
    help = (
        "Re-read from Stripe what it created in [start, end) (and every plan we think is "
        "running) and repair our records through the webhook handlers. A dry run (the "
        "default) shows the differences and changes nothing; --apply makes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="First day, YYYY-MM-DD (local).")
        parser.add_argument("--end", required=True, help="Day after the last, YYYY-MM-DD.")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", help="Show, change nothing.")
        mode.add_argument("--apply", action="store_true", help="Make the repairs.")
        parser.add_argument(
            "--hold-emails",
            action="store_true",
            help="Queue no email: keep each as failed, to send from admin (after a restore).",
        )

    def handle(self, *args, start, end, apply, hold_emails, verbosity, **options):
        start_at = _moment(start, option="--start")
        end_at = _moment(end, option="--end")
        if end_at <= start_at:
            raise CommandError("--end must be after --start (the end day is not included).")
        try:
            report = stripe_resync(
                start=start_at,
                end=end_at,
                apply=apply,
                hold_emails=hold_emails,
                actor_username=f"{getpass.getuser()} (stripe_resync)",
            )
        except GatewayError as error:
            raise CommandError(
                f"Stripe could not be read ({error}); nothing was changed. Try again later."
            ) from None
        self.stdout.write(report_text(report, rows=verbosity >= 2))
        if report.errors:
            raise CommandError(f"{len(report.errors)} object(s) could not be applied (above).")


def report_text(report: ResyncReport, *, rows: bool = False) -> str:
    verb = ("Created", "Changed") if report.applied else ("Would create", "Would change")
    lines = [
        f"Stripe resync of {report.start:%Y-%m-%d %H:%M %Z} to {report.end:%Y-%m-%d %H:%M %Z}"
        + ("" if report.applied else " (dry run: nothing was changed)"),
        "Read from Stripe: "
        + ", ".join(f"{count} {kind}" for kind, count in sorted(report.listed.items())),
    ]
    created = report.created()
    lines.append(f"{verb[0]}: {'nothing' if not created else ''}".rstrip())
    for model, count in sorted(created.items()):
        lines.append(f"  {model}: {count}")
    if emails := report.emails():
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(emails.items()))
        held = f", held (not sent): {report.emails_held}" if report.emails_held else ""
        lines.append(f"  of which emails to send: {kinds}{held}")
    changed = report.changed()
    lines.append(f"{verb[1]}: {'nothing' if not changed else ''}".rstrip())
    rows_changed = report.changed_rows()
    for model, fields in sorted(changed.items()):
        detail = ", ".join(f"{name} {count}" for name, count in sorted(fields.items()))
        lines.append(f"  {model}: {rows_changed[model]} ({detail})")
    if rows:
        for change in report.changes:
            what = "new" if change.created else "changed " + ", ".join(change.fields)
            lines.append(f"    {change.model} {change.label}: {what}")
    lines += [f"Note: {note}" for note in report.notes]
    lines += [f"Error: {error}" for error in report.errors]
    if not report.applied and report.changes:
        lines.append("Run again with --apply to make these changes.")
    return "\n".join(lines)
