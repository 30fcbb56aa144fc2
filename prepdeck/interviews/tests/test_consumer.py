"""The live socket ``/ws/interviews/<id>/`` through the project's ASGI router (origin check, session
cookie auth), with channels.testing's WebsocketCommunicator on the real database."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import make_user
from prepdeck.interviews import consumers, services
from prepdeck.interviews.access import INVITES_SESSION_KEY
from prepdeck.interviews.models import InterviewSession, Note, Scorecard, SessionEvent
from prepdeck.interviews.tests.conftest import build_kit, load_questions

pytestmark = pytest.mark.django_db(transaction=True)

Message = dict[str, Any]


def _cookie_of(client: Client) -> bytes:
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


def user_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    return _cookie_of(client)


def candidate_cookie(session: InterviewSession) -> bytes:
    """A guest browser that redeemed an invite (as the invite page does)."""
    _, token = services.invite_issue(session=session)
    invite = services.invite_redeem(token=token)
    client = Client()
    http_session = client.session
    http_session[INVITES_SESSION_KEY] = [invite.pk]
    http_session.save()
    assert http_session.session_key is not None
    client.cookies[settings.SESSION_COOKIE_NAME] = http_session.session_key
    return _cookie_of(client)


def socket(
    session_id: int, cookie: bytes = b"", origin: bytes = b"http://localhost"
) -> WebsocketCommunicator:
    headers = [(b"host", b"localhost"), (b"origin", origin)]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, f"/ws/interviews/{session_id}/", headers=headers)


async def until(communicator: WebsocketCommunicator, matches: Callable[[Message], bool]) -> list[Message]:
    """Every message up to and including the first that ``matches``."""
    received = []
    while True:
        message = await communicator.receive_json_from(timeout=10)
        received.append(message)
        if matches(message):
            return received


def is_event(kind: str) -> Callable[[Message], bool]:
    return lambda message: message["type"] == "event" and message["event"]["kind"] == kind


def is_type(kind: str) -> Callable[[Message], bool]:
    return lambda message: message["type"] == kind


async def joined(communicator: WebsocketCommunicator) -> Message:
    connected, code = await communicator.connect(timeout=10)
    assert connected, code
    await communicator.send_json_to({"op": "hello", "last_seq": 0})
    return (await until(communicator, is_type("state")))[-1]


@pytest.fixture(autouse=True)
def _fresh_channel_layer() -> Any:
    """Each test runs its own event loop; channels-redis keeps per-loop locks, so each gets a new layer."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
    close_sync_thread_connections()


def close_sync_thread_connections() -> None:
    """Close what the consumers opened in asgiref's one shared sync thread: a later test without database
    access (the ping socket) must not find an open connection there."""
    from asgiref.sync import sync_to_async
    from django.db import connections

    asyncio.run(sync_to_async(connections.close_all)())


@pytest.fixture
def world() -> dict[str, Any]:
    questions = load_questions()
    ada, grace = make_user(display_name="Ada"), make_user(display_name="Grace")
    session = services.session_schedule(
        kit=build_kit(ada, questions),
        owner=ada,
        candidate_name="Linus",
        scheduled_at=services.timezone.now(),
        interviewers=[grace],
    )
    return {
        "session": session,
        "ada": ada,
        "grace": grace,
        "ada_cookie": user_cookie(ada),
        "candidate": candidate_cookie(session),
    }


