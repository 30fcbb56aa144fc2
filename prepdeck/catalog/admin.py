from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.safestring import mark_safe

from prepdeck.catalog import importing
from prepdeck.catalog.models import (
    CodeExample,
    ImportJob,
    Question,
    QuestionRevision,
    Source,
    Tag,
    Topic,
)
from prepdeck.catalog.rendering import render_markdown
from prepdeck.core.exceptions import InvalidInput
from prepdeck.search.services import search_index_refresh


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "parent", "order")
    list_filter = ("parent",)
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("slug",)


class CodeExampleInline(admin.StackedInline):
    model = CodeExample
    extra = 0


class SourceInline(admin.TabularInline):
    model = Source
    extra = 0
    fields = ("document", "line_start", "line_end", "original_prompt")


class RevisionInline(admin.TabularInline):
    model = QuestionRevision
    extra = 0
    fields = ("version", "author", "summary", "created_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files (the pattern from Django's file-upload docs)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        clean_one = super().clean
        if isinstance(data, list | tuple):
            return [clean_one(item, initial) for item in data]
        return [clean_one(data, initial)]


class ImportForm(forms.Form):
    documents = MultipleFileField(
        help_text="Markdown, CSV/TSV or a PrepDeck JSON export.",
    )
    topic = forms.ModelChoiceField(
        Topic.objects.all(),
        required=False,
        to_field_name="slug",
        help_text="Put every question under this topic (default: guessed).",
    )
    dry_run = forms.BooleanField(
        required=False, initial=True, label="Dry run (show the report, write nothing)"
    )


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    change_list_template = "admin/catalog/question/change_list.html"
    list_display = (
        "prompt_short",
        "topic",
        "difficulty",
        "status",
        "version",
        "needs_question",
        "updated_at",
    )
    list_filter = ("status", "difficulty", "topic", "needs_question", "tags")
    search_fields = ("prompt", "short_answer", "key")
    autocomplete_fields = ("tags", "follow_ups")
    list_select_related = ("topic",)
    readonly_fields = (
        "version",
        "created_at",
        "updated_at",
        "published_at",
        "lint_findings",
        "explanation_preview",
    )
    inlines = (CodeExampleInline, SourceInline, RevisionInline)

    # The admin writes questions, tags and code examples directly, so it refreshes the search index too.
    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        search_index_refresh([form.instance.pk])

    def delete_model(self, request: HttpRequest, obj: Question) -> None:
        question_id = obj.pk
        super().delete_model(request, obj)
        search_index_refresh([question_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        question_ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        search_index_refresh(question_ids)

    @admin.display(description="explanation as readers see it")
    def explanation_preview(self, obj: Question) -> str:
        return mark_safe(render_markdown(obj.explanation))  # noqa: S308 - sanitised by nh3

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path("import/", self.admin_site.admin_view(self.import_view), name="catalog_question_import")
        ]
        return custom + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload documents, see the dry-run report, then import for real (the same service as the CLI)."""
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            uploads = form.cleaned_data["documents"]
            limit = importing.largest_file_bytes()
            too_big = [upload.name for upload in uploads if (upload.size or 0) > limit]
            if too_big:
                form.add_error(
                    "documents",
                    f"Larger than the {limit // (1024 * 1024)} MiB limit: {', '.join(too_big)}",
                )
            else:
                topic = form.cleaned_data["topic"]
                try:
                    report = importing.documents_import(
                        files=importing.input_files_from_uploads(uploads, file_format="auto"),
                        topic=topic.slug if topic else None,
                        dry_run=form.cleaned_data["dry_run"],
                        author=request.user,  # type: ignore[arg-type]
                    )
                except InvalidInput as error:
                    form.add_error("documents", error.message)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import questions",
            "form": form,
            "report": report.as_dict() if report else None,
            "dry_run": report.dry_run if report else False,
        }
        return TemplateResponse(request, "admin/catalog/question/import.html", context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        return Question.all_objects.select_related("topic")

    @admin.display(description="prompt", ordering="prompt")
    def prompt_short(self, obj: Question) -> str:
        return obj.prompt[:90]


@admin.register(QuestionRevision)
class QuestionRevisionAdmin(admin.ModelAdmin):
    list_display = ("question", "version", "author", "summary", "created_at")
    list_select_related = ("question",)
    readonly_fields = ("question", "version", "snapshot", "author", "summary", "created_at")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Jobs started through the API: who, when, and the report (read-only)."""

    list_display = ("id", "owner", "status", "file_format", "dry_run", "created_at", "finished_at")
    list_filter = ("status", "file_format", "dry_run")
    list_select_related = ("owner",)
    search_fields = ("owner__email",)
    readonly_fields = (
        "owner",
        "status",
        "file_format",
        "topic",
        "dry_run",
        "report",
        "created_at",
        "started_at",
        "finished_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
