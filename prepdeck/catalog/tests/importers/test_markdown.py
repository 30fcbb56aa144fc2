"""The Markdown importer: one small hand-written fixture per dialect and repair, properties, and the seeds.

The fixtures are written for these tests (no seed sentence is copied); each one imitates the *shape* of a
convention found in the seed corpus (the importer spec ``seed_dialects.md``, cited as "spec §n") or a common
convention beyond it. The end-to-end test at the bottom runs the five real seed documents.
"""

from __future__ import annotations

import time
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prepdeck.catalog.importers.base import ImportFormatError, ParsedDocument, ParsedItem
from prepdeck.catalog.importers.markdown import clean_prompt, clean_section, parse_markdown

FENCE = "```"
BR = "  "  # a Markdown hard break, as chatbots put at the end of question lines


def _parse(text: str, name: str = "doc.md") -> ParsedDocument:
    return parse_markdown(name, dedent(text).lstrip("\n").encode())


def _questions(document: ParsedDocument) -> list[ParsedItem]:
    return [item for item in document.items if not item.needs_question]


def _blocks(document: ParsedDocument) -> list[ParsedItem]:
    return [item for item in document.items if item.needs_question]


def _fences_balanced(markdown: str) -> bool:
    return sum(1 for line in markdown.split("\n") if line.lstrip().startswith(FENCE)) % 2 == 0


# -- dialects found in the seeds ------------------------------------------------------------------------


def test_heading_with_bold_question_and_answer_marker() -> None:
    # spec §1.2: "### N. **Q**" followed by "**Answer:**", items separated by "---", chatbot intro/outro
    document = _parse(
        """
        Here are some advanced Python interview questions with answers:

        ### 1. **What does the GIL protect?**

        **Answer:**
        It keeps the interpreter's reference counts consistent.

        **Example:**
        ```python
        import threading
        ```

        ---

        ### 2. **Why are tuples hashable?**

        **Answer:**
        Because they cannot change once created.

        ---

        These are just a few of the questions you may meet in an interview.
        """
    )

    first, second = _questions(document)
    assert (first.prompt, first.line_start, first.line_end) == ("What does the GIL protect?", 3, 11)
    assert first.answer == (
        "It keeps the interpreter's reference counts consistent.\n\n"
        "**Example:**\n```python\nimport threading\n```"
    )
    assert [(code.language, code.code, code.caption) for code in first.code_examples] == [
        ("python", "import threading", "Example")
    ]
    assert (second.prompt, second.line_start, second.line_end) == ("Why are tuples hashable?", 15, 18)
    assert second.answer == "Because they cannot change once created."
    # "advanced" in the intro sets the difficulty (spec §1.4)
    assert {item.difficulty for item in document.items} == {"advanced"}
    assert {item.dialect for item in document.items} == {"answer-marker"}
    assert document.repairs == {"filler": 2}
    assert _blocks(document) == []


def test_quiz_headings_with_bulleted_answer_markers_and_topic_sections() -> None:
    # spec §2.2(1): "### Q?" then "- **Answer:** text" (or nested bullets), "## Topic" sections
    document = _parse(
        """
        # Git Quiz

        ---

        ## Branching

        ### What does `git switch -c` do?
        - **Answer:** Creates a branch and checks it out.

        ### Which commands list remote branches?
        - **Answer:**
          - `git branch -r`
          - `git ls-remote --heads`

        ---

        ## History

        ### How do you squash commits?
        - **Answer:** With an interactive rebase.
        """
    )

    items = _questions(document)
    assert [(item.line_start, item.line_end, item.section) for item in items] == [
        (7, 8, "Branching"),
        (10, 13, "Branching"),
        (19, 20, "History"),
    ]
    assert items[0].prompt == "What does `git switch -c` do?"
    assert items[0].answer == "Creates a branch and checks it out."
    assert items[1].answer == "- `git branch -r`\n- `git ls-remote --heads`"
    assert {item.difficulty for item in items} == {"unknown"}


def test_numbered_h3_questions_under_difficulty_sections_with_comments_in_code() -> None:
    # spec §2.2(2) and §5: "### N. Q", "## Basic/Advanced ..." sections, "# comment" lines inside fences
    document = _parse(
        f"""
        # Python Interview Questions

        ## Basic Questions

        ### 1. What is a list comprehension?

        A compact way to build a list.

        {FENCE}python
        # squares of the first five numbers
        squares = [n * n for n in range(5)]
        {FENCE}

        ### 2. How do you reverse a string?
        {FENCE}python
        # slicing with a negative step
        text[::-1]
        {FENCE}

        ## Advanced Questions

        ### 3. What is a metaclass?

        The class of a class.
        """
    )

    items = _questions(document)
    assert [(item.prompt, item.line_start, item.line_end) for item in items] == [
        ("What is a list comprehension?", 5, 12),
        ("How do you reverse a string?", 14, 18),
        ("What is a metaclass?", 22, 24),
    ]
    assert [(item.section, item.difficulty) for item in items] == [
        ("Basic Questions", "basic"),
        ("Basic Questions", "basic"),
        ("Advanced Questions", "advanced"),
    ]
    assert [item.flags for item in items] == [[], ["code_only"], []]
    assert items[1].code_examples[0].code == "# slicing with a negative step\ntext[::-1]"
    assert {item.dialect for item in items} == {"numbered-heading"}