def test_a_live_exchange_reaches_each_side_filtered_by_role(world: dict[str, Any]) -> None:
    session: InterviewSession = world["session"]

    async def scenario() -> tuple[Message, Message, list[Message]]:
        interviewer = socket(session.pk, world["ada_cookie"])
        candidate = socket(session.pk, world["candidate"])
        interviewer_state = await joined(interviewer)
        candidate_state = await joined(candidate)

        await interviewer.send_json_to({"op": "reveal", "ref": "r1"})
        await until(candidate, is_event("question_revealed"))
        await candidate.send_json_to({"op": "pad", "index": 0, "text": "select_related joins", "ref": 7})
        pad = (await until(interviewer, is_event("pad_updated")))[-1]
        await interviewer.send_json_to({"op": "tick", "index": 0, "point": 0})
        await interviewer.send_json_to({"op": "note", "index": 0, "text": "Quick"})
        await interviewer.send_json_to({"op": "timer", "scope": "question", "running": False})
        candidate_saw = await until(candidate, is_event("timer_stopped"))
        await interviewer.disconnect()
        await candidate.disconnect()
        return interviewer_state, {"candidate_state": candidate_state, "pad": pad}, candidate_saw

    interviewer_state, seen, candidate_saw = asyncio.run(scenario())

    assert interviewer_state["state"]["role"] == "interviewer"
    assert len(interviewer_state["state"]["questions"]) == 3
    candidate_state = seen["candidate_state"]["state"]
    assert candidate_state["role"] == "candidate"
    assert "questions" not in candidate_state
    assert "ticks" not in candidate_state
    assert "notes" not in candidate_state
    assert seen["pad"]["event"]["payload"] == {"index": 0, "text": "select_related joins"}
    assert seen["pad"]["event"]["actor_role"] == "candidate"
    kinds = [m["event"]["kind"] for m in candidate_saw if m["type"] == "event"]
    assert "rubric_ticked" not in kinds
    assert "note_written" not in kinds
    assert kinds[-2:] == ["pad_updated", "timer_stopped"]
    assert Scorecard.objects.get(session=session).ticks == {"0": [0]}
    assert Note.objects.get(session=session).text == "Quick"


def test_strangers_other_interviewers_and_foreign_origins_are_refused(world: dict[str, Any]) -> None:
    session: InterviewSession = world["session"]
    stranger_cookie = user_cookie(make_user())
    # An interviewer of another session is a stranger to this one.
    other = make_user()
    services.session_schedule(
        kit=build_kit(other, []), owner=other, candidate_name="X", scheduled_at=services.timezone.now()
    )
    other_cookie = user_cookie(other)
    before = SessionEvent.objects.count()

    async def attempts() -> list[tuple[bool, Any]]:
        results = []
        for communicator in (
            socket(session.pk),  # anonymous, no invite
            socket(session.pk, stranger_cookie),
            socket(session.pk, other_cookie),
            socket(session.pk + 999, world["ada_cookie"]),
            socket(session.pk, world["ada_cookie"], origin=b"http://evil.example"),
        ):
            results.append(await communicator.connect(timeout=10))
            await communicator.disconnect()
        return results

    results = asyncio.run(attempts())
    assert [connected for connected, _ in results] == [False] * 5
    assert [code for _, code in results[:4]] == [consumers.CLOSE_NOT_FOUND] * 4
    assert SessionEvent.objects.count() == before


def test_the_candidate_cannot_drive_or_read_private_things_over_the_socket(world: dict[str, Any]) -> None:
    session: InterviewSession = world["session"]

    async def scenario() -> list[Message]:
        candidate = socket(session.pk, world["candidate"])
        await joined(candidate)
        replies = []
        for op in (
            {"op": "reveal", "ref": 1},
            {"op": "tick", "index": 0, "point": 0, "ref": 2},
            {"op": "note", "index": 0, "text": "x", "ref": 3},
            {"op": "timer", "scope": "session", "running": True, "ref": 4},
            {"op": "finish", "ref": 5},
            {"op": "scorecards", "ref": 6},
        ):
            await candidate.send_json_to(op)
            replies.append((await until(candidate, is_type("error")))[-1])
        await candidate.disconnect()
        return replies

    before = list(SessionEvent.objects.values_list("seq", "kind"))
    replies = asyncio.run(scenario())
    assert [(reply["code"], reply["ref"]) for reply in replies] == [
        ("interviewer_only", 1),
        ("interviewer_only", 2),
        ("interviewer_only", 3),
        ("interviewer_only", 4),
        ("interviewer_only", 5),
        ("unknown_op", 6),
    ]
    kinds = list(SessionEvent.objects.exclude(kind__startswith="presence").values_list("kind", flat=True))
    assert kinds == [kind for _, kind in before if not kind.startswith("presence")] == []
    assert Scorecard.objects.count() == Note.objects.count() == 0


