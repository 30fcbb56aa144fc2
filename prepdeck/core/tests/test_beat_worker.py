"""A real Celery worker and Beat (subprocesses) against Redis and the test database: Beat schedules a
periodic task from ``CELERY_BEAT_SCHEDULE`` (every second here, through ``CELERY_BEAT_EVERY_SECONDS``) and
the worker runs it: the dry-run files sweep deletes an expired upload the test left behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.utils import timezone

from prepdeck.accounts.tests.factories import make_user
from prepdeck.catalog.models import ImportJob, ImportJobFile, ImportJobStatus
from prepdeck.core import health

pytestmark = [pytest.mark.redis, pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

DEADLINE_SECONDS = 120  # two cold Django+Celery start-ups on a loaded 2-core machine, then one beat tick


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _celery(*arguments: str, log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [str(celery), "-A", "config", *arguments, "--loglevel", "INFO"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_beat_schedules_a_periodic_task_that_a_real_worker_runs(tmp_path: Path) -> None:
    # given: a dry run whose kept files expired two days ago
    owner = make_user()
    two_days_ago = timezone.now() - timedelta(days=2)
    job = ImportJob.objects.create(
        owner=owner, dry_run=True, status=ImportJobStatus.SUCCEEDED, created_at=two_days_ago, report={}
    )
    ImportJobFile.objects.create(job=job, name="bank.json", data=b"{}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_BEAT_EVERY_SECONDS": "1",
        "PREPDECK_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "beat-worker-test-" + "x" * 40,
        "LOG_LEVEL": "INFO",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    node = f"beat-test-{os.getpid()}@localhost"

    # when: a worker and Beat start
    worker = _celery(
        "worker",
        "--pool",
        "solo",
        "--without-mingle",
        "--without-gossip",
        "-n",
        node,
        log=worker_log,
        env=env,
    )
    beat = _celery(
        "beat",
        "--scheduler",
        "django_celery_beat.schedulers:DatabaseScheduler",
        "--max-interval",
        "1",
        "--pidfile",
        str(tmp_path / "beat.pid"),
        log=beat_log,
        env=env,
    )
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while ImportJobFile.objects.filter(job=job).exists():
            assert worker.poll() is None, "the worker exited early"
            assert beat.poll() is None, "Beat exited early"
            assert time.monotonic() < deadline, f"no sweep within {DEADLINE_SECONDS} s"
            time.sleep(0.25)
        # the readiness check now sees the worker answer a ping
        settings.CELERY_TASK_ALWAYS_EAGER = False
        health.worker_status_forget()
        asked = time.monotonic()
        worker_answer = health.worker_status()
        ping_seconds = time.monotonic() - asked
    finally:
        settings.CELERY_TASK_ALWAYS_EAGER = True
        health.worker_status_forget()
        _stop(beat)
        _stop(worker)
        logs = f"--- worker\n{worker_log.read_text(errors='replace')}\n--- beat\n{beat_log.read_text(errors='replace')}"

    # then: Beat sent it, the worker ran it (and said so), and the expired file is gone; the report stays
    assert re.search(r"Scheduler: Sending due task catalog-dry-run-files-sweep", logs), logs
    assert re.search(
        r"prepdeck\.catalog\.dry_run_files_sweep\[[0-9a-f-]+\] succeeded in [0-9.e-]+s: 1\b", logs
    ), logs
    assert "Dry-run files sweep: 1 expired file(s) deleted" in logs
    assert ImportJob.objects.filter(pk=job.pk).exists()
    assert worker_answer == "ok"
    # the first answer ends the wait (limit=1); with no worker it would take the whole timeout
    assert ping_seconds < health.WORKER_PING_TIMEOUT_SECONDS
    print(f"worker ping answered in {ping_seconds * 1000:.0f} ms")
