"""CPU per request of the API paths issue 18 measures, in one process, through the ASGI application as served.

Run: .venv/bin/python bench/request_cpu.py [--requests 300] [--rounds 3]
                                           [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
                                           [--redis-url redis://127.0.0.1:6379/9] [--root PATH]
                                           [--profile PATH] [--wsgi]

Throughput on a shared machine swings by 2x from run to run; CPU time spent per request does much less, so
this is the figure to compare two versions of the code by. ``--root`` imports another checkout of the code
(e.g. ``git archive`` of an older commit) with this checkout's virtualenv, for before/after figures from one
run: run the two one after the other, or interleave them with ``--rounds``.

What it does:
1. creates a throwaway PostgreSQL database (dropped afterwards), migrates it and loads the bundled bank, with
   ``config.settings.production`` on that database and ``--redis-url`` (the shipped pool sizes), and creates
   8 learners with a JWT and a signed-in session each;
2. calls ``config.asgi.application`` directly (no HTTP server: an ASGI scope, one request after the other, on
   one event loop), so every request runs Django's ASGI handler, the middleware, the view and the
   ``request_started``/``request_finished`` signals exactly as under uvicorn, including taking a pooled
   database connection and giving it back;
3. for each path: ``/healthz`` (the floor: the stack with no view work), ``/api/v1/me/`` (the floor of a
   signed-in API request: JWT authentication with its user row, the throttles, one small serializer), review submit
   (``POST /api/v1/practice/reviews/``, a random learner and one of 25 questions, so that most reviews are
   of cards that exist, a fresh idempotency key), the
   questions list (``GET /api/v1/questions/?page_size=50``, a random learner), the review queue
   (``GET /api/v1/practice/queue/``) and the dashboard page (``GET /``, a signed-in session cookie), ``--requests`` requests after
   a warm-up, ``--rounds`` times interleaved; prints the median CPU milliseconds per request (process time,
   every thread), the SQL statements and Redis round trips per request.

``--profile PATH`` writes a cProfile of each path (``PATH.<path>.prof``, under ``--wsgi`` only: cProfile sees
one thread, and ASGI runs the view in another) and prints its top functions by cumulative time. ``--wsgi``
calls ``config.wsgi.application`` instead (the same code without the event loop).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _postgres import DEFAULT_ADMIN_URL, production_environment, throwaway_database

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
LEARNERS = 8
QUESTIONS = 25


class Counters:
    sql = 0
    redis = 0


def install_counters() -> None:
    """Count SQL statements (every connection the pool hands out) and Redis round trips in this process."""
    import redis.connection
    from django.db.backends.signals import connection_created

    def count_sql(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        Counters.sql += 1
        return execute(sql, params, many, context)

    def on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
        if count_sql not in connection.execute_wrappers:
            connection.execute_wrappers.append(count_sql)

    connection_created.connect(on_connection, weak=False)
    original = redis.connection.AbstractConnection.send_packed_command

    def send_packed_command(self: Any, command: Any, check_health: bool = True) -> Any:
        Counters.redis += 1
        return original(self, command, check_health)

    redis.connection.AbstractConnection.send_packed_command = send_packed_command  # type: ignore[method-assign]


def asgi_caller() -> Callable[[str, str, dict[str, str], bytes], Any]:
    from config.asgi import application

    loop = asyncio.new_event_loop()

    async def call(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        target, _, query = path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": target,
            "raw_path": target.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1")]
            + [(name.lower().encode(), value.encode()) for name, value in headers.items()]
            + ([(b"content-length", str(len(body)).encode())] if body else []),
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 8000),
        }
        pending = [{"type": "http.request", "body": body, "more_body": False}]
        never = loop.create_future()

        async def receive() -> dict[str, Any]:
            if pending:
                return pending.pop()
            await never  # the client stays connected until the response is sent
            return {"type": "http.disconnect"}

        status = 0
        chunks: list[bytes] = []

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await application(scope, receive, send)
        never.cancel()
        return status, b"".join(chunks)

    def run(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        return loop.run_until_complete(call(method, path, headers, body))

    return run


def wsgi_caller() -> Callable[[str, str, dict[str, str], bytes], Any]:
    from config.wsgi import application

    def run(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        target, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": target,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            environ[key if key == "CONTENT_TYPE" else "HTTP_" + key] = value
        status_line: list[str] = []

        def start_response(status: str, response_headers: Any, exc_info: Any = None) -> None:
            status_line.append(status)

        result = application(environ, start_response)  # type: ignore[arg-type]
        try:
            content = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return int(status_line[0].split()[0]), content

    return run


def signed_in_session(user: Any) -> str:
    """The key of a saved session signed in as ``user``, as the web sign-in form leaves it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return str(session.session_key)


