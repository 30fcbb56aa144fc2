"""ASGI (uvicorn workers) against WSGI (gunicorn's gthread workers), both running at once, interleaved run by run.

Run: .venv/bin/python bench/serving.py --redis-url redis://127.0.0.1:6379/N [--rounds 3] [--seconds 8]
                                       [--connections 8] [--workers 2] [--threads 8] [--users 16]

``bench/load.py --server asgi|wsgi`` measures one serving model per invocation, minutes apart; on a shared
machine the load changes in between. This bench starts both on one throwaway PostgreSQL database (same
settings, same data, same Redis database), then drives each path with wrk for ``--seconds``, alternating the
two servers path by path (ASGI first in odd rounds, WSGI first in even ones), for ``--rounds`` rounds: the
two see the same machine within seconds of each other. Paths: ``/healthz``, review submits, the review queue
API, the questions list API (50 a page) and the dashboard page, signed in as in ``bench/load.py``.

Printed per path and server: requests/s of each round and their median, CPU per request (the serving
processes' user + system time during the run ÷ requests, a figure the machine's load inflates far less than
requests/s), the 4xx/5xx count; then the peak resident memory (VmHWM) of each worker during the runs, and
before them (the accounts are created and signed in through the WSGI server: Argon2 hashing takes about 100
MiB while it runs). It needs wrk and Linux (``/proc``).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _postgres import DEFAULT_ADMIN_URL, production_environment, throwaway_database
from load import (
    GET_SCRIPT,
    PYTHON,
    ROOT,
    WRK_SCRIPT,
    call,
    cpu_by_process,
    free_port,
    peak_rss_mib,
    run_wrk,
    server_command,
    serving_processes,
    wait_until_up,
    web_session,
)

SERVERS = ("asgi", "wsgi")
PATHS = ("healthz", "review submit", "review queue", "questions list (50)", "dashboard page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--postgres-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("This benchmark needs wrk (apt-get install wrk).")
    database = f"prepdeck_bench_serving_{os.getpid()}"
    with throwaway_database(arguments.postgres_url, database) as url, tempfile.TemporaryDirectory() as folder:
        if url is None:
            sys.exit("This benchmark needs PostgreSQL.")
        env = production_environment(database_url=url, redis_url=arguments.redis_url, data_folder=folder)
        subprocess.run(  # noqa: S603 - our own command
            [str(PYTHON), "-m", "prepdeck", "run", "--no-serve"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        servers: dict[str, subprocess.Popen[bytes]] = {}
        bases: dict[str, str] = {}
        try:
            for kind in SERVERS:
                port = free_port()
                bases[kind] = f"http://127.0.0.1:{port}"
                options = argparse.Namespace(
                    server=kind, workers=arguments.workers, threads=arguments.threads
                )
                with (Path(folder) / f"{kind}.log").open("wb") as log_file:
                    servers[kind] = subprocess.Popen(  # noqa: S603 - our own command
                        server_command(options, port),
                        env=env,
                        stdout=log_file,
                        stderr=subprocess.STDOUT,
                        cwd=ROOT,
                        start_new_session=True,
                    )
            for kind in SERVERS:
                wait_until_up(bases[kind], servers[kind], Path(folder) / f"{kind}.log")
            measure(arguments, folder, bases, servers)
        finally:
            for server in servers.values():
                if server.poll() is None:
                    os.killpg(server.pid, signal.SIGTERM)
            for server in servers.values():
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait()


def measure(
    arguments: argparse.Namespace,
    folder: str,
    bases: dict[str, str],
    servers: dict[str, subprocess.Popen[bytes]],
) -> None:
    base = bases["wsgi"]  # accounts and tokens are in the shared database: valid on both servers
    tokens = []
    for number in range(arguments.users):
        email, password = f"serving{number}@example.com", f"serving-password-{number}-long"
        call(base, "POST", "/api/v1/auth/register/", {"email": email, "password": password})
        tokens.append(
            call(base, "POST", "/api/v1/auth/token/", {"email": email, "password": password})["access"]
        )
    questions = [
        row["id"] for row in call(base, "GET", "/api/v1/questions/?page_size=100", token=tokens[0])["results"]
    ]
    cookie = web_session(base, "serving0@example.com", "serving-password-0-long")
    bearer = ", ".join(f'{{"Authorization", "Bearer {token}"}}' for token in tokens)

    def script(name: str, text: str) -> Path:
        path = Path(folder) / f"{name}.lua"
        path.write_text(text)
        return path

    def review_script(run: str) -> Path:
        return script(
            f"review-{run}",
            WRK_SCRIPT
            % {
                "tokens": ", ".join(f'"{token}"' for token in tokens),
                "questions": ", ".join(str(question) for question in questions),
                "run": f"{run}-{os.getpid()}-{random.randrange(10**6)}",
            },
        )

    urls = {
        "healthz": (None, "/healthz"),
        "review queue": (script("queue", GET_SCRIPT % {"headers": bearer}), "/api/v1/practice/queue/"),
        "questions list (50)": (
            script("list", GET_SCRIPT % {"headers": bearer}),
            "/api/v1/questions/?page_size=50",
        ),
        "dashboard page": (script("dash", GET_SCRIPT % {"headers": f'{{"Cookie", "{cookie}"}}'}), "/"),
    }
    # The accounts were made on the WSGI server, whose workers hashed the passwords (Argon2 takes ~100 MiB per
    # hash): keep each worker's peak so far, then restart the count (Linux: clear_refs 5 resets VmHWM).
    sign_in_peaks = {kind: worker_peaks(servers[kind].pid) for kind in SERVERS}
    for kind in SERVERS:
        for pid in serving_processes(servers[kind].pid):
            Path(f"/proc/{pid}/clear_refs").write_text("5")
    results: dict[tuple[str, str], list[dict[str, Any]]] = {
        (path, kind): [] for path in PATHS for kind in SERVERS
    }
    loads: list[float] = []
    for round_number in range(1, arguments.rounds + 1):
        order = SERVERS if round_number % 2 else tuple(reversed(SERVERS))
        for path in PATHS:
            for kind in order:
                lua, url = (
                    (review_script(f"{kind}{round_number}"), "/api/v1/practice/reviews/")
                    if path == "review submit"
                    else urls[path]
                )
                pid = servers[kind].pid
                result = run_wrk(
                    base=bases[kind],
                    script=lua,
                    path=url,
                    seconds=arguments.seconds,
                    connections=arguments.connections,
                    cpu=lambda pid=pid: cpu_by_process(pid, gunicorn=True),  # type: ignore[misc]
                )
                results[(path, kind)].append(result)
                loads.append(os.getloadavg()[0])
    print(
        f"ASGI: {arguments.workers} uvicorn workers; WSGI: {arguments.workers} gthread workers x {arguments.threads} "
        f"threads; c={arguments.connections}, {arguments.seconds} s per run, {arguments.rounds} rounds interleaved; "
        f"load average {min(loads):.1f}-{max(loads):.1f} during the runs"
    )
    print(
        f"{'path':<20} {'server':<5} {'requests/s by round':<24} {'median':>7}  {'CPU ms/request (median)':>24}  4xx/5xx"
    )
    for path in PATHS:
        for kind in SERVERS:
            runs = results[(path, kind)]
            rates = [run.get("rps", 0.0) for run in runs]
            cpu = [run["cpu_ms"] for run in runs if "cpu_ms" in run]
            failures = sum(
                count for run in runs for status, count in run["statuses"].items() if status >= 400
            )
            print(
                f"{path:<20} {kind:<5} {' / '.join(f'{rate:.1f}' for rate in rates):<24} "
                f"{statistics.median(rates):7.1f}  "
                f"{' / '.join(f'{value:.1f}' for value in cpu):>15} ({statistics.median(cpu) if cpu else 0:.1f})  "
                f"{failures}"
            )
    for kind in SERVERS:
        print(
            f"peak RSS per {kind} worker (MiB): {worker_peaks(servers[kind].pid)} during the runs; "
            f"{sign_in_peaks[kind]} before them{' (signing the accounts in)' if kind == 'wsgi' else ''}"
        )


def worker_peaks(server_pid: int) -> str:
    peaks = [peak_rss_mib(pid) for pid in serving_processes(server_pid)]
    return ", ".join(f"{peak:.0f}" for peak in peaks if peak is not None)


if __name__ == "__main__":
    main()
