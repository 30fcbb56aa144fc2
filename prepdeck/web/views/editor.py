"""Pages: the question editor (create, edit with a live preview and clear edit conflicts, the workflow
buttons) and a question's revision history with diffs and restore. Editors only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prepdeck.accounts import roles
from prepdeck.accounts.models import User
from prepdeck.catalog import selectors as catalog_selectors
from prepdeck.catalog import services as catalog_services
from prepdeck.catalog.diffing import snapshot_diff
from prepdeck.catalog.models import Question, QuestionRevision
from prepdeck.catalog.rendering import render_markdown
from prepdeck.core import exceptions
from prepdeck.web.forms import (
    MAX_EXPLANATION,
    CodeExampleFormSet,
    MarkdownPreviewForm,
    QuestionEditForm,
    QuestionForm,
    TopicChoices,
    topic_choices,
)

View = Callable[..., HttpResponse]

HISTORY_PAGE_SIZE = 20
DELETED_PAGE_SIZE = 50
MAX_PREVIEW = MAX_EXPLANATION
_PAST = {
    "submit": "submitted for review",
    "publish": "published",
    "archive": "archived",
    "reopen": "reopened",
}
_ACTION_LABELS = {
    "submit": "Submit for review",
    "publish": "Publish",
    "archive": "Archive",
    "reopen": "Reopen as draft",
}


def editor_required(view: View) -> View:
    """Sign-in first (anonymous visitors are sent to the sign-in page), then editors only (a friendly 403)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not roles.is_editor(request.user):
            raise PermissionDenied("Editing pages are for editors.")
        return view(request, *args, **kwargs)

    return wrapped


def editor_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind ``editor_required``."""
    assert isinstance(request.user, User)
    return request.user


def _question_or_404(request: HttpRequest, question_id: int) -> Question:
    try:
        return catalog_selectors.question_get_visible(user=request.user, question_id=question_id)
    except exceptions.NotFound:
        raise Http404("Question not found.") from None


def _topic_options() -> TopicChoices:
    return topic_choices(catalog_selectors.topics_in_tree_order())


def _posted_int(request: HttpRequest, name: str) -> int:
    try:
        return max(0, int(request.POST.get(name, "")))
    except ValueError:
        return 0


# --- the editor -----------------------------------------------------------------------------------------


def _stored_content(question: Question) -> dict[str, Any]:
    """The question's editable fields in the shape of ``QuestionForm.content()`` plus code examples."""
    return {
        "prompt": question.prompt,
        "topic": question.topic.slug,
        "difficulty": question.difficulty,
        "tags": sorted(tag.slug for tag in question.tags.all()),
        "short_answer": question.short_answer,
        "explanation": question.explanation,
        "key_points": list(question.key_points),
        "common_mistakes": list(question.common_mistakes),
        "choice": question.choice or {},
        "probes": list(question.probes or []),
        "code_examples": [
            {"language": example.language, "caption": example.caption, "code": example.code}
            for example in question.code_examples.all()
        ],
    }


def _changes(question: Question, content: dict[str, Any]) -> dict[str, Any]:
    """What the form changes compared with the stored question."""
    stored = _stored_content(question)
    # Which code examples keep their "runnable" flags is decided by ``question_edit`` for every door.
    return {name: value for name, value in content.items() if value != stored[name]}


def _code_initial(question: Question) -> list[dict[str, Any]]:
    return _stored_content(question)["code_examples"]


