"""The feedback shown for a graded answer: verdicts, evidence, and the answer cut into highlighted segments."""

from __future__ import annotations

from prepdeck.practice.grading import grade_answer
from prepdeck.web.feedback import Segment, grade_feedback, segments_of


def test_segments_cover_the_whole_answer_and_contradicted_wins_where_marks_overlap() -> None:
    answer = "one two three four"

    segments = segments_of(answer, [(0, 7, "covered", 1), (4, 13, "contradicted", 2), (14, 18, "covered", 3)])

    assert segments == (
        Segment("one ", "covered", (1,)),
        Segment("two three", "contradicted", (2,)),
        Segment(" ", "", ()),
        Segment("four", "covered", (3,)),
    )
    assert "".join(segment.text for segment in segments) == answer


def test_adjacent_pieces_of_the_same_marks_are_merged() -> None:
    segments = segments_of("abcdef", [(0, 3, "covered", 1), (0, 6, "covered", 1)])

    assert segments == (Segment("abcdef", "covered", (1,)),)


def test_feedback_from_a_grade_lists_verdicts_with_evidence_and_reasons() -> None:
    answer = "The raw password is stored next to the hash. PBKDF2 is the default."
    grade = grade_answer(
        answer=answer,
        key_points=[
            "Stored format algorithm$params$salt$hash; the raw password is never stored",
            "PBKDF2-SHA256 is the default",
            "Hashes are upgraded on login",
        ],
    )

    feedback = grade_feedback(grade, answer)

    assert feedback is not None
    assert [(point.number, point.verdict, point.label, point.symbol) for point in feedback.points] == [
        (1, "contradicted", "Contradicted", "≠"),
        (2, "covered", "Covered", "✓"),
        (3, "missing", "Missing", "✗"),
    ]
    assert feedback.points[0].reason == "your answer says the opposite"
    assert (feedback.covered, feedback.contradicted, feedback.needs_review) == (1, 1, False)
    assert [(segment.verdict, segment.text) for segment in feedback.segments if segment.verdict] == [
        ("contradicted", "raw password is stored"),
        ("covered", "PBKDF2 is the default"),
    ]


def test_a_grade_stored_before_verdicts_existed_gives_verdicts_from_covered_and_no_highlights() -> None:
    stored = {
        "score": 0.5,
        "rating": 2,
        "stuffing": False,
        "points": [
            {"key_point": "first", "covered": True, "matched": "one", "similarity": 1.0},
            {"key_point": "second", "covered": False, "matched": "", "similarity": 0.0},
        ],
    }

    feedback = grade_feedback(stored, "one answer")

    assert feedback is not None
    assert [(point.verdict, point.evidence) for point in feedback.points] == [
        ("covered", "one"),
        ("missing", ""),
    ]
    assert feedback.segments == (Segment("one answer", "", ()),)
    assert feedback.needs_review is False


def test_spans_outside_the_answer_are_clipped_and_no_grade_gives_no_feedback() -> None:
    stored = {"points": [{"key_point": "p", "verdict": "covered", "spans": [[3, 99], [50, 60], "bad"]}]}

    feedback = grade_feedback(stored, "abcdef")

    assert feedback is not None
    assert feedback.segments == (Segment("abc", "", ()), Segment("def", "covered", (1,)))
    assert grade_feedback(None, "abc") is None
