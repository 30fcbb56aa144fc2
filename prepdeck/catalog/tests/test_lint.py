"""The outdated-advice linter on documents, code blocks and through ``prepdeck lint``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from prepdeck.catalog.lint.checks import lint_code, lint_markdown
from prepdeck.catalog.tests.test_importing_seeds import SEEDS


def _rules(markdown: str) -> list[tuple[int, str]]:
    return [(finding.line, finding.rule) for finding in lint_markdown("doc.md", markdown)]


def test_removed_settings_in_code_are_reported_with_their_line() -> None:
    document = "Intro\n\n```python\nUSE_L10N = True\nSTATICFILES_STORAGE = 'x'\n```\n"

    assert _rules(document) == [(4, "DJ004"), (5, "DJ005")]


def test_prose_that_calls_an_api_removed_is_history_not_advice() -> None:
    assert _rules("index_together was removed in Django 5.1; use Meta.indexes.") == []
    assert _rules("Set index_together on the model to speed up lookups.") == [(1, "DJ003")]


def test_check_constraint_with_check_keyword_is_flagged_only_in_code() -> None:
    code = "from django.db import models\nmodels.CheckConstraint(check=models.Q(a__gt=0), name='x')\n"

    assert [finding.rule for finding in lint_code("f", code)] == ["DJ006"]
    assert [
        f.rule for f in lint_code("f", "models.CheckConstraint(condition=models.Q(a__gt=0), name='x')")
    ] == []


def test_calling_unique_together_deprecated_is_a_misuse() -> None:
    assert _rules("Note that unique_together is deprecated now.") == [(1, "DJ007")]


def test_code_that_does_not_parse_is_reported_at_its_line() -> None:
    document = "```python\nx = 1\ndef broken(:\n```"

    findings = lint_markdown("doc.md", document)

    assert [(finding.line, finding.rule) for finding in findings] == [(3, "PY001")]


def test_imports_are_resolved_against_installed_django_and_drf() -> None:
    code = (
        "from django.conf.urls import url\n"
        "from django.db.models import F, Q\n"
        "from rest_framework.decorators import action\n"
        "from rest_framework.viewsets import ModelViewSett\n"
        "import django.utils.six\n"
    )

    findings = lint_code("f", code)

    assert [(finding.line, finding.rule) for finding in findings] == [
        (1, "DJ009"),
        (1, "IMP001"),
        (4, "IMP001"),
        (5, "DJ016"),
        (5, "IMP001"),
    ]
    assert "rest_framework.viewsets has no ModelViewSett" in findings[2].message


def test_non_python_blocks_are_not_parsed() -> None:
    assert _rules("```bash\npip install 'django>=5.2' && echo (\n```") == []


def test_the_command_lints_a_file_as_json_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = tmp_path / "notes.md"
    document.write_text("# Notes\n\n```python\nfrom django.utils.encoding import force_text\n```\n")

    with pytest.raises(SystemExit) as raised:
        call_command("lint", str(document), "--json")

    assert raised.value.code == 1
    findings = json.loads(capsys.readouterr().out)
    assert [(f["file"], f["line"], f["rule"]) for f in findings] == [
        ("notes.md", 4, "DJ013"),
        ("notes.md", 4, "IMP001"),
    ]
    assert findings[0]["fix"] == "Use force_str / smart_str."


def test_the_command_lints_every_file_of_a_folder_decoded_like_the_importer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.md").write_bytes("\ufeffIntro\r\n\r\nSet USE_L10N = True.\r\n".encode())
    (tmp_path / "b.md").write_text("Nothing outdated here.\n")

    with pytest.raises(SystemExit):
        call_command("lint", str(tmp_path), "--json")

    findings = json.loads(capsys.readouterr().out)
    assert [(f["file"], f["line"], f["rule"]) for f in findings] == [("a.md", 3, "DJ004")]


def test_a_binary_file_is_a_one_line_error(tmp_path: Path) -> None:
    from django.core.management import CommandError

    (tmp_path / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(CommandError, match=r"image\.md"):
        call_command("lint", str(tmp_path / "image.md"))


def test_history_is_recognised_across_a_wrapped_sentence() -> None:
    prose = "Since 4.2 `STORAGES` replaces the older `STATICFILES_STORAGE` and\n`DEFAULT_FILE_STORAGE` settings, which were removed in 5.1. Next sentence."

    assert _rules(prose) == []
    assert _rules(
        "Set\nSTATICFILES_STORAGE to the manifest storage. Old settings were removed elsewhere."
    ) == [(2, "DJ005")]


def test_code_labelled_for_a_newer_django_is_not_import_checked() -> None:
    newer = "# settings.py (Django 6.0+)\nfrom django.utils.csp import CSP\n"
    unlabelled = "from django.utils.csp import CSP\n"

    assert lint_code("f", newer) == []
    assert [finding.rule for finding in lint_code("f", unlabelled)] == ["IMP001"]


def test_only_djangos_removed_utc_alias_is_flagged() -> None:
    assert lint_code("f", "from datetime import timezone\nstamp = timezone.utc\n") == []
    assert [f.rule for f in lint_code("f", "from django.utils.timezone import utc\n")] == ["DJ017", "IMP001"]


def test_a_check_constraint_written_over_several_lines_is_flagged_at_its_call() -> None:
    document = (
        "Constraints:\n\n```python\nclass Meta:\n    constraints = [\n        models.CheckConstraint(\n"
        "            check=models.Q(quantity__gte=0),\n            name='stock_non_negative',\n        ),\n"
        "        models.CheckConstraint(condition=models.Q(reserved__gte=0), name='reserved_ok'),\n    ]\n```\n"
    )

    assert _rules(document) == [(6, "DJ006")]


def test_in_code_that_parses_the_construct_decides_not_the_text() -> None:
    code = "# Older code wrote CheckConstraint(check=...): we do not.\nname = 'CheckConstraint(check=1)'\n"

    assert lint_code("f", code) == []


def test_code_that_does_not_parse_falls_back_to_a_match_over_lines() -> None:
    code = "models.CheckConstraint(\n    check=models.Q(a__gt=0),\n    name='x'\n  )) broken\n"

    assert [(finding.line, finding.rule) for finding in lint_code("f", code)] == [(1, "DJ006"), (4, "PY001")]


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("from django.conf.urls import (\n    include,\n    url,\n)\n", "DJ009"),
        ("from django.contrib.postgres.fields import (\n    ArrayField,\n    JSONField,\n)\n", "DJ015"),
        ("from django.utils.timezone import (\n    now,\n    utc,\n)\n", "DJ017"),
    ],
)
def test_imports_in_parentheses_over_several_lines_are_found(code: str, rule: str) -> None:
    parsed = [(finding.line, finding.rule) for finding in lint_code("f", code) if finding.rule == rule]
    unparsed = [
        (finding.line, finding.rule) for finding in lint_code("f", code + "def (:\n") if finding.rule == rule
    ]

    assert parsed == [(1, rule)]
    assert unparsed == [(1, rule)]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents (../shared/seeds) are not present")
def test_the_seeds_multi_line_check_constraints_are_found(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        call_command("lint", str(SEEDS), "--json")

    found = [finding for finding in json.loads(capsys.readouterr().out) if finding["rule"] == "DJ006"]
    assert [(finding["file"][:3], finding["line"]) for finding in found] == [
        ("001", 7348),
        ("001", 7352),
        ("001", 7356),
        ("001", 11385),
        ("001", 11389),
        ("001", 11393),
    ]