def test_malformed_messages_get_an_error_and_the_socket_stays(world: dict[str, Any]) -> None:
    session: InterviewSession = world["session"]

    async def scenario() -> tuple[list[Message], Message]:
        interviewer = socket(session.pk, world["ada_cookie"])
        await joined(interviewer)
        errors = []
        for raw in ("{not json", "[1, 2]", '{"op": 3}', '"hello"', '{"op": "reveal", "index": "zero"}'):
            await interviewer.send_to(text_data=raw)
            errors.append((await until(interviewer, is_type("error")))[-1])
        await interviewer.send_to(bytes_data=b"\x00\x01")
        errors.append((await until(interviewer, is_type("error")))[-1])
        await interviewer.send_json_to({"op": "hello", "last_seq": "garbage"})
        state = (await until(interviewer, is_type("state")))[-1]
        await interviewer.disconnect()
        return errors, state

    errors, state = asyncio.run(scenario())
    assert [error["code"] for error in errors] == ["malformed_message"] * 4 + ["invalid", "malformed_message"]
    assert state["state"]["current"] == -1
    assert SessionEvent.objects.filter(kind="question_revealed").count() == 0


def test_an_oversized_message_is_refused_and_closes_the_socket(world: dict[str, Any]) -> None:
    session: InterviewSession = world["session"]

    async def scenario() -> tuple[Message, Any]:
        candidate = socket(session.pk, world["candidate"])
        await joined(candidate)
        await candidate.send_json_to(
            {"op": "pad", "index": 0, "text": "x" * (consumers.MAX_MESSAGE_BYTES + 1)}
        )
        error = (await until(candidate, is_type("error")))[-1]
        closed = await candidate.receive_output(timeout=10)
        while closed["type"] != "websocket.close":  # broadcasts queued before the close
            closed = await candidate.receive_output(timeout=10)
        await candidate.disconnect()  # what the server sends once the close handshake is done
        return error, closed

    error, closed = asyncio.run(scenario())
    assert error["code"] == "message_too_large"
    assert closed == {"type": "websocket.close", "code": consumers.CLOSE_TOO_LARGE}
    assert SessionEvent.objects.filter(kind="pad_updated").count() == 0


