"""The pure core of search: what a user's query means, and how text is prepared on both sides of the index.

Nothing here touches the database. A query is parsed into a small tree (``ParsedQuery``) with the syntax of
PostgreSQL's ``websearch_to_tsquery``: words must all match, ``"quoted words"`` match as a phrase,
``-word`` excludes, ``a or b`` matches either. Each backend renders the tree into its own syntax from the
sanitised terms, so no character the user typed ever reaches ``MATCH`` or ``to_tsquery`` unexamined.

Code identifiers are searchable as written. Both text-search parsers split ``select_related`` at the
underscore and drop the ``@`` of ``@action``, so the index also gets a *joined form* of every identifier
(``selectrelated``, ``ataction``, ``nplus1`` for ``N+1``) and a query term typed as an identifier matches
that joined form (``identifier_words`` is the index side, ``Term.joined`` the query side; the PostgreSQL
migration holds the same rule in SQL).
"""

from __future__ import annotations

import bisect
import html
import json
import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz.distance import OSA
from snowballstemmer import stemmer

MAX_QUERY_LENGTH = 500
"""Longer queries are refused with ``query_too_long`` (400): nobody types more, and it bounds the work."""

MAX_COVERAGE_GROUPS = 12
"""The share of a query's terms a question matches (and its weights) counts the first this many."""

MAX_CORRECTED_WORDS = 10
"""At most this many distinct words of a query are spell-checked (one query to the vocabulary)."""

