"""Drive PrepDeck against a real primary and streaming replica and print what was seen, as JSON.

Run by ``test_replica.py`` in a subprocess (the suite's own database settings are fixed at start-up), with
``DATABASE_URL`` / ``DATABASE_REPLICA_URL`` naming the private clusters and ``REPLICA_*`` set; the data
folders and ports come in ``PREPDECK_TEST_PRIMARY`` / ``PREPDECK_TEST_REPLICA`` ("folder:port").
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.signals import request_started  # noqa: E402
from django.db import connections, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

from prepdeck.accounts.services import user_create  # noqa: E402
from prepdeck.core.db_router import STICKY_COOKIE  # noqa: E402
from prepdeck.core.tests.pgcluster import PrimaryWithReplica, Server  # noqa: E402


def _server(variable: str) -> Server:
    folder, port = os.environ[variable].rsplit(":", 1)
    return Server(Path(folder), int(port), Path(folder).parent)


class Seen(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def served_by(request: Callable[[], Any]) -> dict[str, Any]:
    """Which database answered the queries of one request (the router's lag checks left out).

    Queries are logged without opening a connection first (``CaptureQueriesContext`` would connect to the
    replica, which may be down on purpose)."""
    aliases = ("default", "replica")
    starts = {}
    request_started.disconnect(reset_queries)  # as CaptureQueriesContext does: keep the log across requests
    for alias in aliases:
        connections[alias].force_debug_cursor = True
        starts[alias] = len(connections[alias].queries_log)
    try:
        response = request()
    finally:
        for alias in aliases:
            connections[alias].force_debug_cursor = False
        request_started.connect(reset_queries)
    checks = ("pg_is_in_recovery", "pg_current_wal_lsn")
    counts = {
        alias: sum(
            1
            for query in list(connections[alias].queries_log)[starts[alias] :]
            if not any(word in query["sql"] for word in checks)
        )
        for alias in aliases
    }
    return {
        "status": response.status_code,
        "primary": counts["default"],
        "replica": counts["replica"],
        "response": response,
    }


def main() -> None:
    cluster = PrimaryWithReplica(_server("PREPDECK_TEST_PRIMARY"), _server("PREPDECK_TEST_REPLICA"))
    seen = Seen()
    logging.getLogger("prepdeck.replica").addHandler(seen)
    result: dict[str, Any] = {}

    call_command("migrate", verbosity=0)
    writer = user_create(email="writer@example.com", password="a-long-password-1", display_name="Before")
    cluster.wait_for_replay()
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        result["replica_is_a_standby"] = cursor.fetchone()[0]

    # 1. reads go to the replica (a read that nothing caches: a cached value is computed from the primary,
    # so that a lagging replica never stores stale data under a new generation; core/caching.py)
    visitor = Client()
    first = served_by(lambda: visitor.get("/api/v1/questions/"))
    result["anonymous_read"] = {key: first[key] for key in ("status", "primary", "replica")}

    # 2. a client that wrote reads its own writes, though the replica has not replayed them yet
    browser, other_device = Client(), Client()
    browser.force_login(writer)
    other_device.force_login(writer)
    cluster.wait_for_replay()
    with cluster.replica.connect() as replica:
        replica.execute("SELECT pg_wal_replay_pause()")
    changed = served_by(
        lambda: browser.patch("/api/v1/me/", {"display_name": "After"}, content_type="application/json")
    )
    own = served_by(lambda: browser.get("/api/v1/me/"))
    elsewhere = served_by(lambda: other_device.get("/api/v1/me/"))
    result["write"] = {
        "status": changed["status"],
        "sticky_cookie": STICKY_COOKIE in changed["response"].cookies,
    }
    result["own_read_after_write"] = {
        "status": own["status"],
        "primary": own["primary"],
        "replica": own["replica"],
        "display_name": own["response"].json()["display_name"],
    }
    result["other_device_during_lag"] = {
        "display_name": elsewhere["response"].json()["display_name"],
        "replica": elsewhere["replica"],
    }

    # 3. a replica lagging beyond the limit gets no reads
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with cluster.replica.connect() as replica:
            lag = replica.execute(
                "SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
            ).fetchone()
        if lag and lag[0] is not None and float(lag[0]) > float(os.environ["REPLICA_MAX_LAG_SECONDS"]) + 0.5:
            break
        time.sleep(0.1)
    lagging = served_by(lambda: Client().get("/browse/"))
    result["read_while_lagging"] = {key: lagging[key] for key in ("status", "primary", "replica")}
    with cluster.replica.connect() as replica:
        replica.execute("SELECT pg_wal_replay_resume()")
    cluster.wait_for_replay()
    caught_up = served_by(lambda: Client().get("/browse/"))
    result["read_after_catching_up"] = {key: caught_up[key] for key in ("status", "primary", "replica")}

    # 4. a replica that is down gets no reads, and comes back by itself
    cluster.replica.stop()
    down = served_by(lambda: Client().get("/browse/"))
    result["read_while_down"] = {key: down[key] for key in ("status", "primary", "replica")}
    cluster.replica.start()
    cluster.wait_for_replay()
    back = served_by(lambda: Client().get("/browse/"))
    result["read_after_restart"] = {key: back[key] for key in ("status", "primary", "replica")}

    result["log"] = seen.messages
    print(json.dumps(result))


if __name__ == "__main__":
    main()
