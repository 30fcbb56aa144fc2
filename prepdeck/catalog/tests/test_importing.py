"""The import pipeline through its service and the ``prepdeck import`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from prepdeck.catalog import importing
from prepdeck.catalog.models import Question, Source

pytestmark = pytest.mark.django_db

CSV = (
    "question,answer,topic,tags,difficulty,key_points\n"
    '"What does select_related do?","It follows foreign keys with a SQL join.",ORM,"orm;performance",basic,"joins|one query"\n'
    '"What are Django signals?","Hooks that fire when something happens.",Signals,signals,intermediate,\n'
    '"What are signals in Django?","Observer-style notifications.",Signals,signals,,\n'
    '"What does select_related do?","It follows foreign keys with a SQL join.",ORM,"orm;performance",basic,"joins|one query"\n'
)


def _csv(name: str = "bank.csv", text: str = CSV) -> importing.InputFile:
    return importing.InputFile(name=name, data=text.encode())


def test_a_csv_import_creates_drafts_and_merges_duplicates_with_all_sources() -> None:
    report = importing.documents_import(files=[_csv()])

    assert report.as_dict() == {
        "files": ["bank.csv"],
        "questions_found": 4,
        "created": 2,
        "merged_exact": 1,
        "merged_near": 1,
        "drafts": 0,
        "repairs": {},
        "near_duplicate_groups": [
            ["bank.csv:3 What are Django signals?", "bank.csv:4 What are signals in Django?"]
        ],
        "errors": [],
    }
    joins = Question.objects.get(prompt="What does select_related do?")
    assert (joins.status, joins.difficulty, joins.topic.slug) == ("draft", "basic", "django-orm")
    assert joins.key_points == ["joins", "one query"]
    assert sorted(tag.slug for tag in joins.tags.all()) == ["orm", "performance"]
    assert list(joins.sources.values_list("document", "line_start")) == [("bank.csv", 2), ("bank.csv", 5)]
    signals = Question.objects.get(prompt="What are Django signals?")
    assert signals.topic.slug == "django-signals"
    assert [source.original_answer for source in signals.sources.all()] == [
        "Hooks that fire when something happens.",
        "Observer-style notifications.",
    ]


def test_numbered_questions_with_answers_at_column_0_import_as_one_draft_each() -> None:
    # given a numbered list under a bold title, each answer written flush under its question
    document = importing.InputFile(
        name="orm.md",
        data=(
            b"**Django ORM questions**\n\n"
            b"1. What does select_related do?\n"
            b"It follows foreign keys in the same query with a join.\n\n"
            b"2. What does prefetch_related do?\n"
            b"It runs one more query per relation and joins in Python.\n\n"
            b"It also works for many-to-many relations.\n\n"
            b"3. When is a queryset evaluated?\n"
            b"When it is iterated, sliced with a step, or printed.\n"
        ),
    )

    # when
    report = importing.documents_import(files=[document], topic="django-orm")

    # then
    assert (report.questions_found, report.created, report.drafts, report.errors) == (3, 3, 0, [])
    assert list(
        Question.all_objects.order_by("id").values_list("prompt", "short_answer", "status", "needs_question")
    ) == [
        (
            "What does select_related do?",
            "It follows foreign keys in the same query with a join.",
            "draft",
            False,
        ),
        (
            "What does prefetch_related do?",
            "It runs one more query per relation and joins in Python.",
            "draft",
            False,
        ),
        (
            "When is a queryset evaluated?",
            "When it is iterated, sliced with a step, or printed.",
            "draft",
            False,
        ),
    ]
    assert list(Source.objects.order_by("line_start").values_list("line_start", "line_end")) == [
        (3, 4),
        (6, 9),
        (11, 12),
    ]


def test_importing_the_same_file_again_creates_nothing() -> None:
    importing.documents_import(files=[_csv()])
    counts = (Question.objects.count(), Source.objects.count())

    report = importing.documents_import(files=[_csv()])

    assert (report.created, report.drafts) == (0, 0)
    assert (Question.objects.count(), Source.objects.count()) == counts


def test_a_dry_run_reports_the_same_counts_and_writes_nothing() -> None:
    report = importing.documents_import(files=[_csv()], dry_run=True)

    assert (report.created, report.merged_exact, report.merged_near) == (2, 1, 1)
    assert Question.all_objects.count() == 0


def test_a_bad_file_names_file_and_line_and_nothing_is_written() -> None:
    bad = "question,answer,difficulty\nWhat is a view?,A callable.,expert\n"

    report = importing.documents_import(files=[_csv(), _csv("broken.csv", bad)])

    assert report.errors == [
        {
            "file": "broken.csv",
            "line": 2,
            "message": "difficulty 'expert' is not basic, intermediate or advanced",
        }
    ]
    assert Question.all_objects.count() == 0


def test_a_missing_header_column_is_reported() -> None:
    report = importing.documents_import(files=[_csv("x.csv", "prompt,reply\na,b\n")])

    assert report.errors[0]["file"] == "x.csv"
    assert report.errors[0]["line"] == 1
    assert "lacks the column(s) question, answer" in str(report.errors[0]["message"])


def test_topic_option_overrides_the_guess() -> None:
    importing.documents_import(files=[_csv()], topic="drf-views")

    assert set(Question.objects.values_list("topic__slug", flat=True)) == {"drf-views"}


def test_an_unknown_topic_is_an_error() -> None:
    report = importing.documents_import(files=[_csv()], topic="nope")

    assert report.errors == [{"file": None, "line": None, "message": "unknown topic 'nope'"}]


def test_the_command_prints_the_report_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bank.csv"
    path.write_text(CSV)

    call_command("import", str(path), "--json")

    report = json.loads(capsys.readouterr().out)
    assert (report["files"], report["created"]) == (["bank.csv"], 2)


def test_the_command_exits_1_naming_the_bad_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.csv"
    path.write_text("question,answer\n,empty question\n")

    with pytest.raises(SystemExit) as raised:
        call_command("import", str(path))

    assert raised.value.code == 1
    assert "error: broken.csv:2: the question cell is empty" in capsys.readouterr().err
    assert Question.all_objects.count() == 0


def test_json_export_then_import_with_keep_status_into_an_empty_bank_is_lossless(tmp_path: Path) -> None:
    from django.db import transaction

    from prepdeck.catalog import selectors, services
    from prepdeck.catalog.exporters import data
    from prepdeck.catalog.tests.test_services import _question, _write_bank

    services.bank_load(
        data_dir=_write_bank(
            tmp_path / "bank", [_question("a-one", follow_ups=["a-two"]), _question("a-two")]
        )
    )
    importing.documents_import(files=[_csv()])
    before = [data.question_entry(question) for question in selectors.questions_for_export()]
    exported = data.export_json(selectors.questions_for_export())

    with transaction.atomic():
        sid = transaction.savepoint()
        Question.all_objects.all().delete()
        report = importing.documents_import(
            files=[importing.InputFile(name="export.json", data=exported.encode())], keep_status=True
        )
        after = [data.question_entry(question) for question in selectors.questions_for_export()]
        transaction.savepoint_rollback(sid)

    assert report.errors == []
    assert report.created == len(before) == 4
    assert after == before


def test_json_reimport_changes_nothing() -> None:
    from prepdeck.catalog import selectors
    from prepdeck.catalog.exporters import data

    importing.documents_import(files=[_csv()])
    exported = data.export_json(selectors.questions_for_export()).encode()
    versions = dict(Question.objects.values_list("key", "version"))

    report = importing.documents_import(files=[importing.InputFile(name="export.json", data=exported)])

    assert (report.created, report.merged_exact) == (0, 2)
    assert dict(Question.objects.values_list("key", "version")) == versions


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (
            '{"format": "prepdeck-export/1", "questions": [\n{"key": "x", "prompt": "P", "topic": "django-orm",\n "difficulty": "hard"}]}',
            2,
            "question 1 ('x'): difficulty must be one of basic, intermediate, advanced, unknown",
        ),
        ('{"format": "prepdeck-export/1",\n "questions": [}', 2, "invalid JSON"),
        (
            '{"format": "prepdeck-export/1", "questions": [\n{"key": "a", "prompt": "P", "topic": "django-orm"},\n'
            '{"key": "b", "prompt": "Q", "topic": "django-orm", "tags": [1], "code_examples": [{"caption": "c"}]}]}',
            3,
            "question 2 ('b'): tags[0] must be a string; code_examples[0].code must be a string",
        ),
        (
            '{"format": "prepdeck-export/1", "questions": [\n{"key": "not a slug", "prompt": "P", "topic": "x"}]}',
            2,
            "question 1 ('not a slug'): key must be at most 120 letters",
        ),
        ('{"format": "other"}', 1, "not a PrepDeck export"),
    ],
)
def test_a_broken_json_file_names_the_line(content: str, line: int, message: str) -> None:
    report = importing.documents_import(files=[importing.InputFile(name="bad.json", data=content.encode())])

    assert report.errors[0]["file"] == "bad.json"
    assert report.errors[0]["line"] == line
    assert message in str(report.errors[0]["message"])
    assert Question.all_objects.count() == 0


def test_export_command_writes_csv_the_importer_reads(tmp_path: Path) -> None:
    importing.documents_import(files=[_csv()])
    target = tmp_path / "out.csv"

    call_command("export", "--format", "csv", "-o", str(target))

    import csv

    rows = list(csv.reader(target.open()))
    assert rows[0] == ["question", "answer", "topic", "tags", "difficulty", "key_points"]
    assert [row[0] for row in rows[1:]] == ["What does select_related do?", "What are Django signals?"]
    assert rows[1][2:] == ["django-orm", "orm;performance", "basic", "joins|one query"]
    Question.all_objects.all().delete()
    report = importing.documents_import(files=[importing.InputFile(name="out.csv", data=target.read_bytes())])
    assert (report.errors, report.created) == ([], 2)
    assert set(Question.objects.values_list("topic__slug", flat=True)) == {"django-orm", "django-signals"}


@pytest.mark.parametrize(("file_format", "name"), [("markdown", "out.md"), ("apkg", "out.apkg")])
def test_export_command_writes_markdown_and_anki_the_import_command_reads_back(
    file_format: str, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given two questions in the bank, exported through the command
    importing.documents_import(files=[_csv()])
    before = sorted(Question.objects.values_list("prompt", "topic__slug", "difficulty", "key_points"))
    target = tmp_path / name
    call_command("export", "--format", file_format, "-o", str(target))

    # when the bank is emptied and the file imported through the command
    Question.all_objects.all().delete()
    call_command("import", str(target), "--json")

    # then the same questions are back, under the same topics, with their difficulty and key points
    report = json.loads(capsys.readouterr().out)
    assert (report["errors"], report["created"], report["merged_near"]) == ([], 2, 0)
    after = sorted(Question.objects.values_list("prompt", "topic__slug", "difficulty", "key_points"))
    assert after == before


def test_an_anki_package_cannot_go_to_stdout() -> None:
    with pytest.raises(CommandError, match="an Anki package is binary"):
        call_command("export", "--format", "apkg", "-o", "-")


def test_an_exact_copy_of_a_near_duplicate_joins_the_same_question() -> None:
    text = (
        "question,answer\n"
        "What are Django signals?,One.\n"
        "What are signals in Django?,Two.\n"
        "What are signals in Django?,Two.\n"
    )

    report = importing.documents_import(files=[_csv("s.csv", text)])

    assert (report.created, report.merged_exact, report.merged_near) == (1, 1, 1)
    assert list(Question.objects.get().sources.values_list("line_start", flat=True)) == [2, 3, 4]


def test_a_rewording_of_a_bank_question_merges_and_is_listed_for_review() -> None:
    importing.documents_import(files=[_csv()])
    signals = Question.objects.get(prompt="What are Django signals?")

    report = importing.documents_import(
        files=[_csv("more.csv", "question,answer\nExplain signals in Django.,Hooks.\n")]
    )

    assert (report.created, report.merged_near) == (0, 1)
    assert report.near_duplicate_groups == [
        [f"bank:{signals.key} What are Django signals?", "more.csv:2 Explain signals in Django."]
    ]
    assert signals.sources.count() == 3


def test_csv_export_neutralises_formulas_and_the_importer_reads_them_back(tmp_path: Path) -> None:
    # given questions whose prompt, answer, tags and key points start like spreadsheet formulas
    hostile = (
        "question,answer,topic,tags,difficulty,key_points\n"
        '"=HYPERLINK(""http://evil.example"",""Click"")",- a list item answer,django-orm,'
        "\"=cmd|' /c calc'!a0\",basic,+1 point|@SUM(A1)\n"
        '"@who is asking?","\tTabbed answer",django-orm,orm,,-minus point\n'
    )
    importing.documents_import(files=[_csv("hostile.csv", hostile)])
    stored = sorted(Question.objects.values_list("prompt", "key_points"))
    target = tmp_path / "out.csv"

    # when they are exported as CSV
    call_command("export", "--format", "csv", "-o", str(target))

    # then every cell that starts with = + - @ tab or CR starts with a quote instead
    import csv

    rows = list(csv.reader(target.open(newline="")))
    assert rows[1:] == [
        ['\'=HYPERLINK("http://evil.example","Click")', "'- a list item answer", "django-orm", "'=cmd|' /c calc'!a0", "basic", "'+1 point|@SUM(A1)"],
        ["'@who is asking?", "Tabbed answer", "django-orm", "orm", "unknown", "'-minus point"],
    ]  # fmt: skip
    # and importing the export gives the same questions back (the importer strips our quote)
    Question.all_objects.all().delete()
    report = importing.documents_import(files=[importing.InputFile(name="out.csv", data=target.read_bytes())])
    assert (report.errors, report.created) == ([], 2)
    assert sorted(Question.objects.values_list("prompt", "key_points")) == stored
    assert sorted(Question.objects.values_list("tags__slug", flat=True)) == ["=cmd|' /c calc'!a0", "orm"]


def test_a_quote_that_is_not_our_formula_escape_is_kept() -> None:
    report = importing.documents_import(files=[_csv("q.csv", "question,answer\n'Tis a question?,Yes\n")])

    assert report.created == 1
    assert Question.objects.get().prompt == "'Tis a question?"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("plain = text", "plain = text"),
        ("'quoted", "'quoted"),
        ("", ""),
    ],
)
def test_neutralise_formula(cell: str, written: str) -> None:
    from prepdeck.catalog.exporters.data import neutralise_formula
    from prepdeck.catalog.importers.tabular import _unescape_formula

    assert neutralise_formula(cell) == written
    assert _unescape_formula(written) == cell


# -- what an imported question shows (issue 16 items 3 and 4) ---------------------------------------------

CHATBOT_DOCUMENT = """Top Django questions
====================