# PostgreSQL's english.stop (the Snowball list), so both backends drop the same words; plus "vs".
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her
    hers herself it its itself they them their theirs themselves what which who whom this that these those
    am is are was were be been being have has had having do does did doing a an the and but if or because
    as until while of at by for with about against between into through during before after above below
    to from up down in out on off over under again further then once here there when where why how all any
    both each few more most other some such no nor not only own same so than too very s t can will just
    don should now vs versus""".split()
)

# Abbreviations a candidate types for what the bank spells out. A query word also matches its expansion
# when the bank never uses the abbreviation itself, or always for the true synonyms in ALWAYS_EXPANDED.
ABBREVIATIONS: Mapping[str, str] = {
    "drf": "django rest framework",
    "fts": "full text search",
    "cbv": "class based view",
    "cbvs": "class based views",
    "fbv": "function based view",
    "fbvs": "function based views",
    "jwt": "json web token",
    "csrf": "cross site request forgery",
    "xss": "cross site scripting",
    "cte": "common table expression",
    "mvcc": "multiversion concurrency control",
    "pk": "primary key",
    "fk": "foreign key",
    "m2m": "many to many",
    "db": "database",
    "pg": "postgresql",
    "postgres": "postgresql",
    "dtl": "django template language",
    "spa": "single page application",
    "tz": "time zone",
    "i18n": "internationalization",
    "gil": "global interpreter lock",
    "cdn": "content delivery network",
    "ttl": "time to live",
    "pitr": "point in time recovery",
}
ALWAYS_EXPANDED = frozenset({"postgres", "pg"})

# A run of letters and digits, an identifier joined by underscores or "+" (n+1), a decorator, or a version.
_CHUNK = re.compile(r"\d+(?:\.\d+)+|@?[^\W_]+(?:(?:_+|\+)[^\W_]+)*", re.UNICODE)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)
# Identifiers (ASCII, as in code): decorators, and names joined by underscores or "+". The PostgreSQL
# migration's search_document_text() uses the same two patterns.
_DECORATOR = re.compile(r"@([A-Za-z][A-Za-z0-9_]*)")
_JOINED = re.compile(r"[A-Za-z0-9]+(?:(?:_+|\+)[A-Za-z0-9]+)+")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|([^\s"]+)')
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ue000-\uf8ff]")

_stem = stemmer("english").stemWord


def join_identifier(identifier: str) -> str:
    """The single word an identifier is indexed and searched as: ``select_related`` → ``selectrelated``,
    ``@action`` → ``ataction``, ``n+1`` → ``nplus1``."""
    lowered = identifier.lower()
    if lowered.startswith("@"):
        return "at" + lowered[1:].replace("_", "")
    return lowered.replace("_", "").replace("+", "plus")


def identifier_words(text: str) -> str:
    """The joined forms of every identifier in ``text``, space-separated (the index side of identifiers).

    A decorator gives both forms (``@api_view`` → ``atapiview apiview``), so ``api_view`` finds it too.
    """
    decorators = ["at" + match.group(1).lower().replace("_", "") for match in _DECORATOR.finditer(text)]
    joined = [join_identifier(match.group(0)) for match in _JOINED.finditer(text)]
    return " ".join(decorators + joined)


def vocabulary_words(text: str) -> set[str]:
    """The words of ``text`` that spelling suggestions may offer: runs of 3 to 40 letters, lower case.
    Identifiers are split into their words (``select`` and ``related``), so a typo in one part of an
    identifier is corrected like any word. On PostgreSQL the ``search_words`` configuration reads them.

    The vocabulary is read from prompts, short answers, key points, tags and keys, where the words a
    candidate searches for are (explanations and code would double the cost of indexing for little)."""
    return {word for word in _LETTERS.findall(text.lower()) if 3 <= len(word) <= 40}


def _is_identifier(chunk: str) -> bool:
    return bool(_DECORATOR.fullmatch(chunk) or _JOINED.fullmatch(chunk))


@dataclass(frozen=True)
class Term:
    """One thing to match: a word, a phrase (several words in a row) or an identifier as written.

    ``words`` are lower-case chunks of letters and digits, possibly joined by ``_`` or ``+`` inside a
    phrase (``"use select_related"``) or a version (``5.2``); each backend's parser splits them the way it
    splits the indexed text. An identifier's ``words`` are its parts (``select``, ``related``).
    """

    words: tuple[str, ...]
    identifier: str = ""  # lower case as typed ("select_related", "@action", "n+1"), when it is one
    expansion: bool = False  # added for an abbreviation, not typed by the user

    @property
    def joined(self) -> str:
        return join_identifier(self.identifier) if self.identifier else ""

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    def display(self) -> str:
        if self.identifier:
            return self.identifier
        text = " ".join(self.words)
        return f'"{text}"' if self.is_phrase else text


def _term_from_chunks(chunks: list[str]) -> Term | None:
    """A token's chunks as one term: a lone identifier stays one; several chunks (``request.user``,
    ``django-celery-beat``, a quoted phrase) are a phrase; ``None`` when only stop words are left."""
    if len(chunks) == 1 and _is_identifier(chunks[0]):
        return Term(words=tuple(_WORD.findall(chunks[0].lower())), identifier=chunks[0].lower())
    words = tuple(chunk.lower() for chunk in chunks)
    if not words or all(word in STOP_WORDS for word in words):
        return None
    return Term(words=words)


@dataclass(frozen=True)
class ParsedQuery:
    """A query as terms: every group must match (a group matches when one of its terms does), no excluded
    term may match. ``text`` is the query as the user typed it, tidied (for "did you mean")."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()
    text: str = ""

    @property
    def is_empty(self) -> bool:
        """Nothing to search for (only punctuation, stop words or exclusions)."""
        return not self.groups

    def terms(self) -> list[Term]:
        """Every positive term, typed or expanded, in order."""
        return [term for group in self.groups for term in group]

    def abbreviations(self) -> list[str]:
        """Typed words that are abbreviations with a known expansion (``drf``, ``fts``)."""
        return list(
            dict.fromkeys(
                term.words[0]
                for term in self.terms()
                if not term.identifier and not term.is_phrase and term.words[0] in ABBREVIATIONS
            )
        )

    def expanded(self, abbreviations: Collection[str]) -> ParsedQuery:
        """This query with each of these abbreviations (and those in ``ALWAYS_EXPANDED``) also matching its
        expansion. Callers pass the ones the bank does not use itself: an abbreviation it uses (``DRF``)
        matches as typed, as counting both spellings would favour questions that happen to use both."""

        def expand(group: tuple[Term, ...]) -> tuple[Term, ...]:
            extra = [
                Term(words=tuple(ABBREVIATIONS[term.words[0]].split()), expansion=True)
                for term in group
                if not term.identifier
                and not term.is_phrase
                and (term.words[0] in abbreviations or term.words[0] in ALWAYS_EXPANDED)
            ]
            return group + tuple(extra)

        return replace(self, groups=tuple(expand(group) for group in self.groups))

    def spellable_words(self) -> list[str]:
        """Distinct typed words worth checking against the vocabulary (at most ``MAX_CORRECTED_WORDS``);
        abbreviations are never corrected."""
        found: list[str] = []
        for term in self.terms():
            if term.expansion:
                continue
            for word in (part for chunk in term.words for part in _WORD.findall(chunk)):
                if word in found or word in STOP_WORDS or word in ABBREVIATIONS:
                    continue
                if 3 <= len(word) <= 40 and word.isalpha():
                    found.append(word)
        return found[:MAX_CORRECTED_WORDS]

    def corrected(self, corrections: Mapping[str, str]) -> ParsedQuery:
        """This query with misspelled words replaced (``corrections``: typed word → vocabulary word)."""

        def fix_chunk(chunk: str) -> str:
            return _WORD.sub(lambda part: corrections.get(part.group(0), part.group(0)), chunk)

        def fix(term: Term) -> Term | None:
            if term.identifier:
                return _term_from_chunks([fix_chunk(term.identifier)])
            fixed = _term_from_chunks([fix_chunk(chunk) for chunk in term.words])
            return replace(fixed, expansion=term.expansion) if fixed else None

        groups = []
        for group in self.groups:
            fixed = tuple(term for term in (fix(term) for term in group) if term is not None)
            if fixed:
                groups.append(fixed)
        text = self.text
        for wrong, right in corrections.items():
            text = re.sub(rf"(?<![^\W_]){re.escape(wrong)}(?![^\W_])", right, text, flags=re.IGNORECASE)
        return ParsedQuery(groups=tuple(groups), excluded=self.excluded, text=text)