def test_numbered_h2_questions_keep_numbered_h3_subheadings_in_the_answer() -> None:
    # spec §2.4(g): "### 1." sub-headings inside a "## N." answer are not questions
    document = _parse(
        """
        # Advanced PostgreSQL Guide

        ## 1. Which isolation levels exist?

        There are four of them.

        ### 1. Read committed
        The default one.

        ### 2. Serializable
        The strictest one.

        ## 2. How does MVCC work?

        Every row version carries transaction ids.
        """
    )

    items = _questions(document)
    assert [(item.prompt, item.line_start, item.line_end) for item in items] == [
        ("Which isolation levels exist?", 3, 11),
        ("How does MVCC work?", 13, 15),
    ]
    assert "### 1. Read committed" in items[0].answer
    assert {item.difficulty for item in items} == {"advanced"}  # from the H1 title (spec §2.3)


def test_question_n_headings_are_questions_even_when_titles_are_not() -> None:
    # spec §2.2(4): "## Question N: Title" with "#### N." sub-headings; "---" and an outro end answers
    document = _parse(
        """
        ## Question 1: Steps to Rotate Logs

        #### 1. Configure logrotate
        Point it at the log directory.

        ---

        ## Question 2: Backing Up a Database

        Run `pg_dump` every night.

        This comprehensive guide covers both topics in depth.
        """
    )

    items = _questions(document)
    assert [(item.prompt, item.line_start, item.line_end) for item in items] == [
        ("Steps to Rotate Logs", 1, 4),
        ("Backing Up a Database", 8, 10),
    ]
    assert items[0].answer == "#### 1. Configure logrotate\nPoint it at the log directory."
    assert document.repairs == {"filler": 1}


def test_numbered_list_with_bullet_answers_and_every_fence_repair() -> None:
    # spec §3: column-0 "N. Q" with "- " bullets; "?- " splices; a closer indented deeper than its
    # opener; a fence left open before the next bullet; a closer with a bullet run into it; a stray
    # marker with text; an empty opener before the next question; numbering that restarts at 1.
    document = _parse(
        f"""
        1. Virtualenv vs venv
        - venv ships with Python.
        - virtualenv also supports older interpreters.

        2. **What is pip?**
        - The package installer.

        3. How to publish a package, step by step?- Build the distribution:
          {FENCE}bash
          python -m build
          {FENCE}
        - Check the metadata:
          {FENCE}python
          import twine
              print("ok")
            {FENCE}
        - Describe the project:
          {FENCE}toml
          [project]
          name = "demo"
        - Tag the release:
          {FENCE}bash
          git tag v1.0
          {FENCE}   - Push the tag.

          {FENCE}- Check the index page.

          {FENCE}

        1. How to pin versions?- Use a lock file.
        """
    )

    items = _questions(document)
    assert [(item.prompt, item.line_start) for item in items] == [
        ("Virtualenv vs venv", 1),
        ("What is pip?", 5),
        ("How to publish a package, step by step?", 8),
        ("How to pin versions?", 30),
    ]
    assert items[2].answer == dedent(
        f"""\
        - Build the distribution:
          {FENCE}bash
          python -m build
          {FENCE}
        - Check the metadata:
          {FENCE}python
          import twine
              print("ok")
          {FENCE}
        - Describe the project:
          {FENCE}toml
          [project]
          name = "demo"
          {FENCE}
        - Tag the release:
          {FENCE}bash
          git tag v1.0
          {FENCE}
        - Push the tag.

        - Check the index page."""
    )
    assert [code.language for code in items[2].code_examples] == ["bash", "python", "toml", "bash"]
    assert items[2].code_examples[2].caption == "Describe the project"
    assert items[3].answer == "- Use a lock file."
    # restarting at 1 is a numbering slip, not a splice (spec §3.2)
    assert all(item.flags == [] for item in items)
    # 4 fence repairs: implicit close (toml), closer+bullet split, stray marker, empty opener dropped
    assert document.repairs == {"splices": 2, "fences": 4}
    assert {item.dialect for item in items} == {"numbered-list"}


def test_numbered_bold_items_with_indented_answers_under_emoji_sections() -> None:
    # spec §4: "N. **Q:**" with 3/4-space indented answers, "## <emoji> N. Title" sections whose
    # numbers collide with item numbers, the first section missing its "## ", filler between items
    document = _parse(
        f"""
        🐍 1. Language Basics

        1. **What is a generator?**{BR}
           A function that yields values lazily.

        2. **Benefits of typing:**{BR}
           - Earlier error detection{BR}
           - Better editor support

        ---

        ## 🧪 2. Testing

        3. **Run one test:**{BR}
            {FENCE}bash
            pytest -k name
            {FENCE}

        Great! Let’s keep the momentum going with a few more questions 🚀

        ## ⚙️ 3. Tooling

        4. **Formatter of choice?**{BR}
            A single tool for everything.
        """
    )

    items = _questions(document)
    assert [(item.prompt, item.line_start, item.line_end, item.section) for item in items] == [
        ("What is a generator?", 3, 4, "Language Basics"),
        ("Benefits of typing", 6, 8, "Language Basics"),
        ("Run one test", 14, 17, "Testing"),
        ("Formatter of choice?", 23, 24, "Tooling"),
    ]
    assert items[1].answer == "- Earlier error detection\n- Better editor support"
    assert items[2].answer == f"{FENCE}bash\npytest -k name\n{FENCE}"
    assert items[2].flags == ["code_only"]
    assert document.repairs == {"section_markers": 1, "section_numbers": 3, "filler": 1}
    assert len(document.items) == 4  # section numbers 2 and 3 never become items


# -- conventions beyond the seeds -----------------------------------------------------------------------