def _render_editor(
    request: HttpRequest,
    *,
    form: QuestionForm,
    code_forms: Any,
    question: Question | None = None,
    conflict: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    explanation = form["explanation"].value() or ""
    latest = None
    transitions: list[dict[str, str]] = []
    if question is not None:
        latest = catalog_selectors.question_revisions(question=question).first()
        transitions = [
            {"action": action, "label": _ACTION_LABELS[action]}
            for action in catalog_services.question_transitions_allowed(
                question=question, user=editor_user(request)
            )
        ]
    context = {
        "form": form,
        "code_forms": code_forms,
        "question": question,
        "latest_revision": latest,
        "transitions": transitions,
        "conflict": conflict,
        # render_markdown sanitises (nh3), so its output may be marked safe.
        "preview": mark_safe(render_markdown(explanation)) if len(explanation) <= MAX_PREVIEW else "",  # noqa: S308
        "too_long": len(explanation) > MAX_PREVIEW,
        "limit": MAX_PREVIEW,
    }
    return render(request, "web/editor/edit.html", context, status=status)


@editor_required
@require_http_methods(["GET", "POST"])
def question_new(request: HttpRequest) -> HttpResponse:
    """Write a new question; it is saved as a draft and opened in the editor."""
    topics = _topic_options()
    if request.method == "GET":
        return _render_editor(
            request,
            form=QuestionForm(topics=topics, initial={"topic": request.GET.get("topic", "")}),
            code_forms=CodeExampleFormSet(prefix="code"),
        )
    form = QuestionForm(request.POST, topics=topics)
    code_forms = CodeExampleFormSet(request.POST, prefix="code")
    if "preview" in request.POST:
        return _render_editor(request, form=form, code_forms=code_forms)
    if not (form.is_valid() and code_forms.is_valid()):
        return _render_editor(request, form=form, code_forms=code_forms, status=400)
    content = form.content()
    try:
        question = catalog_services.question_create(
            author=editor_user(request),
            topic=content.pop("topic"),
            prompt=content.pop("prompt"),
            **content,
            code_examples=code_forms.examples(),
        )
    except exceptions.InvalidInput as error:
        form.add_error(None, error.message)
        return _render_editor(request, form=form, code_forms=code_forms, status=400)
    messages.success(request, "Draft created. Submit it for review or publish it when it is ready.")
    return redirect("web:question_edit", question_id=question.pk)


def _conflict(*, question: Question, base_version: int, mine: dict[str, Any]) -> dict[str, Any]:
    """Who changed the question since ``base_version``, when, and what they changed."""
    revisions = catalog_selectors.question_revisions_since(question=question, version=base_version)
    base = next((revision for revision in revisions if revision.version == base_version), None)
    newer = [revision for revision in revisions if revision.version > base_version]
    latest: QuestionRevision | None = newer[-1] if newer else None
    current = (
        latest.snapshot
        if latest is not None and latest.version == question.version
        else catalog_services.question_snapshot(question)
    )
    names: list[str] = []
    for revision in newer:
        name = revision.author.public_name if revision.author else "PrepDeck (an import or the bundled bank)"
        if name not in names:
            names.append(name)
    if base is not None:
        diff, compared = snapshot_diff(base.snapshot, current), "theirs"
    else:  # no record of the version the form was opened at: compare with what the form holds instead
        diff, compared = snapshot_diff({**current, **mine}, current), "yours"
    return {
        "base_version": base_version,
        "current_version": question.version,
        "changed_by": names or ["someone else"],
        "changed_at": latest.created_at if latest else question.updated_at,
        "revisions": newer,
        "diff": diff,
        "compared": compared,
    }


@editor_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, question_id: int) -> HttpResponse:
    """Edit a question. The form carries the version it was opened at; when someone else saved since, the
    page says who, when and what changed, keeps everything typed, and offers to overwrite or reload."""
    question = _question_or_404(request, question_id)
    topics = _topic_options()
    if request.method == "GET":
        form = QuestionEditForm(
            topics=topics, initial={**QuestionForm.initial_for(question), "version": question.version}
        )
        code_forms = CodeExampleFormSet(prefix="code", initial=_code_initial(question))
        return _render_editor(request, form=form, code_forms=code_forms, question=question)
    form = QuestionEditForm(request.POST, topics=topics)
    code_forms = CodeExampleFormSet(request.POST, prefix="code", initial=_code_initial(question))
    if "preview" in request.POST:
        return _render_editor(request, form=form, code_forms=code_forms, question=question)
    if not (form.is_valid() and code_forms.is_valid()):
        return _render_editor(request, form=form, code_forms=code_forms, question=question, status=400)
    content = {**form.content(), "code_examples": code_forms.examples()}
    base_version = form.cleaned_data["version"]
    changes = _changes(question, content)
    if not changes:
        messages.info(request, "Nothing changed, so nothing was saved.")
        return redirect("web:question_edit", question_id=question.pk)
    try:
        saved = catalog_services.question_edit(
            question=question, user=editor_user(request), expected_version=base_version, changes=changes
        )
    except exceptions.Conflict:
        fresh = _question_or_404(request, question_id)
        # Keep every typed value; only the version moves on, so saving again overwrites the newer one.
        data = request.POST.copy()
        data["version"] = str(fresh.version)
        form = QuestionEditForm(data, topics=topics)
        form.is_valid()
        code_forms = CodeExampleFormSet(data, prefix="code", initial=_code_initial(fresh))
        code_forms.is_valid()
        conflict = _conflict(question=fresh, base_version=base_version, mine=content)
        return _render_editor(
            request, form=form, code_forms=code_forms, question=fresh, conflict=conflict, status=409
        )
    except exceptions.InvalidInput as error:
        form.add_error(None, error.message)
        return _render_editor(request, form=form, code_forms=code_forms, question=question, status=400)
    except exceptions.PermissionDenied as error:
        raise PermissionDenied(error.message) from None
    messages.success(request, f"Saved as version {saved.version}.")
    return redirect("web:question_edit", question_id=question.pk)


