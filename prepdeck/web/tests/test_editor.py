"""The editor pages through the Django test client: create, edit, live preview, edit conflicts, the
workflow buttons, history with diffs and restore, and who may use them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from prepdeck.accounts.models import User
from prepdeck.accounts.tests.factories import make_editor
from prepdeck.catalog import selectors as catalog_selectors
from prepdeck.catalog import services as catalog_services
from prepdeck.catalog.diffing import snapshot_diff
from prepdeck.catalog.models import Question, QuestionRevision, QuestionStatus

pytestmark = pytest.mark.django_db


def _code_management(initial: int, total: int) -> dict[str, str]:
    return {
        "code-TOTAL_FORMS": str(total),
        "code-INITIAL_FORMS": str(initial),
        "code-MIN_NUM_FORMS": "0",
        "code-MAX_NUM_FORMS": "10",
    }


def new_question_data(**overrides: str) -> dict[str, str]:
    """What the new-question form posts, with one empty code example form."""
    return {
        "prompt": "What does select_for_update do?",
        "topic": "django-orm",
        "difficulty": "intermediate",
        "tags": "orm, Row Locking",
        "short_answer": "It locks the selected rows until the transaction ends.",
        "explanation": "Use it **inside** `transaction.atomic()`.",
        "key_points": "locks rows\n\nneeds a transaction\n",
        "common_mistakes": "Calling it outside a transaction",
        "choice_correct": "It locks the selected rows until the end of the transaction.",
        "distractors": "It caches the rows => Nothing is cached.\nIt deletes the rows\nIt copies the rows => No.",
        **_code_management(0, 1),
        "code-0-language": "python",
        "code-0-caption": "Locking a row",
        "code-0-code": "with transaction.atomic():\n    Book.objects.select_for_update().get(pk=1)\n",
        **overrides,
    }


def edit_data(question: Question, **overrides: str) -> dict[str, str]:
    """What the edit form posts for ``question`` unchanged (its code examples plus one empty form)."""
    question = Question.all_objects.get(pk=question.pk)
    examples = list(question.code_examples.all())
    data = {
        "version": str(question.version),
        "prompt": question.prompt,
        "topic": question.topic.slug,
        "difficulty": question.difficulty,
        "tags": ", ".join(sorted(tag.slug for tag in question.tags.all())),
        "short_answer": question.short_answer,
        "explanation": question.explanation,
        "key_points": "\n".join(question.key_points),
        "common_mistakes": "\n".join(question.common_mistakes),
        "choice_correct": question.choice.get("correct", ""),
        "distractors": "\n".join(
            f"{item['text']} => {item['why_wrong']}" if item["why_wrong"] else item["text"]
            for item in question.choice.get("distractors", [])
        ),
        "probes": "\n\n".join(f"Ask: {item['ask']}\nAnswer: {item['answer']}" for item in question.probes),
        **_code_management(len(examples), len(examples) + 1),
        f"code-{len(examples)}-language": "python",
        f"code-{len(examples)}-caption": "",
        f"code-{len(examples)}-code": "",
    }
    for index, example in enumerate(examples):
        data[f"code-{index}-language"] = example.language
        data[f"code-{index}-caption"] = example.caption
        data[f"code-{index}-code"] = example.code
    data.update(overrides)
    return data


def _state(question: Question) -> tuple[Any, ...]:
    fresh = Question.all_objects.get(pk=question.pk)
    return (fresh.version, fresh.status, fresh.prompt, fresh.short_answer, fresh.revisions.count())


# --- who may use the editor -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, bank: list[Question]) -> None:
    question = bank[0]
    for url in (
        reverse("web:question_new"),
        reverse("web:question_edit", args=[question.pk]),
        reverse("web:question_history", args=[question.pk]),
    ):
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_an_anonymous_restore_is_sent_to_sign_in_and_restores_nothing(
    client: Client, bank: list[Question]
) -> None:
    question = bank[0]
    catalog_services.question_update(question=question, expected_version=1, changes={"prompt": "Second?"})
    before = _state(question)
    url = reverse("web:revision_restore", args=[question.pk, 1])

    response = client.post(url, {"version": str(before[0])})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    assert _state(question) == before


def test_learners_get_the_friendly_403_and_their_writes_change_nothing(
    learner_client: Client, bank: list[Question]
) -> None:
    question = bank[0]
    before = _state(question)

    page = learner_client.get(reverse("web:question_edit", args=[question.pk]))
    edit = learner_client.post(
        reverse("web:question_edit", args=[question.pk]), edit_data(question, prompt="Hijacked?")
    )
    archive = learner_client.post(
        reverse("web:question_transition", args=[question.pk]), {"action": "archive", "version": "1"}
    )
    restore = learner_client.post(
        reverse("web:revision_restore", args=[question.pk, 1]), {"version": str(question.version)}
    )
    create = learner_client.post(reverse("web:question_new"), new_question_data())
    preview = learner_client.post(reverse("web:question_preview"), {"explanation": "**hi**"})

    assert [r.status_code for r in (page, edit, archive, restore, create, preview)] == [403] * 6
    assert "You do not have access to this page" in page.content.decode()
    assert _state(question) == before
    assert Question.all_objects.count() == len(bank)


def test_a_missing_question_is_a_404(editor_client: Client, bank: list[Question]) -> None:
    assert editor_client.get(reverse("web:question_edit", args=[999_999])).status_code == 404
    assert editor_client.get(reverse("web:question_history", args=[999_999])).status_code == 404


# --- creating ----------------------------------------------------------------------------------------------


def test_an_editor_creates_a_draft_with_everything_typed(
    editor_client: Client, editor: User, bank: list[Question]
) -> None:
    response = editor_client.post(reverse("web:question_new"), new_question_data())

    question = Question.all_objects.get(prompt="What does select_for_update do?")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:question_edit", args=[question.pk])
    assert question.status == QuestionStatus.DRAFT
    assert question.author == editor
    assert question.topic.slug == "django-orm"
    assert question.difficulty == "intermediate"
    assert sorted(tag.slug for tag in question.tags.all()) == ["orm", "row-locking"]
    assert question.key_points == ["locks rows", "needs a transaction"]
    assert question.common_mistakes == ["Calling it outside a transaction"]
    assert question.choice == {
        "correct": "It locks the selected rows until the end of the transaction.",
        "distractors": [
            {"text": "It caches the rows", "why_wrong": "Nothing is cached."},
            {"text": "It deletes the rows", "why_wrong": ""},
            {"text": "It copies the rows", "why_wrong": "No."},
        ],
    }
    assert [(example.language, example.caption) for example in question.code_examples.all()] == [
        ("python", "Locking a row")
    ]
    assert list(question.revisions.values_list("version", "summary")) == [(1, "Created")]
    page = editor_client.get(response["Location"])
    assert "Draft created." in page.content.decode()


def test_the_new_question_form_lists_topics_grouped_under_their_parents(
    editor_client: Client, bank: list[Question]
) -> None:
    content = editor_client.get(reverse("web:question_new")).content.decode()

    assert '<optgroup label="Django">' in content
    assert '<option value="django">Django (general)</option>' in content
    assert '<option value="django-orm">ORM and QuerySets</option>' in content


def test_an_invalid_new_question_keeps_what_was_typed_and_says_what_is_wrong(
    editor_client: Client, bank: list[Question]
) -> None:
    response = editor_client.post(
        reverse("web:question_new"),
        new_question_data(topic="", key_points="\n".join(f"point {n}" for n in range(11))),
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in content
    assert "At most 10 key points, one per line (you have 11)." in content
    assert "What does select_for_update do?" in content
    assert "It locks the selected rows until the transaction ends." in content
    assert "Book.objects.select_for_update().get(pk=1)" in content
    assert Question.all_objects.count() == len(bank)


def test_an_unusable_tag_is_named(editor_client: Client, bank: list[Question]) -> None:
    response = editor_client.post(reverse("web:question_new"), new_question_data(tags="orm, !!!"))

    assert response.status_code == 400
    assert "“!!!” is not a usable tag" in response.content.decode()


# --- editing ----------------------------------------------------------------------------------------------


def test_the_edit_page_carries_the_version_and_the_rendered_preview(
    editor_client: Client, bank: list[Question]
) -> None:
    question = bank[0]

    content = editor_client.get(reverse("web:question_edit", args=[question.pk])).content.decode()

    assert '<input type="hidden" name="version" value="1" id="id_version">' in content
    assert f'hx-post="{reverse("web:question_preview")}"' in content
    assert 'hx-trigger="input changed delay:300ms"' in content
    assert "<strong>emphasis</strong>" in content  # the explanation's preview, rendered on the server
    assert 'Status <span class="badge status">Published</span>' in content


def test_saving_an_edit_records_a_new_version(
    editor_client: Client, editor: User, bank: list[Question]
) -> None:
    question = bank[0]

    response = editor_client.post(
        reverse("web:question_edit", args=[question.pk]),
        edit_data(question, short_answer="A better short answer.", tags="api, orm"),
    )

    fresh = Question.all_objects.get(pk=question.pk)
    assert response.status_code == 302
    assert fresh.version == 2
    assert fresh.short_answer == "A better short answer."
    assert sorted(tag.slug for tag in fresh.tags.all()) == ["api", "orm"]
    assert fresh.code_examples.count() == 1  # untouched
    revision = fresh.revisions.get(version=2)
    assert revision.author == editor
    assert "Saved as version 2." in editor_client.get(response["Location"]).content.decode()


def test_saving_without_changes_saves_nothing(editor_client: Client, bank: list[Question]) -> None:
    question = bank[0]
    before = _state(question)

    response = editor_client.post(reverse("web:question_edit", args=[question.pk]), edit_data(question))

    assert response.status_code == 302
    assert _state(question) == before
    assert (
        "Nothing changed, so nothing was saved." in editor_client.get(response["Location"]).content.decode()
    )


def test_the_crlf_line_breaks_browsers_send_are_not_a_change(
    editor_client: Client, bank: list[Question]
) -> None:
    question = bank[0]
    before = _state(question)
    data = edit_data(question)
    crlf = {name: data[name].replace("\n", "\r\n") for name in ("explanation", "key_points", "code-0-code")}

    response = editor_client.post(reverse("web:question_edit", args=[question.pk]), {**data, **crlf})

    assert response.status_code == 302
    assert _state(question) == before


def test_a_code_example_can_be_removed_and_one_added(editor_client: Client, bank: list[Question]) -> None:
    question = bank[0]

    editor_client.post(
        reverse("web:question_edit", args=[question.pk]),
        edit_data(
            question,
            **{
                "code-0-DELETE": "on",
                "code-1-language": "sql",
                "code-1-caption": "The query",
                "code-1-code": "SELECT 1;",
            },
        ),
    )

    examples = list(Question.all_objects.get(pk=question.pk).code_examples.values_list("language", "code"))
    assert examples == [("sql", "SELECT 1;")]


def test_an_invalid_edit_keeps_the_typed_text_and_saves_nothing(
    editor_client: Client, bank: list[Question]
) -> None:
    question = bank[0]
    before = _state(question)

    response = editor_client.post(
        reverse("web:question_edit", args=[question.pk]),
        edit_data(question, prompt="", explanation="My long new explanation"),
    )

    assert response.status_code == 400
    assert "My long new explanation" in response.content.decode()
    assert _state(question) == before


def test_an_edit_conflict_names_who_changed_what_and_keeps_the_typed_text(
    editor_client: Client, bank: list[Question]
) -> None:
    question = bank[0]
    opened = edit_data(question)  # the form as this editor opened it, at version 1
    other = make_editor(email="grace@example.com", display_name="Grace Hopper")
    catalog_services.question_edit(
        question=question, user=other, expected_version=1, changes={"short_answer": "Grace's short answer."}
    )

    response = editor_client.post(
        reverse("web:question_edit", args=[question.pk]),
        {**opened, "explanation": "My explanation, typed before Grace saved."},
    )

    content = response.content.decode()
    assert response.status_code == 409
    assert "This question was changed by Grace Hopper at" in content
    assert "since you opened it" in content
    assert "You opened version 1; it is now version 2." in content
    assert "My explanation, typed before Grace saved." in content  # nothing typed is lost
    assert '<input type="hidden" name="version" value="2" id="id_version">' in content
    # what Grace changed: the short answer, old line removed and new one added
    assert "Short answer" in content
    assert "<del>Feature 0 batches the work into one query.</del>" in content
    assert "<ins>Grace&#x27;s short answer.</ins>" in content
    assert "Overwrite with my version" in content
    assert "Reload the latest (discard my changes)" in content
    fresh = Question.all_objects.get(pk=question.pk)
    assert (fresh.version, fresh.short_answer) == (2, "Grace's short answer.")
    assert "typed before Grace" not in fresh.explanation


def test_overwriting_after_a_conflict_saves_the_typed_version(
    editor_client: Client, bank: list[Question]
) -> None:
    question = bank[0]
    opened = edit_data(question)
    other = make_editor(email="grace@example.com")
    catalog_services.question_edit(
        question=question, user=other, expected_version=1, changes={"short_answer": "Grace's short answer."}
    )
    mine = {**opened, "explanation": "Mine wins."}
    editor_client.post(reverse("web:question_edit", args=[question.pk]), mine)

    response = editor_client.post(reverse("web:question_edit", args=[question.pk]), {**mine, "version": "2"})

    fresh = Question.all_objects.get(pk=question.pk)
    assert response.status_code == 302
    assert (fresh.version, fresh.explanation) == (3, "Mine wins.")
    assert fresh.short_answer == "Feature 0 batches the work into one query."  # overwritten with the form's


def test_a_conflict_without_a_record_of_the_opened_version_compares_with_the_typed_one(
    editor_client: Client, bank: list[Question]
) -> None:
    question = bank[0]
    QuestionRevision.objects.filter(question=question).delete()  # as after an import from documents
    opened = edit_data(question)
    catalog_services.question_edit(
        question=question,
        user=make_editor(email="g@example.com"),
        expected_version=1,
        changes={"prompt": "New?"},
    )

    response = editor_client.post(reverse("web:question_edit", args=[question.pk]), opened)

    content = response.content.decode()
    assert response.status_code == 409
    assert "How the saved version differs from yours" in content
    assert "<ins>New?</ins>" in content


# --- the live preview --------------------------------------------------------------------------------------


def test_the_preview_renders_markdown_and_drops_scripts(editor_client: Client) -> None:
    response = editor_client.post(
        reverse("web:question_preview"),
        {
            "explanation": "**bold** <script>alert('x')</script>\n\n"
            '<a href="javascript:alert(1)">link</a> <img src="x.png" onerror="alert(1)">'
        },
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "<strong>bold</strong>" in content
    assert "<script" not in content
    assert "javascript:" not in content
    assert "onerror" not in content


def test_the_preview_is_size_limited(editor_client: Client) -> None:
    response = editor_client.post(reverse("web:question_preview"), {"explanation": "x" * 50_001})

    assert response.status_code == 200
    assert (
        "Too long to preview: the explanation may have at most 50000 characters." in response.content.decode()
    )


def test_the_preview_needs_a_csrf_token_and_a_post(editor: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    assert client.post(reverse("web:question_preview"), {"explanation": "hi"}).status_code == 403
    assert client.get(reverse("web:question_preview")).status_code == 405


# --- workflow ---------------------------------------------------------------------------------------------


def test_a_draft_offers_submit_publish_and_archive(editor_client: Client, editor: User) -> None:
    catalog_services.topics_sync()
    question = catalog_services.question_create(author=editor, topic="django-orm", prompt="Draft?")

    content = editor_client.get(reverse("web:question_edit", args=[question.pk])).content.decode()

    assert catalog_services.question_transitions_allowed(question=question, user=editor) == [
        "submit",
        "publish",
        "archive",
    ]
    assert ">Submit for review</button>" in content
    assert ">Publish</button>" in content
    assert ">Archive</button>" in content
    assert ">Reopen as draft</button>" not in content


def test_submitting_for_review_shows_the_new_status(editor_client: Client, editor: User) -> None:
    catalog_services.topics_sync()
    question = catalog_services.question_create(author=editor, topic="django-orm", prompt="Draft?")

    response = editor_client.post(
        reverse("web:question_transition", args=[question.pk]), {"action": "submit", "version": "1"}
    )

    assert response.status_code == 302
    assert Question.all_objects.get(pk=question.pk).status == QuestionStatus.IN_REVIEW
    page = editor_client.get(response["Location"]).content.decode()
    assert "Question submitted for review. Its status is now “In review”." in page
    assert ">Publish</button>" in page
    assert ">Reopen as draft</button>" in page


def test_a_transition_based_on_an_old_version_changes_nothing(
    editor_client: Client, bank: list[Question]
) -> None:
    question = bank[0]
    catalog_services.question_edit(
        question=question,
        user=make_editor(email="g@example.com"),
        expected_version=1,
        changes={"prompt": "New?"},
    )
    before = _state(question)

    response = editor_client.post(
        reverse("web:question_transition", args=[question.pk]), {"action": "archive", "version": "1"}
    )

    assert _state(question) == before
    assert (
        "Someone changed this question since you opened it"
        in editor_client.get(response["Location"]).content.decode()
    )


def test_a_transition_the_status_does_not_allow_is_refused(
    editor_client: Client, bank: list[Question]
) -> None:
    question = bank[0]
    before = _state(question)

    response = editor_client.post(
        reverse("web:question_transition", args=[question.pk]), {"action": "submit", "version": "1"}
    )

    assert _state(question) == before
    assert (
        "A question that is published cannot be submitted."
        in editor_client.get(response["Location"]).content.decode()
    )


# --- history ----------------------------------------------------------------------------------------------


def _edited(question: Question, editor: User, times: int) -> Question:
    for number in range(times):
        question = catalog_services.question_edit(
            question=Question.all_objects.get(pk=question.pk),
            user=editor,
            expected_version=question.version,
            changes={"short_answer": f"Answer number {number}."},
        )
    return question


def test_the_history_lists_versions_and_the_changes_of_the_newest(
    editor_client: Client, editor: User, bank: list[Question]
) -> None:
    question = _edited(bank[0], editor, 2)

    content = editor_client.get(reverse("web:question_history", args=[question.pk])).content.decode()

    assert content.count('<td class="version">') == 3
    assert '<td data-label="Change">test bank</td>' in content
    assert "Changes in version 3" in content
    assert "Compared with version 2." in content
    assert '<del>Answer number <mark class="word">0</mark>.</del>' in content
    assert '<ins>Answer number <mark class="word">1</mark>.</ins>' in content
    assert content.count(">Restore<span") == 2  # not offered for the current version
    assert 'data-confirm="Restore version 1?' in content


def test_the_history_shows_a_chosen_version_and_survives_bad_parameters(
    editor_client: Client, editor: User, bank: list[Question]
) -> None:
    question = _edited(bank[0], editor, 2)
    url = reverse("web:question_history", args=[question.pk])

    chosen = editor_client.get(url, {"version": "1"}).content.decode()
    bad = [editor_client.get(url, {"version": value, "page": "x"}) for value in ("abc", "999", "-1")]

    assert "Changes in version 1" in chosen
    assert "The first recorded version: everything in it is shown as added." in chosen
    assert [response.status_code for response in bad] == [200, 200, 200]
    assert "There is no recorded version “999”; showing version 3 instead." in bad[1].content.decode()


def test_a_question_without_revisions_explains_why(editor_client: Client, bank: list[Question]) -> None:
    QuestionRevision.objects.filter(question=bank[0]).delete()

    content = editor_client.get(reverse("web:question_history", args=[bank[0].pk])).content.decode()

    assert "No versions recorded yet" in content


def test_restoring_a_version_makes_it_current_as_a_new_version(
    editor_client: Client, editor: User, bank: list[Question]
) -> None:
    question = _edited(bank[0], editor, 2)

    response = editor_client.post(
        reverse("web:revision_restore", args=[question.pk, 1]), {"version": str(question.version)}
    )

    fresh = Question.all_objects.get(pk=question.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:question_history", args=[question.pk])
    assert (fresh.version, fresh.short_answer) == (4, "Feature 0 batches the work into one query.")
    assert fresh.revisions.get(version=4).summary == "Restored version 1"
    assert (
        "Restored version 1 as the new version 4." in editor_client.get(response["Location"]).content.decode()
    )


def test_a_restore_based_on_an_old_version_changes_nothing(
    editor_client: Client, editor: User, bank: list[Question]
) -> None:
    question = _edited(bank[0], editor, 2)
    before = _state(question)

    response = editor_client.post(reverse("web:revision_restore", args=[question.pk, 1]), {"version": "2"})

    assert _state(question) == before
    assert "nothing was restored" in editor_client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("edits", [2, 11])
def test_the_history_page_runs_a_constant_number_of_queries(
    editor_client: Client, editor: User, bank: list[Question], edits: int, django_assert_num_queries: Any
) -> None:
    question = _edited(bank[0], editor, edits)
    url = reverse("web:question_history", args=[question.pk])

    # session, user, editor group, question + tags, code examples, follow-ups, sources, revision count,
    # revision page, the shown revision and its predecessor
    with django_assert_num_queries(11):
        response = editor_client.get(url)

    assert response.content.decode().count('<td class="version">') == edits + 1


# --- the pure parts ---------------------------------------------------------------------------------------


def test_the_diff_collapses_long_unchanged_runs_and_marks_changed_words() -> None:
    old = {"explanation": "\n".join(f"line {n}" for n in range(10)), "tags": ["api"]}
    new = {
        "explanation": "\n".join(f"line {n}" if n != 5 else "line five" for n in range(10)),
        "tags": ["api"],
    }

    [field] = snapshot_diff(old, new)

    assert (field.name, field.added, field.removed) == ("explanation", 1, 1)
    assert [(line.kind, line.old_number, line.new_number, line.skipped) for line in field.lines] == [
        ("gap", None, None, 3),
        ("same", 4, 4, 0),
        ("same", 5, 5, 0),
        ("removed", 6, None, 0),
        ("added", None, 6, 0),
        ("same", 7, 7, 0),
        ("same", 8, 8, 0),
        ("gap", None, None, 2),
    ]
    assert [(part.text, part.changed) for part in field.lines[3].segments] == [("line ", False), ("5", True)]
    assert [(part.text, part.changed) for part in field.lines[4].segments] == [
        ("line ", False),
        ("five", True),
    ]


def test_the_diff_of_a_first_version_adds_every_field_with_content() -> None:
    fields = snapshot_diff(
        None, {"prompt": "Why?", "difficulty": "basic", "key_points": ["a", "b"], "tags": []}
    )

    assert [(field.label, field.added) for field in fields] == [
        ("Prompt", 1),
        ("Difficulty", 1),
        ("Key points", 2),
    ]
    assert fields[1].lines[0].segments[0].text == "Basic"


def test_the_revision_and_its_predecessor_come_in_one_query(
    editor: User, bank: list[Question], django_assert_num_queries: Any
) -> None:
    question = _edited(bank[0], editor, 2)

    with django_assert_num_queries(1):
        selected, previous = catalog_selectors.question_revision_with_previous(question=question, version=3)

    assert (selected and selected.version, previous and previous.version) == (3, 2)
    assert catalog_selectors.question_revision_with_previous(question=question, version=7) == (None, None)
    assert [
        revision.version
        for revision in catalog_selectors.question_revisions_since(question=question, version=2)
    ] == [2, 3]


def test_only_editors_get_editor_only_transitions(bank: list[Question], learner: User) -> None:
    draft = catalog_services.question_create(author=learner, topic="django-orm", prompt="Mine?")

    assert catalog_services.question_transitions_allowed(question=draft, user=learner) == ["submit"]
    assert catalog_services.question_transitions_allowed(question=bank[0], user=learner) == []


# --- deleted questions and restore --------------------------------------------------------------------------


def test_an_editor_deletes_a_question_and_restores_it_from_the_deleted_list(
    editor_client: Client, editor: User, bank: list[Question]
) -> None:
    question = bank[0]
    assert (
        "Delete question"
        in editor_client.get(reverse("web:question_edit", args=[question.pk])).content.decode()
    )

    deleted = editor_client.post(
        reverse("web:question_delete", args=[question.pk]), {"version": str(question.version)}
    )

    assert deleted.status_code == 302
    assert deleted["Location"] == reverse("web:questions_deleted")
    stored = Question.all_objects.get(pk=question.pk)
    assert stored.deleted_at is not None
    assert stored.version == question.version + 1
    assert stored.revisions.get(version=stored.version).summary == "Deleted"
    assert editor_client.get(reverse("web:question", args=[question.pk])).status_code == 404
    listing = editor_client.get(reverse("web:questions_deleted")).content.decode()
    assert question.prompt[:40] in listing
    assert reverse("web:question_restore", args=[question.pk]) in listing

    restored = editor_client.post(
        reverse("web:question_restore", args=[question.pk]), {"version": str(stored.version)}
    )

    assert restored["Location"] == reverse("web:question_edit", args=[question.pk])
    stored = Question.all_objects.get(pk=question.pk)
    assert (stored.deleted_at, stored.version) == (None, question.version + 2)
    assert stored.revisions.get(version=stored.version).author_id == editor.pk
    assert "No deleted questions" in editor_client.get(reverse("web:questions_deleted")).content.decode()


def test_a_restore_based_on_an_old_version_restores_nothing(
    editor_client: Client, bank: list[Question]
) -> None:
    question = bank[0]
    catalog_services.question_delete(question=question, user=None)

    response = editor_client.post(reverse("web:question_restore", args=[question.pk]), {"version": "1"})

    assert response["Location"] == reverse("web:questions_deleted")
    assert Question.all_objects.get(pk=question.pk).deleted_at is not None


def test_learners_cannot_see_or_restore_deleted_questions(
    learner_client: Client, bank: list[Question]
) -> None:
    question = bank[0]
    catalog_services.question_delete(question=question, user=None)
    version = Question.all_objects.get(pk=question.pk).version

    assert learner_client.get(reverse("web:questions_deleted")).status_code == 403
    assert (
        learner_client.post(
            reverse("web:question_restore", args=[question.pk]), {"version": str(version)}
        ).status_code
        == 403
    )
    assert (
        learner_client.post(reverse("web:question_delete", args=[bank[1].pk]), {"version": "1"}).status_code
        == 403
    )
    assert Question.all_objects.get(pk=question.pk).deleted_at is not None
    assert Question.objects.filter(pk=bank[1].pk).exists()
