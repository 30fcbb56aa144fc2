"""Tests of the answer grader: its pieces, its edge cases, and its agreement with a hand-labelled set.

Run with ``-s`` to see the agreement figure, the confusion per label and the timing.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prepdeck.practice import grading, grading_evaluation
from prepdeck.practice.grading import (
    SYNONYM_GROUPS,
    Grade,
    canonical,
    detect_stuffing,
    grade_answer,
    rating_for_score,
)

BANK = Path(__file__).resolve().parents[2] / "catalog" / "bank" / "data"
LABELLED = Path(__file__).resolve().parent / "grading_labelled.json"

SELECT_VS_PREFETCH_PROMPT = "What is the difference between select_related() and prefetch_related()?"
SELECT_VS_PREFETCH_POINTS = (
    "select_related uses SQL JOINs in the same query",
    "select_related works for ForeignKey and OneToOne relations",
    "prefetch_related runs a separate query per relation and joins in Python",
    "prefetch_related is required for ManyToMany and reverse ForeignKey",
    "Filtering the related manager after prefetching bypasses the prefetched data",
)


def _bank() -> dict[str, dict[str, Any]]:
    questions: dict[str, dict[str, Any]] = {}
    for path in sorted(BANK.glob("*.json")):
        for question in json.loads(path.read_text(encoding="utf-8"))["questions"]:
            questions[question["key"]] = question
    return questions


def _forms(text: str) -> list[frozenset[str]]:
    return [token.forms for token in grading._tokenize(grading._normalise_input(text))]


def _covered(answer: str, key_point: str, prompt: str = "") -> bool:
    return grade_answer(answer=answer, key_points=[key_point], prompt=prompt).points[0].covered


# ---------------------------------------------------------------------------------------- identifiers


def test_identifier_is_kept_whole_and_split_into_parts() -> None:
    # when
    (forms,) = _forms("select_related")

    # then
    assert forms == {"select_related", "select", "relat"}


def test_dotted_call_yields_each_name() -> None:
    tokens = grading._tokenize(grading._normalise_input("Use `QuerySet.only()` here"))

    assert [(token.text, token.kind) for token in tokens] == [
        ("use", "word"),
        ("queryset", "identifier"),
        ("only", "identifier"),
        ("here", "word"),
    ]


def test_camel_case_is_split_but_product_names_and_acronym_plurals_are_not() -> None:
    tokens = grading._tokenize(grading._normalise_input("ModelSerializer PostgreSQL JOINs"))

    assert [(token.text, token.kind, token.parts) for token in tokens] == [
        ("modelserializer", "identifier", ("model", "serial")),
        ("postgresql", "word", ()),
        ("join", "word", ()),
    ]


@pytest.mark.parametrize(
    "answer",
    [
        "select_related makes the SQL join, so it is one query",
        "select related makes the SQL join, so it is one query",
        "`SelectRelated` makes the SQL join, so it is one query",
        "With select_related() Django adds a JOIN to the same SQL statement",
    ],
)
def test_identifier_point_is_covered_however_the_identifier_is_written(answer: str) -> None:
    assert _covered(answer, "select_related uses SQL JOINs in the same query")


def test_a_typo_in_an_identifier_is_still_matched() -> None:
    assert _covered(
        "prefetch_relatd fires a separate query and joins the rows in python",
        "prefetch_related runs a separate query per relation and joins in Python",
    )


def test_fuzzy_matching_does_not_confuse_words_with_a_negating_prefix() -> None:
    grade = grade_answer(answer="everything is asynchronous", key_points=["Receivers run synchronously"])

    assert grade.points[0].similarity == 0.0


def test_an_identifier_matches_its_inflections_but_not_synonyms_of_its_stem() -> None:
    key_point = "iterator() streams rows"

    assert _covered("the iterators stream them", key_point)
    assert not _covered("a loop over the rows", key_point)


# ------------------------------------------------------------------------------- synonyms and stemming


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("query", "sql"),
        ("db", "database"),
        ("perf", "performance"),
        ("fk", "foreignkey"),
        ("m2m", "manytomany"),
        ("prefetching", "prefetch"),
        ("joins", "join"),
        ("records", "rows"),
        ("serialise", "serialize"),
        ("behaviour", "behavior"),
        ("analyse", "analyze"),
    ],
)
def test_synonyms_and_inflections_share_a_canonical_form(first: str, second: str) -> None:
    assert canonical(first) == canonical(second)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("foreign keys", "foreignkey"),
        ("many-to-many", "manytomani"),
        ("one to one", "onetoon"),
        ("N+1", "npluson"),
        ("n plus one", "npluson"),
        ("rolled back", "rollback"),
        ("I/O", "io"),
    ],
)
def test_multi_word_spellings_become_one_term(text: str, expected: str) -> None:
    (forms,) = _forms(text)

    assert expected in forms


def test_no_word_belongs_to_two_synonym_groups() -> None:
    groups_of_stem: dict[str, set[int]] = {}
    for index, group in enumerate(SYNONYM_GROUPS):
        for word in group:
            groups_of_stem.setdefault(grading._stem(word), set()).add(index)

    assert {stem: groups for stem, groups in groups_of_stem.items() if len(groups) > 1} == {}


def test_repeating_the_prompt_alone_does_not_cover_a_point() -> None:
    grade = grade_answer(
        answer="select_related and prefetch_related are different.",
        key_points=SELECT_VS_PREFETCH_POINTS,
        prompt=SELECT_VS_PREFETCH_PROMPT,
    )

    assert [point.covered for point in grade.points] == [False] * 5


def test_a_claim_about_the_other_subject_of_a_comparison_does_not_count() -> None:
    # given the two halves of the answer swapped
    swapped = "select_related runs a separate query per relation and joins them in Python."

    # when
    grade = grade_answer(
        answer=swapped, key_points=SELECT_VS_PREFETCH_POINTS, prompt=SELECT_VS_PREFETCH_PROMPT
    )

    # then the prefetch_related point is not covered
    assert grade.points[2].covered is False


def test_enumeration_is_satisfied_by_two_of_its_items() -> None:
    key_point = "Detect by counting queries (Debug Toolbar, CaptureQueriesContext, logging)"

    assert _covered("The debug toolbar or CaptureQueriesContext will show it.", key_point)


def test_matched_phrase_is_the_answer_text_that_covered_the_point() -> None:
    grade = grade_answer(
        answer="Honestly not sure. I think select_related adds a JOIN, so the same query fetches it.",
        key_points=["select_related uses SQL JOINs in the same query"],
    )

    assert grade.points[0].matched == "select_related adds a JOIN, so the same query"


# ----------------------------------------------------------------------------------------------- stuffing


@pytest.mark.parametrize(
    "answer",
    [
        "select_related, prefetch_related, JOIN, SQL, ForeignKey, OneToOne, ManyToMany, separate query, Python",
        "select_related JOIN SQL same query ForeignKey OneToOne prefetch_related separate query Python M2M",
        "- select_related\n- JOIN\n- ForeignKey / OneToOne\n- prefetch_related\n- separate query\n- ManyToMany",
        "They differ. select_related JOIN SQL one query FK OneToOne prefetch_related second query Python M2M reverse FK",
    ],
)
def test_keyword_lists_are_flagged_as_stuffing(answer: str) -> None:
    grade = grade_answer(
        answer=answer, key_points=SELECT_VS_PREFETCH_POINTS, prompt=SELECT_VS_PREFETCH_PROMPT
    )

    assert grade.stuffing is True
    assert grade.score < 0.4


@pytest.mark.parametrize(
    "answer",
    [
        "select_related uses a JOIN. prefetch_related runs a second query.",
        "It joins. It is one query. It needs a FK.",
        "Django ships an ORM, URL routing, views, templates, forms, sessions and an admin.",
        "Use it like this:\n```python\nBook.objects.select_related('author').only('title', 'author__name')\n```",
    ],
)
def test_short_real_sentences_enumerations_and_code_are_not_stuffing(answer: str) -> None:
    assert detect_stuffing(answer).stuffing is False


def test_stuffing_penalty_scales_the_score() -> None:
    answer = "select_related, JOIN, same query, ForeignKey, OneToOne, prefetch_related, separate query"

    grade = grade_answer(answer=answer, key_points=SELECT_VS_PREFETCH_POINTS[:3])

    assert grade.stuffing is True
    assert grade.score == round(grading.STUFFING_FACTOR, 2)


# ------------------------------------------------------------------------------------------- edge cases


def test_empty_answer_scores_zero_and_rates_again() -> None:
    grade = grade_answer(answer="   ", key_points=SELECT_VS_PREFETCH_POINTS)

    assert grade == Grade(
        score=0.0,
        points=tuple(
            grading.PointResult(key_point=point, covered=False, matched="", similarity=0.0)
            for point in SELECT_VS_PREFETCH_POINTS
        ),
        stuffing=False,
        rating=1,
    )


def test_no_key_points_scores_zero() -> None:
    grade = grade_answer(answer="select_related uses a JOIN.", key_points=[])

    assert (grade.score, grade.points, grade.rating) == (0.0, (), 1)


def test_key_point_of_stop_words_only_is_never_covered() -> None:
    grade = grade_answer(answer="it is what it is", key_points=["It is what it is"])

    assert grade.points[0].covered is False


def test_unicode_and_huge_input_do_not_crash() -> None:
    weird = "Ñandú 😀 \u200b select_related\u00a0JOIN ﬁlter() — “quoted” ‘x’ \x00 \U0001d53d() " * 3
    huge = "select_related uses a JOIN in the same query. " * 50_000

    grades = [
        grade_answer(answer=weird, key_points=SELECT_VS_PREFETCH_POINTS, prompt="\U0001d53d ünïcode?"),
        grade_answer(answer=huge, key_points=SELECT_VS_PREFETCH_POINTS),
        grade_answer(answer="x" * 1_000_000, key_points=SELECT_VS_PREFETCH_POINTS),
    ]

    assert [0.0 <= grade.score <= 1.0 for grade in grades] == [True, True, True]
    assert grades[1].points[0].covered is True


@settings(max_examples=300, deadline=None)
@given(
    answer=st.text(max_size=400),
    key_points=st.lists(st.text(max_size=80), max_size=6),
    prompt=st.text(max_size=80),
)
def test_any_text_grades_within_bounds(answer: str, key_points: list[str], prompt: str) -> None:
    grade = grade_answer(answer=answer, key_points=key_points, prompt=prompt)

    assert 0.0 <= grade.score <= 1.0
    assert grade.rating == rating_for_score(grade.score)
    assert len(grade.points) == len(key_points)
    assert all(0.0 <= point.similarity <= 1.0 for point in grade.points)


@settings(max_examples=100, deadline=None)
@given(
    answer=st.text(
        alphabet=st.sampled_from("select_related prefetch JOIN query FK m2m ,.;\n-()"), max_size=300
    )
)
def test_domain_flavoured_text_grades_within_bounds(answer: str) -> None:
    grade = grade_answer(
        answer=answer, key_points=SELECT_VS_PREFETCH_POINTS, prompt=SELECT_VS_PREFETCH_PROMPT
    )

    assert 0.0 <= grade.score <= 1.0


@pytest.mark.parametrize(
    ("score", "rating"),
    [(0.0, 1), (0.39, 1), (0.4, 2), (0.59, 2), (0.6, 3), (0.84, 3), (0.85, 4), (1.0, 4)],
)
def test_rating_thresholds(score: float, rating: int) -> None:
    assert rating_for_score(score) == rating


def test_as_dict_is_json_ready() -> None:
    grade = grade_answer(
        answer="select_related uses a JOIN, so it is the same query.",
        key_points=SELECT_VS_PREFETCH_POINTS[:2],
        prompt=SELECT_VS_PREFETCH_PROMPT,
    )

    assert json.loads(json.dumps(grade.as_dict())) == {
        "score": 0.55,
        "rating": 2,
        "stuffing": False,
        "needs_review": False,
        "points": [
            {
                "key_point": SELECT_VS_PREFETCH_POINTS[0],
                "covered": True,
                "matched": "select_related uses a JOIN, so it is the same query",
                "similarity": 1.0,
                "verdict": "covered",
                "evidence": "select_related uses a JOIN, so it is the same query",
                "spans": [[0, 51]],
                "reason": "",
                "uncertain": False,
            },
            {
                "key_point": SELECT_VS_PREFETCH_POINTS[1],
                "covered": False,
                "matched": "",
                "similarity": 0.2,
                "verdict": "missing",
                "evidence": "",
                "spans": [],
                "reason": "",
                "uncertain": False,
            },
        ],
    }


# ------------------------------------------------------------------------------ polarity and verdicts

PARTIAL_UPDATE_PROMPT = "How do partial updates work in DRF serializers?"
PARTIAL_UPDATE_POINTS = (
    "partial=True makes all fields optional; only submitted fields are validated",
    "PATCH uses partial=True via UpdateModelMixin.partial_update; PUT requires all required fields",
    "validate_<field> does not run for fields that were not sent",
    "Defaults are not applied to missing fields in a partial update",
    "Cross-field rules should fall back to self.instance values",
)
HEALTH_POINT = "Django has no built-in health endpoint: add views or django-health-check"
PASSWORD_POINT = "Stored format algorithm$params$salt$hash; the raw password is never stored"


def _point(answer: str, key_point: str, prompt: str = "") -> grading.PointResult:
    return grade_answer(answer=answer, key_points=[key_point], prompt=prompt).points[0]


def test_validating_every_field_contradicts_validate_field_not_running_for_unsent_fields() -> None:
    point = grade_answer(
        answer="With partial=True it still validates every field and validate_<field> runs for all of them.",
        key_points=PARTIAL_UPDATE_POINTS,
        prompt=PARTIAL_UPDATE_PROMPT,
    ).points[2]

    assert (point.verdict, point.covered, point.reason) == ("contradicted", False, "negation")
    assert point.evidence == "validate_<field> runs"


def test_a_built_in_health_endpoint_contradicts_there_being_none() -> None:
    answer = "Use Django's built-in /health/ endpoint for liveness and readiness."

    point = _point(answer, HEALTH_POINT)

    assert (point.verdict, point.reason) == ("contradicted", "negation")
    assert answer[point.spans[0][0] : point.spans[0][1]] == "built-in /health/ endpoint"


def test_saying_there_is_no_built_in_endpoint_covers_the_point() -> None:
    point = _point(
        "Django has no built-in health endpoint, so you write your own views or install django-health-check.",
        HEALTH_POINT,
    )

    assert (point.verdict, point.covered) == ("covered", True)


def test_the_confident_wrong_partial_update_answer_is_not_good_and_the_half_right_one_scores_higher() -> None:
    confident_wrong = (
        "With partial=True the serializer makes every field optional, but it still validates every field "
        "and validate_<field> runs for all of them. Defaults are applied to missing fields, and PUT also "
        "works without all required fields."
    )
    half_right = (
        "PATCH calls partial_update with partial=True so fields become optional and only what you send "
        "is validated. I think defaults are not filled in for the missing ones."
    )

    wrong = grade_answer(
        answer=confident_wrong, key_points=PARTIAL_UPDATE_POINTS, prompt=PARTIAL_UPDATE_PROMPT
    )
    half = grade_answer(answer=half_right, key_points=PARTIAL_UPDATE_POINTS, prompt=PARTIAL_UPDATE_PROMPT)

    assert [point.verdict for point in wrong.points] == [
        "covered",
        "contradicted",
        "contradicted",
        "contradicted",
        "missing",
    ]
    assert (wrong.score, wrong.rating) == (0.0, 1)
    assert [point.verdict for point in half.points] == ["covered", "covered", "covered", "covered", "missing"]
    assert half.score > wrong.score


def test_never_keeping_the_password_covers_the_raw_password_never_being_stored() -> None:
    point = _point(
        "Django never keeps the password itself, only a salted hash in the format algorithm$iterations$salt$hash.",
        PASSWORD_POINT,
    )

    assert point.verdict == "covered"


def test_storing_the_password_contradicts_it_never_being_stored() -> None:
    point = _point("The raw password is stored in the database next to the hash.", PASSWORD_POINT)

    assert (point.verdict, point.reason) == ("contradicted", "negation")


@pytest.mark.parametrize(
    ("answer", "verdict", "reason"),
    [
        ("Receivers run asynchronously in a worker.", "contradicted", "antonym"),
        ("Receivers are not asynchronous; they run in the same thread.", "covered", ""),
        ("Receivers run synchronously, in the same thread and transaction as the sender.", "covered", ""),
    ],
)
def test_antonyms_contradict_unless_negated(answer: str, verdict: str, reason: str) -> None:
    point = _point(answer, "Receivers run synchronously in the same thread and transaction")

    assert (point.verdict, point.reason) == (verdict, reason)


def test_before_and_after_contradict() -> None:
    point = _point(
        "on_commit runs the callback before the current transaction commits.",
        "on_commit runs the callback after the current transaction commits",
    )

    assert (point.verdict, point.reason) == ("contradicted", "antonym")


def test_a_claim_naming_both_sides_of_an_antonym_is_not_contradicted_by_one_side() -> None:
    point = _point(
        "atomic() rolls back when an exception escapes the block and commits otherwise.",
        "atomic() commits on normal exit and rolls back when an exception escapes",
    )

    assert point.verdict == "covered"


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ("PBKDF2 with 1,000,000 iterations is the default in Django 4.2.", "contradicted"),
        ("PBKDF2 is the default in Django 5.2.", "covered"),
    ],
)
def test_a_wrong_version_contradicts(answer: str, verdict: str) -> None:
    point = _point(answer, "PBKDF2-SHA256 is the default hasher in Django 5.2")

    assert point.verdict == verdict
    assert point.reason == ("number" if verdict == "contradicted" else "")


def test_swapped_roles_contradict_but_passive_voice_does_not() -> None:
    key_point = "get_response() calls process_view() before the view"

    swapped = _point("process_view() calls get_response() for each request.", key_point)
    passive = _point("process_view() is called by get_response() for each request.", key_point)

    assert (swapped.verdict, swapped.reason) == ("contradicted", "swapped roles")
    assert passive.verdict == "covered"


def test_a_negation_elsewhere_in_the_sentence_does_not_flip_the_point() -> None:
    point = _point(
        "select_related doesn't help with many-to-many; it uses a JOIN in the same query.",
        "select_related uses SQL JOINs in the same query",
    )

    assert point.verdict == "covered"


def test_a_point_said_right_once_is_covered_even_if_another_sentence_reads_as_its_opposite() -> None:
    point = _point(
        "SimpleTestCase forbids database queries. Tests that need no database at all can use SimpleTestCase.",
        "SimpleTestCase forbids database queries",
    )

    assert point.verdict == "covered"


def test_a_contradicted_point_counts_against_the_answer() -> None:
    key_points = ["Receivers run synchronously in the same thread", "Signals implement the observer pattern"]
    observer = "Signals implement the observer pattern: a sender notifies whoever connected to it."

    alone = grade_answer(answer=observer, key_points=key_points)
    with_wrong = grade_answer(
        answer=observer + " The receivers run asynchronously in another thread.", key_points=key_points
    )

    assert (alone.score, with_wrong.score) == (0.5, 0.25)


def test_a_hedged_reversal_is_covered_but_uncertain() -> None:
    point = _point(
        "validate_<field> only runs for the fields that were sent.",
        "validate_<field> does not run for fields that were not sent",
    )

    assert (point.verdict, point.uncertain) == ("covered", True)


def test_weak_evidence_either_way_asks_for_review() -> None:
    grade = grade_answer(
        answer="validate_<field> only runs for the fields that were sent.",
        key_points=["validate_<field> does not run for fields that were not sent"],
    )

    assert (grade.score, grade.rating, grade.needs_review) == (1.0, 4, True)


def test_spans_point_into_the_answer_as_written_even_after_unicode_normalisation() -> None:
    answer = "\uff24\uff4a\uff41\uff4e\uff47\uff4f: the \ufb01rst thing \u2014 select_related uses a JOIN in one query."

    point = _point(answer, "select_related uses SQL JOINs in the same query")

    assert point.verdict == "covered"
    assert [answer[start:end] for start, end in point.spans] == ["select_related uses a JOIN in one query"]


# --------------------------------------------------------------------------------------- labelled set

_GRADED = grading_evaluation.grade_labelled(
    grading_evaluation.load_labelled(), grading_evaluation.load_bank()
)


def test_labelled_set_is_broad_enough() -> None:
    answers = grading_evaluation.load_labelled()
    bank = _bank()

    assert len(answers) == 269
    assert len({answer["key"] for answer in answers}) == 65
    assert {answer["key"] for answer in answers} <= bank.keys()
    assert Counter(answer["label"] for answer in answers) == {
        "good": 64,
        "partial": 66,
        "wrong": 51,
        "stuffed": 50,
        "contradicting": 32,
        "paraphrased": 6,
    }
    assert Counter(answer["set"] for answer in answers) == {"tuning": 181, "holdout": 88}
    # the held-out answers are about questions the tuning answers never touch
    tuning_keys = {answer["key"] for answer in answers if answer["set"] == "tuning"}
    new_holdout_keys = {answer["key"] for answer in answers[141:] if answer["set"] == "holdout"}
    assert tuning_keys.isdisjoint(new_holdout_keys)


def test_agreement_with_labelled_set() -> None:
    """Floors a little under the figures measured when the grader was frozen (printed with ``-s`` and by
    ``bench/grading.py``): all 269 answers 0.886 pairwise order, 0.887 agreement, kappa 0.927, 14.5%
    abstentions, no wrong answer rated Good; the 88 held-out answers 0.891 / 0.843 / 0.899 / 20.5% / none.
    The margin is about what two answers changing band move; a change that costs more should be looked at.
    """
    # when
    everything = grading_evaluation.evaluate(_GRADED)
    holdout = grading_evaluation.evaluate([item for item in _GRADED if item.set == "holdout"])

    # then
    print("\n" + "\n".join(["all answers:", *everything.lines(), "held out:", *holdout.lines()]))
    print("\n".join(["disagreements and abstentions:", *everything.misses]))
    assert everything.wrong_rated_good_count == 0
    assert everything.pairwise_order_accuracy >= 0.87
    assert everything.verdict_agreement >= 0.87
    assert everything.kappa >= 0.9
    assert everything.abstention_rate <= 0.16
    assert holdout.wrong_rated_good_count == 0
    assert holdout.pairwise_order_accuracy >= 0.85
    assert holdout.verdict_agreement >= 0.78
    assert holdout.kappa >= 0.85
    assert holdout.abstention_rate <= 0.23


def test_the_banks_own_answers_are_rarely_read_as_contradicting_their_key_points() -> None:
    """Every question's short answer and explanation state its key points, so each contradicted point there
    is a false alarm: 11 of 1810 (0.6%) when the grader was frozen; the floor allows 1%."""
    bank = _bank()
    verdicts: Counter[str] = Counter()
    for question in bank.values():
        grade = grade_answer(
            answer=f"{question['short_answer']}\n\n{question['explanation']}",
            key_points=question["key_points"],
            prompt=question["prompt"],
        )
        for point in grade.points:
            verdicts[point.verdict] += 1

    total = sum(verdicts.values())
    print(f"\nverdicts on the bank's own answers: {dict(verdicts)}")
    assert verdicts["contradicted"] <= 0.01 * total
    assert verdicts["covered"] >= 0.98 * total


def test_an_answer_the_grader_is_unsure_about_is_left_to_the_learner_not_rated_good() -> None:
    unsure_wrong = [
        item for item in _GRADED if item.label in grading_evaluation.WRONG_LABELS and item.grade.rating >= 3
    ]

    assert [item.grade.needs_review for item in unsure_wrong] == [True] * len(unsure_wrong)


def test_quadratic_kappa_matches_a_hand_computed_example() -> None:
    # two raters, three levels; observed disagreements weigh (1/2)^2 and 1
    first = [0, 0, 1, 1, 2, 2]
    second = [0, 1, 1, 1, 2, 0]

    kappa = grading_evaluation.quadratic_kappa(first, second, levels=3)

    # observed weighted disagreement: 0.25 (0 vs 1) + 1 (2 vs 0) = 1.25; expected from the margins (rows
    # 2, 2, 2; columns 2, 3, 1): sum of w_ij * row_i * column_j / 6 = 1.75; kappa = 1 - 1.25 / 1.75
    assert round(kappa, 6) == 0.285714


def test_grading_is_fast_over_the_bank() -> None:
    bank = _bank()
    answers = grading_evaluation.load_labelled()
    grading_evaluation.timings_over_bank(bank, answers)  # warm the per-question cache, as production does

    timings = grading_evaluation.timings_over_bank(bank, answers)

    p50 = grading_evaluation.percentile(timings, 0.5)
    p95 = grading_evaluation.percentile(timings, 0.95)
    print(f"\ngrading time per answer: p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {max(timings):.2f} ms")
    assert p95 < 20


# ------------------------------------------------------------------------------ property: negation

_NEGATABLE = [
    item
    for item in _GRADED
    if item.label in ("good", "paraphrased")
    and not item.grade.stuffing
    and not any(point.verdict == "contradicted" for point in item.grade.points)
    and any(point.verdict == "covered" and point.spans for point in item.grade.points)
]
_AUXILIARY = re.compile(r"\b(is|are|was|were|can|does|do|will|should|must|has|have)\b")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


def _negate(sentence: str, style: str) -> str:
    """The sentence said the other way: "not" after its first auxiliary, or "It is not true that ..."."""
    if style == "auxiliary" and _AUXILIARY.search(sentence):
        return _AUXILIARY.sub(lambda match: f"{match.group(1)} not", sentence, count=1)
    stripped = sentence.strip()
    return f" It is not true that {stripped[:1].lower()}{stripped[1:]}"


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_negating_the_sentence_of_a_covered_key_point_never_raises_the_score(data: st.DataObject) -> None:
    # given a good answer and one of the key points it covers
    item = data.draw(st.sampled_from(_NEGATABLE))
    answer = item.answer
    covered = [point for point in item.grade.points if point.verdict == "covered" and point.spans]
    point = data.draw(st.sampled_from(covered))
    start = point.spans[0][0]
    sentence = next(match for match in _SENTENCE.finditer(answer) if match.start() <= start < match.end())
    style = data.draw(st.sampled_from(["auxiliary", "prefix"]))

    # when that sentence is negated
    negated = answer[: sentence.start()] + _negate(sentence.group(), style) + answer[sentence.end() :]
    question = _bank()[item.key]
    regraded = grade_answer(answer=negated, key_points=question["key_points"], prompt=question["prompt"])

    # then the score does not go up
    assert regraded.score <= item.grade.score
