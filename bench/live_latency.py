"""Live interviews over real sockets: pad-edit latency and how many concurrent sessions one server holds.

Run: .venv/bin/python bench/live_latency.py [--edits 100] [--sessions 50] [--session-edits 20]
                                            [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
                                            [--redis-url redis://127.0.0.1:6379/3]
                                            [--database-name prepdeck_bench_live]

What it does:
1. creates a throwaway PostgreSQL database (dropped afterwards), migrates it and creates the sessions, the
   interviewers' signed-in cookies and the candidates' redeemed invites in it;
2. **embedded layer**: one uvicorn process with the in-memory channel layer (no REDIS_URL); the interviewer
   and the candidate on it; the candidate sends ``--edits`` pad snapshots one after another and the bench
   times each from the send to its arrival at the interviewer (median and p95);
3. **Redis across two servers** (with ``--redis-url``): the same with two uvicorn processes sharing the Redis
   layer, the interviewer connected to one and the candidate to the other;
4. **concurrent sessions**: ``--sessions`` sessions x 3 sockets (two interviewers and the candidate) on one
   server (in-memory layer); every candidate sends ``--session-edits`` snapshots 400 ms apart (the page's debounce); it counts the
   snapshots that did not reach both interviewers (lost) and any gap in event numbers, and prints the server's CPU time
   for that phase per pad edit (a figure the machine's load disturbs much less than latency does).

The database is PostgreSQL in every case (SQLite serialises writers, which is not what is measured here).
Latency includes the database write of each event (the log is the source of truth) and the broadcast.
Redis: use a database of its own; the servers write channel-layer keys there.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _postgres import DEFAULT_ADMIN_URL, throwaway_database


def _setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _make_sessions(count: int) -> list[dict[str, Any]]:
    """``count`` sessions, each with two interviewers' cookies and the candidate's."""
    from django.conf import settings
    from django.test import Client

    from prepdeck.accounts.tests.factories import make_user
    from prepdeck.interviews import services
    from prepdeck.interviews.access import INVITES_SESSION_KEY, Participant
    from prepdeck.interviews.tests.conftest import build_kit, load_questions

    questions = load_questions()
    name = settings.SESSION_COOKIE_NAME
    made = []
    for number in range(count):
        first, second = make_user(display_name=f"A{number}"), make_user(display_name=f"B{number}")
        session = services.session_schedule(
            kit=build_kit(first, questions),
            owner=first,
            candidate_name=f"Candidate {number}",
            scheduled_at=services.timezone.now(),
            interviewers=[second],
        )
        services.question_reveal(
            session=session, participant=Participant(role="interviewer", user=first, name="A")
        )
        cookies = []
        for user in (first, second):
            client = Client()
            client.force_login(user)
            cookies.append(f"{name}={client.cookies[name].value}")
        _, token = services.invite_issue(session=session)
        invite = services.invite_redeem(token=token)
        guest = Client()
        http_session = guest.session
        http_session[INVITES_SESSION_KEY] = [invite.pk]
        http_session.save()
        made.append(
            {"id": session.pk, "interviewers": cookies, "candidate": f"{name}={http_session.session_key}"}
        )
    return made


async def _latency(
    interviewer_host: str, candidate_host: str, world: dict[str, Any], edits: int, label: str
) -> list[float]:
    """``label`` makes the texts of each case new: a resync replays the earlier cases' snapshots, and an
    old text found among them would time as arrived before it was sent."""
    from prepdeck.interviews.tests.servers import Participant

    async with (
        Participant(interviewer_host, world["id"], world["interviewers"][0]) as watcher,
        Participant(candidate_host, world["id"], world["candidate"]) as typist,
    ):
        await asyncio.sleep(0.5)  # both hellos answered before timing starts
        timings = []
        for number in range(edits):
            text = f"latency {label} {number} " + "x" * 200
            sent = time.monotonic()
            await typist.socket.send(f'{{"op": "pad", "index": 0, "text": "{text}"}}')
            arrived = await watcher.wait_for_text(text)
            timings.append((arrived - sent) * 1000)
            await asyncio.sleep(0.12)  # the client's debounce paces real typing; stay under the rate limit
        return timings


async def _concurrent(host: str, sessions: list[dict[str, Any]], edits: int) -> dict[str, Any]:
    from prepdeck.interviews.tests.servers import Participant, server_cpu_seconds

    sockets: list[tuple[dict[str, Any], list[Participant], Participant]] = []
    opened: list[Participant] = []
    for world in sessions:
        watchers = [Participant(host, world["id"], cookie) for cookie in world["interviewers"]]
        typist = Participant(host, world["id"], world["candidate"])
        for participant in (*watchers, typist):
            await participant.__aenter__()
            opened.append(participant)
        sockets.append((world, watchers, typist))
    await asyncio.sleep(1)
    sent_at: dict[str, float] = {}

    async def type_in(world: dict[str, Any], typist: Participant) -> None:
        for number in range(edits):
            text = f"s{world['id']} e{number}"
            sent_at[text] = time.monotonic()
            await typist.socket.send(f'{{"op": "pad", "index": 0, "text": "{text}"}}')
            await asyncio.sleep(0.4)  # the page's debounce: at most one snapshot per 400 ms of typing

    started = time.monotonic()
    cpu_before = server_cpu_seconds(host)
    await asyncio.gather(*(type_in(world, typist) for world, _, typist in sockets))
    lost = 0
    latencies = []
    for world, watchers, _ in sockets:
        for watcher in watchers:
            for number in range(edits):
                text = f"s{world['id']} e{number}"
                try:
                    arrived = await watcher.wait_for_text(text, timeout=30 if number == edits - 1 else 5)
                    latencies.append((arrived - sent_at[text]) * 1000)
                except TimeoutError:
                    lost += 1
    gaps = sum(
        1
        for participant in opened
        for before, after in zip(participant.seqs, participant.seqs[1:], strict=False)
        if after != before + 1
    )
    errors = sum(len(participant.errors) for participant in opened)
    elapsed = time.monotonic() - started
    cpu = server_cpu_seconds(host) - cpu_before
    for participant in opened:
        await participant.__aexit__(None, None, None)
    return {
        "sockets": len(opened),
        "expected": len(sessions) * 2 * edits,
        "lost": lost,
        "gaps": gaps,
        "errors": errors,
        "latencies": latencies,
        "seconds": elapsed,
        "cpu": cpu,
    }


def _report(label: str, timings: list[float]) -> None:
    from prepdeck.interviews.tests.servers import percentile

    print(
        f"{label}: {len(timings)} pad edits, median {statistics.median(timings):.1f} ms, "
        f"p95 {percentile(timings, 0.95):.1f} ms, max {max(timings):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--session-edits", type=int, default=20)
    parser.add_argument("--postgres-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument(
        "--database-name", default="prepdeck_bench_live", help="the throwaway database (dropped afterwards)"
    )
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")

    with throwaway_database(args.postgres_url, args.database_name) as database_url:
        if database_url is None:
            return
        _setup_django(database_url)
        from prepdeck.interviews.tests.servers import serve

        worlds = _make_sessions(args.sessions + 1)
        with serve(database_url=database_url, redis_url=None) as host:
            _report(
                "in-memory layer, one server",
                asyncio.run(_latency(host, host, worlds[0], args.edits, "memory")),
            )
            result = asyncio.run(_concurrent(host, worlds[1:], args.session_edits))
        print(
            f"concurrent (in-memory layer, one server): {args.sessions} sessions x 3 = {result['sockets']} sockets, "
            f"{result['expected']} deliveries expected, {result['lost']} lost, {result['gaps']} sequence gaps, "
            f"{result['errors']} errors, in {result['seconds']:.1f} s; server CPU {result['cpu']:.1f} s "
            f"({1000 * result['cpu'] / (len(worlds) - 1) / args.session_edits:.1f} ms per pad edit and its "
            "deliveries)"
        )
        if result["latencies"]:
            _report("  under that load", result["latencies"])
        if args.redis_url:
            with (
                serve(database_url=database_url, redis_url=args.redis_url) as first,
                serve(database_url=database_url, redis_url=args.redis_url) as second,
            ):
                _report(
                    "Redis layer, interviewer and candidate on two servers",
                    asyncio.run(_latency(first, second, worlds[0], args.edits, "redis")),
                )
        else:
            print("Redis layer: skipped (pass --redis-url)")
        from django.db import connections

        connections.close_all()
    print(f"load average after: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