def test_a_setext_title_is_the_documents_title_and_a_setext_h2_question_is_a_question() -> None:
    document = _parse(
        """
        Top Django questions
        ====================

        What is a QuerySet?
        -------------------

        A lazy database query.
        """
    )

    assert [(item.prompt, item.answer, item.needs_question) for item in document.items] == [
        ("What is a QuerySet?", "A lazy database query.", False)
    ]
    assert document.repairs["setext_headings"] == 2


def test_headings_that_ask_nothing_name_sections_and_are_never_answers() -> None:
    document = _parse(
        """
        ## Django

        ## What is a QuerySet?

        A lazy database query.

        ## Models

        ## What does select_related do?

        It joins in SQL.


        ## Further reading
        """
    )

    assert [(item.prompt, item.answer, item.section) for item in document.items] == [
        ("What is a QuerySet?", "A lazy database query.", "Django"),
        ("What does select_related do?", "It joins in SQL.", "Models"),
    ]


def test_q_and_a_lines_in_their_common_spellings() -> None:
    document = _parse(
        """
        Q: What is a closure?
        A: A function that remembers its enclosing scope.

        **Q:** What does `yield from` do?
        **A:** It delegates to a sub-generator.

        Question: Why use `__slots__`?
        Answer: To save memory per instance.
        It also blocks new attributes.
        """
    )

    assert [(item.prompt, item.answer, item.line_start, item.line_end) for item in document.items] == [
        ("What is a closure?", "A function that remembers its enclosing scope.", 1, 2),
        ("What does `yield from` do?", "It delegates to a sub-generator.", 4, 5),
        ("Why use `__slots__`?", "To save memory per instance.\nIt also blocks new attributes.", 7, 9),
    ]


def test_numbered_q_lines_without_answer_markers() -> None:
    document = _parse(
        """
        Q1. What is a wheel?
        A built distribution format.

        Q2. What is an sdist?
        A source archive.
        """
    )

    assert [(item.prompt, item.answer) for item in document.items] == [
        ("What is a wheel?", "A built distribution format."),
        ("What is an sdist?", "A source archive."),
    ]


def test_bold_or_numbered_question_followed_by_answer_or_ans_marker() -> None:
    document = _parse(
        """
        **How do you profile a script?**

        **Answer:** Run it under `cProfile`.

        7. Which module times small snippets?
        Ans: `timeit`, from the standard library.
        """
    )

    assert [(item.prompt, item.answer, item.line_start) for item in document.items] == [
        ("How do you profile a script?", "Run it under `cProfile`.", 1),
        ("Which module times small snippets?", "`timeit`, from the standard library.", 5),
    ]


def test_one_heading_per_question() -> None:
    document = _parse(
        """
        # Packaging Notes

        ## What is a virtual environment?

        An isolated set of installed packages.

        ## Why pin dependencies?

        Reproducible builds.

        - The same versions everywhere.
        """
    )

    items = _questions(document)
    assert [(item.prompt, item.line_start, item.line_end, item.dialect) for item in items] == [
        ("What is a virtual environment?", 3, 5, "question-heading"),
        ("Why pin dependencies?", 7, 11, "question-heading"),
    ]
    assert items[1].answer == "Reproducible builds.\n\n- The same versions everywhere."


def test_numbered_list_with_indented_answers() -> None:
    document = _parse(
        """
        1. What is duck typing?
           Using an object by its behaviour rather than its type.

        2. What is monkey patching?
           Replacing attributes at run time.
           Mostly useful in tests.
        """
    )

    assert [(item.prompt, item.answer) for item in document.items] == [
        ("What is duck typing?", "Using an object by its behaviour rather than its type."),
        ("What is monkey patching?", "Replacing attributes at run time.\nMostly useful in tests."),
    ]


def test_numbered_questions_under_a_bold_title_with_answers_at_column_0() -> None:
    document = _parse(
        """
        **Packaging questions**

        1. What is a wheel?
        A built distribution: installing it runs no build step.

        2. What is an sdist?
        A source archive.

        It is built on the machine that installs it.

        3. Explain what a lock file pins.
        The exact version of every dependency, transitive ones included.
        """
    )

    assert [(item.prompt, item.answer, item.line_start, item.line_end) for item in document.items] == [
        ("What is a wheel?", "A built distribution: installing it runs no build step.", 3, 4),
        ("What is an sdist?", "A source archive.\n\nIt is built on the machine that installs it.", 6, 9),
        (
            "Explain what a lock file pins.",
            "The exact version of every dependency, transitive ones included.",
            11,
            12,
        ),
    ]
    assert {item.dialect for item in document.items} == {"numbered-list"}


def test_a_numbered_list_with_column_0_prose_stays_prose_unless_every_item_asks() -> None:
    document = _parse(
        """
        1. What is a wheel?
        A built distribution.

        2. Build the wheel.
        Then upload it.
        """
    )

    assert _questions(document) == []
    assert [(block.line_start, block.line_end) for block in _blocks(document)] == [(1, 5)]


def test_details_blocks_with_the_question_in_the_summary_or_above_it() -> None:
    document = _parse(
        f"""
        <details>
        <summary>What is a context manager?</summary>

        An object with `__enter__` and `__exit__`.

        {FENCE}python
        with open("notes.txt") as handle:
            pass
        {FENCE}

        </details>

        ### How does `functools.lru_cache` work?
        <details><summary>Show answer</summary>
        It memoises results keyed by the arguments.
        </details>

        <details><summary><b>Is `None` a singleton?</b></summary> Yes, there is exactly one. </details>
        """
    )

    assert [(item.prompt, item.line_start, item.line_end) for item in document.items] == [
        ("What is a context manager?", 1, 9),
        ("How does `functools.lru_cache` work?", 13, 15),
        ("Is `None` a singleton?", 18, 18),
    ]
    assert document.items[0].answer == (
        f'An object with `__enter__` and `__exit__`.\n\n{FENCE}python\nwith open("notes.txt") as handle:\n'
        f"    pass\n{FENCE}"
    )
    assert document.items[1].answer == "It memoises results keyed by the arguments."
    assert document.items[2].answer == "Yes, there is exactly one."
    assert {item.dialect for item in document.items} == {"details"}


