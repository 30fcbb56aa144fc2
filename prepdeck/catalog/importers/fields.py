"""A parsed answer → the question's fields: short answer, explanation and code examples, each said once.

Importers hand over one answer in Markdown. A question shows three things from it, so they are split so
that nothing is shown twice:

* the **short answer** is the answer's first paragraph of prose (not a heading, table or code), whole when
  it is at most ``DERIVED_SHORT_ANSWER_MAX`` characters, otherwise its first sentences up to that size; it
  never holds a code fence, so it can never end inside one;
* the **explanation** is the rest of the answer: the short answer's text is taken out of it;
* the **code examples** are the code blocks that end the answer (each with the line that introduces it,
  "**Example:**", as its caption). A code block in the middle of the prose stays in the explanation, where
  the text around it explains it, and is not repeated as an example.

Everything here is pure: text in, plain data out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from prepdeck.catalog.importers.base import ParsedCodeExample, ParsedItem
from prepdeck.catalog.importers.markdown import code_caption

# A first paragraph up to this size is the short answer as it stands (the bundled bank's longest is 736
# characters); a longer one gives its first sentences up to this size.
DERIVED_SHORT_ANSWER_MAX = 1_000

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_SENTENCE_END = re.compile(r"[.!?][)\"'”’]?(?= +\S)")


@dataclass
class QuestionFields:
    short_answer: str
    explanation: str
    code_examples: list[ParsedCodeExample] = field(default_factory=list)


@dataclass
class _Block:
    """Consecutive lines of the answer: one paragraph of text, or one fenced code block."""

    lines: list[str]
    code: bool

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def question_fields(item: ParsedItem) -> QuestionFields:
    """Split a parsed item's answer into short answer, explanation and code examples (see the module)."""
    blocks = _blocks(item.answer)
    short_answer = ""
    for position, block in enumerate(blocks):
        if block.code or not _is_prose(block.text):
            continue
        paragraph = block.text.strip()
        short_answer, rest = _first_sentences(paragraph)
        if rest:
            blocks[position] = _Block([rest], code=False)
        else:
            del blocks[position]
        break

    trailing: list[ParsedCodeExample] = []
    while blocks and blocks[-1].code:
        code_block = blocks.pop()
        caption = ""
        if blocks and not blocks[-1].code and len(blocks[-1].lines) == 1:
            caption = code_caption(blocks[-1].lines[0])
            if caption:
                blocks.pop()
        example = _example(code_block, caption)
        if example is not None:
            trailing.insert(0, example)

    explanation = _join(blocks)
    # Code an importer found outside the answer text (none of ours does today) is kept as it was given.
    given = [example for example in item.code_examples if example.code and example.code not in item.answer]
    return QuestionFields(short_answer, explanation, trailing + given)


def _blocks(markdown: str) -> list[_Block]:
    """Paragraphs (split at blank lines) and fenced code blocks, in order."""
    blocks: list[_Block] = []
    paragraph: list[str] = []
    lines = markdown.strip("\n").split("\n")
    index = 0

    def flush() -> None:
        if paragraph:
            blocks.append(_Block(list(paragraph), code=False))
            paragraph.clear()

    while index < len(lines):
        line = lines[index]
        opener = _FENCE.match(line)
        if opener and not (opener["fence"][0] == "`" and "`" in opener["info"]):
            flush()
            end = index + 1
            while end < len(lines):
                closer = _FENCE.match(lines[end])
                if (
                    closer
                    and closer["fence"][0] == opener["fence"][0]
                    and len(closer["fence"]) >= len(opener["fence"])
                    and not closer["info"].strip()
                ):
                    break
                end += 1
            # A fence left open (our parsers close them all) is closed here, so no field ends inside one.
            closing = lines[end] if end < len(lines) else opener["indent"] + opener["fence"]
            blocks.append(_Block([*lines[index:end], closing], code=True))
            index = end + 1
            continue
        if line.strip():
            paragraph.append(line)
        else:
            flush()
        index += 1
    flush()
    return blocks


def _is_prose(text: str) -> bool:
    """A paragraph that can stand as the short answer: text, not a heading, table or rule."""
    first = text.lstrip()
    return bool(first) and not first.startswith(("#", "|", "<")) and not re.fullmatch(r"[-*_=\s]+", text)


def _first_sentences(paragraph: str) -> tuple[str, str]:
    """(the short answer, what is left of the paragraph for the explanation)."""
    if len(paragraph) <= DERIVED_SHORT_ANSWER_MAX:
        return paragraph, ""
    cut = 0
    for match in _SENTENCE_END.finditer(paragraph):
        if match.end() > DERIVED_SHORT_ANSWER_MAX:
            break
        cut = match.end()
    if cut:
        return paragraph[:cut].strip(), paragraph[cut:].strip()
    # One sentence longer than the limit: its start, cut between words, and the whole of it stays in the
    # explanation.
    words = paragraph[: DERIVED_SHORT_ANSWER_MAX - 1].rsplit(None, 1)[0]
    return words.rstrip(",;:") + "…", paragraph


def _example(block: _Block, caption: str) -> ParsedCodeExample | None:
    opener = _FENCE.match(block.lines[0])
    assert opener is not None
    indent = len(opener["indent"])
    code = [line[min(indent, len(line) - len(line.lstrip(" "))) :].rstrip() for line in block.lines[1:-1]]
    while code and not code[-1].strip():
        code.pop()
    while code and not code[0].strip():
        code.pop(0)
    if not code:
        return None
    info = opener["info"].split()
    return ParsedCodeExample(language=info[0].lower() if info else "", code="\n".join(code), caption=caption)


def _join(blocks: list[_Block]) -> str:
    return "\n\n".join(block.text for block in blocks).strip("\n")
