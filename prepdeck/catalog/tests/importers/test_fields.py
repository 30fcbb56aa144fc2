"""An answer split into short answer, explanation and code examples: each part said once."""

from __future__ import annotations

from prepdeck.catalog.importers.base import ParsedCodeExample, ParsedItem
from prepdeck.catalog.importers.fields import DERIVED_SHORT_ANSWER_MAX, question_fields


def _item(answer: str) -> ParsedItem:
    return ParsedItem(prompt="Why?", answer=answer, line_start=1, line_end=1)


def test_the_first_prose_paragraph_is_the_short_answer_and_leaves_the_explanation() -> None:
    fields = question_fields(_item("## Overview\n\nFirst paragraph.\nStill first.\n\nSecond one."))

    assert fields.short_answer == "First paragraph.\nStill first."
    assert fields.explanation == "## Overview\n\nSecond one."
    assert fields.code_examples == []


def test_a_paragraph_run_into_a_fence_stops_before_it() -> None:
    fields = question_fields(_item("Run this:\n```bash\n\nmake\n\n```\nThen rest."))

    assert fields.short_answer == "Run this:"
    assert fields.explanation == "```bash\n\nmake\n\n```\n\nThen rest."


def test_a_long_paragraph_gives_its_first_sentences_and_keeps_the_rest() -> None:
    sentence = "A sentence of fifty characters and a space after. "  # 50 with the space
    assert len(sentence) == 50
    paragraph = (sentence * 30).strip()

    fields = question_fields(_item(paragraph))

    assert fields.short_answer == (sentence * 20).strip()  # 20 * 50 - 1 = 999 characters
    assert len(fields.short_answer) <= DERIVED_SHORT_ANSWER_MAX
    assert fields.explanation == (sentence * 10).strip()


def test_one_endless_sentence_is_cut_between_words_and_kept_whole_in_the_explanation() -> None:
    paragraph = " ".join(["word"] * 400)

    fields = question_fields(_item(paragraph))

    assert fields.short_answer == " ".join(["word"] * 199) + "…"
    assert fields.explanation == paragraph


def test_trailing_code_blocks_become_examples_with_their_captions() -> None:
    answer = (
        "Short.\n\nMiddle:\n\n```python\ninline()\n```\n\nMore prose.\n\n**Example:**\n\n"
        "```python\nfirst()\n```\n\n~~~sql\nSELECT 1;\n~~~"
    )

    fields = question_fields(_item(answer))

    assert fields.short_answer == "Short."
    assert fields.explanation == "Middle:\n\n```python\ninline()\n```\n\nMore prose."
    assert fields.code_examples == [
        ParsedCodeExample(language="python", code="first()", caption="Example"),
        ParsedCodeExample(language="sql", code="SELECT 1;", caption=""),
    ]


def test_a_fence_left_open_is_closed_and_code_only_answers_have_no_short_answer() -> None:
    fields = question_fields(_item("```python\nprint(1)\n\nprint(2)"))

    assert (fields.short_answer, fields.explanation) == ("", "")
    assert fields.code_examples == [ParsedCodeExample(language="python", code="print(1)\n\nprint(2)")]