def test_difficulty_lines_and_notes_set_the_difficulty_and_leave_the_answer() -> None:
    document = _parse(
        """
        ### 1. What is a slot? (Difficulty: Easy)
        Storage declared on the class.

        ### 2. How do descriptors work?
        **Difficulty:** Hard

        They implement `__get__`.

        ### 3. Explain the MRO
        Difficulty: medium
        C3 linearisation.
        """
    )

    assert [(item.prompt, item.answer, item.difficulty) for item in document.items] == [
        ("What is a slot?", "Storage declared on the class.", "basic"),
        ("How do descriptors work?", "They implement `__get__`.", "advanced"),
        ("Explain the MRO", "C3 linearisation.", "intermediate"),
    ]


@pytest.mark.parametrize(
    "filler",
    [
        "Hope this helps with your preparation!",
        "Let me know if you want more questions on this topic.",
        "Feel free to ask for a deeper dive.",
        "Here are 10 tricky Rust interview questions:",
        "Perfect! On to the next batch 🚀",
        "You’re doing great! Only a few left.",
        "Let's keep the momentum going!",
        "These are just a few of the things an interviewer may ask.",
        "This comprehensive guide covers every topic above.",
    ],
)
def test_chatbot_filler_lines_are_dropped_and_counted(filler: str) -> None:
    document = _parse(
        f"""
        {filler}

        ### 1. What is ownership?
        Each value has a single owner.

        {filler}
        """
    )

    (item,) = document.items
    assert (item.answer, item.line_end) == ("Each value has a single owner.", 4)
    assert document.repairs == {"filler": 2}


def test_blank_lines_inside_code_are_kept() -> None:
    # outside code, two blank lines end the answer (spec §1.3); inside code they are content
    document = _parse(
        f"""
        ### 1. How are top-level functions separated?

        By two blank lines:

        {FENCE}python
        def first():
            pass


        def second():
            pass
        {FENCE}
        """
    )

    assert document.items[0].answer == (
        f"By two blank lines:\n\n{FENCE}python\ndef first():\n    pass\n\n\ndef second():\n    pass\n{FENCE}"
    )


# -- documents pasted together, fence repairs, flags ----------------------------------------------------


def test_left_open_fences_and_a_title_run_into_code_are_repaired() -> None:
    # spec §2.4(b)-(d): a fence never closed swallows the next document's H1 and headings; a code line
    # has the next document's title run into it. Both fences close after their last code line.
    document = _parse(
        f"""
        # Part One

        ### 1. What is a migration?

        A versioned schema change.

        ### 2. What is a fixture?

        {FENCE}python
        def load():
            # read the file


        # Part Two Complete Guide

        ## 1. What is a migration?

        A recorded change to the schema.

        ## 2. What is squashing?

        {FENCE}python
        def squash():
            # merge the steps# Part Three Advanced Notes

        ## 1. What is a schema?

        A namespace for tables.
        """
    )

    items = _questions(document)
    assert [(item.prompt, item.line_start, item.line_end, item.flags) for item in items] == [
        ("What is a migration?", 3, 5, []),
        ("What is a fixture?", 7, 11, ["code_only", "truncated"]),
        ("What is a migration?", 16, 18, []),
        ("What is squashing?", 20, 24, ["code_only", "truncated"]),
        ("What is a schema?", 26, 28, []),
    ]
    assert items[1].answer == f"{FENCE}python\ndef load():\n    # read the file\n{FENCE}"
    assert items[3].code_examples[0].code == "def squash():\n    # merge the steps"
    assert [item.difficulty for item in items] == ["unknown", "unknown", "unknown", "unknown", "advanced"]
    assert document.repairs == {"fences": 2, "title_splits": 1}


def test_a_new_language_fence_inside_an_open_fence_closes_it() -> None:
    document = _parse(
        f"""
        ### 1. How do you serve a folder?

        {FENCE}bash
        python -m http.server

        {FENCE}python
        print("served")
        {FENCE}
        """
    )

    (item,) = document.items
    assert (
        item.answer
        == f'{FENCE}bash\npython -m http.server\n{FENCE}\n\n{FENCE}python\nprint("served")\n{FENCE}'
    )
    assert [code.language for code in item.code_examples] == ["bash", "python"]
    assert document.repairs == {"fences": 1}


def test_indented_fences_are_de_indented_and_closers_normalized() -> None:
    document = _parse(
        f"""
        1. **How do you read a file lazily?**{BR}
           Iterate over the handle:
           {FENCE}python
           with open(path) as handle:
               for line in handle:
                   print(line)
             {FENCE}

        2. **How do you write JSON?**{BR}
           Use `json.dump`.
        """
    )

    first = document.items[0]
    assert first.answer == (
        f"Iterate over the handle:\n{FENCE}python\nwith open(path) as handle:\n"
        f"    for line in handle:\n        print(line)\n{FENCE}"
    )
    assert first.code_examples[0].caption == "Iterate over the handle"
    assert (
        first.code_examples[0].code
        == "with open(path) as handle:\n    for line in handle:\n        print(line)"
    )


