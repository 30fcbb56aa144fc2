"""Real servers and real WebSocket clients for live interviews: shared by the two-server test and
``bench/live_latency.py``.

``serve`` starts the project's ASGI application in a uvicorn process (``config.settings.test``, so the
session cookies this process makes are valid there) on the given database and Redis; ``Participant`` is a
socket client that says hello, sends operations and records every event number and pad text it receives.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
# The uvicorn process serving each host ``serve`` yielded (while it runs), for ``server_cpu_seconds``.
_PROCESSES: dict[str, subprocess.Popen[bytes]] = {}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(*, database_url: str | None, redis_url: str | None, startup_seconds: float = 60) -> Iterator[str]:
    """One uvicorn process serving ``config.asgi``; yields its base URL and stops it on the way out."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + startup_seconds
        while True:  # wait for the port to accept connections (or the process to die)
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("uvicorn did not start in time") from None
                time.sleep(0.1)
        host = f"127.0.0.1:{port}"
        _PROCESSES[host] = process
        yield host
    finally:
        _PROCESSES.pop(f"127.0.0.1:{port}", None)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_cpu_seconds(host: str) -> float:
    """The CPU time (user + system, every thread) the server of ``host`` has used so far (Linux /proc)."""
    fields = Path(f"/proc/{_PROCESSES[host].pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Participant:
    """A socket client of one session; ``events`` keeps (seq, kind, payload) and ``seqs`` every number
    received as an event or as ``seen``, in arrival order, each once (a number at or below the last one kept
    is a duplicate from the resync and is dropped; a gap stays visible)."""

    def __init__(self, host: str, session_id: int, cookie: str) -> None:
        self.url = f"ws://{host}/ws/interviews/{session_id}/"
        self.origin = f"http://{host}"
        self.cookie = cookie
        self.events: list[tuple[int, str, dict[str, Any]]] = []
        self.seqs: list[int] = []
        self.errors: list[dict[str, Any]] = []
        self.arrivals: dict[str, float] = {}  # pad text -> monotonic time it arrived
        self._reader: asyncio.Task[None] | None = None
        self._acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._changed = asyncio.Event()

    async def __aenter__(self) -> Participant:
        from websockets.asyncio.client import connect
        from websockets.typing import Origin

        self.socket = await connect(
            self.url, origin=Origin(self.origin), additional_headers=[("Cookie", self.cookie)], max_size=2**20
        )
        await self.socket.send(json.dumps({"op": "hello", "last_seq": 0}))
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.socket.close()
        if self._reader:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.socket:
                message = json.loads(raw)
                kind = message["type"]
                if kind == "event":
                    self._take(message["event"]["seq"], message["event"])
                elif kind == "seen":
                    self._take(message["seq"], None)
                elif kind == "state":
                    for event in message["events"]:
                        self._take(event["seq"], event)
                elif kind == "ack":
                    await self._acks.put(message)
                elif kind == "error":
                    self.errors.append(message)
                    await self._acks.put(message)
                self._changed.set()
        except ConnectionClosed:
            pass

    def _take(self, seq: int, event: dict[str, Any] | None) -> None:
        """Keep a number once, as the page's script does (a broadcast and a resync may both carry it)."""
        if self.seqs and seq <= self.seqs[-1]:
            return
        self.seqs.append(seq)
        if event is not None:
            self.events.append((seq, event["kind"], event["payload"]))
            if event["kind"] == "pad_updated":
                self.arrivals.setdefault(event["payload"]["text"], time.monotonic())

    async def send(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send an operation and wait for its ack (or error)."""
        await self.socket.send(json.dumps(message))
        return await asyncio.wait_for(self._acks.get(), timeout=30)

    async def wait_for_text(self, text: str, timeout: float = 30) -> float:
        """Wait until a pad snapshot with ``text`` has arrived; return when it arrived."""
        async with asyncio.timeout(timeout):
            while text not in self.arrivals:
                self._changed.clear()
                await self._changed.wait()
        return self.arrivals[text]

    async def wait_for_seq(self, seq: int, timeout: float = 30) -> None:
        async with asyncio.timeout(timeout):
            while not self.seqs or max(self.seqs) < seq:
                self._changed.clear()
                await self._changed.wait()

    def received_in_order(self, after: int = 0) -> list[int]:
        """The live numbers after ``after`` as they arrived (must be after+1, after+2, ...)."""
        return [seq for seq in self.seqs if seq > after]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