def clean_query_text(query: str) -> str:
    """The query with compatibility forms folded (NFKC), control characters removed, spaces collapsed."""
    normalized = unicodedata.normalize("NFKC", query)
    return " ".join(_CONTROL.sub(" ", normalized).split())


def parse_query(query: str) -> ParsedQuery:
    """Parse a user's query (any text at all) with ``websearch_to_tsquery``'s syntax.

    Stop words on their own are dropped (``how do i`` adds nothing); inside quotes and identifiers they are
    kept. Abbreviations are expanded later (``ParsedQuery.expanded``), once it is known which ones the bank
    does not use.
    """
    text = clean_query_text(query)
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for match in _TOKEN.finditer(text):
        minus, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare.lower() == "or":
                join_next = bool(groups)
                continue
            negated = bare.startswith("-")
            chunks = _CHUNK.findall(bare)
            term = _term_from_chunks(chunks) if chunks else None
        else:
            negated = minus == "-"
            chunks = _CHUNK.findall(quoted)
            term = _term_from_chunks(chunks) if chunks else None
        if term is None:
            continue
        if negated:
            excluded.append(term)
            join_next = False
            continue
        if join_next and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    return ParsedQuery(groups=tuple(tuple(group) for group in groups), excluded=tuple(excluded), text=text)


# --- spelling -------------------------------------------------------------------------------------------


EDIT_LETTERS = "abcdefghijklmnopqrstuvwxyz"
"""The letters a spelling correction may add or put in (PostgreSQL's ``EDIT_VARIANTS`` uses them too)."""


