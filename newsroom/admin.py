from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from subscriptions.money import currency_decimals, money_format

from .goals import goal_progress_get, goal_running
from .images import NOT_A_PICTURE, lead_image_clean
from .models import Appeal, AppealAmount, Article, Author, CampaignGoal, GoalKind, Section, Tag
from .services import appeal_make_live, article_publish_many


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "role"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class LanguageDefaultMixin(forms.ModelForm):
    """A form posted without a language (a script, an older page) means the site's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].required = False

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or settings.LANGUAGE_CODE


class AppealAdminForm(LanguageDefaultMixin):
    class Meta:
        model = Appeal
        fields = ["name", "heading", "body", "language", "is_live", "default_frequency"]


class ArticleAdminForm(LanguageDefaultMixin):
    class Meta:
        model = Article
        fields = [
            "headline", "slug", "language", "standfirst", "body", "authors", "section", "tags",
            "lead_image", "lead_image_alt", "lead_image_caption", "lead_image_credit",
            "status", "published_at", "updated_at", "update_note",
        ]  # fmt: skip
        # Authors is a required many-to-many: every story has a byline.
        error_messages = {
            "authors": {"required": "Add at least one author: every story has a byline."},
            "lead_image": {"invalid_image": NOT_A_PICTURE, "invalid_extension": NOT_A_PICTURE},
        }

    def clean_lead_image(self):
        image = self.cleaned_data.get("lead_image")
        if not isinstance(image, UploadedFile):
            return image  # unchanged, or cleared
        return lead_image_clean(image)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # Publishing without a time means "now", rather than a constraint error.
        if cleaned.get("status") == Article.Status.PUBLISHED and not cleaned.get("published_at"):
            cleaned["published_at"] = timezone.now()
            self.instance.published_at = cleaned["published_at"]
        return cleaned


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["headline", "section", "language", "status", "published_at", "modified"]
    list_filter = [
        "status",
        "language",
        "section",
        "tags",
        "authors",
        ("published_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["section"]
    search_fields = ["headline", "standfirst", "body", "authors__name"]
    search_help_text = "Searches headline, standfirst, body and authors' names."
    prepopulated_fields = {"slug": ["headline"]}
    filter_horizontal = ["authors", "tags"]
    date_hierarchy = "published_at"
    readonly_fields = ["created", "modified"]
    actions = ["publish_selected"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "language", "standfirst", "body"]}),
        ("People and place", {"fields": ["authors", "section", "tags"]}),
        (
            "Lead image",
            {
                "fields": [
                    "lead_image",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ]
            },
        ),
        ("Publication", {"fields": ["status", "published_at", "updated_at", "update_note"]}),
        ("History", {"fields": ["created", "modified"], "classes": ["collapse"]}),
    ]

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish_selected(self, request, queryset):
        count = article_publish_many(articles=queryset)
        self.message_user(request, f"Published {count} article(s).", messages.SUCCESS)


class AppealAmountInline(admin.TabularInline):
    model = AppealAmount
    extra = 0
    fields = ["currency", "frequency", "amount", "shown_as", "position"]
    readonly_fields = ["shown_as"]

    @admin.display(description="Shown as")
    def shown_as(self, obj: AppealAmount) -> str:
        if obj.pk is None or not obj.amount:
            return "–"
        return money_format(obj.amount, currency=obj.currency)


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    form = AppealAdminForm
    list_display = ["name", "heading", "language", "is_live", "default_frequency", "modified"]
    list_filter = ["is_live", "language"]
    search_fields = ["name", "heading", "body"]
    inlines = [AppealAmountInline]
    actions = ["make_live"]

    @admin.action(description="Make the selected appeal the live one", permissions=["change"])
    def make_live(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one appeal to make live.", messages.ERROR)
            return
        appeal = appeal_make_live(appeal=queryset.get())
        self.message_user(
            request,
            f"“{appeal.name}” is now the live appeal in {appeal.get_language_display()}.",
            messages.SUCCESS,
        )


@admin.register(CampaignGoal)
class CampaignGoalAdmin(admin.ModelAdmin):
    """The running goal (dates include now) shows on the appeal with its progress."""

    list_display = ["name", "kind", "target_shown", "starts_at", "ends_at", "progress"]
    list_filter = ["kind"]
    search_fields = ["name"]
    fields = ["name", "kind", "target", "currency", "starts_at", "ends_at"]

    @admin.display(description="Target")
    def target_shown(self, obj: CampaignGoal) -> str:
        if obj.kind == GoalKind.AMOUNT:
            scale = 10 ** currency_decimals(obj.currency)
            return money_format(obj.target * scale, currency=obj.currency)
        return f"{obj.target} supporters"

    @admin.display(description="Progress now")
    def progress(self, obj: CampaignGoal) -> str:
        running = goal_running()
        if running is None or running.pk != obj.pk:
            return "not running"
        progress = goal_progress_get()
        if progress is None:
            return "–"
        if progress.kind == GoalKind.AMOUNT:
            given = money_format(progress.current, currency=progress.currency)
            return f"{given} ({progress.percent}%)"
        return f"{progress.current} ({progress.percent}%)"


# Appeal tests (A/B tests of the appeal) have a module of their own.
from . import admin_appeal_tests  # noqa: E402, F401
