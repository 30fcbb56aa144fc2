"""Writes to the question bank: edits with optimistic locking and revisions, and the bundled-bank loader."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from prepdeck.accounts import roles
from prepdeck.accounts.models import User
from prepdeck.catalog.bank import files as bank_files
from prepdeck.catalog.choice import choice_from_entry, choice_normalized, choice_problems
from prepdeck.catalog.events import questions_changed_announce
from prepdeck.catalog.models import (
    CodeExample,
    Difficulty,
    Question,
    QuestionRevision,
    QuestionStatus,
    Source,
    Tag,
    Topic,
)
from prepdeck.catalog.probes import probes_normalized, probes_problems
from prepdeck.core.bootstrap import Writer
from prepdeck.core.bulk import bulk_insert_rows
from prepdeck.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied

_T = TypeVar("_T")

# Fields a revision records and a restore puts back.
CONTENT_FIELDS = (
    "prompt",
    "short_answer",
    "explanation",
    "key_points",
    "common_mistakes",
    "choice",
    "probes",
    "difficulty",
    "status",
)
# Editable fields that are not part of a revision's snapshot (an editor's flag, the soft-delete mark).
METADATA_FIELDS = ("needs_question", "deleted_at")
CODE_FIELDS = ("language", "caption", "code", "runnable", "not_runnable_reason")


def question_snapshot(question: Question) -> dict[str, Any]:
    """The question's editable content as plain JSON-able data (what a revision stores)."""
    return {
        **{name: getattr(question, name) for name in CONTENT_FIELDS},
        "topic": question.topic.slug,
        "tags": sorted(tag.slug for tag in question.tags.all()),
        "code_examples": [
            {name: getattr(example, name) for name in CODE_FIELDS} for example in question.code_examples.all()
        ],
        "follow_ups": sorted(other.key for other in question.follow_ups.all()),
    }


def _apply_content(question: Question, content: dict[str, Any]) -> None:
    """Write tags, code examples and follow-ups from plain data (the scalar fields are set by the caller)."""
    if "tags" in content:
        question_tags_set(question=question, slugs=content["tags"])
    if "code_examples" in content:
        question.code_examples.all().delete()
        CodeExample.objects.bulk_create(
            CodeExample(
                question=question,
                order=index,
                **{name: example.get(name, False if name == "runnable" else "") for name in CODE_FIELDS},
            )
            for index, example in enumerate(content["code_examples"])
        )
    if "follow_ups" in content:
        question.follow_ups.set(
            Question.all_objects.filter(key__in=content["follow_ups"]).exclude(pk=question.pk)
        )


def code_examples_keeping_run_flags(
    examples: list[dict[str, str]], existing: list[CodeExample]
) -> list[dict[str, Any]]:
    """Edited code examples as ``question_edit`` stores them: whether an example runs was checked for its
    code, so an example keeps ``existing``'s flags (same position) only while its language and code stay."""
    flagged = []
    for index, example in enumerate(examples):
        before = existing[index] if index < len(existing) else None
        unchanged = before is not None and (before.language, before.code) == (
            example["language"],
            example["code"],
        )
        flagged.append(
            {
                **example,
                "runnable": before.runnable if before is not None and unchanged else False,
                "not_runnable_reason": before.not_runnable_reason if before is not None and unchanged else "",
            }
        )
    return flagged


def _record_revision(question: Question, *, author: User | None, summary: str) -> QuestionRevision:
    fresh = Question.all_objects.select_related("topic").get(pk=question.pk)
    return QuestionRevision.objects.create(
        question=fresh,
        version=fresh.version,
        snapshot=question_snapshot(fresh),
        author=author,
        summary=summary,
    )


