"""Finance's Reports page in admin: download any report for a period and currency (large
ones are written by a worker), see payouts that do not tie out, close months."""

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from .models import MonthClose, ReportExport
from .models.reports import ReportExportStatus
from .reports.background import background_above_rows, report_export_request
from .reports.closing import MonthCloseRefused, month_close
from .reports.comparison import (
    stripe_report_comparison_latest,
    stripe_report_comparison_request,
    stripe_report_comparisons_waiting,
)
from .reports.exports import report_build, report_filename, report_size, report_write
from .reports.forms import MonthCloseForm, ReportForm, StripeComparisonForm
from .reports.tieout import payouts_not_tied_out
from .reports.writers import csv_lines
from .services.audit import audit_record

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _page(
    request: HttpRequest,
    admin_site: Any,
    form: ReportForm,
    compare_form: StripeComparisonForm | None = None,
) -> TemplateResponse:
    exports = list(ReportExport.objects.filter(requested_by=request.user.pk)[:10])
    comparisons_waiting = stripe_report_comparisons_waiting()
    context = {
        **admin_site.each_context(request),
        "title": "Reports",
        "form": form,
        "close_form": MonthCloseForm(initial={"currency": form["currency"].value()}),
        "mismatches": payouts_not_tied_out(),
        "closes": MonthClose.objects.all()[:24],
        "exports": exports,
        "comparison": stripe_report_comparison_latest(),
        "comparisons_waiting": comparisons_waiting,
        "compare_form": compare_form or StripeComparisonForm(),
        "refresh": bool(comparisons_waiting)
        or any(
            e.status in (ReportExportStatus.PENDING, ReportExportStatus.RUNNING) for e in exports
        ),
        "background_above": background_above_rows(),
        "can_export": request.user.has_perm("subscriptions.export_reports"),
        "can_close": request.user.has_perm("subscriptions.close_month"),
    }
    return TemplateResponse(request, "admin/reports.html", context)


def reports_page(request: HttpRequest, admin_site: Any) -> HttpResponse:
    if not request.user.has_perm("subscriptions.view_reports"):
        raise PermissionDenied
    return _page(request, admin_site, ReportForm())


@permission_required("subscriptions.export_reports", raise_exception=True)
def reports_download(request: HttpRequest, admin_site: Any) -> HttpResponseBase:
    form = ReportForm(request.GET)
    if not form.is_valid():
        return _page(request, admin_site, form)
    period, name = form.period(), form.cleaned_data["report"]
    file_format = form.cleaned_data["file_format"]
    audit_record(
        action="finance.report_exported",
        reason=f"{name} {period.currency} {period.start} to {period.end} ({file_format})",
        request=request,
    )
    if report_size(name, period) > background_above_rows():
        report_export_request(
            report=name, period=period, file_format=file_format, user=request.user
        )
        messages.info(
            request,
            "This export is large, so a worker is writing it: its progress shows below, "
            "with a download link when it is ready.",
        )
        return redirect("admin:reports")
    report = report_build(name, period)
    filename = report_filename(name, period, file_format)
    if file_format == "csv":
        response = StreamingHttpResponse(
            csv_lines(report.columns, report.rows), content_type=CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    scratch = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    report_write(report, scratch, file_format)
    scratch.seek(0)
    return FileResponse(
        scratch, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"]
    )


@permission_required("subscriptions.export_reports", raise_exception=True)
def reports_export_file(request: HttpRequest, admin_site: Any, pk: int) -> HttpResponseBase:
    export = get_object_or_404(ReportExport, pk=pk, status=ReportExportStatus.DONE)
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=(export.file.name or "").rsplit("/", 1)[-1],
        content_type=CONTENT_TYPES[export.file_format],
    )


@require_POST
@permission_required("subscriptions.close_month", raise_exception=True)
def reports_close_month(request: HttpRequest, admin_site: Any) -> HttpResponse:
    form = MonthCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a day of the month to close and its currency.")
        return redirect("admin:reports")
    try:
        close = month_close(
            month=form.cleaned_data["month"],
            currency=form.cleaned_data["currency"],
            user=request.user,
        )
    except MonthCloseRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("admin:reports")
    audit_record(action="finance.month_closed", target=close, request=request)
    messages.success(
        request,
        f"{close.month:%B %Y} ({close.currency.upper()}) is closed: {close.row_count} "
        "transactions frozen. Anything that arrives for it now is booked in the next open month.",
    )
    return redirect("admin:reports")


@require_POST
@permission_required("subscriptions.export_reports", raise_exception=True)
def reports_compare_with_stripe(request: HttpRequest, admin_site: Any) -> HttpResponse:
    form = StripeComparisonForm(request.POST)
    if not form.is_valid():
        return _page(request, admin_site, ReportForm(), compare_form=form)
    period = form.period()
    stripe_report_comparison_request(period=period, user=request.user)
    audit_record(
        action="finance.stripe_report_compared",
        reason=f"{period.currency} {period.start} to {period.end}",
        request=request,
    )
    messages.info(
        request,
        "A worker is asking Stripe for its itemized report; the comparison shows here when "
        "it is done (this page refreshes itself).",
    )
    return redirect("admin:reports")