def edit_variants(word: str) -> list[str]:
    """Every spelling one edit away from ``word`` (Norvig's ``edits1``): a swap of neighbouring letters
    (``djnago`` → ``django``), a letter left out, added (``celry`` → ``celery``) or replaced; at least
    three letters long.

    They are looked up exactly in the vocabulary (primary-key probes, cheap) before the nearest words by
    trigrams, which a swap can miss altogether (``djnago`` and ``django`` share no trigram inside the word)
    and which cost a walk of the trigram index; that walk is only needed when no word is one edit away.
    """
    splits = [(word[:index], word[index:]) for index in range(len(word) + 1)]
    swaps = [left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1]
    deletions = [left + right[1:] for left, right in splits if right]
    replacements = [left + letter + right[1:] for left, right in splits if right for letter in EDIT_LETTERS]
    insertions = [left + letter + right for left, right in splits for letter in EDIT_LETTERS]
    return [
        variant
        for variant in dict.fromkeys(swaps + deletions + replacements + insertions)
        if variant != word and len(variant) >= 3
    ]


def term_weights(query: ParsedQuery, documents: Mapping[str, int]) -> list[float]:
    """A weight per group of ``query`` (the first ``MAX_COVERAGE_GROUPS``): rarer words weigh more, as an
    inverse document frequency would. ``documents`` gives how many questions use a word (from the
    vocabulary lookup); a group weighs as its rarest word, and a word the vocabulary does not hold (an
    identifier, a number) as one used once. ``api`` in a bank about APIs weighs less than ``paginate``."""

    def weight(word: str) -> float:
        return 1.0 / math.log(math.e + documents.get(word, 1))

    return [
        max(
            weight(word) for term in group for chunk in term.words for word in _WORD.findall(chunk) or [chunk]
        )
        for group in query.groups[:MAX_COVERAGE_GROUPS]
    ]


ONE_EDIT_LETTERS = 5
"""Words of at most this many letters are corrected within one edit, longer ones within two."""


def _allowed_edits(word: str) -> int:
    return 1 if len(word) <= ONE_EDIT_LETTERS else 2


def choose_correction(word: str, candidates: Iterable[tuple[str, int]]) -> str | None:
    """The vocabulary word ``word`` was probably meant to be, or ``None`` when it is known or nothing is
    close. ``candidates`` are (word, number of questions using it), e.g. the nearest by trigrams.

    A word counts as known when the vocabulary has it or a word with the same stem; otherwise the closest
    candidate within one edit (two for words longer than five letters; a swap of neighbours is one edit)
    wins, the more frequent one on a tie. When that is a stop word (``foo`` → ``for``) nothing is offered:
    the search would drop it anyway.
    """
    stem = _stem(word)
    best: tuple[int, int, str] | None = None
    for candidate, documents in candidates:
        if candidate == word or _stem(candidate) == stem:
            return None
        distance = OSA.distance(word, candidate)
        if distance > _allowed_edits(word):
            continue
        key = (distance, -documents, candidate)
        if best is None or key < best:
            best = key
    if best is None or best[2] in STOP_WORDS:
        return None
    return best[2]


def corrections_from(
    words: Sequence[str], candidates: Mapping[str, Sequence[tuple[str, int]]]
) -> dict[str, str]:
    """Corrections for the misspelled ``words`` (word → replacement), from each word's candidates."""
    found = {}
    for word in words:
        choice = choose_correction(word, candidates.get(word, ()))
        if choice is not None:
            found[word] = choice
    return found


# --- snippets -------------------------------------------------------------------------------------------

MARK_START = "\ue000"
MARK_STOP = "\ue001"
"""Private-use characters ``snippet_marked`` puts around matches; ``snippet_html`` makes them ``<mark>``."""

_BETWEEN_MARKS = re.compile(r"</mark>([_+@.])<mark>")
_MARKDOWN_NOISE = re.compile(r"`+|\*\*")


def snippet_html(raw: str) -> str:
    """A marked snippet (``snippet_marked``) as safe HTML: everything escaped except the ``<mark>`` around
    matches.

    Marks are balanced whatever the text holds; Markdown backticks and bold markers are dropped; pieces
    of one identifier highlighted separately (``select`` ``_`` ``related``) become one mark.
    """
    text = " ".join(_MARKDOWN_NOISE.sub("", raw).split())
    out: list[str] = []
    open_mark = False
    for piece in re.split(f"([{MARK_START}{MARK_STOP}])", text):
        if piece == MARK_START:
            if not open_mark:
                out.append("<mark>")
                open_mark = True
        elif piece == MARK_STOP:
            if open_mark:
                out.append("</mark>")
                open_mark = False
        else:
            out.append(html.escape(piece, quote=False))
    if open_mark:
        out.append("</mark>")
    joined = "".join(out).replace("<mark></mark>", "")
    return _BETWEEN_MARKS.sub(r"\1", joined)


