"""Appeal tests in the admin: variants and weights, start, results, end and keep one."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse

from subscriptions.money import money_format

from .appeal_stats import Z_95, Figures, appeal_test_results, minor_units
from .models import Appeal, AppealTest, AppealVariant
from .services import AppealTestRefused, appeal_test_end, appeal_test_start


class AppealVariantInline(admin.TabularInline):
    model = AppealVariant
    extra = 2
    fields = ["appeal", "weight"]
    autocomplete_fields = ["appeal"]

    def _editable(self, obj: AppealTest | None) -> bool:
        # A started test's variants stay as they were: its figures compare like with like.
        return obj is None or obj.status == AppealTest.Status.DRAFT

    def has_add_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.2f}%"


def _figures_row(figures: Figures) -> dict:
    interval = figures.interval
    return {
        "impressions": figures.impressions,
        "form_starts": figures.form_starts,
        "gifts": figures.gifts,
        "rate": _percent(figures.rate),
        "interval": "–"
        if interval is None
        else f"{_percent(interval[0])} – {_percent(interval[1])}",
        "revenue": [
            money_format(minor_units(total), currency=currency)
            for currency, total in sorted(figures.revenue.items())
        ],
        "rpm": [
            money_format(minor_units(value), currency=currency)
            for currency, value in figures.rpm.items()
        ],
    }


@admin.register(AppealTest)
class AppealTestAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "started_at", "ended_at", "winner"]
    list_filter = ["status"]
    search_fields = ["name"]
    inlines = [AppealVariantInline]
    actions = ["start_test"]
    fields = ["name", "status", "started_at", "ended_at", "winner", "results"]
    readonly_fields = ["status", "started_at", "ended_at", "winner", "results"]

    @admin.display(description="Results")
    def results(self, obj: AppealTest) -> str:
        if obj.pk is None or obj.status == AppealTest.Status.DRAFT:
            return "Results appear once the test has started."
        found = appeal_test_results(test=obj)
        context = {
            "test": obj,
            "variants": [
                {"name": row.appeal_name, "weight": row.weight, **_figures_row(row)}
                for row in found.variants
            ],
            "names": {row.variant_id: row.appeal_name for row in found.variants},
            "pages": [
                {"title": row.title, "variant_id": row.variant_id, **_figures_row(row)}
                for row in found.pages
            ],
            "ahead": found.ahead,
            "ahead_z": found.ahead_z,
            "z_95": Z_95,
            "end_url": reverse("admin:newsroom_appealtest_end", args=[obj.pk]),
            "running": obj.status == AppealTest.Status.RUNNING,
        }
        # render_to_string gives safe HTML: the template escaped every value in it.
        return render_to_string("admin/newsroom/appealtest/results.html", context)

    @admin.action(description="Start the selected test", permissions=["change"])
    def start_test(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one test to start.", messages.ERROR)
            return
        try:
            test = appeal_test_start(test=queryset.get())
        except AppealTestRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return
        self.message_user(
            request, f"“{test.name}” is running: readers now see its variants.", messages.SUCCESS
        )

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/end/",
                self.admin_site.admin_view(self.end_view),
                name="newsroom_appealtest_end",
            ),
            *super().get_urls(),
        ]

    def end_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """End a running test, keeping the variant staff choose as the live appeal."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        test = AppealTest.objects.filter(pk=pk, status=AppealTest.Status.RUNNING).first()
        if test is None:
            raise Http404("No running test here.")
        found = appeal_test_results(test=test)
        appeals = Appeal.objects.filter(variants__test=test).order_by("variants__id")
        initial = {"keep": found.ahead.appeal_id} if found.ahead else {}
        form = EndTestForm(request.POST or None, appeals=appeals, initial=initial)
        if request.method == "POST" and form.is_valid():
            keep = form.cleaned_data["keep"]
            try:
                appeal_test_end(test=test, keep=keep)
            except AppealTestRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"“{test.name}” has ended; “{keep.name}” is the live appeal for everyone.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:newsroom_appealtest_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"End “{test.name}”",
            "test": test,
            "form": form,
            "ahead": found.ahead,
            "opts": self.model._meta,
        }
        return render(request, "admin/newsroom/appealtest/end.html", context)


class EndTestForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Appeal.objects.none(),
        widget=forms.RadioSelect,
        label="Keep this appeal live",
        error_messages={"required": "Choose the appeal to keep live."},
    )

    def __init__(self, *args, appeals, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        keep = self.fields["keep"]
        assert isinstance(keep, forms.ModelChoiceField)  # noqa: S101 (declared above)
        keep.queryset = appeals
