"""Private PostgreSQL clusters for tests that need more than the shared server: a primary and a streaming
replica made with ``pg_basebackup``, on free ports, in a temporary folder, owned by the ``postgres`` user
(``initdb`` refuses to run as root). Used by the read-replica tests; skipped, saying why, where the
PostgreSQL server binaries or that user are missing."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def unavailable_reason() -> str | None:
    """Why private clusters cannot be made here, or None when they can."""
    if not BINARIES or not (BINARIES[0] / "initdb").exists():
        return "needs the PostgreSQL server binaries in /usr/lib/postgresql/<version>/bin"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "needs a 'postgres' system user to own the private clusters"
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != "postgres":
        return "needs to run as root or as the postgres user"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(*command: str | Path) -> list[str]:
    arguments = [str(part) for part in command]
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *arguments]
    return arguments


@dataclass
class Server:
    """One private PostgreSQL server."""

    data: Path
    port: int
    sockets: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1"
        subprocess.run(
            _as_postgres(BINARIES[0] / "pg_ctl", "-D", self.data, "-o", options, "-l", self.data / "server.log",
                         "-w", "-t", "60", "start"),
            check=True, capture_output=True, timeout=90,
        )  # fmt: skip

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(BINARIES[0] / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"),
            check=False, capture_output=True, timeout=60,
        )  # fmt: skip


@dataclass
class PrimaryWithReplica:
    primary: Server
    replica: Server

    def wait_for_replay(self, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        with self.primary.connect() as primary:
            target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
        deadline = time.monotonic() + timeout
        with self.replica.connect() as replica:
            while time.monotonic() < deadline:
                caught_up = replica.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]
                ).fetchone()[0]  # type: ignore[index]
                if caught_up:
                    return
                time.sleep(0.05)
        raise TimeoutError("the replica did not catch up")


@contextmanager
def primary_with_replica() -> Iterator[PrimaryWithReplica]:
    """Start a primary, clone it into a streaming replica, and stop and remove both afterwards.

    They live in a new folder of the system's temporary directory (pytest's own is private to root, and the
    servers run as ``postgres``).
    """
    folder = Path(tempfile.mkdtemp(prefix="prepdeck-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    primary = Server(folder / "primary", _free_port(), folder)
    replica = Server(folder / "replica", _free_port(), folder)
    subprocess.run(
        _as_postgres(BINARIES[0] / "initdb", "-D", primary.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                     "--no-sync"),
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with (primary.data / "postgresql.conf").open("a") as conf:
        conf.write("wal_level = replica\nmax_wal_senders = 5\nfsync = off\nhot_standby = on\n")
    with (primary.data / "pg_hba.conf").open("a") as hba:
        hba.write("host replication postgres 127.0.0.1/32 trust\n")
    primary.start()
    try:
        subprocess.run(
            _as_postgres(BINARIES[0] / "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                         "-D", replica.data, "-R", "-X", "stream", "--no-sync"),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        replica.start()
        try:
            yield PrimaryWithReplica(primary, replica)
        finally:
            replica.stop()
    finally:
        primary.stop()
        shutil.rmtree(folder, ignore_errors=True)
