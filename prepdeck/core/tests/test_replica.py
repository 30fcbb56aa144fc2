"""The read-replica router against a real streaming replica (a private primary and a ``pg_basebackup``
clone on other ports): reads on the replica, writes on the primary, read-your-writes, lag and outage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prepdeck.core.tests.pgcluster import primary_with_replica, unavailable_reason

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason())),
]


@pytest.fixture(scope="module")
def observed() -> Iterator[dict[str, Any]]:
    """Run the probe once against a fresh primary and replica; every test reads what it saw."""
    with primary_with_replica() as cluster:
        with cluster.primary.connect() as primary:
            primary.execute("CREATE DATABASE prepdeck")
        cluster.wait_for_replay()
        env = {
            key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}
        } | {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": cluster.primary.url("prepdeck"),
            "DATABASE_REPLICA_URL": cluster.replica.url("prepdeck"),
            "ALLOWED_HOSTS": "testserver",
            "REPLICA_STICKY_SECONDS": "60",
            "REPLICA_MAX_LAG_SECONDS": "1",
            "REPLICA_CHECK_SECONDS": "0",
            "PREPDECK_TEST_PRIMARY": f"{cluster.primary.data}:{cluster.primary.port}",
            "PREPDECK_TEST_REPLICA": f"{cluster.replica.data}:{cluster.replica.port}",
        }
        probe = subprocess.run(
            [sys.executable, "-m", "prepdeck.core.tests.replica_probe"],
            env=env,
            cwd=Path(__file__).resolve().parents[3],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert probe.returncode == 0, probe.stderr[-3000:]
        yield json.loads(probe.stdout.strip().splitlines()[-1])


def test_the_replica_is_a_real_streaming_standby(observed: dict[str, Any]) -> None:
    assert observed["replica_is_a_standby"] is True


def test_reads_are_served_by_the_replica(observed: dict[str, Any]) -> None:
    read = observed["anonymous_read"]
    assert read["status"] == 200
    assert read["primary"] == 0
    assert read["replica"] > 0


def test_a_client_that_wrote_reads_its_own_write_from_the_primary(observed: dict[str, Any]) -> None:
    assert observed["write"] == {"status": 200, "sticky_cookie": True}
    own = observed["own_read_after_write"]
    assert (own["status"], own["display_name"], own["replica"]) == (200, "After", 0)
    assert own["primary"] > 0
    # without the cookie (another device) the paused replica still shows the old name: the lag was real
    assert observed["other_device_during_lag"]["display_name"] == "Before"
    assert observed["other_device_during_lag"]["replica"] > 0


def test_a_lagging_replica_gets_no_reads_until_it_catches_up(observed: dict[str, Any]) -> None:
    lagging, caught_up = observed["read_while_lagging"], observed["read_after_catching_up"]
    assert (lagging["status"], lagging["replica"]) == (200, 0)
    assert lagging["primary"] > 0
    assert (caught_up["status"], caught_up["primary"]) == (200, 0)
    assert caught_up["replica"] > 0


def test_a_replica_that_is_down_gets_no_reads_and_comes_back_by_itself(observed: dict[str, Any]) -> None:
    down, back = observed["read_while_down"], observed["read_after_restart"]
    assert (down["status"], down["replica"]) == (200, 0)
    assert down["primary"] > 0
    assert (back["status"], back["primary"]) == (200, 0)
    assert back["replica"] > 0


def test_each_change_of_the_replicas_state_is_logged(observed: dict[str, Any]) -> None:
    log = observed["log"]
    assert len(log) == 4, log
    assert log[0].startswith("Read replica lags ")
    assert log[0].endswith(" behind the primary (limit 1 s): reads go to the primary.")
    assert log[1] == "Read replica is back: reads go to it again."
    assert log[2].startswith("Read replica does not answer (")
    assert log[3] == "Read replica is back: reads go to it again."