@transaction.atomic
def question_update(
    *,
    question: Question,
    expected_version: int,
    changes: dict[str, Any],
    author: User | None = None,
    summary: str = "",
) -> Question:
    """Apply ``changes`` if nobody else edited the question since ``expected_version``.

    The version check and increment happen in one conditional ``UPDATE``, so of two concurrent edits
    based on the same version exactly one wins; the other gets ``Conflict`` and nothing of it is written.
    """
    unknown = set(changes) - {
        *CONTENT_FIELDS,
        *METADATA_FIELDS,
        "topic",
        "tags",
        "code_examples",
        "follow_ups",
    }
    if unknown:
        raise InvalidInput(f"Unknown question fields: {', '.join(sorted(unknown))}", code="unknown_fields")
    if "choice" in changes:
        changes = {**changes, "choice": _checked_choice(changes["choice"])}
    if "probes" in changes:
        changes = {**changes, "probes": _checked_probes(changes["probes"])}
    scalar = {name: value for name, value in changes.items() if name in (*CONTENT_FIELDS, *METADATA_FIELDS)}
    if "topic" in changes:
        topic = Topic.objects.filter(slug=changes["topic"]).first()
        if topic is None:
            raise InvalidInput(f"Unknown topic {changes['topic']!r}", code="unknown_topic")
        scalar["topic"] = topic
    now = timezone.now()
    if scalar.get("status") == QuestionStatus.PUBLISHED and question.published_at is None:
        scalar["published_at"] = now
    updated = Question.all_objects.filter(pk=question.pk, version=expected_version).update(
        **scalar, version=F("version") + 1, updated_at=now
    )
    if not updated:
        current = Question.all_objects.filter(pk=question.pk).values_list("version", flat=True).first()
        if current is None:
            raise NotFound("Question not found.")
        raise Conflict(
            f"This question was changed by someone else (now version {current}, your edit was based on "
            f"version {expected_version}). Reload it and apply your edit again.",
            code="edit_conflict",
            details={"current_version": current, "your_version": expected_version},
        )
    question.refresh_from_db()
    _apply_content(question, changes)
    _record_revision(question, author=author, summary=summary or "Edited")
    questions_changed_announce([question.pk])
    return question


@transaction.atomic
def question_revision_restore(
    *, question: Question, version: int, expected_version: int, user: User | AnonymousUser | None
) -> Question:
    """Make an earlier revision's content current again (as a new version, so history is kept): editors
    only, whichever door asks. ``user`` None is a trusted caller (a management command); every door
    passes the signed-in (or anonymous) user, who becomes the new revision's author."""
    if user is not None:
        refusal = question_action_refusal(question=question, user=user, action="restore_revision")
        if refusal:
            raise PermissionDenied(refusal)
    revision = question.revisions.filter(version=version).first()
    if revision is None:
        raise NotFound(f"Version {version} of this question does not exist.")
    changes = {name: value for name, value in revision.snapshot.items() if name != "status"}
    if "distractors" in changes:  # a snapshot from before multiple choice had its own correct option
        changes["choice"] = choice_from_entry({"distractors": changes.pop("distractors")})
    return question_update(
        question=question,
        expected_version=expected_version,
        changes=changes,
        author=user if isinstance(user, User) else None,
        summary=f"Restored version {version}",
    )


def _checked_choice(value: Any) -> dict[str, Any]:
    problems = choice_problems(value)
    if problems:
        raise InvalidInput(f"The question needs {', '.join(problems)}.", code="invalid")
    return choice_normalized(value)


def _checked_probes(value: Any) -> list[dict[str, str]]:
    problems = probes_problems(value)
    if problems:
        raise InvalidInput(f"The question needs {', '.join(problems)}.", code="invalid")
    return probes_normalized(value)


# --- the bundled bank ---------------------------------------------------------------------------------


@dataclass
class BankLoadReport:
    topics: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    keys_updated: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_REQUIRED = ("key", "prompt", "short_answer", "key_points", "difficulty")


def _validate_bank_question(path: Path, question: dict[str, Any]) -> None:
    where = f"{path.name}: question {question.get('key', '?')!r}"
    missing = [name for name in _REQUIRED if not question.get(name)]
    if missing:
        raise InvalidInput(f"{where} lacks {', '.join(missing)}", code="bank_invalid")
    if question["difficulty"] not in Difficulty.values:
        raise InvalidInput(f"{where} has unknown difficulty {question['difficulty']!r}", code="bank_invalid")
    problems = choice_problems(question.get("choice")) + probes_problems(question.get("probes"))
    if problems:
        raise InvalidInput(f"{where} needs {', '.join(problems)}", code="bank_invalid")