@editor_required
@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The explanation as readers will see it (the live preview next to the editor; htmx posts here)."""
    form = MarkdownPreviewForm(request.POST)
    if not form.is_valid():
        return render(request, "web/editor/_preview.html", {"too_long": True, "limit": MAX_PREVIEW})
    preview = mark_safe(render_markdown(form.cleaned_data["explanation"]))  # noqa: S308 - sanitised by nh3
    return render(request, "web/editor/_preview.html", {"preview": preview})


@editor_required
@require_POST
def question_transition(request: HttpRequest, question_id: int) -> HttpResponse:
    """Submit for review, publish, archive or reopen (the buttons on the edit page)."""
    question = _question_or_404(request, question_id)
    action = request.POST.get("action", "")
    try:
        moved = catalog_services.question_transition(
            question=question,
            user=editor_user(request),
            action=action,
            expected_version=_posted_int(request, "version"),
        )
    except exceptions.Conflict as error:
        if error.code == "edit_conflict":
            messages.error(
                request,
                "Someone changed this question since you opened it, so nothing was done. "
                "This is the latest version: check it, then try again.",
            )
        else:
            messages.error(request, error.message)
    except exceptions.InvalidInput as error:
        messages.error(request, error.message)
    except exceptions.PermissionDenied as error:
        raise PermissionDenied(error.message) from None
    else:
        messages.success(
            request, f"Question {_PAST[action]}. Its status is now “{moved.get_status_display()}”."
        )
    return redirect("web:question_edit", question_id=question.pk)


# --- soft delete and restore ----------------------------------------------------------------------------


@editor_required
@require_POST
def question_delete(request: HttpRequest, question_id: int) -> HttpResponse:
    """Delete a question (soft: it leaves the bank and every queue, and can be restored)."""
    question = _question_or_404(request, question_id)
    try:
        catalog_services.question_delete(
            question=question, user=editor_user(request), expected_version=_posted_int(request, "version")
        )
    except exceptions.Conflict:
        messages.error(
            request,
            "Someone changed this question since you opened it, so it was not deleted. "
            "This is the latest version: check it, then try again.",
        )
        return redirect("web:question_edit", question_id=question.pk)
    except exceptions.PermissionDenied as error:
        raise PermissionDenied(error.message) from None
    messages.success(request, "Question deleted. You can restore it from this list.")
    return redirect("web:questions_deleted")


@editor_required
@require_GET
def questions_deleted(request: HttpRequest) -> HttpResponse:
    """Deleted questions, most recently deleted first, each with a Restore button."""
    page = Paginator(catalog_selectors.questions_deleted(user=request.user), DELETED_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "web/editor/deleted.html", {"page": page})


@editor_required
@require_POST
def question_restore(request: HttpRequest, question_id: int) -> HttpResponse:
    """Bring a deleted question back as it was (a new version records the restore)."""
    try:
        question = catalog_selectors.question_get_deleted(user=request.user, question_id=question_id)
    except exceptions.NotFound:
        raise Http404("Question not found.") from None
    try:
        catalog_services.question_restore(
            question=question, user=editor_user(request), expected_version=_posted_int(request, "version")
        )
    except exceptions.Conflict:
        messages.error(
            request,
            "Someone changed this question since you opened this list, so it was not restored. "
            "The list below is up to date: check it, then try again.",
        )
        return redirect("web:questions_deleted")
    messages.success(request, "Question restored.")
    return redirect("web:question_edit", question_id=question.pk)


# --- history --------------------------------------------------------------------------------------------


@editor_required
@require_GET
def question_history(request: HttpRequest, question_id: int) -> HttpResponse:
    """Every recorded version with who saved it and why; the changes one version made; restore."""
    question = _question_or_404(request, question_id)
    page = Paginator(catalog_selectors.question_revisions(question=question), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    selected, previous = None, None
    wanted = request.GET.get("version", "")
    if wanted.isdigit():
        selected, previous = catalog_selectors.question_revision_with_previous(
            question=question, version=int(wanted)
        )
    if selected is None and page.object_list:
        newest = page.object_list[0]
        selected, previous = catalog_selectors.question_revision_with_previous(
            question=question, version=newest.version
        )
    return render(
        request,
        "web/editor/history.html",
        {
            "question": question,
            "page": page,
            "selected": selected,
            "previous": previous,
            "missing_version": wanted
            if wanted and (selected is None or str(selected.version) != wanted)
            else "",
            "diff": snapshot_diff(previous.snapshot if previous else None, selected.snapshot)
            if selected
            else [],
        },
    )


@editor_required
@require_POST
def revision_restore(request: HttpRequest, question_id: int, version: int) -> HttpResponse:
    """Make an earlier version current again (as a new version, so nothing is lost)."""
    question = _question_or_404(request, question_id)
    try:
        restored = catalog_services.question_revision_restore(
            question=question,
            version=version,
            expected_version=_posted_int(request, "version"),
            user=editor_user(request),
        )
    except exceptions.Conflict:
        messages.error(
            request,
            "Someone changed this question since you opened its history, so nothing was restored. "
            "The history below is up to date: check it, then try again.",
        )
    except (exceptions.NotFound, exceptions.InvalidInput) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Restored version {version} as the new version {restored.version}.")
    return redirect("web:question_history", question_id=question.pk)


urlpatterns: list[URLPattern] = [
    path("questions/new/", question_new, name="question_new"),
    path("questions/preview/", markdown_preview, name="question_preview"),
    path("questions/<int:question_id>/edit/", question_edit, name="question_edit"),
    path("questions/<int:question_id>/transition/", question_transition, name="question_transition"),
    path("questions/<int:question_id>/delete/", question_delete, name="question_delete"),
    path("questions/deleted/", questions_deleted, name="questions_deleted"),
    path("questions/<int:question_id>/restore/", question_restore, name="question_restore"),
    path("questions/<int:question_id>/history/", question_history, name="question_history"),
    path(
        "questions/<int:question_id>/history/<int:version>/restore/",
        revision_restore,
        name="revision_restore",
    ),
]
