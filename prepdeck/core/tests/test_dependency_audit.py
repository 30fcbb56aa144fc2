"""scripts/dependency_audit.py: fails on a known vulnerability, and never passes silently when nothing could
be audited. pip-audit itself is replaced by a small program that prints a given report, so no network."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "dependency_audit.py"


@pytest.fixture
def audit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    spec = importlib.util.spec_from_file_location("dependency_audit", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("PREPDECK_AUDIT_INCOMPLETE", raising=False)

    def with_report(report: dict[str, Any] | None, *, stderr: str = "") -> Any:
        """Make ``pip-audit`` a program that prints ``report`` (or nothing) and exits."""
        fake = tmp_path / "pip-audit"
        output = "" if report is None else json.dumps(report)
        fake.write_text(
            f"#!{sys.executable}\nimport sys\nsys.stdout.write({output!r})\nsys.stderr.write({stderr!r})\n"
        )
        fake.chmod(0o755)
        monkeypatch.setattr(module, "PIP_AUDIT", fake)
        return module

    return with_report


CLEAN = {"name": "django", "version": "5.2.19", "vulns": []}
VULNERABLE = {
    "name": "django",
    "version": "5.2.1",
    "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.2"], "aliases": [], "description": "..."}],
}
SKIPPED = {
    "name": "amqp",
    "skip_reason": "Dependency not found on PyPI and could not be audited: amqp (5.4.2)",
}


def test_every_package_checked_and_clean_passes(audit: Any, capsys: pytest.CaptureFixture[str]) -> None:
    module = audit({"dependencies": [CLEAN], "fixes": []})

    assert module.main() == 0
    assert capsys.readouterr().out == "dependency audit: 1 packages checked, no known vulnerabilities.\n"


def test_a_known_vulnerability_fails_with_the_fix(audit: Any, capsys: pytest.CaptureFixture[str]) -> None:
    module = audit({"dependencies": [CLEAN, VULNERABLE, SKIPPED], "fixes": []})

    assert module.main() == 1
    assert "  django 5.2.1: PYSEC-2025-1 (fixed in 5.2.2)\n" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("environment", "expected_status", "verdict"),
    [
        ({}, 0, "PREPDECK_AUDIT_INCOMPLETE=warn: continuing, but nothing was audited."),
        ({"CI": "true"}, 1, "PREPDECK_AUDIT_INCOMPLETE=fail: failing the build."),
        ({"CI": "true", "PREPDECK_AUDIT_INCOMPLETE": "warn"}, 0, "=warn: continuing"),
        ({"PREPDECK_AUDIT_INCOMPLETE": "fail"}, 1, "=fail: failing the build."),
    ],
)
def test_packages_the_service_could_not_check_are_never_silently_green(
    audit: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    expected_status: int,
    verdict: str,
) -> None:
    # given: what this machine's index does: a 404 for every release, which pip-audit calls "skipped"
    module = audit({"dependencies": [SKIPPED, CLEAN], "fixes": []})
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    # when
    status = module.main()

    # then
    output = capsys.readouterr().out
    assert status == expected_status
    assert "dependency audit: NOT DONE, the vulnerability service could not be used from here." in output
    assert f"  1 of 2 packages could not be checked, e.g. {SKIPPED['skip_reason']}\n" in output
    assert verdict in output


def test_no_report_at_all_is_an_audit_not_done(audit: Any, capsys: pytest.CaptureFixture[str]) -> None:
    module = audit(None, stderr="ServiceError: Name or service not known\n")

    assert module.main() == 0
    output = capsys.readouterr().out
    assert "  pip-audit did not produce a report: ServiceError: Name or service not known\n" in output
