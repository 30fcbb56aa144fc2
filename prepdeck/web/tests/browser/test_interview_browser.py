"""A whole live interview in two browsers: the interviewer and a guest candidate, each in their own
Chromium context, against the real ASGI application (HTTP and WebSockets) served by uvicorn in a thread,
through to the scorecard and the packet."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_user
from prepdeck.interviews import services
from prepdeck.interviews.models import Note, Scorecard, SessionEvent
from prepdeck.interviews.tests.conftest import build_kit, load_questions
from prepdeck.web.tests.browser.conftest import DESKTOP, PageProblems

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def asgi_server() -> Iterator[str]:
    """The project's ASGI application (HTTP + WebSockets) on a free local port."""
    import uvicorn
    from channels.layers import channel_layers

    from config.asgi import application

    # Each server runs its own event loop. channels-redis keeps per-channel locks on its layer object; a
    # server stopped mid-receive leaves one held, bound to its dead loop, and the next server's sockets
    # would fail on it ("bound to a different event loop"). Each server gets a new layer.
    channel_layers.backends.clear()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    started = threading.Event()
    original_startup = server.startup

    async def startup(sockets: Any = None) -> None:
        await original_startup(sockets=sockets)
        started.set()

    server.startup = startup  # type: ignore[method-assign]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    assert started.wait(timeout=20), "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=20)
    listener.close()
    channel_layers.backends.clear()


def test_a_whole_interview_from_invite_to_packet(browser: Browser, asgi_server: str) -> None:
    # given: a kit of two bank questions and a custom one, a session, and an invite link
    questions = load_questions()
    interviewer = make_user(display_name="Ada")
    session = services.session_schedule(
        kit=build_kit(interviewer, questions),
        owner=interviewer,
        candidate_name="Linus",
        scheduled_at=services.timezone.now(),
    )
    _, token = services.invite_issue(session=session)
    problems = PageProblems(asgi_server)
    contexts = [browser.new_context(base_url=asgi_server, **DESKTOP) for _ in range(2)]
    for context in contexts:
        context.set_default_timeout(15_000)
        problems.watch(context)
    ada, linus = (context.new_page() for context in contexts)
    try:
        # the interviewer signs in and opens the live view
        _open_live_view(ada, interviewer, session)

        # the candidate joins with the link (no account), with the keyboard
        linus.goto(f"/interviews/join/{token}/")
        linus.keyboard.press("Enter")  # "Join now" has the focus
        linus.wait_for_url(f"**/interviews/sessions/{session.pk}/live/")
        expect(linus.locator("[data-status]")).to_have_text("Connected")
        expect(ada.locator("[data-presence]")).to_have_text("Ada (interviewer), Linus (candidate)")

        # the interviewer reveals the first question; the candidate sees it and types
        ada.get_by_role("button", name="Reveal next question").click()
        expect(linus.locator("[data-prompt]")).to_have_text("Live question 0?")
        _live_answer(linus, "select_related follows foreign keys with a join")
        expect(ada.locator('[data-pad="0"]')).to_have_text("select_related follows foreign keys with a join")
        ada.locator('[data-tick][data-index="0"][data-point="0"]').check()
        ada.locator('[data-note="0"]').fill("Knew the join")
        # the note is sent after a pause in typing: ending the interview before it arrives would log it after
        # the end (the order asserted below), so wait until the server has acknowledged it
        expect(ada.locator('[data-note-saved="0"]')).to_have_text("Saved")

        # the candidate's view never shows rubric, notes or ticks
        assert linus.locator("[data-tick], [data-note], .rubric").count() == 0

        ada.on("dialog", lambda dialog: dialog.accept())
        ada.get_by_role("button", name="End the interview").click()
        expect(linus.locator("[data-finished]")).to_be_visible()
        expect(linus.locator("[data-my-pad]")).to_be_disabled()

        # scorecard, then the packet
        ada.goto(f"/interviews/sessions/{session.pk}/scorecard/")
        for index, level in enumerate((4, 2, 3)):
            ada.locator(f'input[name="level_{index}"][value="{level}"]').check()
        ada.get_by_label("Overall recommendation").select_option("yes")
        ada.get_by_label("Written feedback").fill("Clear on joins.")
        ada.get_by_role("button", name="Submit (final)").click()
        ada.wait_for_url(f"**/interviews/sessions/{session.pk}/packet/")
        expect(ada.get_by_role("heading", level=1)).to_have_text("Hiring packet: Linus")
        expect(ada.locator(".packet-question").first).to_contain_text("select_related follows foreign keys")
        expect(ada.locator(".packet-question").first).to_contain_text("Automatic key-point grade")
    finally:
        for context in contexts:
            context.close()

    assert problems.errors == []
    card = Scorecard.objects.get(session=session)
    assert card.levels == {"0": 4, "1": 2, "2": 3}
    assert card.ticks == {"0": [0]}
    kinds = list(SessionEvent.objects.filter(session=session).order_by("seq").values_list("kind", flat=True))
    assert [kind for kind in kinds if not kind.startswith("presence")] == [
        "question_revealed",
        *["pad_updated"] * kinds.count("pad_updated"),
        "rubric_ticked",
        *["note_written"] * kinds.count("note_written"),
        "session_finished",
        "scorecard_submitted",
    ]
    assert kinds.count("pad_updated") >= 1


