from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.datastructures import MultiValueDict
from django.utils.safestring import mark_safe

from prepdeck.catalog import importing, services
from prepdeck.catalog.models import (
    CodeExample,
    ImportJob,
    Question,
    QuestionRevision,
    QuestionStatus,
    Source,
    Tag,
    Topic,
)
from prepdeck.catalog.rendering import render_markdown
from prepdeck.core.exceptions import ApplicationError, InvalidInput
from prepdeck.core.forms import MultipleFileField, check_uploads
from prepdeck.core.uploads import refused_upload


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

    def clean_documents(self) -> list[Any]:
        files: list[Any] = self.cleaned_data["documents"]
        check_uploads(files, size_limit=importing.largest_file_bytes())
        return files


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "Live"), ("yes", "Deleted")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Question]) -> QuerySet[Question]:
        if self.value() in ("yes", "no"):
            return queryset.filter(deleted_at__isnull=self.value() == "no")
        return queryset


def _code_examples(formset: Any) -> list[dict[str, Any]]:
    """The code examples an admin formset leaves, in their order, in the shape the services take."""
    kept = [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("code")
    ]
    kept.sort(key=lambda data: data.get("order") or 0)
    return [{name: data.get(name, "") for name in services.CODE_FIELDS} for data in kept]


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
    list_filter = (DeletedFilter, "status", "difficulty", "topic", "needs_question", "tags")
    search_fields = ("prompt", "short_answer", "key")
    autocomplete_fields = ("tags", "follow_ups")
    list_select_related = ("topic",)
    readonly_fields = (
        "key",
        "author",
        "deleted_at",
        "version",
        "created_at",
        "updated_at",
        "published_at",
        "lint_findings",
        "explanation_preview",
    )
    inlines = (CodeExampleInline, SourceInline, RevisionInline)

    actions = ("soft_delete_selected", "restore_selected", "publish_selected", "archive_selected")

    # The admin is one more door: saving goes through ``question_create``/``question_update`` (a new
    # version, a revision, the search index), deleting is the soft delete with its restore, and the bulk
    # actions call the same services one question at a time.
    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a hard delete; "Delete selected questions" replaces it
        return actions

    def save_model(self, request: HttpRequest, obj: Question, form: Any, change: bool) -> None:
        if change:
            return  # written in save_related, where the code examples' formset is known
        created = services.question_create(
            author=request.user,  # type: ignore[arg-type]
            topic=obj.topic.slug,
            prompt=obj.prompt,
            **{
                name: getattr(obj, name)
                for name in services.CONTENT_FIELDS
                if name not in ("status", "prompt")
            },
            tags=[tag.slug for tag in form.cleaned_data.get("tags", [])],
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        question = form.instance
        cleaned = form.cleaned_data
        changes: dict[str, Any] = {}
        if change:
            changes = {
                name: cleaned[name]
                for name in form.changed_data
                if name in (*services.CONTENT_FIELDS, *services.METADATA_FIELDS)
            }
            if "topic" in form.changed_data:
                changes["topic"] = cleaned["topic"].slug
            if "tags" in form.changed_data:
                changes["tags"] = [tag.slug for tag in cleaned["tags"]]
        else:  # created as a draft by save_model; what a draft cannot have yet comes as a first edit
            if cleaned["status"] != QuestionStatus.DRAFT:
                changes["status"] = cleaned["status"]
            if cleaned.get("needs_question"):
                changes["needs_question"] = True
        if "follow_ups" in form.changed_data:
            changes["follow_ups"] = [other.key for other in form.cleaned_data["follow_ups"]]
        for formset in formsets:
            if formset.model is Source:
                self.save_formset(request, form, formset, change=change)
                continue
            if formset.model is CodeExample and formset.has_changed():
                changes["code_examples"] = _code_examples(formset)
            # Written by the service below (or read-only): nothing for the admin's change message.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if changes:
            services.question_update(
                question=question,
                expected_version=question.version,
                changes=changes,
                author=request.user,  # type: ignore[arg-type]
                summary="Edited in the admin",
            )

    def delete_model(self, request: HttpRequest, obj: Question) -> None:
        services.question_delete(question=obj, user=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        for question in queryset.filter(deleted_at__isnull=True):
            services.question_delete(question=question, user=request.user)  # type: ignore[arg-type]

    def _each(
        self, request: HttpRequest, queryset: QuerySet[Question], verb: str, act: Callable[[Question], Any]
    ) -> None:
        done, refused = 0, []
        for question in queryset:
            try:
                act(question)
            except ApplicationError as error:
                refused.append(f"{question.key}: {error.message}")
            else:
                done += 1
        self.message_user(request, f"{done} question(s) {verb}.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Not changed: " + "; ".join(refused), messages.WARNING)

    @admin.action(description="Delete selected questions (soft delete; they can be restored)")
    def soft_delete_selected(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        user: Any = request.user
        self._each(
            request,
            queryset,
            "deleted",
            lambda question: services.question_delete(question=question, user=user),
        )

    @admin.action(description="Restore selected deleted questions")
    def restore_selected(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        user: Any = request.user
        self._each(
            request,
            queryset,
            "restored",
            lambda question: services.question_restore(question=question, user=user),
        )

    @admin.action(description="Publish selected questions")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        self._transition(request, queryset, "publish", "published")

    @admin.action(description="Archive selected questions")
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        self._transition(request, queryset, "archive", "archived")

    def _transition(self, request: HttpRequest, queryset: QuerySet[Question], action: str, verb: str) -> None:
        user: Any = request.user
        self._each(
            request,
            queryset,
            verb,
            lambda question: services.question_transition(
                question=question, user=user, action=action, expected_version=question.version
            ),
        )

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
        files = request.FILES  # parsing the body runs the upload handlers, which may refuse it
        refused = refused_upload(request)
        if refused is not None:
            # the upload handler stopped reading (too many files, or too large): no file of it is kept
            form = ImportForm(request.POST, MultiValueDict())
            form.is_valid()
            form.errors["documents"] = form.error_class([refused])
        else:
            form = ImportForm(request.POST or None, files or None)
        report = None
        if refused is None and request.method == "POST" and form.is_valid():
            uploads = form.cleaned_data["documents"]
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
        return TemplateResponse(
            request, "admin/catalog/question/import.html", context, status=413 if refused else 200
        )

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
