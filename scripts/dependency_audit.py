"""Audit the installed dependencies for known vulnerabilities (pip-audit), and say plainly when it could not.

Run by ``scripts/test`` (its lint step) as ``.venv/bin/python scripts/dependency_audit.py``. It audits every
distribution installed in the virtualenv that the pinned requirements produced (transitive ones included;
the project itself is skipped), with pip-audit's PyPI service.

Exit status:
- 1 when a known vulnerability is found (always): upgrade the pin named in the report.
- When the audit is incomplete (the vulnerability service could not be reached, or answered for only some
  packages), 1 if ``PREPDECK_AUDIT_INCOMPLETE=fail`` and 0 with a warning if ``warn``. The default is ``fail``
  when ``CI=true`` and ``warn`` otherwise, so a CI that can reach the service never turns green without
  auditing; a CI that cannot must opt into ``warn`` explicitly (see ``.ci/run``).
- 0 when every package was checked and none has a known vulnerability.

Why incomplete is checked here and not left to pip-audit: pip-audit reports a package whose release is
unknown to the service (HTTP 404) as "skipped" and still exits 0 with "No known vulnerabilities found", so
an index that answers 404 for every release would pass while auditing nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
TIMEOUT_SECONDS = 15


def _policy() -> str:
    policy = os.environ.get("PREPDECK_AUDIT_INCOMPLETE", "").strip().lower()
    if policy in {"fail", "warn"}:
        return policy
    return "fail" if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"} else "warn"


def run_pip_audit() -> tuple[dict[str, Any] | None, str]:
    """Run pip-audit over this virtualenv; return its JSON report (None when it produced none) and stderr."""
    command = [
        str(PIP_AUDIT),
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--skip-editable",
        "--timeout",
        str(TIMEOUT_SECONDS),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        return json.loads(completed.stdout), completed.stderr
    except json.JSONDecodeError:
        return None, completed.stderr or completed.stdout


def judge(report: dict[str, Any] | None, errors: str) -> tuple[list[str], list[str], int]:
    """Return (vulnerability lines, reasons the audit is incomplete, number of packages audited)."""
    if report is None:
        last_line = (errors.strip().splitlines() or ["no output"])[-1]
        return [], [f"pip-audit did not produce a report: {last_line}"], 0
    vulnerable, skipped, audited = [], [], 0
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            skipped.append(dependency["skip_reason"])
            continue
        audited += 1
        for vulnerability in dependency.get("vulns", []):
            fixes = ", ".join(vulnerability.get("fix_versions") or []) or "no fixed release yet"
            vulnerable.append(
                f"{dependency['name']} {dependency['version']}: {vulnerability['id']} (fixed in {fixes})"
            )
    incomplete = []
    if skipped:
        incomplete.append(
            f"{len(skipped)} of {len(skipped) + audited} packages could not be checked, e.g. {skipped[0]}"
        )
    return vulnerable, incomplete, audited


def main() -> int:
    if not PIP_AUDIT.exists():
        print(f"dependency audit: {PIP_AUDIT} is missing; install the dev extra (pip install -e '.[dev]')")
        return 1
    report, errors = run_pip_audit()
    vulnerable, incomplete, audited = judge(report, errors)
    if vulnerable:
        print("dependency audit: FAILED, known vulnerabilities in installed packages:")
        for line in vulnerable:
            print(f"  {line}")
        print("Upgrade the pins in pyproject.toml (or the package that pulls the dependency in).")
        return 1
    if incomplete:
        policy = _policy()
        print("!" * 100)
        print("dependency audit: NOT DONE, the vulnerability service could not be used from here.")
        for reason in incomplete:
            print(f"  {reason}")
        print(
            f"  PREPDECK_AUDIT_INCOMPLETE={policy}: "
            + ("failing the build." if policy == "fail" else "continuing, but nothing was audited.")
        )
        print("!" * 100)
        return 1 if policy == "fail" else 0
    print(f"dependency audit: {audited} packages checked, no known vulnerabilities.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