def _scheduled_session(interviewer: Any) -> Any:
    """A session of the three test questions, interviewing Linus, scheduled now."""
    return services.session_schedule(
        kit=build_kit(interviewer, load_questions()),
        owner=interviewer,
        candidate_name="Linus",
        scheduled_at=services.timezone.now(),
    )


def _open_live_view(page: Page, interviewer: Any, session: Any) -> None:
    """Sign in as the interviewer and open the session's live view, connected."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(interviewer.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"/interviews/sessions/{session.pk}/live/")
    expect(page.locator("[data-status]")).to_have_text("Connected")


def _live_answer(page: Page, text: str) -> None:
    pad = page.locator("[data-my-pad]")
    pad.focus()
    page.keyboard.type(text, delay=5)
    expect(page.locator("[data-saved]")).to_have_text("Saved")


def test_the_interviewer_drives_with_the_keyboard_and_timers_ignore_a_wrong_clock(
    browser: Browser, asgi_server: str
) -> None:
    # given: a session of three questions; the interviewer's computer clock is an hour fast
    interviewer = make_user(display_name="Ada")
    session = _scheduled_session(interviewer)
    problems = PageProblems(asgi_server)
    context = browser.new_context(base_url=asgi_server, **DESKTOP)
    context.set_default_timeout(15_000)
    context.add_init_script("(() => { const real = Date.now; Date.now = () => real() + 3600 * 1000; })();")
    problems.watch(context)
    ada = context.new_page()
    try:
        _open_live_view(ada, interviewer, session)
        live = ada.locator("[data-interview]")

        # "?" lists the live view's shortcuts
        ada.keyboard.press("?")
        expect(ada.locator("#shortcuts")).to_contain_text("Interview: reveal the next question")
        ada.keyboard.press("Escape")
        expect(ada.locator("#shortcuts")).not_to_be_visible()

        # n reveals the first question; its timer runs from 0:00 on the server's clock, not 60:00
        ada.keyboard.press("n")
        expect(live).to_have_attribute("data-current", "0")
        expect(live).to_have_attribute("data-question-timer", "running")
        expect(ada.locator('[data-timer="question"]')).to_have_text(re.compile(r"^0:0[0-9]$"))
        expect(ada.locator('[data-timer="session"]')).to_have_text(re.compile(r"^0:0[0-9]$"))

        # 2 ticks the second rubric point of the current question, 2 again unticks it, 1 ticks the first
        ada.keyboard.press("2")
        expect(ada.locator('[data-tick][data-index="0"][data-point="1"]')).to_be_checked()
        ada.keyboard.press("2")
        expect(ada.locator('[data-tick][data-index="0"][data-point="1"]')).not_to_be_checked()
        ada.keyboard.press("1")
        expect(ada.locator('[data-tick][data-index="0"][data-point="0"]')).to_be_checked()

        # t stops the question timer, t again starts it
        ada.keyboard.press("t")
        expect(live).to_have_attribute("data-question-timer", "stopped")
        ada.keyboard.press("t")
        expect(live).to_have_attribute("data-question-timer", "running")

        # p puts the cursor in the current question's notes; keys typed there are text, not shortcuts
        ada.keyboard.press("p")
        expect(ada.locator('[data-note="0"]')).to_be_focused()
        ada.keyboard.type("n1t")
        expect(ada.locator('[data-note="0"]')).to_have_value("n1t")
        expect(live).to_have_attribute("data-current", "0")
        ada.keyboard.press("Escape")  # leaves the box; shortcuts work again
        ada.keyboard.press("n")
        expect(live).to_have_attribute("data-current", "1")
        expect(ada.locator('[data-timer="question"]')).to_have_text(re.compile(r"^0:0[0-9]$"))
    finally:
        context.close()

    assert problems.errors == []
    kinds = [
        kind
        for kind in SessionEvent.objects.filter(session=session)
        .order_by("seq")
        .values_list("kind", flat=True)
        if not kind.startswith("presence")
    ]
    assert [kind for kind in kinds if kind != "note_written"] == [
        "question_revealed",
        "rubric_ticked",
        "rubric_ticked",
        "rubric_ticked",
        "timer_stopped",
        "timer_started",
        "question_revealed",
    ]
    # (the notes are sent after a 600 ms pause in typing, which the test may not have waited for)
    assert Scorecard.objects.get(session=session).ticks == {"0": [0]}


def test_a_note_typed_while_the_connection_is_down_is_sent_when_it_is_back(
    browser: Browser, asgi_server: str
) -> None:
    # given: a live session with its first question revealed
    interviewer = make_user(display_name="Ada")
    session = _scheduled_session(interviewer)
    problems = PageProblems(asgi_server)
    context = browser.new_context(base_url=asgi_server, **DESKTOP)
    context.set_default_timeout(20_000)
    problems.watch(context)
    # every socket the page opens is kept where the test can drop it, as a lost network would
    context.add_init_script(
        "(() => { const Native = window.WebSocket; window.openedSockets = [];"
        " window.WebSocket = class extends Native {"
        " constructor(...args) { super(...args); window.openedSockets.push(this); } }; })();"
    )
    ada = context.new_page()
    try:
        _open_live_view(ada, interviewer, session)
        ada.get_by_role("button", name="Reveal next question").click()
        expect(ada.locator("[data-interview]")).to_have_attribute("data-current", "0")

        # when: the network goes away (new connections fail, the open one drops); the interviewer ticks a
        # rubric point and writes a note meanwhile
        context.set_offline(True)
        ada.evaluate("window.openedSockets.forEach((socket) => socket.close())")
        expect(ada.locator("[data-status]")).to_have_text("Reconnecting…")
        tick = ada.locator('[data-tick][data-index="0"][data-point="0"]')
        tick.click()
        ada.locator('[data-note="0"]').fill("Typed while offline")

        # then: the tick is put back with a message (it was not recorded); the note waits, and says so
        expect(tick).not_to_be_checked()
        expect(ada.locator("[data-error]")).to_contain_text("Not connected")
        expect(ada.locator('[data-note-saved="0"]')).to_have_text("Not saved yet: sent when reconnected")

        # and when the network is back, the note goes by itself and is acknowledged
        context.set_offline(False)
        expect(ada.locator("[data-status]")).to_have_text("Connected")
        expect(ada.locator('[data-note-saved="0"]')).to_have_text("Saved")
        expect(ada.locator("[data-error]")).to_be_hidden()
    finally:
        context.close()

    assert [
        error
        for error in problems.errors
        if "WebSocket" not in error and "ERR_INTERNET_DISCONNECTED" not in error
    ] == []
    assert Note.objects.get(session=session).text == "Typed while offline"
    assert not Scorecard.objects.filter(session=session).exclude(ticks={}).exists()
