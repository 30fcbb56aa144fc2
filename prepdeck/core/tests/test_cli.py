"""The ``prepdeck`` command as a user meets it, in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PREPDECK = [sys.executable, "-m", "prepdeck"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return {**env, "PREPDECK_DATA_DIR": str(tmp_path / "data"), **extra}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PREPDECK, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_help_lists_the_main_verbs(tmp_path: Path) -> None:
    result = _run(["--help"], _env(tmp_path))

    assert result.returncode == 0
    assert "Usage: prepdeck <command>" in result.stdout
    assert "run " in result.stdout
    assert "createsuperuser" in result.stdout
    for verb in ("bank load", "import PATH", "lint PATH", "export", "search ", "practice optimize"):
        assert f"\n  {verb}" in result.stdout, verb


def test_help_names_only_verbs_that_exist(tmp_path: Path) -> None:
    listed = {
        line.split()[0]
        for line in _run(["--help"], _env(tmp_path)).stdout.splitlines()
        if line.startswith("  ") and not line.startswith("   ")
    }
    result = _run(["help", "--commands"], _env(tmp_path))

    assert listed <= set(result.stdout.split())


def test_the_settings_option_chooses_the_settings(tmp_path: Path) -> None:
    # given production variables, but DJANGO_SETTINGS_MODULE left to the local default
    env = _env(
        tmp_path,
        SECRET_KEY="k" * 20 + "-production-secret-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="prepdeck.example.com",
    )

    # when --settings names production (in either spelling)
    equals = _run(
        ["check", "--deploy", "--fail-level", "WARNING", "--settings=config.settings.production"], env
    )
    spaced = _run(
        ["check", "--deploy", "--fail-level", "WARNING", "--settings", "config.settings.production"], env
    )
    local = _run(["check", "--deploy", "--fail-level", "WARNING"], env)

    # then production's deploy checks run (clean), while the local settings would warn
    assert equals.returncode == 0, equals.stdout + equals.stderr
    assert spaced.returncode == 0, spaced.stdout + spaced.stderr
    assert local.returncode == 1
    assert "security.W" in local.stderr


def test_the_pythonpath_option_makes_a_settings_module_outside_the_project_importable(tmp_path: Path) -> None:
    # given a settings module that only --pythonpath can reach
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "site_settings.py").write_text(
        "from config.settings.local import *  # noqa\nPREPDECK_SITE_MARKER = 'read-through-pythonpath'\n"
    )

    # when
    found = _run(["diffsettings", f"--pythonpath={folder}", "--settings=site_settings"], _env(tmp_path))
    missing = _run(["diffsettings", "--settings=site_settings"], _env(tmp_path))

    # then
    assert found.returncode == 0, found.stderr
    assert "PREPDECK_SITE_MARKER = 'read-through-pythonpath'" in found.stdout
    assert missing.returncode == 2
    assert "cannot import the settings 'site_settings'" in missing.stderr


def test_an_unknown_settings_module_fails_with_one_line(tmp_path: Path) -> None:
    result = _run(["check", "--settings=config.settings.nonexistent"], _env(tmp_path))

    assert result.returncode == 2
    assert result.stderr.strip().startswith(
        "prepdeck: configuration error: cannot import the settings 'config.settings.nonexistent'"
    )
    assert len(result.stderr.strip().splitlines()) == 1


def test_django_commands_work_through_it(tmp_path: Path) -> None:
    result = _run(["help", "run"], _env(tmp_path))

    assert result.returncode == 0
    assert "--port" in result.stdout


def test_an_unparsable_database_url_fails_with_one_line(tmp_path: Path) -> None:
    result = _run(["check"], _env(tmp_path, DATABASE_URL="postgres://u@host:notaport/db"))

    assert result.returncode == 2
    assert result.stderr.strip().startswith("prepdeck: configuration error: DATABASE_URL could not be parsed")
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unreachable_postgresql_fails_with_one_line(tmp_path: Path) -> None:
    result = _run(
        ["run", "--no-serve"], _env(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:1/prepdeck")
    )

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "CommandError: cannot connect to PostgreSQL database 'prepdeck' at 127.0.0.1:1"
    )


def test_production_without_a_secret_key_fails_with_one_line(tmp_path: Path) -> None:
    result = _run(
        ["check"], _env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.production", ALLOWED_HOSTS="x.org")
    )

    assert result.returncode == 2
    assert result.stderr.strip().startswith("prepdeck: configuration error: SECRET_KEY is not set")


def test_deploy_checks_pass_with_production_variables(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="k" * 20 + "-production-secret-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="prepdeck.example.com",
    )

    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_run_migrates_and_serves_healthz(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [*PREPDECK, "run", "--port", str(port)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = response.read()
                    break
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.3)
        assert body == b'{"status": "ok"}'
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.status == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)

    assert f"PrepDeck is running at http://localhost:{port}/" in output
    assert "prepdeck createsuperuser" in output
    assert "Question bank: " in output  # the first-run hook loaded the bundled bank
    assert (tmp_path / "data" / "prepdeck.sqlite3").exists()
    assert (tmp_path / "data" / "static" / "staticfiles.json").exists()


def test_run_on_a_busy_port_says_so_before_setting_up(tmp_path: Path) -> None:
    # given another program listening on the port
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        # when PrepDeck is asked to serve there
        result = _run(["run", "--port", str(port)], _env(tmp_path))

    # then it stops at once with what to do, before touching the database
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"prepdeck run --port {port + 1}" in result.stderr
    assert "PrepDeck is running" not in result.stdout
    assert not (tmp_path / "data" / "prepdeck.sqlite3").exists()


@pytest.mark.parametrize("port", ["0", "70000"])
def test_run_refuses_an_impossible_port(tmp_path: Path, port: str) -> None:
    result = _run(["run", "--no-serve", "--port", port], _env(tmp_path))

    assert result.returncode == 1
    assert "--port must be between 1 and 65535" in result.stderr


def test_run_no_serve_no_collectstatic_migrates_without_writing_static_files(tmp_path: Path) -> None:
    # the container's migrate role: its image collected the static files when it was built
    result = _run(["run", "--no-serve", "--no-collectstatic"], _env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert "Migrations applied." in result.stdout
    assert (tmp_path / "data" / "prepdeck.sqlite3").exists()
    assert not (tmp_path / "data" / "static").exists()