def topics_sync() -> int:
    """Create or update the topic tree from ``topics.json``; returns the number of topics."""
    entries = bank_files.load_topics()
    existing = {topic.slug: topic for topic in Topic.objects.all()}
    for order, entry in enumerate(entries):
        parent = existing.get(entry["parent"]) if entry.get("parent") else None
        wanted = {
            "title": entry["title"],
            "description": entry.get("description", ""),
            "order": entry.get("order", order),
            "parent": parent,
        }
        topic = existing.get(entry["slug"])
        if topic is None:
            existing[entry["slug"]] = Topic.objects.create(slug=entry["slug"], **wanted)
        elif any(getattr(topic, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(topic, name, value)
            topic.save()
    return len(entries)


def question_tags_set(*, question: Question, slugs: list[str]) -> None:
    """Give the question exactly these tags, creating missing ones."""
    wanted = sorted({slug.strip().lower() for slug in slugs if slug.strip()})
    Tag.objects.bulk_create([Tag(slug=slug) for slug in wanted], ignore_conflicts=True)
    question.tags.set(Tag.objects.filter(slug__in=wanted))


def _entry_content(entry: dict[str, Any]) -> dict[str, Any]:
    """A bank or export entry in the shape of ``question_snapshot`` (so the two can be compared)."""
    return {
        "prompt": entry["prompt"],
        "short_answer": entry.get("short_answer", ""),
        "explanation": entry.get("explanation", ""),
        "key_points": list(entry.get("key_points", [])),
        "common_mistakes": list(entry.get("common_mistakes", [])),
        "choice": choice_from_entry(entry),
        "probes": probes_normalized(entry.get("probes")),
        "difficulty": entry.get("difficulty", Difficulty.UNKNOWN),
        "status": entry.get("status", QuestionStatus.PUBLISHED),
        "topic": entry["topic"],
        "tags": sorted({slug.strip().lower() for slug in entry.get("tags", []) if slug.strip()}),
        "code_examples": [
            {name: example.get(name, False if name == "runnable" else "") for name in CODE_FIELDS}
            for example in entry.get("code_examples", [])
        ],
        "follow_ups": sorted(entry.get("follow_ups", [])),
    }


@dataclass
class UpsertReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    keys_updated: list[str] = field(default_factory=list)


@transaction.atomic
def questions_upsert(
    entries: list[dict[str, Any]], *, revision_summary: str, author: User | None = None
) -> UpsertReport:
    """Create or update questions from plain entries (bundled bank or our JSON export), matched by ``key``.

    Unchanged questions are not touched, so applying the same entries twice changes nothing; a changed
    question keeps its id (and so users' progress) and gets a new version and revision. Sources in an
    entry are added when the question does not have them yet. All of it is one transaction.

    Every write is a bulk statement, so the number of queries grows with the number of batches, not of
    questions: a 50,000-question export is applied in a few hundred statements.
    """
    report = UpsertReport()
    topics = dict(Topic.objects.values_list("slug", "pk"))
    now = timezone.now()
    keys = [entry["key"] for entry in entries]
    stored = _stored_questions(keys)

    # Rows to insert, and updated questions; both with the content their revision records.
    created: list[tuple[dict[str, Any], dict[str, Any]]] = []
    changed: list[tuple[Question, dict[str, Any]]] = []
    follow_ups_of: dict[str, list[str]] = {}
    for entry in entries:
        content = _entry_content(entry)
        follow_ups_of[entry["key"]] = content.pop("follow_ups")
        scalar = {name: content[name] for name in CONTENT_FIELDS}
        needs_question = bool(entry.get("needs_question", False))
        current = stored.get(entry["key"])
        if current is None:
            row = {
                "key": entry["key"],
                "topic_id": topics[entry["topic"]],
                "published_at": now if scalar["status"] == QuestionStatus.PUBLISHED else None,
                "needs_question": needs_question,
                "author_id": author.pk if author else None,
                "created_at": now,
                "updated_at": now,
                "version": 1,
                **scalar,
            }
            created.append((row, content))
            continue
        if current.content == content and current.live and current.needs_question == needs_question:
            report.unchanged += 1
            continue
        question = Question(
            pk=current.pk,
            key=entry["key"],
            topic_id=topics[entry["topic"]],
            needs_question=needs_question,
            deleted_at=None,
            version=current.version + 1,
            updated_at=now,
            **scalar,
        )
        changed.append((question, content))
        report.keys_updated.append(question.key)

    created_ids = bulk_insert_rows(Question, [row for row, _ in created])
    Question.all_objects.bulk_update(
        [question for question, _ in changed],
        [*CONTENT_FIELDS, "topic", "needs_question", "deleted_at", "version", "updated_at"],
        batch_size=_WRITE_BATCH,
    )
    report.created, report.updated = len(created), len(changed)
    # (id, key, version, content) of every question written
    written = [
        (pk, row["key"], 1, content) for pk, (row, content) in zip(created_ids, created, strict=True)
    ] + [(question.pk, question.key, question.version, content) for question, content in changed]
    _replace_tags_and_code(written, replace=[question.pk for question, _ in changed])

    # Follow-ups point at other keys, so they are written once every question exists.
    pk_of = {key: current.pk for key, current in stored.items()}
    pk_of.update((key, pk) for pk, key, _, _ in written)
    missing = sorted({key for wanted_keys in follow_ups_of.values() for key in wanted_keys} - set(pk_of))
    for batch in _batches(missing):
        pk_of.update(Question.all_objects.filter(key__in=batch).values_list("key", "pk"))
    follow_up_rows: list[dict[str, int]] = []
    reset: list[int] = []
    final_follow_ups: dict[int, list[str]] = {}
    for key, wanted_keys in follow_ups_of.items():
        pk = pk_of[key]
        wanted = {pk_of[other]: other for other in wanted_keys if other in pk_of and pk_of[other] != pk}
        final_follow_ups[pk] = sorted(wanted.values())
        current = stored.get(key)
        if current is not None:
            if set(wanted) == current.follow_up_ids:
                continue
            reset.append(pk)
        follow_up_rows.extend({"from_question_id": pk, "to_question_id": other} for other in wanted)
    for ids in _batches(reset):
        Question.follow_ups.through.objects.filter(from_question_id__in=ids).delete()
    bulk_insert_rows(Question.follow_ups.through, follow_up_rows)

    known_sources: set[tuple[int, str, int | None]] = set()
    for batch in _batches(keys):
        known_sources.update(
            Source.objects.filter(question__key__in=batch).values_list(
                "question_id", "document", "line_start"
            )
        )
    new_sources: list[dict[str, Any]] = []
    for entry in entries:
        pk = pk_of[entry["key"]]
        for source in entry.get("sources", []):
            identity = (pk, source["document"], source.get("line_start"))
            if identity not in known_sources:
                known_sources.add(identity)
                new_sources.append(
                    {
                        "question_id": pk,
                        "imported_at": now,
                        **{name: source.get(name) or _SOURCE_DEFAULTS[name] for name in _SOURCE_DEFAULTS},
                    }
                )
    bulk_insert_rows(Source, new_sources)
    bulk_insert_rows(
        QuestionRevision,
        [
            {
                "question_id": pk,
                "version": version,
                "snapshot": {**content, "follow_ups": final_follow_ups[pk]},
                "author_id": author.pk if author else None,
                "summary": revision_summary,
                "created_at": now,
            }
            for pk, _, version, content in written
        ],
    )
    questions_changed_announce(pk for pk, _, _, _ in written)
    return report


@dataclass
class _Stored:
    """A question as stored, in the shape of ``_entry_content`` (without follow-ups) for comparison."""

    pk: int
    version: int
    live: bool
    needs_question: bool
    content: dict[str, Any]
    follow_up_ids: set[int] = field(default_factory=set)


def _stored_questions(keys: list[str]) -> dict[str, _Stored]:
    """The questions with these keys, read as plain rows (five queries a batch, no model instances).

    The rows are locked (``SELECT ... FOR UPDATE`` on PostgreSQL), so a concurrent edit cannot slip in
    between the comparison and the write.
    """
    stored: dict[str, _Stored] = {}
    for batch in _batches(keys):
        rows = (
            Question.all_objects.filter(key__in=batch)
            .select_for_update(of=("self",))
            .values("pk", "key", "version", "deleted_at", "needs_question", "topic__slug", *CONTENT_FIELDS)
        )
        by_pk: dict[int, _Stored] = {}
        for row in rows:
            content = {name: row[name] for name in CONTENT_FIELDS}
            content.update(topic=row["topic__slug"], tags=[], code_examples=[])
            by_pk[row["pk"]] = stored[row["key"]] = _Stored(
                pk=row["pk"],
                version=row["version"],
                live=row["deleted_at"] is None,
                needs_question=row["needs_question"],
                content=content,
            )
        pks = list(by_pk)
        for question_id, slug in (
            Question.tags.through.objects.filter(question_id__in=pks)
            .order_by("tag__slug")
            .values_list("question_id", "tag__slug")
        ):
            by_pk[question_id].content["tags"].append(slug)
        for example in (
            CodeExample.objects.filter(question_id__in=pks)
            .order_by("order", "pk")
            .values("question_id", *CODE_FIELDS)
        ):
            by_pk[example.pop("question_id")].content["code_examples"].append(example)
        for from_id, to_id in Question.follow_ups.through.objects.filter(
            from_question_id__in=pks
        ).values_list("from_question_id", "to_question_id"):
            by_pk[from_id].follow_up_ids.add(to_id)
    return stored


_KEY_BATCH = 900  # values in one IN (...): well under SQLite's 32,766 parameters per statement
_WRITE_BATCH = 1000


def _batches(values: list[_T]) -> Iterator[list[_T]]:
    for start in range(0, len(values), _KEY_BATCH):
        yield values[start : start + _KEY_BATCH]


def _replace_tags_and_code(
    written: list[tuple[int, str, int, dict[str, Any]]], *, replace: list[int]
) -> None:
    """Give written questions exactly the tags and code examples of their content, in bulk."""
    for batch in _batches(replace):
        Question.tags.through.objects.filter(question_id__in=batch).delete()
        CodeExample.objects.filter(question_id__in=batch).delete()
    slugs = sorted({slug for _, _, _, content in written for slug in content["tags"]})
    Tag.objects.bulk_create(
        [Tag(slug=slug) for slug in slugs], ignore_conflicts=True, batch_size=_WRITE_BATCH
    )
    tag_ids: dict[str, int] = {}
    for batch in _batches(slugs):
        tag_ids.update(Tag.objects.filter(slug__in=batch).values_list("slug", "pk"))
    bulk_insert_rows(
        Question.tags.through,
        [
            {"question_id": pk, "tag_id": tag_ids[slug]}
            for pk, _, _, content in written
            for slug in content["tags"]
        ],
    )
    bulk_insert_rows(
        CodeExample,
        [
            {"question_id": pk, "order": order, **example}
            for pk, _, _, content in written
            for order, example in enumerate(content["code_examples"])
        ],
    )


_SOURCE_DEFAULTS: dict[str, Any] = {
    "document": "",
    "line_start": None,
    "line_end": None,
    "original_prompt": "",
    "original_answer": "",
}


@transaction.atomic
def bank_load(*, data_dir: Path | None = None, stdout: Writer | None = None) -> BankLoadReport:
    """Load (or refresh) the bundled question bank. Idempotent: loading the same bank twice changes nothing.

    Questions are matched by ``key``; a changed question is updated in place (its id, and so every
    user's cards and review history, stays) with a new revision. The whole load is one transaction.
    """
    report = BankLoadReport()
    report.topics = topics_sync()
    topic_slugs = set(Topic.objects.values_list("slug", flat=True))
    entries: list[tuple[Path, dict[str, Any]]] = list(bank_files.iter_questions(data_dir))
    for path, entry in entries:
        _validate_bank_question(path, entry)
        if entry["topic"] not in topic_slugs:
            raise InvalidInput(f"{path.name}: unknown topic {entry['topic']!r}", code="bank_invalid")
    upserted = questions_upsert(
        [{**entry, "status": QuestionStatus.PUBLISHED} for _, entry in entries],
        revision_summary="Bundled bank",
    )
    report.created, report.updated, report.unchanged = upserted.created, upserted.updated, upserted.unchanged
    report.keys_updated = upserted.keys_updated
    if stdout is not None:
        stdout.write(
            f"Question bank: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged ({report.topics} topics)."
        )
    return report


def bank_load_if_empty(stdout: Writer) -> None:
    """First-run hook: load the bundled bank when the database has no questions yet."""
    if Question.all_objects.exists():
        return
    bank_load(stdout=stdout)


def bank_report_json(report: BankLoadReport) -> str:
    return json.dumps(report.as_dict())


# --- authoring and the editorial workflow --------------------------------------------------------------

# action -> (statuses it applies to, resulting status, whether an editor is required)
_TRANSITIONS: dict[str, tuple[frozenset[str], str, bool]] = {
    "submit": (frozenset({QuestionStatus.DRAFT}), QuestionStatus.IN_REVIEW, False),
    "publish": (frozenset({QuestionStatus.DRAFT, QuestionStatus.IN_REVIEW}), QuestionStatus.PUBLISHED, True),
    "archive": (
        frozenset({QuestionStatus.DRAFT, QuestionStatus.IN_REVIEW, QuestionStatus.PUBLISHED}),
        QuestionStatus.ARCHIVED,
        True,
    ),
    "reopen": (frozenset({QuestionStatus.ARCHIVED, QuestionStatus.IN_REVIEW}), QuestionStatus.DRAFT, True),
}
TRANSITIONS = tuple(_TRANSITIONS)
_PAST = {"submit": "submitted", "publish": "published", "archive": "archived", "reopen": "reopened"}


def _may_edit(question: Question, user: Any) -> bool:
    """Editors edit anything; an author edits their own question while it is a draft."""
    return roles.is_editor(user) or (
        getattr(user, "is_authenticated", False)
        and question.author_id == user.pk
        and question.status == QuestionStatus.DRAFT
    )


# Actions on one question besides the workflow's: who may take them is decided here too. "restore" brings
# a deleted question back; "restore_revision" makes an earlier version current again.
QUESTION_ACTIONS = ("edit", "delete", "restore", "restore_revision", *TRANSITIONS)


def question_action_refusal(*, question: Question, user: Any, action: str) -> str | None:
    """Why ``user``'s role does not allow ``action`` on ``question`` (one of ``QUESTION_ACTIONS``), or
    None when it does: the one access rule for every door. The services raise it as ``PermissionDenied``;
    the API's permission classes answer it before the request's input is read; the editor page offers
    only the workflow buttons it allows. Whether the question's status allows a transition is not a
    matter of role: ``question_transition`` answers that with a conflict."""
    if action == "edit":
        return None if _may_edit(question, user) else "Only editors can change this question."
    if action in ("delete", "restore"):
        return None if roles.is_editor(user) else f"Only editors can {action} questions."
    if action == "restore_revision":  # the history is the editors' (as its page and API)
        return None if roles.is_editor(user) else "Only editors can restore an earlier version of a question."
    if action not in _TRANSITIONS:
        raise InvalidInput(f"Unknown action {action!r}.", code="invalid")
    if _TRANSITIONS[action][2]:
        return None if roles.is_editor(user) else f"Only editors can {action} questions."
    return None if _may_edit(question, user) else f"Only the author or an editor can {action} this question."


def question_create(*, author: User, topic: str, prompt: str, **content: Any) -> Question:
    """A new draft by ``author`` (any signed-in user may propose a question; editors publish it)."""
    unknown = set(content) - {*CONTENT_FIELDS, "tags", "code_examples"} | ({"status"} & set(content))
    if unknown:
        raise InvalidInput(f"Unknown question fields: {', '.join(sorted(unknown))}", code="unknown_fields")
    topic_object = Topic.objects.filter(slug=topic).first()
    if topic_object is None:
        raise InvalidInput(f"Unknown topic {topic!r}", code="unknown_topic")
    if not prompt.strip():
        raise InvalidInput("A question needs a prompt.", code="invalid")
    if "choice" in content:
        content = {**content, "choice": _checked_choice(content["choice"])}
    if "probes" in content:
        content = {**content, "probes": _checked_probes(content["probes"])}
    base = slugify(prompt)[:80].strip("-") or "question"
    with transaction.atomic():
        question = Question.objects.create(
            key=f"{base}-{secrets.token_hex(4)}",
            topic=topic_object,
            prompt=prompt.strip(),
            author=author,
            status=QuestionStatus.DRAFT,
            **{name: value for name, value in content.items() if name in CONTENT_FIELDS},
        )
        _apply_content(question, content)
        _record_revision(question, author=author, summary="Created")
        questions_changed_announce([question.pk])
    return question


def question_edit(
    *, question: Question, user: User, expected_version: int, changes: dict[str, Any]
) -> Question:
    """An edit through the API or UI: permission, then ``question_update`` (optimistic lock, revision)."""
    refusal = question_action_refusal(question=question, user=user, action="edit")
    if refusal:
        raise PermissionDenied(refusal)
    if "status" in changes or "deleted_at" in changes:
        raise InvalidInput("Change the status with submit, publish, archive or reopen.", code="invalid")
    if "code_examples" in changes:
        # Whether an example runs was checked for its code: an unchanged example keeps its flags, whichever
        # door the edit came through (the API sends no flags at all).
        changes = {
            **changes,
            "code_examples": code_examples_keeping_run_flags(
                changes["code_examples"], list(question.code_examples.order_by("order"))
            ),
        }
    return question_update(question=question, expected_version=expected_version, changes=changes, author=user)


def question_delete(
    *, question: Question, user: User | None, expected_version: int | None = None
) -> Question:
    """Soft-delete a question (editors): it leaves the bank, search and every learner's queue, but it
    and everyone's cards and reviews stay, so ``question_restore`` brings it back as it was. A new version
    with a revision records who deleted it. ``expected_version`` None means "whatever is current" (the
    admin's bulk action)."""
    return _question_set_deleted(
        question=question, user=user, expected_version=expected_version, deleted=True
    )


def question_restore(
    *, question: Question, user: User | None, expected_version: int | None = None
) -> Question:
    """Bring a soft-deleted question back (editors), as a new version with a revision."""
    return _question_set_deleted(
        question=question, user=user, expected_version=expected_version, deleted=False
    )


def _question_set_deleted(
    *, question: Question, user: User | None, expected_version: int | None, deleted: bool
) -> Question:
    # ``user`` None is a trusted caller (a management command); every door passes the signed-in user.
    if user is not None:
        refusal = question_action_refusal(
            question=question, user=user, action="delete" if deleted else "restore"
        )
        if refusal:
            raise PermissionDenied(refusal)
    if (question.deleted_at is not None) == deleted:
        raise Conflict(
            "This question is already deleted." if deleted else "This question is not deleted.",
            code="invalid_transition",
            details={"deleted": question.deleted_at is not None},
        )
    return question_update(
        question=question,
        expected_version=question.version if expected_version is None else expected_version,
        changes={"deleted_at": timezone.now() if deleted else None},
        author=user,
        summary="Deleted" if deleted else "Restored",
    )


def question_transition(*, question: Question, user: User, action: str, expected_version: int) -> Question:
    """Move a question through the workflow (draft → in review → published → archived)."""
    if action not in _TRANSITIONS:
        raise InvalidInput(f"Unknown action {action!r}.", code="invalid")
    allowed_from, target, _editor_only = _TRANSITIONS[action]
    refusal = question_action_refusal(question=question, user=user, action=action)
    if refusal:
        raise PermissionDenied(refusal)
    if question.status not in allowed_from:
        raise Conflict(
            f"A question that is {question.get_status_display().lower()} cannot be {_PAST[action]}.",
            code="invalid_transition",
            details={"status": question.status, "action": action},
        )
    return question_update(
        question=question,
        expected_version=expected_version,
        changes={"status": target},
        author=user,
        summary=action.capitalize(),
    )


def question_transitions_allowed(*, question: Question, user: User) -> list[str]:
    """The workflow actions ``user`` may take on ``question`` in its current status, in workflow order.

    The same rules as ``question_transition``: the edit page offers exactly these as buttons.
    """
    allowed = []
    for action, (allowed_from, _target, _editor_only) in _TRANSITIONS.items():
        if question.status not in allowed_from:
            continue
        if question_action_refusal(question=question, user=user, action=action):
            continue
        allowed.append(action)
    return allowed