def test_a_flood_is_rate_limited_per_connection(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    session: InterviewSession = world["session"]
    monkeypatch.setattr(consumers, "RATE_PER_SECOND", 0.0)  # no refill: exactly the burst gets through

    async def scenario() -> list[Message]:
        interviewer = socket(session.pk, world["ada_cookie"])
        await interviewer.connect(timeout=10)
        await interviewer.send_json_to({"op": "reveal"})
        await until(interviewer, is_type("ack"))
        candidate = socket(session.pk, world["candidate"])
        await candidate.connect(timeout=10)
        for number in range(consumers.RATE_BURST + 10):
            await candidate.send_json_to({"op": "pad", "index": 0, "text": f"typed {number}"})
        replies: list[Message] = []
        while len([r for r in replies if r["type"] in {"ack", "error"}]) < consumers.RATE_BURST + 10:
            replies.append(await candidate.receive_json_from(timeout=10))
        await candidate.disconnect()
        await interviewer.disconnect()
        return replies

    replies = asyncio.run(scenario())
    answers = [r for r in replies if r["type"] in {"ack", "error"}]
    assert [r["type"] for r in answers].count("ack") == consumers.RATE_BURST
    assert [r.get("code") for r in answers if r["type"] == "error"] == ["rate_limited"] * 10
    assert SessionEvent.objects.filter(kind="pad_updated").count() == consumers.RATE_BURST
    session.refresh_from_db()
    assert session.pads == {"0": f"typed {consumers.RATE_BURST - 1}"}


def test_a_dropped_candidate_reconnects_and_nothing_is_lost(world: dict[str, Any]) -> None:
    session: InterviewSession = world["session"]

    async def scenario() -> dict[str, Any]:
        interviewer = socket(session.pk, world["ada_cookie"])
        await joined(interviewer)
        await interviewer.send_json_to({"op": "reveal"})
        await until(interviewer, is_type("ack"))

        candidate = socket(session.pk, world["candidate"])
        await joined(candidate)
        await candidate.send_json_to({"op": "pad", "index": 0, "text": "select_related"})
        last_seq = (await until(candidate, is_type("ack")))[-1]["seq"]
        await candidate.disconnect()  # the network drops mid-answer

        # While the candidate is away, the interviewer ticks and stops the question timer.
        await interviewer.send_json_to({"op": "tick", "index": 0, "point": 0})
        await interviewer.send_json_to({"op": "timer", "scope": "question", "running": False})
        await until(interviewer, is_event("timer_stopped"))

        again = socket(session.pk, world["candidate"])
        assert (await again.connect(timeout=10))[0]
        await again.send_json_to({"op": "hello", "last_seq": last_seq})
        resync = (await until(again, is_type("state")))[-1]
        await again.send_json_to({"op": "pad", "index": 0, "text": "select_related joins"})
        live = (await until(interviewer, is_event("pad_updated")))[-1]
        await again.disconnect()

        # The interviewer reloads the page: their own ticks come back from the database.
        reloaded = socket(session.pk, world["ada_cookie"])
        reloaded_state = await joined(reloaded)
        await reloaded.disconnect()
        await interviewer.disconnect()
        return {"last_seq": last_seq, "resync": resync, "live": live, "reloaded": reloaded_state}

    result = asyncio.run(scenario())
    resync = result["resync"]
    assert resync["state"]["pads"] == {"0": "select_related"}
    missed = [event["kind"] for event in resync["events"]]
    assert [event["seq"] for event in resync["events"]] == sorted(event["seq"] for event in resync["events"])
    assert all(event["seq"] > result["last_seq"] for event in resync["events"])
    assert "timer_stopped" in missed
    assert "rubric_ticked" not in missed
    assert result["live"]["event"]["payload"]["text"] == "select_related joins"
    assert result["reloaded"]["state"]["ticks"] == {"0": [0]}
    assert result["reloaded"]["state"]["pads"] == {"0": "select_related joins"}
    texts = [
        payload["text"]
        for payload in SessionEvent.objects.filter(kind="pad_updated")
        .order_by("seq")
        .values_list("payload", flat=True)
    ]
    assert texts == ["select_related", "select_related joins"]
    seqs = list(SessionEvent.objects.filter(session=session).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_presence_is_shown_to_everyone(world: dict[str, Any]) -> None:
    session: InterviewSession = world["session"]

    async def scenario() -> Message:
        interviewer = socket(session.pk, world["ada_cookie"])
        await joined(interviewer)
        candidate = socket(session.pk, world["candidate"])
        await candidate.connect(timeout=10)
        event = (
            await until(
                interviewer,
                lambda m: is_event("presence_joined")(m) and m["event"]["actor_role"] == "candidate",
            )
        )[-1]
        await candidate.disconnect()
        left = (await until(interviewer, is_event("presence_left")))[-1]
        await interviewer.disconnect()
        return {"joined": event, "left": left}

    result = asyncio.run(scenario())
    assert result["joined"]["event"]["payload"]["present"] == {
        f"interviewer:{world['ada'].pk}": {"name": "Ada", "role": "interviewer", "connections": 1},
        "candidate:guest": {"name": "Linus", "role": "candidate", "connections": 1},
    }
    assert result["left"]["event"]["payload"]["present"] == {
        f"interviewer:{world['ada'].pk}": {"name": "Ada", "role": "interviewer", "connections": 1},
    }


def test_every_message_carries_the_server_clock(world: dict[str, Any]) -> None:
    # Timers are running_since (server time) + elapsed_ms; the client renders them with server_now - its
    # own clock, so each state, event, ack and error says what time it is on the server.
    session: InterviewSession = world["session"]

    async def scenario() -> list[Message]:
        interviewer = socket(session.pk, world["ada_cookie"])
        state = await joined(interviewer)
        await interviewer.send_json_to({"op": "reveal"})
        replies = await until(interviewer, is_event("question_revealed"))
        await interviewer.send_json_to({"op": "nope"})
        error = (await until(interviewer, is_type("error")))[-1]
        await interviewer.disconnect()
        return [state, *replies, error]

    before = services.now_ms()
    messages = asyncio.run(scenario())
    after = services.now_ms()
    kinds = {message["type"] for message in messages}
    assert {"state", "ack", "event", "error"} <= kinds
    for message in messages:
        assert before <= message["server_now"] <= after, message
    revealed = next(message for message in messages if is_event("question_revealed")(message))
    running_since = revealed["event"]["payload"]["timers"]["question"]["running_since"]
    assert before <= running_since <= revealed["server_now"]


def test_a_ping_is_the_heartbeat_of_presence(world: dict[str, Any]) -> None:
    session: InterviewSession = world["session"]

    async def scenario() -> tuple[Message, Message]:
        interviewer = socket(session.pk, world["ada_cookie"])
        state = await joined(interviewer)
        await interviewer.send_json_to({"op": "ping", "ref": 7})
        pong = (await until(interviewer, is_type("pong")))[-1]
        await interviewer.disconnect()
        return state, pong

    before = services.now_ms()
    state, pong = asyncio.run(scenario())
    assert state["state"]["heartbeat_ms"] == 15_000
    assert state["state"]["present"] == {
        f"interviewer:{world['ada'].pk}": {"name": "Ada", "role": "interviewer", "connections": 1}
    }
    assert (pong["type"], pong["ref"]) == ("pong", 7)
    # a ping logs no event (only a change of who is here is logged)
    assert [e.kind for e in SessionEvent.objects.filter(session=session).order_by("seq")] == [
        "presence_joined",
        "presence_left",
    ]
    session.refresh_from_db()
    assert session.live["seen"] == {}
    assert before <= pong["server_now"]


def test_a_busy_shared_sync_thread_does_not_stall_the_live_socket(world: dict[str, Any]) -> None:
    """Every socket frame and every broadcast delivered used to wait its turn on asgiref's one shared
    sync thread (Channels closes stale connections there before each handler); a slow sync view or
    hundreds of messages a second queued behind each other. The live socket's handlers never use it."""
    session: InterviewSession = world["session"]
    release = threading.Event()

    async def scenario() -> tuple[list[Message], list[Message]]:
        interviewer = socket(session.pk, world["ada_cookie"])
        candidate = socket(session.pk, world["candidate"])
        await joined(interviewer)
        await joined(candidate)
        # given the one shared sync thread is busy (as with a slow synchronous view)
        busy = asyncio.ensure_future(sync_to_async(release.wait, thread_sensitive=True)(30))
        try:
            # when the interviewer reveals and the candidate types
            await interviewer.send_json_to({"op": "reveal", "ref": "r"})
            revealed = await until(candidate, is_event("question_revealed"))
            await candidate.send_json_to({"op": "pad", "index": 0, "text": "while it is busy", "ref": "p"})
            typed = await until(interviewer, is_event("pad_updated"))
            # then both arrived while that thread was still busy
            assert not busy.done()
        finally:
            release.set()
            await busy
        await interviewer.disconnect()
        await candidate.disconnect()
        return revealed, typed

    revealed, typed = asyncio.run(scenario())

    assert revealed[-1]["event"]["payload"]["index"] == 0
    assert typed[-1]["event"]["payload"] == {"index": 0, "text": "while it is busy"}
    session.refresh_from_db()
    assert session.pads == {"0": "while it is busy"}
