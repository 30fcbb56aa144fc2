"""Markdown interview documents → ``ParsedDocument``: questions, answers, code, sections and repairs.

The documents people bring are rarely clean Markdown. They are chatbot answers pasted one after another,
each in its own convention ("dialect"), with fences left open, questions run into their answers and
chatbot small talk in between. CommonMark alone gets them wrong (an unclosed fence swallows thousands
of lines), and so does a naive line toggle, so this parser works line by line in the order that the
seed-corpus analysis (``seed_dialects.md`` §7) found necessary:

1. bytes → clean text (``text.decode_document``: BOM, line endings, mojibake);
2. line repairs and fence tracking in one pass, because whether a line needs repair depends on
   whether it is inside a fence (``_FenceTracker``);
3. classification of what is never content: H1 document titles, chatbot filler, and the metadata lines
   ``Difficulty: hard``, ``Topic: django-orm`` and ``Tags: orm, performance``, which are read instead;
4. segments: documents pasted together are separated by an H1 or by two or more blank lines;
5. a dialect per segment, tried from the most to the least specific: answer markers (``**Answer:**``,
   ``A:``, ``Q:`` lines), question headings, numbered lists, and otherwise prose without a question;
6. items: prompt, answer Markdown (fences balanced and de-indented), code examples, section,
   difficulty, tags, key points (a ``Key points:`` list that ends the answer) and flags (``truncated``,
   ``suspect_splice``, ``code_only``).

Everything here is pure: bytes in, plain data out, so it is tested exhaustively without a database.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from prepdeck.catalog.importers.base import ParsedCodeExample, ParsedDocument, ParsedItem
from prepdeck.catalog.importers.text import decode_document

# --------------------------------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------------------------------

_COLONS = (":", "\uff1a")  # ASCII and full-width
_QUESTION_MARKS = ("?", "\uff1f")
_FENCE = re.compile(r"^(?P<indent> *)(?P<ticks>`{3,})(?P<rest>.*)$")
_LIST_ITEM = re.compile(r"^ *(?:[-*+]|\d{1,9}[.)])(?: +|$)")
_ATX = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<title>.*?))?(?:[ \t]+#+)?[ \t]*$")
_H1 = re.compile(r"^ {0,3}# +\S")
# A setext heading's underline: "Title" over "=====" is an H1 (a document title), over "-----" an H2.
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?P<marks>=+|-+)[ \t]*$")
_SUBHEADING_AT_COLUMN_0 = re.compile(r"^#{2,6} +\S")
_RULE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_TABLE_ROW = re.compile(r"^ *\|")
# Code examples showing Markdown may legitimately contain "## " lines, so they never end a fence.
_MARKDOWN_LANGUAGES = frozenset({"markdown", "md", "mdx", "gfm", "commonmark"})

# "16. How to implement signals?- First, create an app": a question with its first bullet run into it.
_QUESTION_ANSWER_SPLICE = re.compile(
    r"^(?P<question>(?:#{1,6} +|\d{1,4}[.)] +|\*\*)\S.*?\?(?:\*\*)?)-\s+(?P<answer>\S.*)$"
)
# "    # Start transaction# Django Advanced Concepts - Complete Guide": a document title run into a line.
_TITLE_RUN_INTO_LINE = re.compile(r"^(?P<head>.*[^\s#{])(?P<title># [A-Z][^#{}]*?)\s*$")
_SMALL_TITLE_WORDS = frozenset("a an and or of the to in on for with vs by at from".split())

_EMPHASIS_WRAP = r"(?:\*\*|__|\*|_)?"
_ANSWER_MARKER = re.compile(
    rf"^ {{0,4}}(?:[-*+] +)?{_EMPHASIS_WRAP}(?:(?i:answer|ans)|A){_EMPHASIS_WRAP}\s*[:\uff1a]"
    rf"{_EMPHASIS_WRAP}(?:\s+(?P<rest>.*?)|)\s*$"
)
_ANSWER_MARKER_THEN_FENCE = re.compile(
    r"^(?P<marker> *(?P<bullet>[-*+] +)?(?:\*\*|__)?(?:(?i:answer|ans)|A)(?:\*\*|__)?\s*:(?:\*\*|__)?)"
    r" *(?P<fence>`{3,}.*)$"
)
_QUESTION_PREFIX = re.compile(
    r"^ {0,3}(?:[-*+] +)?(?:\*\*|__)?(?:(?:(?i:question)|Q) ?\d{1,4}\s*[:.)]|(?:(?i:question)|Q)\s*:)"
    r"(?:\*\*|__)?\s*(?P<rest>\S.*)$"
)
_BOLD_LINE = re.compile(r"^ {0,3}(?:(?:[-*+]|\d{1,4}[.)]) +)?(?:\*\*|__)\S.*(?:\*\*|__) *:? *$")
_NUMBERED_TITLE = re.compile(
    r"^(?:(?:(?i:question)|Q) ?(?P<question_number>\d{1,4})\s*[:.)-]|(?P<number>\d{1,4})[.)])\s+(?P<rest>\S.*)$"
)
_NUMBERED_LINE = re.compile(r"^(?P<number>\d{1,4})[.)] +(?P<title>\S.*)$")
_EMOJI_SECTION_LINE = re.compile(r"^\S+ +\d{1,3}[.)] +\S")
_LABEL = re.compile(r"^(?:(?:question|q) ?\d{0,4}\s*[:.)]|\d{1,4}[.)])\s*", re.IGNORECASE)
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_HTML_TAG = re.compile(r"<[^>]+>")
_TRAILING_DIFFICULTY = re.compile(r"\s*[\[(]\s*(?i:difficulty)\s*[:=-]?\s*(?P<level>[A-Za-z]+)\s*[\])]\s*$")
_DIFFICULTY_LINE = re.compile(
    r"^ {0,4}(?:[-*+] +)?[*_]{0,2}(?i:difficulty(?: level)?)[*_]{0,2}\s*[:=-]\s*[*_]{0,2}\s*"
    r"(?P<level>[A-Za-z]+)[*_]{0,2}\.?\s*$"
)


def _metadata_line(label: str, value: str) -> re.Pattern[str]:
    """A "Label: value" line, bulleted or bold like a Difficulty line."""
    return re.compile(
        rf"^ {{0,3}}(?:[-*+] +)?[*_]{{0,2}}(?i:{label})[*_]{{0,2}}\s*[:\uff1a]\s*[*_]{{0,2}}\s*"
        rf"(?P<value>{value})\.?[*_]{{0,2}}\s*$"
    )


# "Topic: django-orm" and "Tags: orm, performance". The values are narrow (a topic of a few words, tags as
# slugs), so that prose such as "- Tags: `{% for %}`" stays text.
_TOPIC_LINE = _metadata_line("topic", r"[^\W_][\w&/+.()-]*(?: [\w&/+.()-]+){0,7}?")
_TAGS_LINE = _metadata_line("tags?", r"[^\W_][\w-]*(?:\s*[,;]\s*[^\W_][\w-]*)*")
# "Key points:" (or "**Key points**") followed by a list: the list becomes the item's key points.
_KEY_POINTS_LINE = re.compile(r"^ {0,3}[*_]{0,2}(?i:key points)[*_]{0,2}\s*[:\uff1a]?\s*[*_]{0,2}\s*$")
_CONCLUSION_TITLE = re.compile(
    r"^(?:conclusion|summary|in summary|to summarize|wrapping up|final thoughts|key takeaways)\b",
    re.IGNORECASE,
)

# Chatbot glue around the real content: whole lines, outside fences, never part of an answer.
_FILLER = re.compile(
    r"""^(?:
        (?:i\ )?hope\ (?:this|these|that|it)\ helps
      | let\ me\ know\ if
      | feel\ free\ to
      | here(?:\ are|\ is|'s|’s)\b[^.!?\n]*\bquestions\b
      | these\ are\ just\ a\ few\b
      | this\ comprehensive\ guide\b
      | let(?:'|’)s\ (?:keep\ (?:the\ momentum|going)|continue\ with|move\ on\ to)\b
      | you(?:'|’)re\ doing\ great\b
      | (?:perfect|great|awesome|excellent|fantastic|wonderful|sure|absolutely|certainly|of\ course
         |got\ it|alright)!
      | good\ luck\b | best\ of\ luck\b | happy\ coding\b
      | would\ you\ like\ me\ to\b | do\ you\ want\ me\ to\b
      | if\ you(?:'d|’d|\ would)\ like,?\ i\ can\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)

_QUESTION_WORDS = frozenset(
    """what why how when where which who whom whose is are was were do does did can could should would
    will shall may might must has have explain describe define compare contrast differentiate distinguish
    discuss list name give write tell mention state outline summarize summarise elaborate illustrate
    demonstrate implement show difference differences""".split()
)
# Difficulty named by a section, a title or an intro; "easy/medium/hard" only count on a Difficulty line,
# because as plain words they say nothing about the questions ("hard to debug").
_LEVEL_WORDS = {
    "basic": "basic",
    "beginner": "basic",
    "intermediate": "intermediate",
    "advanced": "advanced",
    "expert": "advanced",
}
_DIFFICULTY_LINE_WORDS = {
    **_LEVEL_WORDS,
    "easy": "basic",
    "medium": "intermediate",
    "moderate": "intermediate",
    "hard": "advanced",
    "difficult": "advanced",
}
_LEVEL_WORD = re.compile(r"\b(" + "|".join(_LEVEL_WORDS) + r")\b", re.IGNORECASE)

_DETAILS_OPEN = re.compile(r"<details\b", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY_CLOSE = re.compile(r"</summary\s*>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary\b[^>]*>(?P<summary>.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)
# A summary that only says "click here": the question is the line above the <details> block.
_GENERIC_SUMMARY = re.compile(
    r"(?:(?:click|tap)(?: here)? to )?(?:show|see|view|reveal|expand|toggle|display)?(?: the)? ?"
    r"(?:answer|solution|explanation|details|more)s?[.!:]*",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------------------------------
# Line model
# --------------------------------------------------------------------------------------------------


class Kind(Enum):
    TEXT = "text"
    BLANK = "blank"
    OPEN = "open"  # a fence opener
    CODE = "code"  # a line inside a fence
    CLOSE = "close"  # a fence closer, possibly inserted by a repair
    TITLE = "title"  # an H1 document title: separates documents, never content
    FILLER = "filler"  # chatbot glue: dropped
    DIFFICULTY = "difficulty"  # "Difficulty: hard": read, then dropped from the answer
    METADATA = "metadata"  # "Topic: django-orm", "Tags: orm, performance": read, then dropped likewise
    REMOVED = "removed"  # a stray fence marker: gone, but it still separates the blank lines around it


@dataclass(eq=False)
class Fence:
    indent: int
    ticks: int
    info: str
    closed_by_repair: bool = False

    @property
    def language(self) -> str:
        return self.info.split()[0].lower() if self.info.split() else ""


@dataclass(eq=False)
class Line:
    """One line of the repaired document; ``number`` is its 1-based line in the original file."""

    text: str
    number: int
    kind: Kind
    fence: Fence | None = None
    synthetic: bool = False  # text that was part of another line (inline answers)

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip(" "))


def _heading(line: Line) -> tuple[int, str] | None:
    """(level, title) when the line is an ATX heading of level 2 or deeper (H1 lines are titles)."""
    if line.kind is not Kind.TEXT:
        return None
    match = _ATX.match(line.text)
    if not match or len(match["hashes"]) == 1:
        return None
    return len(match["hashes"]), (match["title"] or "").strip()


def _is_rule(line: Line) -> bool:
    return line.kind is Kind.TEXT and bool(_RULE.match(line.text))


# --------------------------------------------------------------------------------------------------
# Small text helpers
# --------------------------------------------------------------------------------------------------


def _split_lines(text: str) -> list[tuple[int, str]]:
    """Number the lines and turn leading whitespace (tabs, no-break spaces) into plain spaces.

    Indentation decides what belongs to a list item and what is a fence, so it must be measured in one
    unit; a tab counts to the next multiple of four, as in CommonMark.
    """
    numbered = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip()
        if len(stripped) != len(line):
            width = 0
            for char in line[: len(line) - len(stripped)]:
                width = width + 4 - width % 4 if char == "\t" else width + 1
            line = " " * width + stripped
        numbered.append((number, line))
    if numbered and numbered[-1][1] == "":  # the final newline does not start a line
        numbered.pop()
    return numbered


def _strip_emphasis(text: str) -> str:
    """Remove ``**strong**`` markers outside code spans; code spans stay exactly as written."""
    parts: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(_STRONG.sub(r"\1", text[position : match.start()]).replace("**", ""))
        parts.append(match.group(0))
        position = match.end()
    parts.append(_STRONG.sub(r"\1", text[position:]).replace("**", ""))
    return "".join(parts)


def _strip_leading_symbols(text: str) -> str:
    """Drop emoji, bullets and similar decoration in front of a title."""
    index = 0
    while index < len(text):
        char = text[index]
        category = unicodedata.category(char)
        if char.isspace() or category[0] == "S" or category in ("Mn", "Cf", "Co") or char in "-*+•·":
            index += 1
            continue
        break
    return text[index:]


def clean_prompt(text: str) -> str:
    """A question line as plain text: no heading marks, emphasis, numbering, labels or trailing colon.

    Inline code keeps its backticks, so ``select_related`` stays recognisable as code.
    """
    value = text.strip()
    heading = _ATX.match(value)
    if heading:
        value = heading["title"] or ""
    value = _strip_emphasis(value).strip()
    if len(value) > 2 and value[0] == "*" and value[-1] == "*":  # *emphasis* around the whole line
        value = value[1:-1].strip()
    value = _strip_leading_symbols(value)
    while True:
        shorter = _strip_leading_symbols(_LABEL.sub("", value, count=1))
        if shorter == value:
            break
        value = shorter
    value = _TRAILING_DIFFICULTY.sub("", value)
    value = re.sub(r"\s+", " ", value).strip()
    return value.rstrip("".join(_COLONS)).strip()


def clean_section(title: str) -> tuple[str, bool]:
    """A section heading as a topic name (emoji and numbering removed), and whether it carried a number."""
    value = _strip_leading_symbols(_strip_emphasis(title).strip())
    numbered = re.match(r"^\d{1,4}[.)]\s*", value)
    if numbered:
        value = _strip_leading_symbols(value[numbered.end() :])
    value = re.sub(r"\s+", " ", value).strip().rstrip("".join(_COLONS)).strip()
    return value, bool(numbered)


def _level_named_in(text: str) -> str:
    """The one difficulty a title, section or intro names ("Advanced Django Questions"), else ""."""
    levels = {_LEVEL_WORDS[word.lower()] for word in _LEVEL_WORD.findall(text)}
    return levels.pop() if len(levels) == 1 else ""


def _question_like(title: str) -> bool:
    """Whether a heading title reads as a question or an exam instruction ("Explain ...")."""
    value = clean_prompt(title)
    if value.endswith(_QUESTION_MARKS):
        return True
    first = re.match(r"[A-Za-z']+", value)
    return first is not None and first.group(0).lower() in _QUESTION_WORDS


def _asks(heading_title: str) -> bool:
    """A numbered heading that asks something: a question, or labelled "Question 3:" / "Q3." outright."""
    labelled = re.match(r"^(?:question|q) ?\d", _strip_emphasis(heading_title).strip(), re.IGNORECASE)
    return labelled is not None or _question_like(heading_title)


def _looks_like_title(text: str) -> bool:
    words = re.findall(r"[A-Za-z][\w'’]*", text)
    return len(words) >= 2 and all(word[0].isupper() or word.lower() in _SMALL_TITLE_WORDS for word in words)


def _is_filler(text: str) -> bool:
    if len(text) - len(text.lstrip(" ")) > 3 or _LIST_ITEM.match(text):
        return False
    return bool(_FILLER.match(_strip_leading_symbols(text.strip().lstrip("*_>").strip())))


# --------------------------------------------------------------------------------------------------
# Pass 1: line repairs and fence tracking
# --------------------------------------------------------------------------------------------------


def _is_info_string(rest: str) -> bool:
    """Whether text after a backtick run is an info string (``python``), not text run into a fence."""
    return (
        bool(rest)
        and (rest[0].isalnum() or rest[0] in "_{")
        and "`" not in rest
        and not _LIST_ITEM.match(rest)
    )


class _FenceTracker:
    """Classify every line as text or code, repairing the fence and splice defects found in the seeds.

    A fence is closed by a bare backtick line of any length. The parser also closes a fence that was
    left open when a line shows it plainly (``seed_dialects.md`` §2.4, §3.3): a new ```` ```lang ````
    opener, a ``## `` heading at column 0, or a list item less indented than the opener. It never
    decides by parity. Lines repaired:

    * ``1. Question?- First bullet`` → the question, then ``- First bullet`` (``splices``);
    * a closing fence with a bullet run into it → the closer, then the bullet (``fences``);
    * a fence marker with text run into it outside a fence → the text alone (``fences``);
    * an opener with nothing in it before the fence is implicitly closed → dropped (``fences``);
    * a document title run into the end of a line → its own line (``title_splits``).

    Afterwards no text line starts with three backticks, so every answer's fences pair up.
    """

    def __init__(self, repairs: Counter[str]) -> None:
        self.repairs = repairs
        self.out: list[Line] = []
        self.fence: Fence | None = None
        self.opener_index = -1

    def run(self, numbered: list[tuple[int, str]]) -> list[Line]:
        pending = list(reversed(numbered))  # a stack, so a split line is processed again in order
        while pending:
            number, text = pending.pop()
            if self.fence is not None:
                self._inside(number, text, pending)
            else:
                self._outside(number, text, pending)
        if self.fence is not None:
            self._close_implicitly(backtrack_titles=False)
        return self.out

    # -- inside a fence ---------------------------------------------------------------------------

    def _inside(self, number: int, text: str, pending: list[tuple[int, str]]) -> None:
        fence = self.fence
        assert fence is not None
        marker = _FENCE.match(text)
        if marker:
            rest = marker["rest"].strip()
            if not rest:
                self.out.append(Line(text, number, Kind.CLOSE, fence))
                self.fence = None
            elif _is_info_string(rest):  # a new opener: the previous fence was left open
                self._close_implicitly(backtrack_titles=False)
                pending.append((number, text))
            else:  # a closer with text run into it ("```   - Create views")
                self.out.append(Line(marker["indent"] + marker["ticks"], number, Kind.CLOSE, fence))
                self.fence = None
                self.repairs["fences"] += 1
                indent = self._container_indent(len(marker["indent"]))
                pending.append((number, " " * indent + rest))
            return
        if _SUBHEADING_AT_COLUMN_0.match(text) and fence.language not in _MARKDOWN_LANGUAGES:
            self._close_implicitly(backtrack_titles=True)
            pending.append((number, text))
            return
        indent = len(text) - len(text.lstrip(" "))
        if fence.indent > 0 and text.strip() and indent < fence.indent and _LIST_ITEM.match(text):
            self._close_implicitly(backtrack_titles=False)
            pending.append((number, text))
            return
        if self._split_title(number, text, pending):
            return
        self.out.append(Line(text, number, Kind.CODE, fence))

    # -- outside a fence --------------------------------------------------------------------------

    def _outside(self, number: int, text: str, pending: list[tuple[int, str]]) -> None:
        if not text.strip():
            self.out.append(Line("", number, Kind.BLANK))
            return
        if self._split_title(number, text, pending):
            return
        marker = _FENCE.match(text)
        if marker:
            rest = marker["rest"].strip()
            if not rest or _is_info_string(rest):
                self.fence = Fence(indent=len(marker["indent"]), ticks=len(marker["ticks"]), info=rest)
                self.opener_index = len(self.out)
                self.out.append(Line(text, number, Kind.OPEN, self.fence))
            else:  # a stray marker with text run into it: keep the text
                self.repairs["fences"] += 1
                indent = self._container_indent(len(marker["indent"]))
                pending.append((number, " " * indent + rest))
            return
        splice = _QUESTION_ANSWER_SPLICE.match(text)
        if splice:
            self.repairs["splices"] += 1
            pending.append((number, "- " + splice["answer"]))
            pending.append((number, splice["question"]))
            return
        fence_after_marker = _ANSWER_MARKER_THEN_FENCE.match(text)
        if fence_after_marker:
            self.repairs["fences"] += 1
            marker_text = fence_after_marker["marker"]
            indent = len(marker_text) - len(marker_text.lstrip(" ")) + len(fence_after_marker["bullet"] or "")
            pending.append((number, " " * indent + fence_after_marker["fence"]))
            pending.append((number, marker_text))
            return
        self.out.append(Line(text, number, Kind.TEXT))

    # -- repairs ----------------------------------------------------------------------------------

    def _split_title(self, number: int, text: str, pending: list[tuple[int, str]]) -> bool:
        """Split "code# Document Title" when the next line with text is a heading (001 line 7698)."""
        if "# " not in text:
            return False
        match = _TITLE_RUN_INTO_LINE.match(text)
        if not match or not _looks_like_title(match["title"][2:]):
            return False
        following = next((line for _, line in reversed(pending) if line.strip()), "")
        if not _ATX.match(following):
            return False
        self.repairs["title_splits"] += 1
        pending.append((number, match["title"]))
        pending.append((number, match["head"]))
        return True

    def _container_indent(self, indent: int) -> int:
        """The indentation of the list item that holds a line indented by ``indent`` (0 if none)."""
        for line in reversed(self.out[-200:]):
            if line.kind is Kind.TEXT and line.indent < indent and _LIST_ITEM.match(line.text):
                return line.indent
        return 0

    def _close_implicitly(self, *, backtrack_titles: bool) -> None:
        """Close the open fence after its last code line (blank lines and, if asked, titles stay out)."""
        fence = self.fence
        assert fence is not None
        out = self.out
        end = len(out)
        while end - 1 > self.opener_index and (
            not out[end - 1].text.strip() or (backtrack_titles and _H1.match(out[end - 1].text))
        ):
            end -= 1
        for line in out[end:]:
            line.kind = Kind.TEXT if line.text.strip() else Kind.BLANK
            line.fence = None
        body = out[self.opener_index + 1 : end]
        if all(not line.text.strip() for line in body):  # an opener with nothing in it: a stray marker
            for line in out[self.opener_index : end]:
                line.kind, line.fence = Kind.BLANK, None
            out[self.opener_index].kind = Kind.REMOVED
        else:
            fence.closed_by_repair = True
            closer = Line(" " * fence.indent + "`" * fence.ticks, out[end - 1].number, Kind.CLOSE, fence)
            out.insert(end, closer)
        self.repairs["fences"] += 1
        self.fence = None


# --------------------------------------------------------------------------------------------------
# Pass 2: what is never content
# --------------------------------------------------------------------------------------------------


def _classify(lines: list[Line], repairs: Counter[str]) -> tuple[dict[int, str], dict[int, tuple[str, str]]]:
    """Mark titles, filler and metadata lines.

    Returns the difficulty named by each difficulty line and the (field, value) of each topic or tags line,
    by line index.
    """
    difficulties: dict[int, str] = {}
    metadata: dict[int, tuple[str, str]] = {}
    for index, line in enumerate(lines):
        if line.kind is not Kind.TEXT:
            continue
        setext = _setext_level(lines, index)
        if setext:
            lines[index + 1].kind = Kind.REMOVED
            repairs["setext_headings"] += 1
            if setext == 1:
                line.kind = Kind.TITLE
                continue
            line.text = "## " + line.text.strip()
        if _H1.match(line.text):
            line.kind = Kind.TITLE
        elif _is_filler(line.text):
            line.kind = Kind.FILLER
            repairs["filler"] += 1
        elif match := _DIFFICULTY_LINE.match(line.text):
            level = _DIFFICULTY_LINE_WORDS.get(match["level"].lower())
            if level:
                line.kind = Kind.DIFFICULTY
                difficulties[index] = level
        elif match := _TOPIC_LINE.match(line.text):
            line.kind = Kind.METADATA
            metadata[index] = ("topic", match["value"].rstrip("."))
        elif match := _TAGS_LINE.match(line.text):
            line.kind = Kind.METADATA
            metadata[index] = ("tags", match["value"])
        elif (
            line.indent == 0
            and _EMOJI_SECTION_LINE.match(line.text)
            and not line.text[0].isalnum()
            and ord(line.text[0]) > 127
            and (index == 0 or lines[index - 1].kind is Kind.BLANK)
            and (index + 1 == len(lines) or lines[index + 1].kind is Kind.BLANK)
        ):
            # "🧱 1. Django Basics" alone on a line: a section heading that lost its "## " (003 line 1)
            line.text = "## " + line.text
            repairs["section_markers"] += 1
    return difficulties, metadata


def _setext_level(lines: Sequence[Line], index: int) -> int:
    """1 or 2 when ``lines[index]`` is a one-line setext heading ("Title" over "====" or "----"), else 0.

    Only a line that stands alone above its underline counts: a longer paragraph over a ``---`` is far
    more often prose followed by a rule in the documents people paste.
    """
    line = lines[index]
    if (
        index + 1 >= len(lines)
        or line.indent > 3
        or _LIST_ITEM.match(line.text)
        or _ATX.match(line.text)
        or _is_rule(line)
        or (index > 0 and lines[index - 1].kind is Kind.TEXT)
    ):
        return 0
    underline = lines[index + 1]
    match = _SETEXT_UNDERLINE.match(underline.text) if underline.kind is Kind.TEXT else None
    if not match:
        return 0
    return 1 if match["marks"][0] == "=" else 2


# --------------------------------------------------------------------------------------------------
# Pass 3: segments
# --------------------------------------------------------------------------------------------------


@dataclass
class _Segment:
    start: int
    end: int  # exclusive
    title: str | None  # the document title that starts here, if one does
    details: bool = False


def _details_blocks(lines: Sequence[Line]) -> list[tuple[int, int]]:
    """Index ranges (inclusive) of ``<details>`` blocks, extended up to a question line above them."""
    blocks: list[tuple[int, int]] = []
    next_close: list[int | None] = [None] * (len(lines) + 1)  # the first "</details>" at or after each line
    for index in range(len(lines) - 1, -1, -1):
        closes = lines[index].kind is Kind.TEXT and _DETAILS_CLOSE.search(lines[index].text)
        next_close[index] = index if closes else next_close[index + 1]
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.kind is Kind.TEXT and _DETAILS_OPEN.search(line.text):
            end = next_close[index]
            if end is not None:
                # the summary opens the block: look for it in the first few lines only
                near = range(index, min(end, index + 5) + 1)
                summary = _SUMMARY.search(
                    "\n".join(lines[k].text for k in near if lines[k].kind is Kind.TEXT)
                )
                if summary:
                    start = index
                    if _GENERIC_SUMMARY.fullmatch(clean_prompt(_HTML_TAG.sub("", summary["summary"]))):
                        above = index - 1
                        while above >= 0 and lines[above].kind is Kind.BLANK:
                            above -= 1
                        lower_bound = blocks[-1][1] if blocks else -1
                        if above > lower_bound and lines[above].kind is Kind.TEXT:
                            start = above
                    blocks.append((start, end))
                    index = end + 1
                    continue
        index += 1
    return blocks


def _segments(lines: Sequence[Line]) -> list[_Segment]:
    """Split at document titles, at two or more blank lines, and around ``<details>`` blocks."""
    segments: list[_Segment] = []
    details = dict(_details_blocks(lines))
    title: str | None = None
    start = 0
    blanks = 0

    def close(end: int) -> None:
        nonlocal title
        if any(lines[index].kind is not Kind.BLANK for index in range(start, end)):
            segments.append(_Segment(start, end, title))
            title = None

    index = 0
    while index < len(lines):
        line = lines[index]
        if index in details:
            close(index)
            segments.append(_Segment(index, details[index] + 1, title, details=True))
            title = None
            index = start = details[index] + 1
            blanks = 0
            continue
        if line.kind is Kind.TITLE:
            close(index)
            heading = _ATX.match(line.text)
            title = (heading["title"] or "") if heading else line.text.strip()
            start = index + 1
            blanks = 0
        elif line.kind is Kind.BLANK:
            blanks += 1
        else:
            if blanks >= 2:
                close(index - blanks)
                start = index
            blanks = 0
        index += 1
    close(len(lines))
    return segments


# --------------------------------------------------------------------------------------------------
# Pass 4: dialects
# --------------------------------------------------------------------------------------------------


@dataclass
class _Candidate:
    """A question found by a dialect, before its answer's extent is known."""

    question: int  # index of the question line
    body_start: int  # index of the first line after the question (or after its answer marker)
    prompt: str
    label: int | None
    level: int  # heading level of the question line, 0 when it is not a heading
    inline: str = ""  # answer text on the answer-marker line
    end: int = -1  # exclusive index where the answer stops


@dataclass
class _Dialect:
    name: str
    candidates: list[_Candidate]
    # whether line ``index`` ends the answer of ``candidate`` (besides the next question)
    stops: Callable[[int, _Candidate], bool]


class _SegmentReader:
    """Dialect detection over one segment; every method only looks at lines in ``[start, end)``."""

    def __init__(self, lines: Sequence[Line], start: int, end: int) -> None:
        self.lines = lines
        self.start = start
        self.end = end

    def _previous_content(self, index: int) -> int | None:
        index -= 1
        while index >= self.start and self.lines[index].kind is Kind.BLANK:
            index -= 1
        return index if index >= self.start else None

    def detect(self) -> _Dialect | None:
        for finder in (self._answer_markers, self._question_headings, self._numbered_list):
            dialect = finder()
            if dialect is not None and dialect.candidates:
                self._set_ends(dialect)
                return dialect
        return None

    # -- "### 1. **Question?**" + "**Answer:**", "Q: ..." + "A: ...", "### Q?" + "- **Answer:** ..." --

    def _answer_markers(self) -> _Dialect | None:
        found: dict[int, _Candidate] = {}
        for index in range(self.start, self.end):
            line = self.lines[index]
            if line.kind is not Kind.TEXT:
                continue
            marker = _ANSWER_MARKER.match(line.text)
            if not marker:
                continue
            question = self._previous_content(index)
            if question is None or question in found or not self._question_line(question):
                continue
            found[question] = self._candidate(question, index + 1, inline=marker["rest"] or "")
        answered = len(found)
        for index in range(self.start, self.end):
            line = self.lines[index]
            if (
                index not in found
                and line.kind is Kind.TEXT
                and _QUESTION_PREFIX.match(line.text)
                and not _ANSWER_MARKER.match(line.text)
            ):
                found[index] = self._candidate(index, index + 1)
        if not answered and len(found) < 2:  # one "Q:" line alone is not a convention
            return None
        candidates = [found[index] for index in sorted(found)]
        questions = set(found)

        def stops(index: int, candidate: _Candidate) -> bool:
            if index in questions:
                return True
            heading = _heading(self.lines[index])
            return heading is not None and (candidate.level == 0 or heading[0] <= candidate.level)

        return _Dialect("answer-marker", candidates, stops)

    def _question_line(self, index: int) -> bool:
        line = self.lines[index]
        if line.kind is not Kind.TEXT or _ANSWER_MARKER.match(line.text) or _is_rule(line):
            return False
        text = line.text.strip()
        return bool(
            _heading(line)
            or _BOLD_LINE.match(line.text)
            or _NUMBERED_LINE.match(text)
            or _QUESTION_PREFIX.match(line.text)
            or _strip_emphasis(text).rstrip().endswith(_QUESTION_MARKS)
        )

    def _candidate(self, question: int, body_start: int, *, inline: str = "") -> _Candidate:
        line = self.lines[question]
        heading = _heading(line)
        text = line.text
        prefixed = _QUESTION_PREFIX.match(text)
        if prefixed:
            text = prefixed["rest"]
        return _Candidate(
            question=question,
            body_start=body_start,
            prompt=clean_prompt(text),
            label=_label(heading[1] if heading else line.text.strip()),
            level=heading[0] if heading else 0,
            inline=inline,
        )

    # -- "### 12. Question" / "## Question 67: Title" / "## What is X?" ------------------------------

    def _question_headings(self) -> _Dialect | None:
        by_level: dict[int, list[tuple[int, str]]] = {}
        for index in range(self.start, self.end):
            heading = _heading(self.lines[index])
            if heading:
                by_level.setdefault(heading[0], []).append((index, heading[1]))
        for level in sorted(by_level):
            headings = by_level[level]
            numbered = [(index, title) for index, title in headings if _label(title) is not None]
            asking = [
                (index, title) for index, title in headings if clean_prompt(title).endswith(_QUESTION_MARKS)
            ]
            # Numbered headings are questions only if most of them read as questions: the essays in
            # seed 000 number their topics ("### 1. **Models**") exactly like real question lists do.
            if numbered and 2 * sum(_asks(title) for _, title in numbered) >= len(numbered):
                chosen, name = numbered, "numbered-heading"
            elif asking and not numbered:
                chosen, name = asking, "question-heading"
            else:
                continue
            candidates = [
                _Candidate(
                    question=index,
                    body_start=index + 1,
                    prompt=clean_prompt(title),
                    label=_label(title),
                    level=level,
                )
                for index, title in chosen
            ]
            questions = {candidate.question for candidate in candidates}

            def stops(index: int, candidate: _Candidate, *, questions: set[int] = questions) -> bool:
                heading = _heading(self.lines[index])
                return index in questions or (
                    heading is not None
                    and (heading[0] < candidate.level or self._section_heading(index, heading, candidate))
                )

            return _Dialect(name, candidates, stops)
        return None

    def _section_heading(self, index: int, heading: tuple[int, str], candidate: _Candidate) -> bool:
        """A heading at the questions' level that asks nothing and has no text of its own ("## Models"
        right above the next heading): it names a section, it is not part of the answer above it."""
        if heading[0] != candidate.level or _question_like(heading[1]):
            return False
        later = index + 1
        while later < self.end and self.lines[later].kind in (Kind.BLANK, Kind.METADATA, Kind.DIFFICULTY):
            later += 1
        return later < self.end and _heading(self.lines[later]) is not None

    # -- "12. **Question:**" with an indented answer, "12. Question" with "- " bullets ------------------

    def _numbered_list(self) -> _Dialect | None:
        items = [
            index
            for index in range(self.start, self.end)
            if self.lines[index].kind is Kind.TEXT
            and self.lines[index].indent == 0
            and _NUMBERED_LINE.match(self.lines[index].text)
        ]
        if len(items) < 2:
            return None
        # Everything after the first question must belong to some question: answers are indented or
        # "- " bullets, between them only headings and rules. Prose at column 0 means the numbers are an
        # ordinary list inside an essay, not questions, unless every numbered item asks something: then
        # the prose paragraphs are the answers, written flush under their questions.
        questions = set(items)
        asking = all(_question_like(self.lines[index].text) for index in items)
        for index in range(items[0], self.end):
            line = self.lines[index]
            if (
                not asking
                and line.kind is Kind.TEXT
                and line.indent == 0
                and index not in questions
                and not (_LIST_ITEM.match(line.text) or _heading(line) or _is_rule(line))
            ):
                return None
        bounds = [*items, self.end]
        for position, index in enumerate(items):
            if not any(
                self.lines[later].kind in (Kind.TEXT, Kind.OPEN)
                and not _heading(self.lines[later])
                and not _is_rule(self.lines[later])
                for later in range(index + 1, bounds[position + 1])
            ):
                return None  # a question without an answer: a plain list after all
        candidates = []
        for index in items:
            text = self.lines[index].text
            candidates.append(
                _Candidate(
                    question=index,
                    body_start=index + 1,
                    prompt=clean_prompt(text),
                    label=_label(text),
                    level=0,
                )
            )

        def stops(index: int, candidate: _Candidate) -> bool:
            return index in questions or _heading(self.lines[index]) is not None

        return _Dialect("numbered-list", candidates, stops)

    # -- where answers end ---------------------------------------------------------------------------

    def _set_ends(self, dialect: _Dialect) -> None:
        """An answer ends at the next question, a terminating heading, filler, or a rule before those."""
        limits = [candidate.question for candidate in dialect.candidates[1:]] + [self.end]
        for candidate, limit in zip(dialect.candidates, limits, strict=True):
            candidate.end = limit
            for index in range(candidate.body_start, limit):
                line = self.lines[index]
                if line.kind in (Kind.FILLER, Kind.TITLE) or (
                    line.kind is Kind.TEXT
                    and (
                        dialect.stops(index, candidate)
                        or (_is_rule(line) and self._rule_ends(index, limit, dialect, candidate))
                    )
                ):
                    candidate.end = index
                    break

    def _rule_ends(self, index: int, limit: int, dialect: _Dialect, candidate: _Candidate) -> bool:
        """A ``---`` ends an answer when what follows it is not more of the answer."""
        later = index + 1
        while later < limit and self.lines[later].kind is Kind.BLANK:
            later += 1
        if later >= limit:
            return True
        line = self.lines[later]
        return line.kind in (Kind.FILLER, Kind.TITLE) or (
            line.kind is Kind.TEXT and (_is_rule(line) or dialect.stops(later, candidate))
        )


def _label(title: str) -> int | None:
    """The question number in "12. ...", "Question 67: ...", "Q3. ...", else None."""
    value = _strip_leading_symbols(_strip_emphasis(title).strip())
    match = _NUMBERED_TITLE.match(value)
    if not match:
        return None
    return int(match["question_number"] or match["number"])


# --------------------------------------------------------------------------------------------------
# Pass 5: answers
# --------------------------------------------------------------------------------------------------

_TERMINAL = (".", "!", "?", ":", ";", ")", "]", "}", '"', "'", "`", "*", "”", "’", "…", "|", ">")


@dataclass
class _Answer:
    markdown: str
    code_examples: list[ParsedCodeExample]
    last_number: int | None  # original line of the last line with content
    flags: list[str]


def _render(content: Sequence[Line]) -> _Answer:
    """Answer Markdown from its lines: trimmed, de-indented, fences normalized, code collected."""
    kept = [
        line for line in content if line.kind in (Kind.TEXT, Kind.BLANK, Kind.OPEN, Kind.CODE, Kind.CLOSE)
    ]
    while kept and (kept[0].kind is Kind.BLANK or _is_rule(kept[0])):
        kept.pop(0)
    while kept and (kept[-1].kind is Kind.BLANK or _is_rule(kept[-1])):
        kept.pop()
    base = min(
        (line.indent for line in kept if line.kind in (Kind.TEXT, Kind.OPEN) and not line.synthetic),
        default=0,
    )
    rendered: list[str] = []
    examples: list[ParsedCodeExample] = []
    code: list[str] = []
    caption = ""
    for position, line in enumerate(kept):
        if line.kind is Kind.BLANK:
            if position == 0 or kept[position - 1].kind is not Kind.BLANK:  # one blank line is enough
                rendered.append("")
        elif line.kind is Kind.TEXT:
            text = line.text.strip() if line.synthetic else line.text[min(base, line.indent) :].rstrip()
            following = kept[position + 1] if position + 1 < len(kept) else None
            if (
                line.text.endswith("  ")
                and following is not None
                and following.kind is Kind.TEXT
                and not _LIST_ITEM.match(following.text)
                and not _heading(following)
            ):
                text += "  "  # keep a Markdown hard break inside a paragraph
            rendered.append(text)
        elif line.kind is Kind.OPEN:
            assert line.fence is not None
            caption = _caption(rendered)
            rendered.append(" " * max(0, line.fence.indent - base) + "`" * line.fence.ticks + line.fence.info)
            code = []
        elif line.kind is Kind.CODE:
            assert line.fence is not None
            rendered.append(line.text[min(base, line.indent) :].rstrip())
            code.append(line.text[min(line.fence.indent, line.indent) :].rstrip())
        else:  # CLOSE
            assert line.fence is not None
            rendered.append(" " * max(0, line.fence.indent - base) + "`" * line.fence.ticks)
            while code and not code[-1].strip():
                code.pop()
            while code and not code[0].strip():
                code.pop(0)
            if code:
                examples.append(
                    ParsedCodeExample(language=line.fence.language, code="\n".join(code), caption=caption)
                )
            code = []
    markdown = "\n".join(rendered).strip("\n")
    numbers = [line.number for line in kept if line.kind is not Kind.BLANK]
    flags: list[str] = []
    if kept and all(line.kind in (Kind.OPEN, Kind.CODE, Kind.CLOSE, Kind.BLANK) for line in kept):
        flags.append("code_only")
    if not kept:
        flags.append("empty_answer")
    elif _looks_truncated(kept):
        flags.append("truncated")
    return _Answer(markdown, examples, max(numbers) if numbers else None, flags)


def _take_key_points(content: list[Line]) -> tuple[list[Line], list[str], int]:
    """Split off a ``Key points:`` list that ends an answer: (the rest, the points, the list's last line).

    Only a list that ends the answer counts, so an explanation may still say "Key points:" and go on.
    Each list item is one point; lines indented under it continue it.
    """
    header = next(
        (
            index
            for index in range(len(content) - 1, -1, -1)
            if content[index].kind is Kind.TEXT and _KEY_POINTS_LINE.match(content[index].text)
        ),
        None,
    )
    if header is None:
        return content, [], 0
    points: list[str] = []
    indent = -1
    for line in content[header + 1 :]:
        if line.kind in (Kind.OPEN, Kind.CODE, Kind.CLOSE):
            return content, [], 0
        if line.kind is not Kind.TEXT:
            continue
        if indent < 0 and _LIST_ITEM.match(line.text):
            indent = line.indent
        if line.indent == indent and _LIST_ITEM.match(line.text):
            points.append(_LIST_ITEM.sub("", line.text, count=1).strip())
        elif points and line.indent > indent:
            points[-1] = f"{points[-1]} {line.text.strip()}".strip()
        else:
            return content, [], 0
    if not any(points):
        return content, [], 0
    rest = content[:header] + [
        line for line in content[header + 1 :] if line.kind not in (Kind.TEXT, Kind.BLANK)
    ]
    last = max(line.number for line in content[header:] if line.kind is Kind.TEXT)
    return rest, [point for point in points if point], last


def _caption(rendered: list[str]) -> str:
    """The line introducing a code block ("**Example:**", "- Define a model:"), as plain text."""
    for text in reversed(rendered[-3:]):
        if text.strip():
            if not text.rstrip().endswith((*_COLONS, "*")):
                return ""
            value = _strip_emphasis(text).strip()
            if not value.endswith(_COLONS) or value.startswith("`"):
                return ""
            value = re.sub(r"^(?:[-*+]|\d{1,4}[.)]) +", "", value)
            return clean_prompt(value)[:200]
    return ""


def code_caption(line: str) -> str:
    """The caption a line gives the code block right below it ("**Example:**" → "Example"), else ""."""
    return _caption([line])


def _looks_truncated(kept: Sequence[Line]) -> bool:
    """Whether an answer stops mid-code or mid-list: the signs that text was cut off when pasting."""
    content = [line for line in kept if line.kind is not Kind.BLANK]
    if not content:
        return False
    last = content[-1]
    if last.kind is Kind.CLOSE and last.fence is not None and last.fence.closed_by_repair:
        return True  # the answer ends inside a fence that was never closed
    if last.kind is not Kind.TEXT or last.synthetic:
        return False
    text = last.text.rstrip()
    if text.endswith(_TERMINAL) or _heading(last) or _TABLE_ROW.match(text):
        return False
    item = _LIST_ITEM.match(text)
    if not item:
        return False
    # A list item without a full stop is normal, unless its earlier siblings all had one.
    siblings = [
        line.text.rstrip()
        for line in content[:-1]
        if line.kind is Kind.TEXT and line.indent == last.indent and _LIST_ITEM.match(line.text)
    ]
    return bool(siblings) and all(sibling.endswith((".", "!", "?")) for sibling in siblings)


# --------------------------------------------------------------------------------------------------
# Pass 6: the document
# --------------------------------------------------------------------------------------------------


class _DocumentBuilder:
    """Walks the segments in order, keeping the section and difficulty context, and emits items."""

    def __init__(
        self,
        lines: list[Line],
        difficulties: dict[int, str],
        metadata: dict[int, tuple[str, str]],
        document: ParsedDocument,
    ) -> None:
        self.lines = lines
        self.difficulties = difficulties
        self.metadata = metadata
        self.document = document
        self.section = ""
        self.section_level = ""
        self.title_level = ""

    def run(self) -> None:
        for segment in _segments(self.lines):
            if segment.title is not None:  # a new document: its title resets section and difficulty
                self.section = ""
                self.section_level = ""
                self.title_level = _level_named_in(segment.title)
            if segment.details:
                self._details(segment)
                continue
            dialect = _SegmentReader(self.lines, segment.start, segment.end).detect()
            if dialect is None:
                self._prose(segment.start, segment.end, whole_segment=True)
                continue
            first = dialect.candidates[0].question
            intro = " ".join(
                self.lines[index].text
                for index in range(segment.start, first)
                if self.lines[index].kind in (Kind.TEXT, Kind.FILLER) and not _heading(self.lines[index])
            )
            intro_level = _level_named_in(intro)
            parsed: list[tuple[_Candidate, ParsedItem]] = []
            position = segment.start
            for candidate in dialect.candidates:
                self._between(position, candidate.question)
                item = self._item(candidate, dialect.name, intro_level)
                parsed.append((candidate, item))
                position = candidate.end
            self._between(position, segment.end)
            _flag_splices(parsed)

    # -- questions ---------------------------------------------------------------------------------

    def _item(self, candidate: _Candidate, dialect: str, intro_level: str) -> ParsedItem:
        lines = self.lines
        question = lines[candidate.question]
        content: list[Line] = []
        if candidate.inline.strip():
            marker = lines[candidate.body_start - 1]
            content.append(Line(candidate.inline, marker.number, Kind.TEXT, synthetic=True))
        content.extend(lines[candidate.body_start : candidate.end])
        level = next(
            (
                self.difficulties[index]
                for index in range(candidate.question, candidate.end)
                if index in self.difficulties
            ),
            "",
        )
        prompt = candidate.prompt
        inline_level = _TRAILING_DIFFICULTY.search(_strip_emphasis(question.text))
        if not level and inline_level:
            level = _DIFFICULTY_LINE_WORDS.get(inline_level["level"].lower(), "")
        topic, tags = self._metadata_in(candidate.question, candidate.end)
        content, key_points, key_points_end = _take_key_points(content)
        answer = _render(content)
        item = ParsedItem(
            prompt=prompt,
            answer=answer.markdown,
            needs_question=not prompt,
            line_start=question.number,
            line_end=max(answer.last_number or question.number, key_points_end),
            section=topic or self.section,
            difficulty=level or self.section_level or intro_level or self.title_level or "unknown",
            dialect=dialect,
            key_points=key_points,
            tags=tags,
            code_examples=answer.code_examples,
            flags=answer.flags,
        )
        self.document.items.append(item)
        return item

    def _details(self, segment: _Segment) -> None:
        """``<details><summary>Question</summary> answer </details>``, possibly with the question above."""
        lines = self.lines
        start, end = segment.start, segment.end - 1
        opener = next(index for index in range(start, end + 1) if _DETAILS_OPEN.search(lines[index].text))
        joined = "\n".join(
            lines[index].text for index in range(opener, end + 1) if lines[index].kind is Kind.TEXT
        )
        summary_match = _SUMMARY.search(joined)
        summary = clean_prompt(_HTML_TAG.sub(" ", summary_match["summary"] if summary_match else ""))
        prompt = clean_prompt(_HTML_TAG.sub(" ", lines[start].text)) if start < opener else summary
        summary_line = next(
            (index for index in range(opener, end + 1) if _SUMMARY_CLOSE.search(lines[index].text)), opener
        )
        content: list[Line] = []
        after_summary = _SUMMARY_CLOSE.split(lines[summary_line].text, maxsplit=1)[-1]
        if summary_line == end:
            after_summary = _DETAILS_CLOSE.split(after_summary, maxsplit=1)[0]
        if after_summary.strip():
            content.append(Line(after_summary, lines[summary_line].number, Kind.TEXT, synthetic=True))
        if summary_line < end:
            content.extend(lines[summary_line + 1 : end])
            before_close = _DETAILS_CLOSE.split(lines[end].text, maxsplit=1)[0]
            if before_close.strip():
                content.append(Line(before_close, lines[end].number, Kind.TEXT, synthetic=True))
        content, key_points, key_points_end = _take_key_points(content)
        answer = _render(content)
        level = next(
            (self.difficulties[index] for index in range(start, end + 1) if index in self.difficulties), ""
        )
        topic, tags = self._metadata_in(start, end + 1)
        item = ParsedItem(
            prompt=prompt,
            answer=answer.markdown,
            line_start=lines[start].number,
            line_end=max(answer.last_number or lines[end].number, key_points_end),
            section=topic or self.section,
            difficulty=level or self.section_level or self.title_level or "unknown",
            dialect="details",
            key_points=key_points,
            tags=tags,
            code_examples=answer.code_examples,
            flags=answer.flags,
            needs_question=not prompt,
        )
        self.document.items.append(item)

    def _metadata_in(self, start: int, end: int) -> tuple[str, list[str]]:
        """The topic (first ``Topic:`` line) and tags (every ``Tags:`` line) in lines ``[start, end)``."""
        topic = ""
        tags: list[str] = []
        for index in range(start, end):
            field, value = self.metadata.get(index, ("", ""))
            if field == "topic" and not topic:
                topic = value
            elif field == "tags":
                tags.extend(tag for tag in re.split(r"\s*[,;]\s*", value) if tag not in tags)
        return topic, tags

    # -- what lies between questions -----------------------------------------------------------------

    def _between(self, start: int, end: int) -> None:
        """Section headings between questions set the context; longer prose there is kept as a block."""
        run_start = start
        for index in range(start, end):
            heading = _heading(self.lines[index])
            if heading is None:
                continue
            self._prose(run_start, index, whole_segment=False)
            title, numbered = clean_section(heading[1])
            if numbered:
                self.document.repairs["section_numbers"] += 1
            self.section = title
            self.section_level = _level_named_in(title)
            run_start = index + 1
        self._prose(run_start, end, whole_segment=False)

    def _prose(self, start: int, end: int, *, whole_segment: bool) -> None:
        """Answer text with no question: one ``needs_question`` item per pasted answer, never dropped.

        Short prose between questions (an intro sentence, a stray line) is only noted: it is not an
        answer to anything.
        """
        lines = self.lines
        prose = [
            index
            for index in range(start, end)
            if (lines[index].kind is Kind.TEXT and not _is_rule(lines[index]))
            or lines[index].kind is Kind.OPEN
        ]
        if not prose:
            return
        if all(_names_a_section(lines[index]) for index in prose):
            # Only headings that ask nothing (a document's "Top Django questions"): sections, not drafts.
            for index in prose:
                heading = _heading(lines[index])
                title, numbered = clean_section(heading[1] if heading else lines[index].text)
                self.document.repairs["section_numbers"] += numbered
                self.section = title
                self.section_level = _level_named_in(title)
            return
        substantial = (
            whole_segment or len(prose) >= 2 or any(lines[index].kind is Kind.OPEN for index in prose)
        )
        if not substantial:
            self.document.notes.append(
                f"line {lines[prose[0]].number}: text outside any question was skipped: "
                f"{lines[prose[0]].text.strip()[:80]}"
            )
            return
        for block_start, block_end in _pasted_answers(lines, start, end):
            content = lines[block_start:block_end]
            answer = _render(content)
            if not answer.markdown.strip() or answer.last_number is None:
                continue
            first_line = next((line for line in content if line.kind in (Kind.TEXT, Kind.OPEN)), content[0])
            paragraph = next(
                (line.text for line in content if line.kind is Kind.TEXT and not _heading(line)), ""
            )
            self.document.items.append(
                ParsedItem(
                    prompt="",
                    answer=answer.markdown,
                    line_start=first_line.number,
                    line_end=answer.last_number,
                    section=self.section,
                    difficulty=self.section_level
                    or _level_named_in(paragraph)
                    or self.title_level
                    or "unknown",
                    dialect="prose",
                    code_examples=answer.code_examples,
                    flags=[flag for flag in answer.flags if flag not in ("code_only", "empty_answer")],
                    needs_question=True,
                )
            )


def _names_a_section(line: Line) -> bool:
    """A heading, or a line in bold alone, that asks nothing: it names what follows, it is no answer."""
    if line.kind is not Kind.TEXT:
        return False
    heading = _heading(line)
    title = heading[1] if heading else line.text
    if not heading and not _BOLD_LINE.match(line.text):
        return False
    return bool(clean_prompt(title)) and not _question_like(title)


def _pasted_answers(lines: Sequence[Line], start: int, end: int) -> list[tuple[int, int]]:
    """Split prose pasted from several chatbot answers into one block per answer.

    Two blank lines already separate most of them. The rest are told apart by how an answer ends: a
    ``---`` rule, or a "Conclusion"/"Summary" section, followed by a fresh paragraph that goes on to
    have headings of its own (a wrap-up paragraph without headings stays with its answer).
    """
    splits: list[int] = []
    index = start
    while index < end:
        line = lines[index]
        if _is_rule(line):
            paragraph = _next_content(lines, index + 1, end)
            if (
                paragraph is not None
                and _starts_paragraph(lines[paragraph])
                and _heading_before_rule(lines, paragraph, end)
            ):
                splits.append(paragraph)
        else:
            heading = _heading(line)
            if heading and _CONCLUSION_TITLE.match(clean_prompt(heading[1])):
                # skip the conclusion's own first block, then look for a new answer's opening paragraph
                block = _next_content(lines, index + 1, end)
                while block is not None and block < end and lines[block].kind is not Kind.BLANK:
                    block += 1
                candidate = block
                while candidate is not None and candidate < end:
                    candidate = _next_content(lines, candidate, end)
                    if candidate is None or _heading(lines[candidate]) or _is_rule(lines[candidate]):
                        break
                    if _starts_paragraph(lines[candidate]) and _heading_before_rule(lines, candidate, end):
                        splits.append(candidate)
                        break
                    while candidate < end and lines[candidate].kind is not Kind.BLANK:
                        candidate += 1
        index += 1
    bounds = [start, *sorted(set(splits)), end]
    return [(bounds[position], bounds[position + 1]) for position in range(len(bounds) - 1)]


def _next_content(lines: Sequence[Line], index: int, end: int) -> int | None:
    while index < end and lines[index].kind in (
        Kind.BLANK,
        Kind.FILLER,
        Kind.DIFFICULTY,
        Kind.METADATA,
        Kind.REMOVED,
    ):
        index += 1
    return index if index < end else None


def _starts_paragraph(line: Line) -> bool:
    return (
        line.kind is Kind.TEXT
        and line.indent == 0
        and not _heading(line)
        and not _LIST_ITEM.match(line.text)
        and not _is_rule(line)
        and not _TABLE_ROW.match(line.text)
    )


def _heading_before_rule(lines: Sequence[Line], index: int, end: int) -> bool:
    for later in range(index + 1, end):
        if _is_rule(lines[later]):
            return False
        if _heading(lines[later]):
            return True
    return False


def _flag_splices(parsed: list[tuple[_Candidate, ParsedItem]]) -> None:
    """Flag text spliced from elsewhere, seen as numbers that jump ahead and then resume.

    In seed 001, items 43 and 44 sit between items 7 and 8: their text was pasted into item 7's code
    block. Item 7's answer then carries foreign text, and the last foreign item ends with item 7's tail,
    its own text cut off. A numbering that restarts (…, 15, 1, 16) is only a numbering slip.
    """
    labels = [candidate.label for candidate, _ in parsed]
    positions: dict[int, list[int]] = {}
    for position, value in enumerate(labels):
        if value is not None:
            positions.setdefault(value, []).append(position)
    index = 1
    while index < len(parsed):
        previous, label = labels[index - 1], labels[index]
        if previous is None or label is None or label == previous + 1:
            index += 1
            continue
        later = positions.get(previous + 1, [])
        after = bisect.bisect_right(later, index)
        resume = later[after] if after < len(later) else None
        if resume is not None and _all_above(labels, index, resume, previous + 1):
            _add_flags(parsed[index - 1][1], "suspect_splice")
            _add_flags(parsed[resume - 1][1], "suspect_splice", "truncated")
            index = resume
        else:
            index += 1


def _all_above(labels: Sequence[int | None], start: int, stop: int, floor: int) -> bool:
    """Whether every label in ``labels[start:stop]`` is a number greater than ``floor``."""
    for position in range(start, stop):
        value = labels[position]
        if value is None or value <= floor:
            return False
    return True


def _add_flags(item: ParsedItem, *flags: str) -> None:
    for flag in flags:
        if flag not in item.flags:
            item.flags.append(flag)


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


def parse_markdown(name: str, data: bytes) -> ParsedDocument:
    """Parse a Markdown (or Markdown-like plain text) interview document.

    Raises ``ImportFormatError`` (naming the file and line) only for input that is not text; any text
    yields a document, with answer text that has no question kept as ``needs_question`` items.
    """
    text, repairs, notes = decode_document(name, data)
    document = ParsedDocument(name=name, repairs=repairs, notes=notes)
    lines = _FenceTracker(document.repairs).run(_split_lines(text))
    difficulties, metadata = _classify(lines, document.repairs)
    _DocumentBuilder(lines, difficulties, metadata, document).run()
    if not any(not item.needs_question for item in document.items):
        document.notes.append("no questions found")
    return document