def test_numbers_that_jump_ahead_and_resume_flag_a_splice() -> None:
    # spec §2.4(a): items 43 and 44 pasted between 7 and 8 of another list
    document = _parse(
        """
        ### 1. What is alpha?
        The first letter.
        ### 2. What is beta?
        The second letter, whose text continues in
        ### 9. What is iota?
        The ninth letter.
        ### 10. What is kappa?
        The tenth letter, and then the rest of beta.
        ### 3. What is gamma?
        The third letter.
        """
    )

    assert [(item.line_start, item.flags) for item in document.items] == [
        (1, []),
        (3, ["suspect_splice"]),
        (5, []),
        (7, ["suspect_splice", "truncated"]),
        (9, []),
    ]


def test_two_blank_lines_end_an_answer_and_essays_become_blocks_without_a_question() -> None:
    # spec §1.3 and §1.5: a truncated answer followed by pasted essays; essays split where a new
    # chatbot answer starts after a Conclusion section or a "---" rule
    document = _parse(
        """
        Here are some Python interview questions for practice:

        ### 1. **What is a decorator?**

        **Answer:**
        A callable that wraps another callable:

        1. **Step one**: Define the wrapper.
        2. **Step two**: Return the


        Caching in Python comes in several flavours. This overview walks through them.

        ### 1. **functools.cache**
        Unbounded memoisation.

        ### 2. **Time-based caches**
        Entries expire after a while.

        ### Conclusion

        Pick the simplest cache that works.

        Logging is configured through handlers and formatters.

        ### Handlers
        They decide where records go.

        ---

        Packaging has changed a lot over the years.

        ### pyproject.toml
        The single source of truth.
        """
    )

    (question,) = _questions(document)
    assert (question.line_start, question.line_end, question.flags) == (3, 9, ["truncated"])
    assert [
        (block.line_start, block.line_end, block.prompt, block.dialect) for block in _blocks(document)
    ] == [
        (12, 22, "", "prose"),
        (24, 27, "", "prose"),
        (31, 34, "", "prose"),
    ]
    assert _blocks(document)[0].answer.startswith("Caching in Python comes in several flavours.")
    assert _blocks(document)[0].answer.endswith("### Conclusion\n\nPick the simplest cache that works.")


def test_numbered_topics_and_numbered_steps_in_prose_are_not_questions() -> None:
    # spec §1.2: essays number their topics exactly like question lists; only questions count
    document = _parse(
        """
        Python offers several ways to format strings.

        ### 1. **f-strings**
        Fast and readable.

        ### 2. **str.format**
        Flexible.


        Setting up a project takes a few steps.

        1. Create a virtual environment.
        2. Install the dependencies.

        After that you are ready to work.
        """
    )

    assert _questions(document) == []
    assert [(block.line_start, block.line_end) for block in _blocks(document)] == [(1, 7), (10, 15)]
    assert document.notes == ["no questions found"]


def test_bom_crlf_and_mojibake_keep_original_line_numbers() -> None:
    section = "## 🐍 1. Snakes".encode().decode("mac_roman")
    text = (
        f"\ufeff{section}\r\n\r\n### 1. What is X?\r\n\r\nIt is Y.\r\n\r\n### 2. What is Z?\r\nIt is W.\r\n"
    )

    document = parse_markdown("windows.md", text.encode())

    assert [(item.line_start, item.line_end, item.section) for item in document.items] == [
        (3, 5, "Snakes"),
        (7, 8, "Snakes"),
    ]
    assert document.repairs == {"bom": 1, "crlf": 8, "mojibake": 1, "section_numbers": 1}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("### 12. **What is `select_related`?**", "What is `select_related`?"),
        ("## Question 67: How Things Happen", "How Things Happen"),
        ("3. **Advantages of caching:**  ", "Advantages of caching"),
        ("**Q1:** Why use `**kwargs`?", "Why use `**kwargs`?"),
        ("- Q: What is a set?", "What is a set?"),
        ("### 🚀 4. Explain the event loop", "Explain the event loop"),
        ("*What is a tuple?*", "What is a tuple?"),
        ("### 5. What is X? (Difficulty: Hard)", "What is X?"),
    ],
)
def test_clean_prompt(raw: str, expected: str) -> None:
    assert clean_prompt(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("⚡ 11. Django Caching", ("Django Caching", True)),
        ("🏗️ 2. Project & App Structure", ("Project & App Structure", True)),
        ("**Basic Questions**", ("Basic Questions", False)),
    ],
)
def test_clean_section(raw: str, expected: tuple[str, bool]) -> None:
    assert clean_section(raw) == expected


# -- errors and properties ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line"),
    [(b"", None), (b"\n \n", 1), (b"ok\n\x00\x01", 2), (b"ok\nok\n\xff\xfe\xfa oops", 3)],
)
def test_input_that_is_not_text_raises_import_format_error_naming_file_and_line(
    data: bytes, line: int | None
) -> None:
    with pytest.raises(ImportFormatError) as raised:
        parse_markdown("bad.md", data)

    assert (raised.value.file, raised.value.line) == ("bad.md", line)


def _check_invariants(document: ParsedDocument, line_count: int) -> None:
    for item in document.items:
        assert _fences_balanced(item.answer), item.answer
        assert 1 <= item.line_start <= item.line_end <= max(line_count, 1)
        assert item.needs_question == (item.prompt == "")
        assert item.difficulty in {"basic", "intermediate", "advanced", "unknown"}


