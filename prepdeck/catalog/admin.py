from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from prepdeck.catalog.models import CodeExample, Question, QuestionRevision, Source, Tag, Topic


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


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
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
    readonly_fields = ("version", "created_at", "updated_at", "published_at", "lint_findings")
    inlines = (CodeExampleInline, SourceInline, RevisionInline)

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