## What does select_related do?

It follows foreign keys with a SQL join, so one query fetches the related rows.

It only works for forward foreign keys and one-to-one fields:

```python
Book.objects.select_related("author")

# no query here
book.author
```

For many-to-many relations use `prefetch_related` instead.

## How do you write a custom management command?

Create a module in `app/management/commands/` with a `Command` class.

**Example:**

```python
class Command(BaseCommand):
    def handle(self, *args, **options):
        self.stdout.write("done")
```
"""


def test_an_imported_question_shows_its_short_answer_explanation_and_code_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a chatbot document under a setext title
    path = tmp_path / "top.md"
    path.write_text(CHATBOT_DOCUMENT)

    # when it is imported with the command
    call_command("import", str(path), "--json")

    # then the title is no question, and each question says each thing once
    report = json.loads(capsys.readouterr().out)
    assert (report["questions_found"], report["created"], report["drafts"]) == (2, 2, 0)
    questions = {
        question.prompt: question for question in Question.all_objects.prefetch_related("code_examples")
    }
    assert sorted(questions) == [
        "How do you write a custom management command?",
        "What does select_related do?",
    ]
    joins = questions["What does select_related do?"]
    assert joins.short_answer == (
        "It follows foreign keys with a SQL join, so one query fetches the related rows."
    )
    assert joins.explanation == (
        "It only works for forward foreign keys and one-to-one fields:\n\n"
        '```python\nBook.objects.select_related("author")\n\n# no query here\nbook.author\n```\n\n'
        "For many-to-many relations use `prefetch_related` instead."
    )
    assert list(joins.code_examples.all()) == []  # the code sits in the explanation, once
    command = questions["How do you write a custom management command?"]
    assert command.short_answer == "Create a module in `app/management/commands/` with a `Command` class."
    assert command.explanation == ""
    assert [(code.language, code.caption, code.code) for code in command.code_examples.all()] == [
        (
            "python",
            "Example",
            'class Command(BaseCommand):\n    def handle(self, *args, **options):\n        self.stdout.write("done")',
        )
    ]


def test_a_heading_that_asks_nothing_is_a_section_not_a_draft() -> None:
    document = (
        "## Top Django questions\n\n\n"
        "## What is a QuerySet?\n\nA lazy database query.\n\n\n"
        "**Further reading**\n"
    )

    report = importing.documents_import(files=[importing.InputFile("top.md", document.encode())])

    assert (report.questions_found, report.created, report.drafts) == (1, 1, 0)
    assert list(Question.all_objects.values_list("prompt", "short_answer", "needs_question")) == [
        ("What is a QuerySet?", "A lazy database query.", False)
    ]
