"""Writes to the question bank: edits with optimistic locking and revisions, and the bundled-bank loader."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from prepdeck.accounts.models import User
from prepdeck.catalog.bank import files as bank_files
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
from prepdeck.core.bootstrap import Writer
from prepdeck.core.exceptions import Conflict, InvalidInput, NotFound

# Fields a revision records and a restore puts back.
CONTENT_FIELDS = (
    "prompt",
    "short_answer",
    "explanation",
    "key_points",
    "common_mistakes",
    "distractors",
    "difficulty",
    "status",
)
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
                question=question, order=index, **{name: example.get(name, "") for name in CODE_FIELDS}
            )
            for index, example in enumerate(content["code_examples"])
        )
    if "follow_ups" in content:
        question.follow_ups.set(
            Question.all_objects.filter(key__in=content["follow_ups"]).exclude(pk=question.pk)
        )


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
    unknown = set(changes) - {*CONTENT_FIELDS, "topic", "tags", "code_examples", "follow_ups"}
    if unknown:
        raise InvalidInput(f"Unknown question fields: {', '.join(sorted(unknown))}", code="unknown_fields")
    scalar = {name: value for name, value in changes.items() if name in CONTENT_FIELDS}
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
    return question


@transaction.atomic
def question_revision_restore(
    *, question: Question, version: int, expected_version: int, author: User | None = None
) -> Question:
    """Make an earlier revision's content current again (as a new version, so history is kept)."""
    revision = question.revisions.filter(version=version).first()
    if revision is None:
        raise NotFound(f"Version {version} of this question does not exist.")
    changes = {name: value for name, value in revision.snapshot.items() if name != "status"}
    return question_update(
        question=question,
        expected_version=expected_version,
        changes=changes,
        author=author,
        summary=f"Restored version {version}",
    )


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
        "distractors": list(entry.get("distractors", [])),
        "difficulty": entry.get("difficulty", Difficulty.UNKNOWN),
        "status": entry.get("status", QuestionStatus.PUBLISHED),
        "topic": entry["topic"],
        "tags": sorted(set(entry.get("tags", []))),
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


def questions_upsert(
    entries: list[dict[str, Any]], *, revision_summary: str, author: User | None = None
) -> UpsertReport:
    """Create or update questions from plain entries (bundled bank or our JSON export), matched by ``key``.

    Unchanged questions are not touched, so applying the same entries twice changes nothing; a changed
    question keeps its id (and so users' progress) and gets a new version and revision. Sources in an
    entry are added when the question does not have them yet. Call inside a transaction.
    """
    report = UpsertReport()
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    existing = {
        question.key: question
        for question in Question.all_objects.filter(key__in=[entry["key"] for entry in entries])
        .select_related("topic")
        .prefetch_related("tags", "code_examples", "follow_ups")
    }
    known_sources = set(
        Source.objects.filter(question__key__in=list(existing)).values_list(
            "question_id", "document", "line_start"
        )
    )
    # Follow-ups point at other keys, so they are written once every question exists.
    touched: list[tuple[Question, list[str], bool]] = []
    new_sources: list[Source] = []
    now = timezone.now()
    for entry in entries:
        content = _entry_content(entry)
        follow_ups = content.pop("follow_ups")
        question = existing.get(entry["key"])
        scalar = {name: content[name] for name in CONTENT_FIELDS}
        extra = {"needs_question": bool(entry.get("needs_question", False))}
        changed = True
        if question is None:
            published_at = now if scalar["status"] == QuestionStatus.PUBLISHED else None
            question = Question.objects.create(
                key=entry["key"],
                topic=topics[entry["topic"]],
                published_at=published_at,
                author=author,
                **scalar,
                **extra,
            )
            _apply_content(question, content)
            report.created += 1
        else:
            current = question_snapshot(question)
            current.pop("follow_ups")
            if (
                current == content
                and question.deleted_at is None
                and question.needs_question == extra["needs_question"]
            ):
                report.unchanged += 1
                changed = False
            else:
                Question.all_objects.filter(pk=question.pk).update(
                    **scalar,
                    **extra,
                    topic=topics[entry["topic"]],
                    deleted_at=None,
                    version=F("version") + 1,
                    updated_at=now,
                )
                question.refresh_from_db()
                _apply_content(question, content)
                report.updated += 1
                report.keys_updated.append(question.key)
        for source in entry.get("sources", []):
            identity = (question.pk, source["document"], source.get("line_start"))
            if identity not in known_sources:
                known_sources.add(identity)
                new_sources.append(
                    Source(
                        question=question,
                        **{name: source.get(name) or _SOURCE_DEFAULTS[name] for name in _SOURCE_DEFAULTS},
                    )
                )
        touched.append((question, follow_ups, changed))
    Source.objects.bulk_create(new_sources)

    by_key = {question.key: question for question, _, _ in touched}
    missing = {key for _, follow_ups, _ in touched for key in follow_ups} - set(by_key)
    by_key.update({question.key: question for question in Question.all_objects.filter(key__in=missing)})
    for question, follow_ups, changed in touched:
        wanted_ids = {by_key[key].pk for key in follow_ups if key in by_key}
        if wanted_ids != {other.pk for other in question.follow_ups.all()}:
            question.follow_ups.set(wanted_ids)
        if changed:
            _record_revision(question, author=author, summary=revision_summary)
    return report


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
