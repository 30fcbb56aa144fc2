"""Our JSON export read back: every field validated before anything is written (issue 14, item 8), and
imported questions are drafts unless an editor keeps the export's status on purpose (item 10)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prepdeck.catalog import importing, selectors
from prepdeck.catalog.exporters import data
from prepdeck.catalog.models import CodeExample, Question, QuestionRevision, QuestionStatus, Source, Tag

pytestmark = pytest.mark.django_db


def _entry(key: str = "q-one", **fields: Any) -> dict[str, Any]:
    return {
        "key": key,
        "topic": "django-orm",
        "prompt": f"What does {key} do?",
        "short_answer": "It does a thing.",
        "key_points": ["one", "two"],
        "tags": ["orm"],
        "code_examples": [{"language": "python", "caption": "", "code": "x = 1", "runnable": False}],
        "sources": [{"document": "notes.md", "line_start": 3, "line_end": 9}],
        **fields,
    }


def _export(*entries: dict[str, Any]) -> bytes:
    return json.dumps({"format": "prepdeck-export/1", "questions": list(entries)}, indent=2).encode()


def _import(content: bytes, **options: Any) -> importing.ImportReport:
    return importing.documents_import(files=[importing.InputFile(name="bank.json", data=content)], **options)


def _bank_state() -> tuple[Any, ...]:
    """Everything an import may write, to compare before and after."""
    return (
        sorted(Question.all_objects.values_list("key", "prompt", "status", "version", "deleted_at")),
        Source.objects.count(),
        CodeExample.objects.count(),
        sorted(Tag.objects.values_list("slug", flat=True)),
        QuestionRevision.objects.count(),
    )


BIG_INTEGER = "1" * 5000


@pytest.mark.parametrize(
    ("raw", "item", "field", "message"),
    [
        # the four inputs of the issue: each crashed the importer (ValueError, DataError, UnicodeEncodeError)
        (
            _export(_entry("a"), _entry("b", sources=[{"document": "d.md", "line_start": 2**40}])),
            2,
            "sources[0].line_start",
            "question 2 ('b'): sources[0].line_start must be null or an integer from 0 to 2,147,483,647",
        ),
        (
            _export(_entry(key_points=["fine", "nul \x00 inside"])),
            1,
            "key_points[1]",
            "question 1 ('q-one'): key_points[1] contains NUL (\\u0000), which cannot be stored",
        ),
        (
            _export(_entry(explanation="broken \ud800 half")),
            1,
            "explanation",
            "question 1 ('q-one'): explanation contains a lone surrogate (\\ud800), which cannot be stored",
        ),
        (
            _export(_entry(prompt="x" * 2001)),
            1,
            "prompt",
            "question 1 ('q-one'): prompt must be at most 2,000 characters (it has 2,001)",
        ),
        (
            _export(_entry(tags=["orm"] * 21)),
            1,
            "tags",
            "question 1 ('q-one'): tags must have at most 20 entries (it has 21)",
        ),
        (
            _export(_entry(code_examples=[{"code": "x", "runnable": 1}])),
            1,
            "code_examples[0].runnable",
            "question 1 ('q-one'): code_examples[0].runnable must be true or false",
        ),
        (
            _export(_entry(sources=[{"document": "d.md", "line_start": True}])),
            1,
            "sources[0].line_start",
            "question 1 ('q-one'): sources[0].line_start must be null or an integer from 0 to 2,147,483,647",
        ),
        (
            _export(_entry(status="live")),
            1,
            "status",
            "question 1 ('q-one'): status must be one of draft, in_review, published, archived",
        ),
        (
            _export(_entry(key="trailing-newline\n")),
            1,
            "key",
            "question 1 ('trailing-newline\\n'): key must be at most 120 letters, digits, '-' or '_'",
        ),
    ],
)
def test_an_export_with_a_bad_field_is_refused_naming_file_item_and_field(
    raw: bytes, item: int, field: str, message: str
) -> None:
    # given a bank with one question
    _import(_export(_entry("kept")))
    before = _bank_state()

    report = _import(raw)

    assert len(report.errors) == 1
    error = report.errors[0]
    assert (error["file"], error["item"], error["field"]) == ("bank.json", item, field)
    assert error["message"] == message
    assert _bank_state() == before


def test_an_integer_literal_over_python_s_digit_limit_is_reported_not_raised() -> None:
    raw = _export(_entry()).replace(b'"line_start": 3', b'"line_start": ' + BIG_INTEGER.encode())

    report = _import(raw)

    assert len(report.errors) == 1
    assert report.errors[0]["file"] == "bank.json"
    assert report.errors[0]["line"] == 1
    assert str(report.errors[0]["message"]).startswith("invalid JSON: Exceeds the limit (4300 digits)")
    assert Question.all_objects.count() == 0


def test_an_unknown_topic_names_file_item_and_key() -> None:
    report = _import(_export(_entry("a"), _entry("b", topic="no-such-topic")))

    assert report.errors == [
        {
            "file": "bank.json",
            "line": None,
            "message": "question 2 ('b'): unknown topic 'no-such-topic'",
            "item": 2,
            "key": "b",
            "field": "topic",
        }
    ]
    assert Question.all_objects.count() == 0


# --- the three doors: one bad input each ----------------------------------------------------------------

NUL_EXPORT = _export(_entry(key_points=["nul \x00 inside"]))


def test_the_import_command_reports_a_bad_field_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bank.json"
    path.write_bytes(NUL_EXPORT)

    with pytest.raises(SystemExit) as raised:
        call_command("import", str(path))

    assert raised.value.code == 1
    assert capsys.readouterr().err == (
        "error: bank.json:5: question 1 ('q-one'): key_points[0] contains NUL (\\u0000), which cannot be stored\n"
        "Nothing was imported.\n"
    )
    assert Question.all_objects.count() == 0


# --- hypothesis: mutated exports never crash the importer ------------------------------------------------

_ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates and NUL included
_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(_ANY_CHARACTER, max_size=20),
    st.sampled_from(["", "\x00", "\ud800", "\udfff", "x" * 2_001, "published", "django-orm", "q-two"]),
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(_ANY_CHARACTER, max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
_FIELDS = [
    "key", "topic", "prompt", "short_answer", "explanation", "key_points", "common_mistakes", "distractors",
    "difficulty", "status", "needs_question", "tags", "code_examples", "follow_ups", "sources",
]  # fmt: skip
_NESTED = {
    "code_examples": ["language", "caption", "code", "runnable", "not_runnable_reason"],
    "sources": ["document", "line_start", "line_end", "original_prompt", "original_answer"],
}
# Literals json.dumps never writes, put in place of a value in the text
_RAW_LITERALS = st.sampled_from(
    [
        BIG_INTEGER,
        "-" + BIG_INTEGER,
        "1e999",
        "NaN",
        "-Infinity",
        '"\\u0000"',
        '"\\ud800"',
        '"\\udc00x"',
        "[" * 3000,
    ]
)


@st.composite
def _mutated_export(draw: st.DrawFn, base: dict[str, Any]) -> bytes:
    document = json.loads(json.dumps(base))
    questions = document["questions"]
    raw_literal = None
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        index = draw(st.integers(min_value=0, max_value=len(questions) - 1))
        entry = questions[index]
        action = draw(st.sampled_from(["set", "delete", "nested", "entry", "duplicate", "raw"]))
        if not isinstance(entry, dict) and action != "entry":
            continue
        if action == "set":
            entry[draw(st.sampled_from(_FIELDS))] = draw(_VALUES)
        elif action == "delete":
            entry.pop(draw(st.sampled_from(_FIELDS)), None)
        elif action == "nested":
            name = draw(st.sampled_from(sorted(_NESTED)))
            if isinstance(entry.get(name), list) and entry[name] and isinstance(entry[name][0], dict):
                entry[name][0][draw(st.sampled_from(_NESTED[name]))] = draw(_VALUES)
        elif action == "entry":
            questions[index] = draw(_VALUES)
        elif action == "duplicate":
            questions.append(json.loads(json.dumps(entry)))
        elif raw_literal is None:
            raw_literal = draw(_RAW_LITERALS)
            entry[draw(st.sampled_from(_FIELDS))] = "__raw_literal__"
    text = json.dumps(document, indent=2, ensure_ascii=draw(st.booleans()), allow_nan=False)
    if raw_literal is not None:
        text = text.replace('"__raw_literal__"', raw_literal)
    return text.encode("utf-8", "surrogatepass")


def test_mutated_exports_give_a_report_or_a_clean_error_and_change_nothing(tmp_path: Path) -> None:
    # given a real small export of a bank with a few questions (made through the importer itself)
    _import(
        _export(_entry("q-one", follow_ups=["q-two"]), _entry("q-two", status="published")), keep_status=True
    )
    base = json.loads(data.export_json(selectors.questions_for_export()))
    base["questions"].append(_entry("q-three", explanation="Text with a `code` span.", needs_question=False))

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(raw=_mutated_export(base), dry_run=st.booleans(), keep_status=st.booleans())
    def check(raw: bytes, dry_run: bool, keep_status: bool) -> None:
        before = _bank_state()
        with transaction.atomic():
            savepoint = transaction.savepoint()
            # when the mutated export is imported (any exception but ImportFormatError fails the test)
            report = _import(raw, dry_run=dry_run, keep_status=keep_status)
            after = _bank_state()
            transaction.savepoint_rollback(savepoint)
        # then: a report; when it names errors, they name the file, and nothing was written
        if report.errors or dry_run:
            assert after == before
        assert all(error["file"] in ("bank.json", None) for error in report.errors)
        assert all(isinstance(error["message"], str) and error["message"] for error in report.errors)
        # the report is storable as a job's report (no NUL, no lone surrogate in any message)
        json.dumps(report.as_dict()).encode("utf-8")

    check()


# --- item 10: drafts unless the editor keeps the export's status ----------------------------------------


def test_an_export_without_status_creates_drafts() -> None:
    report = _import(_export(_entry("a"), _entry("b")))

    assert (report.errors, report.created) == ([], 2)
    assert sorted(Question.all_objects.values_list("key", "status", "published_at")) == [
        ("a", QuestionStatus.DRAFT, None),
        ("b", QuestionStatus.DRAFT, None),
    ]


def test_a_published_status_in_an_export_is_a_draft_unless_kept_on_purpose() -> None:
    raw = _export(_entry("a", status="published"), _entry("b"))

    _import(raw)
    assert sorted(Question.all_objects.values_list("key", "status")) == [("a", "draft"), ("b", "draft")]

    # keeping the status applies the export's own (and a question without one stays as it is)
    _import(raw, keep_status=True)
    assert sorted(Question.all_objects.values_list("key", "status")) == [("a", "published"), ("b", "draft")]

    # importing again without it leaves questions already in the bank as they are
    report = _import(_export(_entry("a", status="draft"), _entry("b", status="published")))
    assert (report.created, report.merged_exact) == (0, 2)
    assert sorted(Question.all_objects.values_list("key", "status")) == [("a", "published"), ("b", "draft")]


def test_the_import_command_keeps_the_status_only_with_keep_status(tmp_path: Path) -> None:
    path = tmp_path / "bank.json"
    path.write_bytes(_export(_entry("a", status="published")))

    call_command("import", str(path), "--json")
    assert Question.all_objects.get().status == "draft"

    Question.all_objects.all().delete()
    call_command("import", str(path), "--json", "--keep-status")
    assert Question.all_objects.get().status == "published"


def test_a_value_nested_as_deeply_as_json_allows_is_reported_not_raised() -> None:
    depth = 900
    raw = _export(_entry()).replace(
        b'"short_answer": "It does a thing."', b'"short_answer": ' + b"[" * depth + b"]" * depth
    )

    report = _import(raw)

    assert len(report.errors) == 1
    error = report.errors[0]
    assert (error["file"], error["field"]) == ("bank.json", "short_answer")
    assert Question.all_objects.count() == 0