_FRAGMENTS = [
    *(
        FENCE,
        f"{FENCE}python",
        f"  {FENCE}",
        f"    {FENCE}",
        f"{FENCE}- text",
        f"  {FENCE}   - bullet",
        "````",
    ),
    *("# A Title Here", "## 1. What is X?", "### 2. How?", "## Summary", "## Conclusion", "## 🧱 1. Basics"),
    *("1. **Q?**", "2. Plain?", "   indented answer", "- bullet", "  - nested", "| a | b |", "\ttabbed"),
    *("**Answer:**", "A: yes", "Q: why?", "- **Answer:** ```python", "Difficulty: Hard", "1. Q?- answer"),
    *("<details><summary>Q?</summary>", "<summary>Answer</summary>", "</details>", "Perfect! More soon"),
    *("code# Big Title Words", "---", "", "", " ", "plain text", "\u00a0" + FENCE),
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=12), max_size=30))
def test_any_markdown_like_text_parses_with_balanced_fences(lines: list[str]) -> None:
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    try:
        document = parse_markdown("fuzz.md", data)
    except ImportFormatError:
        return
    _check_invariants(document, data.count(b"\n") + data.count(b"\r") + 1)


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=400) | st.text(max_size=400).map(lambda text: text.encode("utf-8", "surrogatepass"))
)
def test_any_input_yields_a_document_or_import_format_error(data: bytes) -> None:
    try:
        document = parse_markdown("fuzz.bin", data)
    except ImportFormatError as caught:
        error: ImportFormatError | None = caught
    else:
        error = None
    if error is not None:
        assert error.file == "fuzz.bin"
        return
    assert isinstance(document, ParsedDocument)
    _check_invariants(document, data.count(b"\n") + data.count(b"\r") + 1)


# -- end to end: the five seed documents ----------------------------------------------------------------

SEEDS = Path(__file__).resolve().parents[5] / "shared" / "seeds"
SEED_NAMES = {
    "000": "000_2988e4ede5387f09.txt",
    "001": "001_81aa3dc50aabcd8e.txt",
    "002": "002_b79a0525d76d0729.txt",
    "003": "003_80d01e1b518dabf1.txt",
    "004": "004_a855be5cace71ae8.txt",
}


@pytest.fixture(scope="module")
def seeds() -> dict[str, ParsedDocument]:
    if not all((SEEDS / name).is_file() for name in SEED_NAMES.values()):
        pytest.skip(f"seed documents not found in {SEEDS}")
    return {key: parse_markdown(name, (SEEDS / name).read_bytes()) for key, name in SEED_NAMES.items()}


def _by_line(document: ParsedDocument) -> dict[int, ParsedItem]:
    return {item.line_start: item for item in document.items}


def test_seed_counts(seeds: dict[str, ParsedDocument]) -> None:
    # spec §6: one item per question line of the file's dialect, after the §7 repairs. 000 = 10 + 10
    # "### N. **Q**" + "**Answer:**" (§1.2); 001 = 25 quiz + 44 "### N." (#1-42, the spliced #43/#44)
    # + 26 + 25 "## N." + 2 "## Question N:" (§2.2); 002 = 1-15, 1, 16, 17 (§3.2); 003 = 1-100 (§4.1);
    # 004 = 1-28 (§5.1). Total 288. The only blocks without a question are 000's ten essays (§1.5).
    counts = {key: (len(_questions(document)), len(_blocks(document))) for key, document in seeds.items()}

    assert counts == {"000": (20, 10), "001": (122, 0), "002": (18, 0), "003": (100, 0), "004": (28, 0)}


def test_seed_000_questions_essays_and_truncation(seeds: dict[str, ParsedDocument]) -> None:
    document = seeds["000"]
    # spec §1.3: answer ranges, heading line to last content line
    assert [(item.line_start, item.line_end) for item in _questions(document)] == [
        *((3, 25), (29, 57), (61, 83), (87, 98), (102, 125), (129, 147), (151, 169), (173, 222), (226, 251)),
        *((255, 264), (1233, 1252), (1254, 1268), (1270, 1290), (1292, 1322), (1324, 1341), (1343, 1365)),
        *((1367, 1392), (1394, 1407), (1409, 1435), (1437, 1458)),
    ]
    # spec §1.5: the ten essay segments, each kept whole as one block
    assert [(item.line_start, item.line_end) for item in _blocks(document)] == [
        *((267, 528), (532, 756), (759, 883), (885, 1012), (1015, 1228)),
        *((1465, 1615), (1618, 1822), (1825, 1961), (1965, 2160), (2164, 2399)),
    ]
    items = _by_line(document)
    assert items[3].prompt == "What is the Django ORM and how does it work?"
    assert items[87].prompt == "What is Django’s request/response cycle?"
    assert items[255].flags == ["truncated"]  # spec §1.3: stops mid-list
    assert all(item.difficulty == "advanced" for item in _questions(document))  # spec §1.4
    assert [item.flags for item in _questions(document) if item.line_start != 255] == [[]] * 19
    assert document.repairs == {"filler": 3}  # spec §1.6: lines 1, 1231, 1462


