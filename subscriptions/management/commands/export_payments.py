import sys
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from subscriptions.reports.exports import FORMATS, REPORTS, report_build, report_write
from subscriptions.reports.ledger import Period


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date; write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Write a finance report for local days [start, end) in NEWSROOM_TIME_ZONE: the "
        "ledger (default), summary, payouts, supporters or journal, as CSV or XLSX."
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--end", required=True, help="Day after the last, YYYY-MM-DD.")
        parser.add_argument("--currency", default="", help="Settlement currency, e.g. eur.")
        parser.add_argument("--report", choices=REPORTS, default="ledger")
        parser.add_argument("--format", choices=FORMATS, default="csv", dest="file_format")
        parser.add_argument("--output", required=True, help="File to write ('-' for stdout).")

    def handle(self, *args, start, end, currency, report, file_format, output, **options):
        period = Period(
            start=_day(start),
            end=_day(end),
            currency=(currency or settings.STRIPE_SETTLEMENT_CURRENCY).lower(),
        )
        if period.end <= period.start:
            raise CommandError("--end must be after --start (the end day is not included).")
        built = report_build(report, period)
        if output == "-":
            report_write(built, sys.stdout.buffer, file_format)
            return
        with open(output, "wb") as out:
            report_write(built, out, file_format)
        self.stderr.write(f"Wrote the {report} for {start} to {end} to {output}.")
