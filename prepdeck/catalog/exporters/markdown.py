"""Markdown in one canonical dialect: easy to read and edit, and read back by our own Markdown importer.

The dialect (``parse_markdown`` reads every part of it back):

* ``# PrepDeck questions``, then ``## Topic title`` per topic;
* per question ``### Q<n>. Prompt`` (the "Q" label makes any prompt a question, worded as one or not),
  then ``- Topic: slug`` (so the import maps it back to the exact topic), ``- Difficulty: level`` and
  ``- Tags: a, b`` lines, the short answer, the explanation, each code example as ``**Caption:**`` and a
  fenced block, and last ``**Key points:**`` with one bullet per point;
* two blank lines between questions, so each question is read on its own: whatever its text contains,
  it cannot change how its neighbours are read.

The explanation is written as stored, except that its headings move below the question's (``#`` → ``####``),
runs of blank lines outside code become one, and a code block left open is closed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from prepdeck.catalog.models import Difficulty, Question

TITLE = "PrepDeck questions"
NO_PROMPT = "(needs a question)"

_FENCE_LINE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?=[ \t]|$)")
_BACKTICKS = re.compile(r"`+")


def export_markdown(questions: Iterable[Question]) -> str:
    """The questions as one Markdown document, grouped under their topics in the order given.

    Pass ``selectors.questions_for_export()``: it orders questions by topic and prefetches what is written.
    """
    blocks: list[str] = []
    topic_id: int | None = None
    number = 0
    for question in questions:
        block = ""
        if question.topic_id != topic_id:
            topic_id, number = question.topic_id, 0
            block = f"## {_one_line(question.topic.title)}\n\n"
        number += 1
        blocks.append(block + _question(question, number))
    return "\n\n".join([f"# {TITLE}", "\n\n\n".join(blocks)]).strip("\n") + "\n"


def _question(question: Question, number: int) -> str:
    metadata = [f"- Topic: {question.topic.slug}"]
    if question.difficulty != Difficulty.UNKNOWN:
        metadata.append(f"- Difficulty: {question.difficulty}")
    tags = sorted(tag.slug for tag in question.tags.all())
    if tags:
        metadata.append(f"- Tags: {', '.join(tags)}")
    parts = [f"### Q{number}. {_one_line(question.prompt) or NO_PROMPT}", "\n".join(metadata)]
    for text in (question.short_answer, question.explanation):
        body = _body(text)
        if body:
            parts.append(body)
    for example in question.code_examples.all():
        code = example.code.strip("\n")
        fence = _fence_for(code)
        block = f"{fence}{example.language}\n{code}\n{fence}"
        caption = _one_line(example.caption).rstrip(":")
        parts.append(f"**{caption}:**\n\n{block}" if caption else block)
    points = [_one_line(point) for point in question.key_points]
    points = [point for point in points if point]
    if points:
        parts.append("**Key points:**\n\n" + "\n".join(f"- {point}" for point in points))
    return "\n\n".join(parts)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fence_for(code: str) -> str:
    """Backticks longer than any run of them in the code (at least three)."""
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    return "`" * max(3, longest + 1)


def _body(markdown: str) -> str:
    """Explanation Markdown fit to sit under a question heading (see the module docstring)."""
    lines: list[str] = []
    source = markdown.strip("\n").split("\n")
    index = 0
    while index < len(source):
        line = source[index]
        opener = _FENCE_LINE.match(line)
        if opener and not (opener["fence"][0] == "`" and "`" in opener["info"]):
            index = _code_block(source, index, opener, lines)
            continue
        index += 1
        if not line.strip():
            if lines and lines[-1]:
                lines.append("")
            continue
        heading = _HEADING.match(line)
        if heading:
            line = "#" * min(6, len(heading["hashes"]) + 3) + line[heading.end() :]
        lines.append(line if line.endswith("  ") else line.rstrip())  # keep hard breaks
    return "\n".join(lines).strip("\n")


def _code_block(source: list[str], start: int, opener: re.Match[str], out: list[str]) -> int:
    """Copy the fenced block opened at ``source[start]`` to ``out`` with backtick fences that hold it.

    A block left open is closed at the end of the text; ``~~~`` fences become backticks. Returns the index
    after the block.
    """
    fence = opener["fence"]
    end = start + 1
    while end < len(source):
        closer = _FENCE_LINE.match(source[end])
        if (
            closer
            and closer["fence"][0] == fence[0]
            and len(closer["fence"]) >= len(fence)
            and not closer["info"].strip()
        ):
            break
        end += 1
    code = source[start + 1 : end]
    ticks = len(fence) if fence[0] == "`" else 3
    backticks = "`" * max(ticks, len(_fence_for("\n".join(code))))
    out.extend([f"{opener['indent']}{backticks}{opener['info']}", *code, f"{opener['indent']}{backticks}"])
    return end + 1