def test_seed_001_dialects_sections_and_defects(seeds: dict[str, ParsedDocument]) -> None:
    document = seeds["001"]
    starts = [item.line_start for item in document.items]
    # spec §2.2: quiz, part B (#43/#44 between #7 and #8), part C copy 1 and 2, part D
    quiz = [7, 10, 13, 16, 19, 26, 29, 32, 35, 38, 44, 47, 54, 57, 60, 67, 70, 73, 76, 79, 86, 89, 92, 95, 98]
    part_b = [107, 121, 133, 164, 190, 217, 260, 446, 621, 698, 728, 746, 771, 817, 852, 899, 959, 1015]
    part_b += [1089, 1108, 1145, 1168, 1217, 1287, 1334, 1384, 1435, 1476, 1561, 1676, 1785, 1894, 2012]
    part_b += [2163, 2291, 2396, 2497, 2613, 2735, 2853, 3064, 3253, 3495, 3648]
    assert starts[:69] == quiz + part_b
    assert starts[69:71] == [3663, 3698]  # "## 42." at 3663 is found (§2.4(b))
    assert starts[94] == 7615
    assert starts[95:97] == [7700, 7735]  # copy 2, after the 7698 split
    assert starts[119] == 11274
    assert starts[120:] == [11653, 11794]
    items = _by_line(document)
    # spec §2.4 and §7.9: the flags the importer can detect
    flagged = {item.line_start: item.flags for item in document.items if item.flags}
    assert flagged == {
        260: ["suspect_splice"],
        621: ["suspect_splice", "truncated"],
        3648: ["truncated"],
        7615: ["truncated"],
    }
    assert items[3648].line_end == 3658
    assert items[7615].line_end == 7698
    assert items[11653].line_end == 11790  # the "---" at 11792 ends it
    assert items[11794].line_end == 12162  # the outro at 12164 is dropped
    assert items[11653].prompt == "How Atomic Transactions Happen in Django"
    assert items[10].prompt == "What is the effect of setting `queryset = None` in a ViewSet?"
    assert items[38].answer == "- `PageNumberPagination`\n- `LimitOffsetPagination`\n- `CursorPagination`"
    # spec §2.3: topic sections and difficulty sections; the H1s of parts C and D say "Advanced"
    assert (items[26].section, items[26].difficulty) == ("Django REST Framework (DRF)", "unknown")
    assert (items[446].section, items[446].difficulty) == ("Basic Django Questions", "basic")
    assert (items[1384].section, items[1384].difficulty) == ("Intermediate Django Questions", "intermediate")
    assert (items[3495].section, items[3495].difficulty) == ("Advanced Django Questions", "advanced")
    assert (items[3663].section, items[3663].difficulty) == ("", "advanced")
    assert (items[11794].section, items[11794].difficulty) == ("", "advanced")
    # spec §2.6: 2 fences left open; §2.4(c): the title split; §2.5: the outro
    assert document.repairs == {"fences": 2, "title_splits": 1, "filler": 1}


def test_seed_002_repairs(seeds: dict[str, ParsedDocument]) -> None:
    document = seeds["002"]
    assert [item.line_start for item in document.items] == [
        *(1, 5, 9, 13, 17, 21, 26, 30, 34, 40, 45, 50, 57, 61, 65, 70, 130, 179)
    ]
    items = _by_line(document)
    assert items[45].prompt == "What is ASGI and WSGI?"
    assert items[70].prompt == (
        "How to implement Celery and Celery Beat in Django, Write step by step procedure along with code snippets?"
    )
    assert items[70].answer.startswith(
        "- Install Celery and a message broker (e.g., Redis) using pip:\n  ```bash"
    )
    assert "Django’s input or output" in items[5].answer  # the cp1252 mojibake of line 6, repaired
    assert len(items[179].code_examples) == 10  # the five bullets run into closers are split out (§3.3)
    # spec §3.3: 5 closer+bullet splits, 2 stray markers (175, 177), 1 closer inserted after 158
    assert document.repairs == {"mojibake": 1, "splices": 3, "fences": 8}


def test_seed_003_sections_and_filler(seeds: dict[str, ParsedDocument]) -> None:
    document = seeds["003"]
    items = document.items
    assert [item.prompt for item in items[:3]] == [
        "What is Django, and why is it used?",
        "Advantages of using Django",
        "Django vs Flask",
    ]
    sections = list(dict.fromkeys(item.section for item in items))
    assert sections == [  # spec §4.2, emoji and numbers stripped
        *("Django Basics", "Django Project & App Structure", "Django Models", "Django Views"),
        *("Django Templates", "Django Forms", "Authentication & Authorization", "Django Middleware"),
        *(
            "Django REST Framework (DRF)",
            "Django ORM & QuerySet",
            "Django Caching",
            "Deployment & Performance",
        ),
        *("Django Signals", "Django Security", "Miscellaneous & Advanced Concepts"),
    ]
    by_line = _by_line(document)
    assert (by_line[326].prompt, by_line[326].section) == ("What is caching?", "Django Caching")  # after 324
    assert by_line[131].prompt == "get_object_or_404()"
    assert by_line[236].line_end == 240  # the filler at 242 is not appended
    assert by_line[365].line_end == 370  # nor the one at 372
    assert [item.difficulty for item in items] == ["unknown"] * 92 + ["advanced"] * 8
    # spec §0.1: 21 Mac Roman runs; §4.2: 15 numbered sections, line 1 without "## "; §4.3: 2 fillers
    assert document.repairs == {"mojibake": 21, "section_markers": 1, "section_numbers": 15, "filler": 2}


