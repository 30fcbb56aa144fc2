"""Probing follow-ups where users meet them: the question page, the editor and the mock interview report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from prepdeck.accounts.models import User
from prepdeck.catalog.models import Question
from prepdeck.practice import sessions
from prepdeck.web.tests.test_editor import edit_data

pytestmark = pytest.mark.django_db

PROBES = [
    {
        "ask": "Now two app servers run it: what breaks?",
        "answer": "The in-process lock; use `select_for_update`.",
    },
    {"ask": "Now the table has 100M rows?", "answer": "Batch the backfill."},
]


def _with_probes(question: Question) -> Question:
    Question.all_objects.filter(pk=question.pk).update(probes=PROBES)
    return Question.all_objects.get(pk=question.pk)


def test_the_question_page_shows_probes_after_the_answer(
    learner_client: Client, bank: list[Question]
) -> None:
    question = _with_probes(bank[2])

    html = learner_client.get(f"/questions/{question.pk}/").content.decode()

    assert "If the interviewer pushes further" in html
    assert "Now two app servers run it: what breaks?" in html
    assert "<code>select_for_update</code>" in html  # the model answer is Markdown
    assert html.index("If the interviewer pushes further") > html.index('id="short-answer"')


def test_a_question_without_probes_has_no_probe_section(learner_client: Client, bank: list[Question]) -> None:
    html = learner_client.get(f"/questions/{bank[0].pk}/").content.decode()
    assert "If the interviewer pushes further" not in html


def test_an_editor_writes_probes_in_the_text_box(editor_client: Client, bank: list[Question]) -> None:
    question = bank[0]
    text = "Ask: Now behind PgBouncer?\nAnswer: Prepared statements need care.\n\nAsk: Two servers?\nA lock."

    response = editor_client.post(
        f"/questions/{question.pk}/edit/", edit_data(question, probes=text.replace("\n", "\r\n"))
    )

    fresh = Question.all_objects.get(pk=question.pk)
    assert response.status_code == 302
    assert fresh.probes == [
        {"ask": "Now behind PgBouncer?", "answer": "Prepared statements need care."},
        {"ask": "Two servers?", "answer": "A lock."},
    ]
    assert fresh.version == 2
    # and the edit page shows them back in the same form, so saving again changes nothing
    again = editor_client.post(f"/questions/{question.pk}/edit/", edit_data(fresh))
    assert again.status_code == 302
    assert Question.all_objects.get(pk=question.pk).version == 2


def test_a_probe_without_an_answer_keeps_the_text_and_saves_nothing(
    editor_client: Client, bank: list[Question]
) -> None:
    question = bank[0]

    response = editor_client.post(
        f"/questions/{question.pk}/edit/", edit_data(question, probes="Ask: What if two servers run it?")
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Follow-up 1 needs both the question (Ask:) and an answer." in html
    assert "What if two servers run it?" in html
    assert Question.all_objects.get(pk=question.pk).version == 1


def test_the_mock_report_shows_what_an_interviewer_would_ask_next(
    learner: User, learner_client: Client, bank: list[Question]
) -> None:
    for question in bank:
        _with_probes(question)
    start = timezone.now()
    interview = sessions.mock_start(user=learner, topics=[], difficulty_mix={"advanced": 1}, now=start)
    sessions.mock_answer(
        user=learner, interview_id=interview.pk, answer="x", now=start + timedelta(minutes=1)
    )

    html = learner_client.get(f"/mock/{interview.pk}/report/").content.decode()

    assert "What an interviewer would ask next" in html
    assert "Now the table has 100M rows?" in html
