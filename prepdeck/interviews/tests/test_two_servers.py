"""Two servers, one layer: two uvicorn processes on PostgreSQL and Redis; the interviewer is connected to
one, the candidate to the other, and every event reaches both, in order, with no number missing."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from prepdeck.accounts.tests.factories import make_user
from prepdeck.interviews import services
from prepdeck.interviews.access import INVITES_SESSION_KEY
from prepdeck.interviews.tests.conftest import build_kit, load_questions
from prepdeck.interviews.tests.servers import Participant, serve

pytestmark = [pytest.mark.postgresql, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
EDITS = 25


def _test_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database)."""
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    return f"{base}/{settings.DATABASES['default']['NAME']}"


def cookies_for_session() -> dict[str, Any]:
    questions = load_questions()
    interviewer = make_user(display_name="Ada")
    session = services.session_schedule(
        kit=build_kit(interviewer, questions),
        owner=interviewer,
        candidate_name="Linus",
        scheduled_at=services.timezone.now(),
    )
    ada = Client()
    ada.force_login(interviewer)
    _, token = services.invite_issue(session=session)
    invite = services.invite_redeem(token=token)
    guest = Client()
    http_session = guest.session
    http_session[INVITES_SESSION_KEY] = [invite.pk]
    http_session.save()
    name = settings.SESSION_COOKIE_NAME
    return {
        "session": session.pk,
        "interviewer": f"{name}={ada.cookies[name].value}",
        "candidate": f"{name}={http_session.session_key}",
    }


def test_every_event_reaches_both_servers_in_order() -> None:
    world = cookies_for_session()
    database_url, redis_url = _test_database_url(), os.environ["REDIS_URL"]

    async def run(first: str, second: str) -> tuple[Participant, Participant, int]:
        async with (
            Participant(first, world["session"], world["interviewer"]) as ada,
            Participant(second, world["session"], world["candidate"]) as linus,
        ):
            await ada.send({"op": "reveal"})
            for number in range(EDITS):
                await linus.send({"op": "pad", "index": 0, "text": f"edit {number}"})
                if number % 5 == 0:
                    await ada.send({"op": "tick", "index": 0, "point": number % 2, "ticked": True})
            last = (await ada.send({"op": "timer", "scope": "question", "running": False}))["seq"]
            await ada.wait_for_seq(last)
            await linus.wait_for_seq(last)
            return ada, linus, last

    with (
        serve(database_url=database_url, redis_url=redis_url) as first,
        serve(database_url=database_url, redis_url=redis_url) as second,
    ):
        ada, linus, last = asyncio.run(run(first, second))

    # both sides got every number once, in order (the candidate's private ones as "seen" only)
    start_ada, start_linus = min(ada.seqs), min(linus.seqs)
    assert ada.seqs == list(range(start_ada, last + 1))
    assert linus.seqs == list(range(start_linus, last + 1))
    pads = [payload["text"] for _, kind, payload in ada.events if kind == "pad_updated"]
    assert pads == [f"edit {number}" for number in range(EDITS)]
    assert not [kind for _, kind, _ in linus.events if kind in {"rubric_ticked", "note_written"}]
    assert ada.errors == []
    assert linus.errors == []
