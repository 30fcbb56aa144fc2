"""The import layers of docs/architecture.md, as ``lint-imports`` checks them ([tool.importlinter] in
pyproject.toml): they hold, and the contract breaks when a lower app imports a higher one or when a new app
has no place in the layers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path, *, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _copy_of_the_code(tmp_path: Path) -> Path:
    """The Python files of ``prepdeck`` and the pyproject.toml, to break on purpose."""
    shutil.copytree(
        ROOT / "prepdeck",
        tmp_path / "prepdeck",
        ignore=lambda folder, names: [
            name for name in names if not name.endswith(".py") and not (Path(folder) / name).is_dir()
        ],
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_hold() -> None:
    result = _lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("catalog/services.py", "from prepdeck.search import services as _search"),
        ("accounts/selectors.py", "from prepdeck.practice import selectors as _practice"),
        ("core/bootstrap.py", "from prepdeck.accounts import selectors as _accounts"),
        ("search/selectors.py", "from prepdeck.practice import selectors as _practice"),
    ],
)
def test_a_lower_app_importing_a_higher_one_breaks_the_contract(
    tmp_path: Path, module: str, line: str
) -> None:
    code = _copy_of_the_code(tmp_path)
    with (code / "prepdeck" / module).open("a") as file:
        file.write(f"\n{line}  # noqa\n")

    result = _lint_imports(code, pythonpath=code)

    importer = "prepdeck." + module.removesuffix(".py").replace("/", ".")
    _, package, _, name, *_ = line.split()
    imported = f"{package}.{name}"
    assert result.returncode == 1
    assert f"- {importer} -> {imported} (l." in result.stdout


def test_an_app_without_a_layer_breaks_the_contract(tmp_path: Path) -> None:
    code = _copy_of_the_code(tmp_path)
    (code / "prepdeck" / "reports").mkdir()
    (code / "prepdeck" / "reports" / "__init__.py").write_text("")

    result = _lint_imports(code, pythonpath=code)

    assert result.returncode == 1
    assert "The following modules are not listed as layers:\n\n- prepdeck.reports" in result.stdout
