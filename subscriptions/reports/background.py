"""Large exports run on a worker: a ReportExport row tracks the progress the admin shows,
and its file is kept for a week (beat's `report-exports-prune` deletes older ones)."""

import tempfile
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from subscriptions.models import ReportExport, ReportExportStatus

from .exports import report_build, report_filename, report_size, report_write
from .ledger import Period

KEEP_DAYS = 7


def background_above_rows() -> int:
    """Above this many rows the admin hands an export to a worker instead of streaming it."""
    return int(settings.FINANCE_BACKGROUND_EXPORT_ROWS)


def report_export_request(
    *, report: str, period: Period, file_format: str, user: Any
) -> ReportExport:
    from subscriptions import tasks

    export = ReportExport.objects.create(
        report=report,
        file_format=file_format,
        start=period.start,
        end=period.end,
        currency=period.currency,
        rows_total=report_size(report, period),
        requested_by=user,
    )
    transaction.on_commit(lambda: tasks.report_export_run.delay(export.pk))
    return export


def report_export_run(*, export_id: int) -> str:
    """Write the export's file; safe to run twice (a finished export is left alone)."""
    with transaction.atomic():
        export = ReportExport.objects.select_for_update().get(pk=export_id)
        if export.status in (ReportExportStatus.DONE, ReportExportStatus.RUNNING):
            return export.status
        export.status = ReportExportStatus.RUNNING
        export.save(update_fields=["status"])
    period = Period(start=export.start, end=export.end, currency=export.currency)

    def progress(rows_done: int) -> None:
        ReportExport.objects.filter(pk=export.pk).update(rows_done=rows_done)

    try:
        report = report_build(export.report, period)
        with tempfile.TemporaryFile() as scratch:
            report_write(report, scratch, export.file_format, progress=progress)
            scratch.seek(0)
            name = report_filename(export.report, period, export.file_format)
            export.file.save(name, File(scratch), save=False)
    except Exception as error:
        ReportExport.objects.filter(pk=export.pk).update(
            status=ReportExportStatus.FAILED, error=str(error), finished_at=timezone.now()
        )
        raise
    export.status = ReportExportStatus.DONE
    export.finished_at = timezone.now()
    export.rows_done = max(export.rows_total, 0)
    export.save(update_fields=["file", "status", "finished_at", "rows_done"])
    return export.status


def report_exports_prune() -> int:
    """Delete exports (and their files) older than a week; answer how many."""
    old = ReportExport.objects.filter(created_at__lt=timezone.now() - timedelta(days=KEEP_DAYS))
    count = 0
    for export in old.iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        count += 1
    return count