def run_child(arguments: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from rest_framework_simplejwt.tokens import RefreshToken

    import prepdeck
    from prepdeck.accounts.models import User
    from prepdeck.catalog import services as catalog_services
    from prepdeck.catalog.models import Question, QuestionStatus

    print(f"code: {Path(prepdeck.__file__).parent.parent}")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the pages name the hashed files
    catalog_services.bank_load()
    from django.db import connections

    # 25 questions for 8 learners: after the first 200, reviews are of cards that exist (the usual case)
    questions = list(
        Question.objects.filter(status=QuestionStatus.PUBLISHED)
        .order_by("id")
        .values_list("id", flat=True)[:QUESTIONS]
    )
    tokens = []
    cookies = []
    for number in range(LEARNERS):
        user = User.objects.create_user(email=f"cpu{number}@example.com", password=None)
        tokens.append(str(RefreshToken.for_user(user).access_token))
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={signed_in_session(user)}")
    connections.close_all()
    install_counters()
    call = wsgi_caller() if arguments.wsgi else asgi_caller()
    rng = random.Random(18)
    run_key = uuid.uuid4().hex[:8]
    sequence = iter(range(10**9))

    def healthz() -> tuple[str, str, dict[str, str], bytes]:
        return "GET", "/healthz", {}, b""

    def review_submit() -> tuple[str, str, dict[str, str], bytes]:
        body = {
            "question": rng.choice(questions),
            "rating": rng.randint(1, 4),
            "idempotency_key": f"cpu-{run_key}-{next(sequence)}",
        }
        return (
            "POST",
            "/api/v1/practice/reviews/",
            {"Authorization": f"Bearer {rng.choice(tokens)}", "Content-Type": "application/json"},
            json.dumps(body).encode(),
        )

    def questions_list() -> tuple[str, str, dict[str, str], bytes]:
        return (
            "GET",
            "/api/v1/questions/?page_size=50",
            {"Authorization": f"Bearer {rng.choice(tokens)}"},
            b"",
        )

    def me() -> tuple[str, str, dict[str, str], bytes]:
        return "GET", "/api/v1/me/", {"Authorization": f"Bearer {rng.choice(tokens)}"}, b""

    def review_queue() -> tuple[str, str, dict[str, str], bytes]:
        return "GET", "/api/v1/practice/queue/", {"Authorization": f"Bearer {rng.choice(tokens)}"}, b""

    def dashboard() -> tuple[str, str, dict[str, str], bytes]:
        return "GET", "/", {"Cookie": rng.choice(cookies)}, b""

    paths: list[tuple[str, Callable[[], tuple[str, str, dict[str, str], bytes]], int]] = [
        ("healthz", healthz, 200),
        ("me (API floor)", me, 200),
        ("review submit", review_submit, 201),
        ("questions list (50)", questions_list, 200),
        ("review queue", review_queue, 200),
        ("dashboard page", dashboard, 200),
    ]
    figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name, _, _ in paths}
    for round_number in range(arguments.rounds):
        for name, make, expected in paths:
            for _ in range(10):  # warm-up
                status, content = call(*make())
                assert status == expected, (name, status, content[:300])
            if arguments.profile and round_number == 0:
                import cProfile
                import pstats

                profile = cProfile.Profile(time.process_time)  # CPU, not waiting
                profile.enable()
            Counters.sql = Counters.redis = 0
            started = time.process_time()
            for _ in range(arguments.requests):
                status, content = call(*make())
                assert status == expected, (name, status, content[:300])
            spent = time.process_time() - started
            if arguments.profile and round_number == 0:
                profile.disable()
                target = f"{arguments.profile}.{name.split()[0]}-{name.split()[-1].strip('()')}.prof"
                profile.dump_stats(target)
                out = io.StringIO()
                stats = pstats.Stats(profile, stream=out)
                stats.sort_stats("cumulative").print_stats(60)
                stats.sort_stats("tottime").print_stats(30)
                print(f"--- profile of {name} ({target}) ---")
                print(out.getvalue())
            figures[name].append(
                (
                    spent * 1000 / arguments.requests,
                    Counters.sql / arguments.requests,
                    Counters.redis / arguments.requests,
                )
            )
    print(
        f"{'path':<22} {'CPU ms/request (median of rounds: each round)':<48} {'SQL':>5} {'Redis':>6}"
        f"   ({'ASGI' if not arguments.wsgi else 'WSGI'}, {arguments.requests} requests x {arguments.rounds} "
        f"rounds, load average {os.getloadavg()[0]:.1f})"
    )
    for name, rows in figures.items():
        cpu = [row[0] for row in rows]
        each = ", ".join(f"{value:.2f}" for value in cpu)
        print(
            f"{name:<22} {statistics.median(cpu):6.2f}  ({each}){'':<{max(0, 38 - len(each))}}"
            f" {rows[-1][1]:5.1f} {rows[-1][2]:6.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"))
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to import")
    parser.add_argument("--profile", default="", help="write and print a cProfile per path (with --wsgi)")
    parser.add_argument("--wsgi", action="store_true", help="call the WSGI application instead of ASGI")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        run_child(arguments)
        return
    if arguments.profile and not arguments.wsgi:
        sys.exit("--profile needs --wsgi (cProfile sees one thread; ASGI runs the view in another)")
    database = f"prepdeck_bench_cpu_{os.getpid()}"
    with throwaway_database(arguments.postgres_url, database) as url:
        if url is None:
            sys.exit("This benchmark needs PostgreSQL.")
        with __import__("tempfile").TemporaryDirectory() as folder:
            env = {
                **production_environment(database_url=url, redis_url=arguments.redis_url, data_folder=folder),
                "PYTHONPATH": str(arguments.root.resolve()) + os.pathsep + str(ROOT / "bench"),
            }
            command = [str(PYTHON), str(Path(__file__).resolve()), "--child", *sys.argv[1:]]
            subprocess.run(command, env=env, cwd=arguments.root.resolve(), check=True)  # noqa: S603


if __name__ == "__main__":
    main()