def test_seed_004_code_only_answers(seeds: dict[str, ParsedDocument]) -> None:
    document = seeds["004"]
    items = _by_line(document)
    assert list(items) == [
        *(5, 18, 42, 58, 87, 113, 131, 159, 207, 256, 294, 344, 391, 457, 509, 576, 638, 691, 749, 802),
        *(875, 968, 1026, 1109, 1185, 1258, 1335, 1427),
    ]
    # spec §5.1: 26 answers are one python block; #23 is two blocks (dockerfile, yaml), also code only
    assert [line for line, item in items.items() if "code_only" not in item.flags] == [5]
    assert [code.language for code in items[1026].code_examples] == ["dockerfile", "yaml"]
    assert items[1427].line_end == 1514  # the outro at 1516 is dropped (spec §5.3)
    assert (items[5].section, items[1258].section, items[1258].difficulty) == (
        "Core Concepts",
        "Advanced Topics",
        "advanced",
    )
    assert document.repairs == {"filler": 1}


def test_seed_code_blocks(seeds: dict[str, ParsedDocument]) -> None:
    # every fenced block becomes a code example: 154 in 000 (§1.7), 444 in 001 after the two repaired
    # left-open fences (§2.6), 25 in 002 after the §3.3 repairs, 14 in 003 (§4.4), 28 in 004 (§5.3)
    counts = {key: sum(len(item.code_examples) for item in document.items) for key, document in seeds.items()}

    assert counts == {"000": 154, "001": 444, "002": 25, "003": 14, "004": 28}


def test_seeds_are_clean_balanced_and_fast(seeds: dict[str, ParsedDocument]) -> None:
    for document in seeds.values():
        for item in document.items:
            stored = [item.prompt, item.answer, item.section, *(code.code for code in item.code_examples)]
            assert not any(marker in text for text in stored for marker in ("\uf8ff", "â€", "Ã")), item
            assert _fences_balanced(item.answer), (document.name, item.line_start)
    # CPU time of this process, not wall time: other processes on a busy CI machine do not count against
    # it (it takes about 0.5 s; the bound catches a parser that turned quadratic, not a slow machine).
    started = time.process_time()
    for name in SEED_NAMES.values():
        parse_markdown(name, (SEEDS / name).read_bytes())
    assert time.process_time() - started < 2.0


# -- metadata lines and key points (the canonical dialect of our Markdown export) ---------------------------


def test_topic_and_tags_lines_are_read_and_left_out_of_the_answer() -> None:
    document = _parse(
        """
        ## Caching

        ### 1. What is a cache stampede?
        - Topic: django-caching
        - Difficulty: advanced
        - Tags: caching, performance

        Many requests rebuild the same expired entry at once.

        ### 2. How do you cache a view?
        **Topic:** Views and URLs
        **Tags:** views; caching
        Tags: http

        With `cache_page`.

        ### 3. What does the template cache tag do?
        It caches a fragment.
        - Tags: `{% cache %}`, `{% endcache %}`
        Topic: the cache tag takes a timeout and a name, then optional keys.
        """
    )

    assert [
        (item.prompt, item.section, item.difficulty, item.tags, item.answer) for item in document.items
    ] == [
        (
            "What is a cache stampede?",
            "django-caching",
            "advanced",
            ["caching", "performance"],
            "Many requests rebuild the same expired entry at once.",
        ),
        (
            "How do you cache a view?",
            "Views and URLs",
            "unknown",
            ["views", "caching", "http"],
            "With `cache_page`.",
        ),
        (
            "What does the template cache tag do?",
            "Caching",
            "unknown",
            [],
            "It caches a fragment.\n- Tags: `{% cache %}`, `{% endcache %}`\n"
            "Topic: the cache tag takes a timeout and a name, then optional keys.",
        ),
    ]
    assert document.repairs == {}


def test_a_key_points_list_that_ends_the_answer_becomes_the_key_points() -> None:
    document = _parse(
        f"""
        ### 1. What does select_for_update do?
        It locks the selected rows until the transaction ends.

        Key points:
        - rows stay locked until commit or rollback;
        - read the docs before using `nowait` or
          `skip_locked`.

        ### 2. Why use F expressions?
        To update in the database without a race.

        **Key points:**

        - One UPDATE statement

        - No read-modify-write race

        ### 3. What is a savepoint?
        Key points:

        - nested atomic blocks create them

        So an inner failure rolls back only the inner block.

        ### 4. Which isolation level does PostgreSQL use?
        Read committed by default.

        Key points:
        {FENCE}sql
        SHOW default_transaction_isolation;
        {FENCE}
        """
    )

    first, second, third, fourth = document.items
    assert (first.answer, first.key_points, first.line_end) == (
        "It locks the selected rows until the transaction ends.",
        [
            "rows stay locked until commit or rollback;",
            "read the docs before using `nowait` or `skip_locked`.",
        ],
        7,
    )
    assert (second.answer, second.key_points) == (
        "To update in the database without a race.",
        ["One UPDATE statement", "No read-modify-write race"],
    )
    # a "Key points:" list with more answer after it, or without a list, stays in the answer
    assert third.key_points == fourth.key_points == []
    assert third.answer.startswith("Key points:\n\n- nested atomic blocks create them\n\nSo an inner")
    assert (
        fourth.answer
        == f"Read committed by default.\n\nKey points:\n{FENCE}sql\nSHOW default_transaction_isolation;\n{FENCE}"
    )


def test_details_blocks_read_metadata_and_key_points_too() -> None:
    document = _parse(
        """
        <details><summary>What is a generator?</summary>

        Topic: python
        Tags: iterators

        A function that yields values lazily.

        Key points:
        - `yield` suspends the function
        </details>
        """
    )

    (item,) = document.items
    assert (item.prompt, item.section, item.tags, item.key_points, item.answer) == (
        "What is a generator?",
        "python",
        ["iterators"],
        ["`yield` suspends the function"],
        "A function that yields values lazily.",
    )