SNIPPET_CHARS = 200
"""Characters of one fragment of a snippet, about 30 words (a text up to ``SNIPPET_WHOLE_CHARS`` long is
shown whole)."""
SNIPPET_WHOLE_CHARS = 240
SNIPPET_FRAGMENTS = 2
"""Fragments in a snippet: the second only when it shows a term the first does not."""
SNIPPET_CONTEXT_CHARS = 30
"""Characters shown before a fragment's first match."""
SNIPPET_SOURCE_CHARS = 20_000
"""Characters of the explanation a snippet may be cut from (the short answer and key points come first)."""
_ENDS_A_SENTENCE = re.compile(r"[.!?;:…]\s*$")
_WORD_AT = re.compile(r"[\W_]*?([^\W_]+)")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_SPACE = re.compile(r"\s")


def as_sentence(text: str) -> str:
    """``text`` ending with punctuation (a full stop added when it has none), so that pieces joined into
    one snippet stay apart: a snippet is shown on one line."""
    return text if not text or _ENDS_A_SENTENCE.search(text) else f"{text}."


def snippet_source(short_answer: str, key_points: Any, explanation: str) -> str:
    """What a snippet is cut from: the answer a candidate reads (the prompt is shown on its own), the key
    points as sentences ("Offset pagination reads skipped rows. Cursor pagination does not.", not the
    two run together), then the start of the explanation. ``key_points`` is a list or its JSON."""
    if isinstance(key_points, str):
        try:
            key_points = json.loads(key_points)
        except ValueError:
            key_points = []
    points = key_points if isinstance(key_points, list) else []
    parts = [
        as_sentence(short_answer or ""),
        *(as_sentence(point if isinstance(point, str) else json.dumps(point)) for point in points),
        (explanation or "")[:SNIPPET_SOURCE_CHARS],
    ]
    return "\n".join(part for part in parts if part)


_STEMS: dict[str, str] = {}
_STEMS_KEPT = 100_000


def _folded(word: str) -> str:
    """``word`` without accents ("café" → "cafe"), as SQLite's index reads text (``remove_diacritics``)."""
    if word.isascii():
        return word
    return "".join(char for char in unicodedata.normalize("NFKD", word) if not unicodedata.combining(char))


def _stem_token(token: str) -> str:
    """The stem of a word as written (remembered: the texts of a page repeat their words)."""
    stem = _STEMS.get(token)
    if stem is None:
        if len(_STEMS) >= _STEMS_KEPT:
            _STEMS.clear()
        stem = _STEMS[token] = _stem(_folded(token.lower()))
    return stem


@dataclass(frozen=True)
class Highlight:
    """What a snippet marks: each positive term of a query as the stems of its words in a row (one stem
    for a word; a phrase's or identifier's words must follow each other: ``n+1`` marks "N+1", not every
    "1"), and a pattern finding the words that may start one (by the start of their stem, so that only
    those few words are stemmed)."""

    terms: tuple[tuple[str | None, ...], ...]  # None: any one word (a stop word of a phrase)
    # The start patterns leave out "not after a letter or digit", which snippet_marked checks for each match:
    # a pattern beginning with its words is searched for their first letters (twice as fast as one that
    # begins with a look-behind, tried at every character).
    starts: re.Pattern[str] | None  # in lower case text (twice as fast as ignoring case)
    starts_any_case: re.Pattern[str] | None  # for a text whose lower case is not as long
    by_first: Mapping[str | None, Sequence[tuple[int, tuple[str | None, ...]]]] = field(default_factory=dict)
    """The terms (number, stems) by their first stem, longest first."""


