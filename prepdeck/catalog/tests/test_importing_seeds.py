"""End to end: the five real seed documents through ``prepdeck import``.

The counts are the ones established by reading the seeds (the dialect and defect survey kept with the
importer's tests; see prepdeck/catalog/tests/importers/test_markdown.py for the per-file derivation):
288 question items (000: 20, 001: 122, 002: 18, 003: 100, 004: 28) plus 10 answer blocks without a
question (the essays in 000). 001 repeats 25 items verbatim (merged_exact). Rewordings across and
within files merge by prompt core (merged_near); each merge is listed for an editor.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from prepdeck.catalog import importing
from prepdeck.catalog.models import Question, Source

SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents (../shared/seeds) are not present"),
]


def _seed_files() -> list[importing.InputFile]:
    return [importing.InputFile(name=path.name, data=path.read_bytes()) for path in sorted(SEEDS.iterdir())]


def _fences_balanced(markdown: str) -> bool:
    return sum(1 for line in markdown.splitlines() if line.lstrip().startswith("```")) % 2 == 0


def test_importing_the_seeds_gives_the_established_report() -> None:
    report = importing.documents_import(files=_seed_files())

    assert report.errors == []
    assert report.questions_found == 298
    assert report.drafts == 10
    assert report.merged_exact == 25
    assert report.created + report.drafts + report.merged_exact + report.merged_near == 298
    assert report.repairs["mojibake"] == 22
    assert len(report.near_duplicate_groups) >= 15
    assert Question.all_objects.count() == report.created + report.drafts
    assert Source.objects.count() == 298
    assert Question.objects.filter(needs_question=True, status="draft").count() == 10


def test_stored_text_has_no_mojibake_and_balanced_fences() -> None:
    importing.documents_import(files=_seed_files())

    for question in Question.all_objects.all():
        for text in (question.prompt, question.short_answer, question.explanation):
            assert "\uf8ff" not in text
            assert "â€" not in text
            assert "Ã" not in text
        assert _fences_balanced(question.explanation), question.key
    for source in Source.objects.all():
        assert _fences_balanced(source.original_answer), (source.document, source.line_start)


def test_imported_questions_say_each_thing_once() -> None:
    # issue 16 item 3: 14 short answers ended inside a code fence (the whole answer cut at 600 characters),
    # every explanation repeated its short answer, and every code block was shown twice
    importing.documents_import(files=_seed_files())

    questions = list(Question.all_objects.prefetch_related("code_examples"))
    unbalanced = [
        (question.key, name)
        for question in questions
        for name, text in (("short_answer", question.short_answer), ("explanation", question.explanation))
        if not _fences_balanced(text)
    ]
    assert unbalanced == []
    assert [question.key for question in questions if "```" in question.short_answer] == []
    assert [
        question.key
        for question in questions
        if question.short_answer and question.short_answer in question.explanation
    ] == []
    assert [
        (question.key, example.order)
        for question in questions
        for example in question.code_examples.all()
        if example.code in question.explanation
    ] == []
    with_code = [question for question in questions if question.code_examples.all()]
    assert len(with_code) == 107


def test_reimporting_the_seeds_creates_nothing() -> None:
    importing.documents_import(files=_seed_files())
    counts = (Question.all_objects.count(), Source.objects.count())

    report = importing.documents_import(files=_seed_files())

    assert (report.created, report.drafts) == (0, 0)
    assert (Question.all_objects.count(), Source.objects.count()) == counts


def test_a_failed_import_leaves_the_database_unchanged() -> None:
    importing.documents_import(files=_seed_files()[:2])
    counts = (Question.all_objects.count(), Source.objects.count())

    report = importing.documents_import(
        files=[*_seed_files(), importing.InputFile(name="broken.md", data=b"\x00\x01binary\x00")]
    )

    assert report.errors[0]["file"] == "broken.md"
    assert (Question.all_objects.count(), Source.objects.count()) == counts


def test_lint_findings_are_recorded_on_imported_questions() -> None:
    importing.documents_import(files=_seed_files())

    flagged = Question.all_objects.exclude(lint_findings=[])
    rules = {finding["rule"] for question in flagged for finding in question.lint_findings}
    assert flagged.count() >= 10
    assert {"DJ001", "DJ005"} <= rules
