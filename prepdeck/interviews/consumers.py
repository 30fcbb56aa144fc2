"""``/ws/interviews/<session id>/``: the live socket of an interview session.

Thin: it finds the caller's role with the same access rules as the pages and the API (the signed-in user
from the session cookie, or the candidate's redeemed invite kept in their HTTP session), maps each client
operation to a service, and forwards the session group's broadcasts filtered by role. The database is the
source of truth: a client sends ``{"op": "hello", "last_seq": n}`` on (re)connect and gets the state plus
every event after ``n`` it may see; events carry ``seq`` so a client that sees a gap says hello again.

Client operations: ``hello``, ``reveal`` (index optional), ``pad`` (index, text), ``tick`` (index, point,
ticked), ``note`` (index, text), ``timer`` (scope, running), ``finish``, ``ping`` (the presence heartbeat; reply ``pong``). Replies: ``state``, ``event``,
``ack`` (with the client's ``ref``), every one with ``server_now`` (the server's clock in ms, which
timers' ``running_since`` is in), ``seen`` (the number of an event this client may not see, so a gap
in numbers always means something was lost) and ``error`` (code, message, ref). Oversized frames close the socket
(4009); malformed ones and floods (rate limit per connection) get an ``error`` and change nothing.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from prepdeck.core.exceptions import ApplicationError
from prepdeck.interviews import access, selectors, services
from prepdeck.interviews.models import InterviewSession

logger = logging.getLogger("prepdeck.interviews")

MAX_MESSAGE_BYTES = 64 * 1024
# Token bucket per connection: a burst of RATE_BURST messages, refilled at RATE_PER_SECOND.
RATE_PER_SECOND = 10.0
RATE_BURST = 30
CLOSE_TOO_LARGE = 4009
CLOSE_NOT_FOUND = 4404


def _db(function: Callable[..., Any]) -> Any:
    """Run ORM work in the thread pool, not in Channels' one shared thread: sessions write in parallel
    (each event still serialises on its own session's row lock)."""
    return database_sync_to_async(function, thread_sensitive=False)


def _collecting(
    function: Callable[..., Any],
) -> Callable[..., tuple[Any, list[tuple[str, dict[str, Any]]]]]:
    """``function``, returning with its result the broadcasts of the events it committed (collected by
    ``services.broadcasts_collected`` instead of sent from the worker thread)."""

    def run(*args: Any, **kwargs: Any) -> tuple[Any, list[tuple[str, dict[str, Any]]]]:
        with services.broadcasts_collected() as broadcasts:
            return function(*args, **kwargs), broadcasts

    return run


class InterviewConsumer(AsyncJsonWebsocketConsumer):
    session: InterviewSession
    participant: access.Participant

    async def connect(self) -> None:
        try:
            self.session, self.participant = await _db(access.session_access)(
                session_id=self.scope["url_route"]["kwargs"]["session_id"],
                user=self.scope.get("user"),
                invite_ids=access.invite_ids_of(self.scope.get("session")),
            )
        except ApplicationError:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = services.group_name(self.session.pk)
        self.tokens = float(RATE_BURST)
        self.refilled_at = time.monotonic()
        self.joined = False
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._write(
            services.presence_set,
            session=self.session,
            participant=self.participant,
            joined=True,
            connection=self.channel_name,
        )
        self.joined = True

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None) is None:
            return
        await self.channel_layer.group_discard(self.group, self.channel_name)
        if self.joined:
            await self._write(
                services.presence_set,
                session=self.session,
                participant=self.participant,
                joined=False,
                connection=self.channel_name,
            )

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its ``aclose_old_connections()`` before every handler: that is a hop
        to asgiref's one shared sync thread and back for every frame received and every broadcast
        delivered (hundreds a second with many sessions, all queued on that one thread). It guards
        handlers that use the ORM on that thread; these never do: every query runs through ``_db`` in a
        worker thread, which closes stale connections itself before and after."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def _write(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``function`` (ORM work) in the thread pool, then send from the event loop the broadcasts of
        the events it committed, in order: no hop back to the loop per event from the worker thread, which
        (with its database connection) is free sooner. Committed events are announced before the caller
        acknowledges, as ``on_commit`` did."""
        result, broadcasts = await _db(_collecting(function))(*args, **kwargs)
        for group, message in broadcasts:
            try:
                await self.channel_layer.group_send(group, message)
            except Exception:  # the log is the source of truth: clients that miss a broadcast resync
                logger.warning("Broadcast of event %s failed", message["event"].get("seq"), exc_info=True)
        return result

    # --- receiving ---

    def _allowed(self) -> bool:
        now = time.monotonic()
        self.tokens = min(float(RATE_BURST), self.tokens + (now - self.refilled_at) * RATE_PER_SECOND)
        self.refilled_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > MAX_MESSAGE_BYTES:
            await self._error("message_too_large", f"Messages are limited to {MAX_MESSAGE_BYTES} bytes.")
            await self.close(code=CLOSE_TOO_LARGE)
            return
        if not self._allowed():
            await self._error("rate_limited", "Too many messages: slow down.")
            return
        if text_data is None:
            await self._error("malformed_message", "Send JSON text frames.")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._error("malformed_message", "The message is not valid JSON.")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("op"), str):
            await self._error("malformed_message", 'Send an object with an "op".')
            return
        ref = content.get("ref") if isinstance(content.get("ref"), (str, int)) else None
        operation = OPERATIONS.get(content["op"])
        if operation is None:
            await self._error("unknown_op", f"Unknown op {content['op'][:40]!r}.", ref)
            return
        try:
            reply = await self._write(operation, self, content)
        except ApplicationError as error:
            await self._error(error.code, error.message, ref)
            return
        except Exception:  # never leak a traceback to the socket; the error is logged
            logger.exception("Interview socket operation %s failed", content["op"])
            await self._error("server_error", "Something went wrong; try again.", ref)
            return
        if reply is not None:
            await self.send_json({**reply, "ref": ref})

    async def send_json(self, content: Any, close: bool = False) -> None:
        """Every message carries the server's clock (``server_now``, ms since the epoch): timers are
        ``running_since`` (server time) + ``elapsed_ms``, and the client renders them with the offset
        between this and its own clock, so a wrong client clock does not shift them."""
        await super().send_json({**content, "server_now": services.now_ms()}, close=close)

    async def _error(self, code: str, message: str, ref: Any = None) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, "ref": ref})

    # --- operations (run in a worker thread, inside database_sync_to_async) ---

    def op_hello(self, content: dict[str, Any]) -> dict[str, Any]:
        # Re-read the session: its state (finished, current question) has changed since connect. The other
        # operations need not: their service locks and reads the row (only the columns it needs).
        self.session = InterviewSession.objects.get(pk=self.session.pk)
        last_seq = content.get("last_seq", 0)
        if isinstance(last_seq, bool) or not isinstance(last_seq, int) or last_seq < 0:
            last_seq = 0
        events = selectors.events_after(session=self.session, participant=self.participant, after=last_seq)
        return {
            "type": "state",
            "state": selectors.session_state(session=self.session, participant=self.participant),
            "events": [_public(services.event_data(event)) for event in events],
        }

    def _ack(self, event: Any) -> dict[str, Any]:
        return {"type": "ack", "seq": event.seq if event is not None else None}

    def op_reveal(self, content: dict[str, Any]) -> dict[str, Any]:
        index = content.get("index")
        return self._ack(
            services.question_reveal(session=self.session, participant=self.participant, index=index)
        )

    def op_pad(self, content: dict[str, Any]) -> dict[str, Any]:
        return self._ack(
            services.pad_update(
                session=self.session,
                participant=self.participant,
                index=content.get("index"),  # type: ignore[arg-type]
                text=content.get("text"),  # type: ignore[arg-type]
            )
        )

    def op_tick(self, content: dict[str, Any]) -> dict[str, Any]:
        return self._ack(
            services.rubric_tick(
                session=self.session,
                participant=self.participant,
                index=content.get("index"),  # type: ignore[arg-type]
                point=content.get("point"),  # type: ignore[arg-type]
                ticked=bool(content.get("ticked", True)),
            )
        )

    def op_note(self, content: dict[str, Any]) -> dict[str, Any]:
        return self._ack(
            services.note_write(
                session=self.session,
                participant=self.participant,
                index=content.get("index"),  # type: ignore[arg-type]
                text=content.get("text", ""),
            )
        )

    def op_timer(self, content: dict[str, Any]) -> dict[str, Any]:
        return self._ack(
            services.timer_set(
                session=self.session,
                participant=self.participant,
                scope=content.get("scope"),  # type: ignore[arg-type]
                running=bool(content.get("running")),
            )
        )

    def op_ping(self, content: dict[str, Any]) -> dict[str, Any]:
        """The heartbeat (every ``state["heartbeat_ms"]``): this connection is still here."""
        services.presence_beat(
            session=self.session, participant=self.participant, connection=self.channel_name
        )
        return {"type": "pong"}

    def op_finish(self, content: dict[str, Any]) -> dict[str, Any]:
        return self._ack(services.session_finish(session=self.session, participant=self.participant))

    # --- broadcasts from the group ---

    async def session_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if selectors.event_visible(event, self.participant):
            await self.send_json({"type": "event", "event": _public(event)})
        else:
            # Only the number: the client knows the sequence has no gap without learning what happened.
            await self.send_json({"type": "seen", "seq": event["seq"]})


def _public(event: dict[str, Any]) -> dict[str, Any]:
    """An event as a client gets it (without the user id used for filtering)."""
    return {key: value for key, value in event.items() if key != "actor_id"}


OPERATIONS: dict[str, Callable[[InterviewConsumer, dict[str, Any]], dict[str, Any] | None]] = {
    "hello": InterviewConsumer.op_hello,
    "reveal": InterviewConsumer.op_reveal,
    "pad": InterviewConsumer.op_pad,
    "tick": InterviewConsumer.op_tick,
    "note": InterviewConsumer.op_note,
    "timer": InterviewConsumer.op_timer,
    "finish": InterviewConsumer.op_finish,
    "ping": InterviewConsumer.op_ping,
}