def highlight_terms(query: ParsedQuery) -> Highlight:
    """The ``Highlight`` of ``query``'s positive terms (terms of stop words only are left out). A phrase's
    stop words match any one word, as PostgreSQL's phrase search keeps only their place ("cache of the
    database" finds "cache of a database"); at its ends they are left out."""
    found: dict[tuple[str | None, ...], str] = {}  # stems -> the first word as written
    for term in query.terms():
        pieces = [piece for word in term.words for piece in _WORD.findall(word)]
        stops = [piece.lower() in STOP_WORDS for piece in pieces]
        if not pieces or all(stops):
            continue
        first = stops.index(False)
        last = len(pieces) - stops[::-1].index(False)
        stems = tuple(
            None if stop else _stem_token(piece)
            for piece, stop in zip(pieces[first:last], stops[first:last], strict=True)
        )
        found.setdefault(stems, _folded(pieces[first].lower()))
    # Longest first: of two terms starting with the same word ("drf" expanded to "Django REST framework",
    # and "django"), the longer one is marked where both match.
    terms = tuple(sorted(found, key=len, reverse=True))
    # A stem is the word's start but for its last letters ("queri" from "queries" and "query"), so the
    # words starting with all of a stem but its last letter are the candidates (then stemmed to check);
    # the word as typed starts them too ("dying", whose stem is "die").
    prefixes: set[str] = set()
    for stems, word in found.items():
        stem = str(stems[0])
        size = max(2, len(stem) - 1)
        prefixes.update((stem[:size], word[:size]))
    by_first: dict[str | None, list[tuple[int, tuple[str | None, ...]]]] = {}
    for number, stems_of_term in enumerate(terms):  # longest first
        by_first.setdefault(stems_of_term[0], []).append((number, stems_of_term))
    if not prefixes:
        return Highlight(terms=terms, starts=None, starts_any_case=None, by_first=by_first)
    ordered = sorted(prefixes, key=len, reverse=True)
    pattern = r"(?:" + "|".join(map(re.escape, ordered)) + r")[^\W_]*"
    return Highlight(
        terms=terms,
        starts=re.compile(pattern),
        starts_any_case=re.compile(pattern, re.IGNORECASE),
        by_first=by_first,
    )


def snippet_marked(text: str, highlight: Highlight) -> str:
    """An excerpt of ``text`` with the matches of ``highlight``'s terms (the same stemmer on both sides,
    so "paginate" marks "pagination") between ``MARK_START`` and ``MARK_STOP``; ``snippet_html`` makes it
    HTML.

    A text of ``SNIPPET_WHOLE_CHARS`` characters or fewer is shown whole. Otherwise a fragment of about
    ``SNIPPET_CHARS`` around the matches, the earliest showing the most different terms, and a second one
    when it shows terms the first does not, in the text's order, joined by " … " (and "…"
    where the text goes on), cut between words. Without a match, the text's start.
    """
    by_first = highlight.by_first
    matches: list[tuple[int, int, int]] = []  # start, end (characters), term
    if highlight.starts is not None and highlight.starts_any_case is not None:
        lower = text.lower()
        searched = lower if len(lower) == len(text) else text
        pattern = highlight.starts if searched is lower else highlight.starts_any_case
        for found in pattern.finditer(searched):
            # A word starts here only when no letter or digit comes before (an underscore may: "_id"). A
            # match refused here spans letters and digits only, so none of its characters could start one.
            if found.start() and _LETTER_OR_DIGIT.match(searched, found.start() - 1):
                continue
            for number, term in by_first.get(_stem_token(found.group()), ()):
                end = found.end()
                for stem in term[1:]:
                    following = _WORD_AT.match(text, end)
                    if following is None or (stem is not None and _stem_token(following.group(1)) != stem):
                        break
                    end = following.end()
                else:
                    matches.append((found.start(), end, number))
                    break
    if len(text) <= SNIPPET_WHOLE_CHARS:
        windows = [(0, len(text))]
    else:
        windows = [
            _between_words(text, start, stop, matches) for start, stop in _fragments(len(text), matches)
        ]
    out: list[str] = []
    for start, stop in windows:
        pieces = []
        cursor = start
        for first, last, _ in matches:
            if first < cursor or last > stop:
                continue
            pieces.append(text[cursor:first])
            pieces.append(MARK_START + text[first:last] + MARK_STOP)
            cursor = last
        pieces.append(text[cursor:stop])
        out.append("".join(pieces))
    before = "…" if windows[0][0] > 0 else ""
    after = "…" if windows[-1][1] < len(text) else ""
    return before + " … ".join(out) + after


SNIPPET_MATCHES_CONSIDERED = 400
"""Matches a snippet's fragments are chosen among (the first ones): a long text repeating the query's words
thousands of times costs no more than one that repeats them a few hundred times."""


def _fragments(length: int, matches: Sequence[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Up to ``SNIPPET_FRAGMENTS`` windows of ``SNIPPET_CHARS`` (start, stop) over a text of ``length``,
    in order: each the earliest showing the most terms not shown yet. ``matches`` are in the text's order;
    a window's matches are found by bisection, so the work is the matches considered times the few in a
    window."""
    if not matches:
        return [(0, SNIPPET_CHARS)]
    considered = matches[:SNIPPET_MATCHES_CONSIDERED]
    starts = [first for first, _, _ in considered]

    def terms_within(start: int, stop: int) -> set[int]:
        inside = considered[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, stop)]
        return {number for _, last, number in inside if last <= stop}

    chosen: list[tuple[int, int]] = []
    shown: set[int] = set()
    terms = {number for *_, number in considered}
    for _ in range(SNIPPET_FRAGMENTS):
        best: tuple[int, int, int] | None = None  # new terms, start, stop
        tried = -1
        for first in starts:
            start = max(0, min(first - SNIPPET_CONTEXT_CHARS, length - SNIPPET_CHARS))
            if start == tried:
                continue  # the same window as the match before
            tried = start
            stop = start + SNIPPET_CHARS
            if any(start < other_stop and other_start < stop for other_start, other_stop in chosen):
                continue
            new = terms_within(start, stop) - shown
            if best is None or len(new) > best[0]:
                best = (len(new), start, stop)
                if len(new) == len(terms - shown):
                    break  # none can show more, and this one is the earliest
        if best is None or (chosen and best[0] == 0):
            break
        chosen.append((best[1], best[2]))
        shown.update(terms_within(best[1], best[2]))
    return sorted(chosen)


def _between_words(
    text: str, start: int, stop: int, matches: Sequence[tuple[int, int, int]] = ()
) -> tuple[int, int]:
    """``start`` and ``stop`` moved inwards to whitespace, so a fragment shows no part of a word, but never
    past a match the window holds (a dotted path or a URL before a match has no space to stop at: the
    fragment then starts at the match)."""
    inside = [(first, last) for first, last, _ in matches if first >= start and last <= stop]
    first_match = min((first for first, _ in inside), default=None)
    last_match = max((last for _, last in inside), default=start)
    if start > 0 and not text[start - 1].isspace():
        after = _SPACE.search(text, start, stop if first_match is None else first_match)
        start = after.end() if after else (start if first_match is None else first_match)
    if stop < len(text) and not text[stop].isspace():
        before = max(text.rfind(" ", last_match, stop), text.rfind("\n", last_match, stop))
        stop = before if before > start else stop
    return start, stop


@dataclass
class Facets:
    """Counts of matching questions by topic slug and by difficulty."""

    topic: dict[str, int] = field(default_factory=dict)
    difficulty: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, int]]) -> Facets:
        """From (topic slug, difficulty, count) rows, largest first."""
        topic: dict[str, int] = {}
        difficulty: dict[str, int] = {}
        for topic_slug, level, count in rows:
            topic[topic_slug] = topic.get(topic_slug, 0) + count
            difficulty[level] = difficulty.get(level, 0) + count
        return cls(
            topic=dict(sorted(topic.items(), key=lambda item: (-item[1], item[0]))),
            difficulty=dict(sorted(difficulty.items(), key=lambda item: (-item[1], item[0]))),
        )

    @property
    def total(self) -> int:
        return sum(self.topic.values())
