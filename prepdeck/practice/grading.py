"""Automatic grading of a written answer against a question's key points (a pure core: no Django, no I/O).

Call :func:`grade_answer` with the candidate's answer, the question's ``key_points`` and, ideally, its
``prompt``. The result is a :class:`Grade`: a score in [0, 1], one :class:`PointResult` per key point, a
``stuffing`` flag and the FSRS rating the score maps to. Key points are prepared once per question and
cached (:func:`prepare_key_points`), so grading an answer takes a millisecond or two.

Words
-----
Key points and answers are cut into words with :func:`prepdeck.catalog.matching.normalize_text` and the
English Snowball stemmer (British spellings folded into American ones first), then mapped through a small
synonym table of this domain ("sql" and "query", "fk" and "foreign key", "m2m" and "many-to-many", "n+1"
and "n plus one", "record" and "row"...). Code identifiers are kept whole *and* split: ``select_related``
in a key point is found as ``select_related``, "select related" or ``SelectRelated``; ``QuerySet.only()``
yields ``queryset`` and ``only``. A typo such as ``prefetch_relatd`` is caught by a fuzzy ratio (rapidfuzz,
at least 85, words of six letters or more with the same first two letters, so that "synchronous" never
matches "asynchronous" nor "serialize" "deserialize").

Key points
----------
A key point becomes weighted *terms*: code identifiers weigh 2, other content words 1, numbers 0.5. Words
that also appear in the prompt, or in at least half of the question's key points, weigh half: repeating the
question earns little. An enumeration of three or more short items ("Debug Toolbar, CaptureQueriesContext,
logging") becomes one *slot* that is full once two of its items are named, because a person grading accepts
two examples out of four. A key point made of independent claims separated by ";" is scored claim by claim
and averaged.

Answers and coverage
--------------------
The answer is cut into clauses (sentences, further split at "whereas", "while", "but", "however"...), and
every run of one to three neighbouring clauses (at most 40 words) is a *unit*, so a point made over two
sentences still counts while words scattered over a long answer do not. A claim's coverage is the best
weighted share of its terms found in one unit; a key point's ``similarity`` is the mean over its claims.
The point is ``covered`` from :data:`COVERED_THRESHOLD` (0.4): key points here are "subject + claim +
detail" ("exists() runs a LIMIT 1 query and returns a boolean"); naming the subject and the claim in other
words ("exists() tells you cheaply whether any row matches, as a boolean") reaches 0.4, the subject alone
does not. An uncovered point still earns half its similarity, so touching a point is worth a little.

Comparison questions ("select_related() vs prefetch_related()") get one more check: when a key point names
an identifier of the prompt, a unit that names *another* prompt identifier but not this one is ignored, and
units never merge clauses about two different prompt identifiers. "select_related runs a second query and
joins in Python" does not cover the prefetch_related point.

Keyword stuffing
----------------
The answer (without fenced code, indented code and table rows: pasted code is not stuffing) is cut into
sentences at sentence punctuation, line breaks and bullets. A sentence reads as *prose* when at least one
word in six is a grammar word (article, pronoun, preposition, conjunction, auxiliary or common verb such as
"runs" or "returns"; "no", "per" and "one" do not count), when a short one (six words or fewer) without a
verb has one in three, and when at least one of its comma-separated parts reads as prose on its own, so an
enumeration inside a real sentence passes but "OR |, AND &, positional arguments before keyword lookups"
does not. Real sentences, short ones included, pass easily; comma lists, bullet lists of terms and word
salad do not. When an answer of at least :data:`STUFFING_MIN_WORDS` words has less than
:data:`STUFFING_PROSE_SHARE` of its words in prose sentences, ``stuffing`` is set and the score is
multiplied by :data:`STUFFING_FACTOR` (a perfect keyword list ends at 0.1: Again, and below most honest
but wrong answers, as the labelled set orders them). Terse notes with some
grammar ("rollback on exception", "isolation from the DB") are judged the same way: mostly verbless lines
make a list.

Verdicts and polarity
---------------------
Each key point gets a verdict: *covered*, *missing* or *contradicted*, with the phrase of the answer that
decided it (``evidence``) and its character ``spans`` in the answer as written (NFKC folding is mapped back),
so pages can highlight it. A claim is *contradicted* when the unit that states it best says the opposite and
no other unit states it the same way:

- *negation*: a cue ("not", "never", "no", "doesn't", "cannot", "without"...) denies the few words after it
  within its clause (:data:`NEGATION_SCOPE`), not the subject before it. Terms and common verbs ("run") vote
  by whether each side denies them; a contradiction needs more disagreeing than agreeing votes, the word a
  negation denies first ("stored" in "is never stored", on either side) among the disagreeing ones, and at
  least two words of the claim (a denial needs a subject). "Validates every field and validate_<field>
  runs" contradicts "validate_<field> does not run for fields that were not sent"; "never keeps the
  password" covers "the raw password is never stored".
- *antonym*: the claim says a word of :data:`ANTONYM_PAIRS` (before/after, sync/async, allow/forbid,
  enable/disable, mutable/immutable, inside/outside...) and the answer's clause says its opposite, not
  negated ("not asynchronous" restates "synchronous"). A claim naming both sides is not checked.
- *number*: the claim has numbers or versions, the unit none of them but another one.
- *swapped roles*: the claim's two identifiers named in the other order around the same word ("A calls B"
  against "B calls A"; passive "B is called by A" is not a swap).

A reversal next to "only", "unless", "instead", "avoids"... (:data:`HEDGE_WORDS`, or in a claim saying "not"
with such a word) or a conditional ("might", "could") is weak evidence: the point is *uncertain*, not
contradicted. So is a similarity within :data:`UNCERTAIN_MARGIN` of the threshold.

Score and rating
----------------
``score`` is the mean credit over the key points (1 when covered, minus :data:`CONTRADICTED_PENALTY` when
contradicted, else half the similarity), after the stuffing penalty, clamped to [0, 1] and rounded to two
decimals; no key points, or an empty answer, give 0. ``needs_review`` is set (the grader abstains and the
learner grades) when counting the uncertain points the other way would move the rating between Good-or-better
and Hard-or-worse; a keyword list never abstains. The FSRS rating is
Again below 0.4, Hard below 0.6, Good below 0.85 and Easy from 0.85: an answer covering four of five points
is Good, Easy needs nearly every point, and an answer covering about half of them is Again or Hard.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import snowballstemmer
from rapidfuzz import fuzz

from prepdeck.catalog.matching import normalize_text

COVERED_THRESHOLD = 0.4
UNCOVERED_CREDIT = 0.5  # share of its similarity an uncovered point still earns
CONTRADICTED_PENALTY = 0.5  # a contradicted point takes this much off, where a covered one adds 1
JUDGED_UNITS = 6  # how many of the best units may save a claim from a contradiction
NEGATION_SCOPE = 4
NEUTRAL_VOTE = 0.1
POLARITY_DOUBT = 0.3  # words after a negation cue that it denies (within the clause)
UNCERTAIN_MARGIN = 0.1  # a similarity this close to COVERED_THRESHOLD is weak evidence either way
REVIEW_LOW_RATING = 2  # needs review when the doubtful points could make it Hard or Again ...
REVIEW_HIGH_RATING = 3  # ... or Good
STUFFING_MIN_WORDS = 8
STUFFING_PROSE_SHARE = 0.5
STUFFING_FACTOR = 0.1
PROSE_GRAMMAR_DENSITY = 1 / 6  # share of grammar words a sentence needs to read as prose
SHORT_FRAGMENT_WORDS = 6  # ... a sentence this short without a verb needs PROSE_GRAMMAR_DENSITY_WITHOUT_VERB
PROSE_GRAMMAR_DENSITY_WITHOUT_VERB = 1 / 3
MAX_ANSWER_CHARS = 20_000  # longer input is graded on its beginning
FUZZY_MIN_LENGTH = 6
FUZZY_MIN_RATIO = 85.0
UNIT_MAX_CLAUSES = 3
UNIT_MAX_WORDS = 40
WINDOW_WORDS = 30  # a single clause longer than UNIT_MAX_WORDS is read in overlapping windows of this size
RATING_THRESHOLDS = ((0.4, 1), (0.6, 2), (0.85, 3))  # score below the bound -> rating; from 0.85: 4 (Easy)

_IDENTIFIER_WEIGHT = 2.0
_WORD_WEIGHT = 1.0
_NUMBER_WEIGHT = 0.5
_ECHO_FACTOR = 0.5  # for terms of the prompt or of at least half of the key points
_SLOT_FACTOR = 1.5
_SLOT_CAP = 3.0


VERDICTS = ("covered", "missing", "contradicted")


@dataclass(frozen=True)
class PointResult:
    """How one key point fared.

    ``verdict`` is "covered", "missing" or "contradicted" (the answer states the opposite: ``reason`` says
    how: "negation", "antonym", "number" or "swapped roles"). ``evidence`` is the phrase of the answer that
    decided it and ``spans`` its (start, end) character offsets in the answer as written, for highlighting.
    ``matched`` is the evidence of a covered point only (kept for clients that read it as "what covered
    it"). ``uncertain`` says the evidence was weak either way (a near-miss, or a disagreement in polarity
    next to "only" / "unless"...).
    """

    key_point: str
    covered: bool
    matched: str
    similarity: float
    verdict: str = "missing"
    evidence: str = ""
    spans: tuple[tuple[int, int], ...] = ()
    reason: str = ""
    uncertain: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "key_point": self.key_point,
            "covered": self.covered,
            "matched": self.matched,
            "similarity": self.similarity,
            "verdict": self.verdict,
            "evidence": self.evidence,
            "spans": [list(span) for span in self.spans],
            "reason": self.reason,
            "uncertain": self.uncertain,
        }


@dataclass(frozen=True)
class Grade:
    """The grade of one answer: score in [0, 1], per-point results, stuffing flag and FSRS rating (1-4).

    ``needs_review`` is set when the evidence is too weak to tell a pass from a fail: the learner should
    grade the answer themselves, and ``rating`` is only a suggestion.
    """

    score: float
    points: tuple[PointResult, ...]
    stuffing: bool
    rating: int
    needs_review: bool = False

    @property
    def contradicted_count(self) -> int:
        return sum(1 for point in self.points if point.verdict == "contradicted")

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "score": self.score,
            "rating": self.rating,
            "stuffing": self.stuffing,
            "needs_review": self.needs_review,
            "points": [point.as_dict() for point in self.points],
        }


def rating_for_score(score: float) -> int:
    """The FSRS rating a score maps to: 1 Again, 2 Hard, 3 Good, 4 Easy."""
    for bound, rating in RATING_THRESHOLDS:
        if score < bound:
            return rating
    return 4


# --------------------------------------------------------------------------------------------- vocabulary


def _with_plain_apostrophes(words: Iterable[str]) -> frozenset[str]:
    words = list(words)
    return frozenset(words) | frozenset(word.replace("'", "") for word in words)


# Words that make a sentence a sentence: their density tells prose from term lists.
GRAMMAR_WORDS = _with_plain_apostrophes(
    """
    a an the this that these those it its it's they them their there here he she we you your i me my our us
    who whom whose which what when where why how whether if then else than so because since as while whereas
    although though unless until but and or nor
    of in on at to for from by with without into onto about over under through between within after before
    during against among upon across behind instead
    is are was were be been being am do does did doing done has have had having can could should would will
    shall may might must get gets got getting make makes made let lets
    don't doesn't isn't aren't can't won't wasn't didn't shouldn't cannot
    use uses used using run runs ran running return returns returned give gives gave go goes went come comes
    need needs needed mean means meant work works want wants take takes call calls called keep keeps put puts
    say says see sees know knows try tries happen happens
    """.split()
)

# Verbs and auxiliaries that mark a clause: a fragment with one of them reads as a sentence at a lower
# density of grammar words.
VERB_WORDS = _with_plain_apostrophes(
    """
    is are was were be been being am do does did has have had can could should would will shall may might
    must get gets got make makes made let lets don't doesn't isn't aren't can't won't wasn't didn't
    shouldn't cannot use uses used run runs ran return returns returned give gives gave go goes went come
    comes need needs needed mean means meant work works want wants take takes call calls called keep keeps
    put puts say says see sees know knows try tries happen happens
    """.split()
)

# Not grammar, not content either: never terms.
_QUANTIFIERS_AND_FILLER = frozenset(
    """
    not no never per via just also only even still already very really too quite more most less least much
    many some any all each every both either neither other another such same own one
    django e.g eg i.e ie etc like basically actually thing things way ways stuff lot lots yes ok okay
    true false none well usually generally typically often always sometimes maybe probably simply usable
    useful possible able
    """.split()
)
STOPWORDS = GRAMMAR_WORDS | _QUANTIFIERS_AND_FILLER

# Each group is one concept; the first word is the canonical form. Lookups use the stem of a word.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("query", "sql", "queries", "statement"),
    ("database", "db", "databases"),
    ("performance", "perf"),
    ("foreignkey", "fk", "fks"),
    ("manytomany", "m2m", "manytomanyfield"),
    ("onetoone", "o2o", "onetoonefield"),
    ("nplusone", "n+1", "n+1s"),
    ("pk", "pks"),
    ("queryset", "qs", "querysets"),
    ("postgresql", "postgres", "pg", "psql"),
    ("transaction", "tx", "txn"),
    ("index", "indices", "idx"),
    ("authentication", "auth", "authn", "authenticate"),
    ("permission", "perm", "perms"),
    ("request", "req"),
    ("response", "resp"),
    ("configure", "config"),
    ("parameter", "param", "params"),
    ("argument", "arg", "args"),
    ("row", "record"),
    ("field", "column", "col", "cols"),
    ("relation", "relationship"),
    ("dict", "dictionary"),
    ("return", "yield"),
    ("execute", "run", "fire", "trigger", "issue"),
    ("extra", "separate", "additional", "second", "another"),
    ("load", "fetch", "retrieve"),
    ("many", "multiple", "several"),
    ("one", "single"),
    ("raise", "throw", "fail"),
    ("error", "exception"),
    ("large", "big", "huge"),
    ("small", "tiny"),
    ("prevent", "avoid"),
    ("check", "verify"),
    ("store", "hold", "persist", "keep", "kept"),
    ("raw", "plain", "plaintext", "cleartext"),
    ("change", "modify", "modification"),
    ("stale", "outdated"),
    ("immediately", "instantly"),
    ("lazy", "lazily"),
    ("iterate", "loop", "iteration"),
    ("expire", "expiry", "ttl"),
    ("revoke", "revocation", "revocable"),
    ("receiver", "handler", "listener"),
    ("duplicate", "dupe", "dupes"),
    ("concurrent", "concurrency", "concurrently", "parallel", "simultaneous", "simultaneously"),
    ("slow", "slower", "slowly"),
    ("fast", "faster", "quick", "quicker"),
    ("queue", "queued"),
    ("url", "uri", "urls"),
    ("object", "obj", "objs"),
    ("cost", "price", "expensive"),
    ("compare", "comparison"),
    ("actual", "real"),
    ("estimate", "estimated", "expected"),
    ("wait", "block"),
    ("declare", "define", "write"),
    ("require", "need", "must", "mandatory"),
    ("detect", "notice", "spot"),
    ("synchronous", "sync", "synchronously"),
    ("asynchronous", "async", "asynchronously"),
    ("forbid", "forbidden"),
    ("disallow", "disallowed"),
)

# Multi-word spellings of one term, matched on stems before the synonym table.
PHRASES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("foreign", "key"), "foreignkey"),
    (("many", "to", "many"), "manytomany"),
    (("one", "to", "one"), "onetoone"),
    (("one", "to", "many"), "onetomany"),
    (("n", "plus", "one"), "nplusone"),
    (("n", "plus", "1"), "nplusone"),
    (("n", "1"), "nplusone"),
    (("primary", "key"), "pk"),
    (("roll", "back"), "rollback"),
    (("save", "point"), "savepoint"),
    (("sub", "query"), "subquery"),
    (("look", "up"), "lookup"),
    (("back", "end"), "backend"),
    (("full", "text"), "fulltext"),
    (("i", "o"), "io"),
    (("context", "manager"), "contextmanager"),
    (("with", "block"), "contextmanager"),
    (("with", "statement"), "contextmanager"),
    (("read", "modify", "write"), "readmodifywrite"),
    (("read", "change", "write"), "readmodifywrite"),
    (("non", "blocking"), "nonblocking"),
    (("non", "idempotent"), "nonidempotent"),
)

# Product names written in mixed case that are not code identifiers to split.
_NAMES = frozenset(
    "postgresql postgres mysql sqlite javascript typescript github gitlab pgbouncer graphql openapi "
    "mariadb mongodb redis memcached youtube iphone ios macos".split()
)

_STEMMER = snowballstemmer.stemmer("english")  # the stemmer prepdeck.catalog.matching uses
_BRITISH_ISE = re.compile(r"(?<=[a-z]{3})is(e|es|ed|ing|ation|ations|er|ers)$")
_BRITISH_YSE = re.compile(r"ys(e|es|ed|ing|er|ers)$")
_BRITISH_OUR = re.compile(r"(?<=[a-z]{3})our$")


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    """The Snowball stem of a plain word, with British spellings folded into American ones first."""
    if not word.isalpha():
        return word
    word = _BRITISH_ISE.sub(r"iz\1", word)
    word = _BRITISH_YSE.sub(r"yz\1", word)
    word = _BRITISH_OUR.sub("or", word)
    return str(_STEMMER.stemWord(word))


def _build_synonyms() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in SYNONYM_GROUPS:
        target = _stem(group[0])
        for word in group:
            table[_stem(word)] = target
            table[word] = target
    return table


SYNONYMS = _build_synonyms()


def canonical(word: str) -> str:
    """The form a plain word is compared by: its stem, mapped through the synonym table."""
    if word in SYNONYMS:
        return SYNONYMS[word]
    stem = _stem(word)
    return SYNONYMS.get(stem, stem)


_PHRASE_TABLE: dict[tuple[str, ...], str] = {
    tuple(_stem(word) for word in words): canonical(target) for words, target in PHRASES
}
_PHRASE_LENGTHS = sorted({len(words) for words in _PHRASE_TABLE}, reverse=True)

# ------------------------------------------------------------------------------------------- tokenising

_RAW_WORD = re.compile(r"[A-Za-z0-9_@][A-Za-z0-9_@.+'\-]*")
_CAMEL = re.compile(r"[a-z][A-Z]|^[A-Z]{2,}[a-z]|^[A-Z][a-z]+[A-Z]")
_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}s")
_CAMEL_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_NUMBER = re.compile(r"\d+(?:\.\d+)*\+?")
_BACKTICK = re.compile(r"`[^`\n]+`")
_IO = re.compile(r"\bI/O\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"(?<=\w_)<(\w+)>")
_CODE_FENCE = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_CODE_LINE = re.compile(r"^(?: {4,}|\t|>>> |\|).*$", re.MULTILINE)
_SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$)|\n+|:\s")
_CLAUSE_SPLIT = re.compile(
    r",?\s+(?=(?:whereas|while|but|however|unlike|in contrast|on the other hand|versus|vs\.?)\b)",
    re.IGNORECASE,
)
_FRAGMENT_END = re.compile(r"[;!?\n•]|\.(?=\s|$)|\s[-–—*]\s|\s->\s")
_PART_CONNECTIVES = frozenset(
    {"or", "and", "of", "to", "the", "a", "on", "in", "by", "for", "is", "as", "at"}
)


@dataclass(slots=True, eq=False)
class _Token:
    """One word of a text. Mutable only while the text is being read: polarity and clause are set in place
    (copying every token of a long answer cost more than the rest of the grading)."""

    start: int
    end: int
    text: str  # lower-case word as written (identifiers whole)
    forms: frozenset[str]  # what this token offers a unit: canonical form, identifier whole and parts
    kind: str  # "word", "identifier" or "number"
    parts: tuple[str, ...] = ()  # canonical parts of an identifier
    negated: bool = False  # said in a clause with a negation ("not", "never", "no", "doesn't", "without"...)
    clause: int = 0  # index of the answer's clause (sentence, or part of one) it belongs to
    negation_head: bool = False  # the word a negation denies first ("stored" in "is never stored")


def _identifier_parts(text: str, raw: str) -> tuple[str, ...]:
    if "_" in text:
        pieces = [piece for piece in text.split("_") if piece]
    elif _CAMEL.search(raw):
        pieces = [piece.lower() for piece in _CAMEL_PARTS.findall(raw)]
    else:
        return ()
    return tuple(canonical(piece) for piece in pieces if len(piece) > 1 and piece not in _PART_CONNECTIVES)


_HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# Prefix of the plain-stem form every word carries besides its canonical (synonym-mapped) form. A key
# point's identifier matches its own inflections through it ("aggregate()" and "aggregates") but never a
# synonym of its stem ("iterator()" and "loop").
_MORPHOLOGY = "~"


@lru_cache(maxsize=100_000)
def _analyse_word(
    raw: str, *, code: bool, keyword_argument: bool
) -> tuple[str, frozenset[str], str, tuple[str, ...]] | None:
    """(text, forms, kind, parts) of one word piece as written; cached, answers repeat their words."""
    text = normalize_text(raw).replace("'", "")
    if not text:
        return None
    if raw.endswith("'s") and text.endswith("s") and len(text) > 1:
        text = text[:-1]
    if _NUMBER.fullmatch(text):
        number = text.rstrip("+")
        return number, frozenset({number}), "number", ()
    if raw in _HTTP_METHODS:  # "PUT" is a method, "put" a verb
        return text, frozenset({text, _MORPHOLOGY + text}), "identifier", ()
    camel = bool(_CAMEL.search(raw)) and not _ACRONYM_PLURAL.fullmatch(raw) and text not in _NAMES
    # A keyword argument is code when it could not be a plain word ("using=", "skip_locked="); a
    # placeholder such as "update(field=...)" is better read as the word.
    keyword_code = keyword_argument and (text in STOPWORDS or "_" in text)
    if code or keyword_code or "_" in text or camel:
        whole = SYNONYMS.get(text, text)
        parts = _identifier_parts(text, raw)
        forms = {whole} if "_" in text else {whole, canonical(text), _MORPHOLOGY + _stem(text)}
        return whole, frozenset(forms | set(parts)), "identifier", parts
    if _ACRONYM_PLURAL.fullmatch(raw):
        text = text[:-1]
    return text, frozenset({canonical(text), _MORPHOLOGY + _stem(text)}), "word", ()


def _split_raw_word(word: str) -> Iterable[tuple[int, str, bool]]:
    """Pieces of one raw word: dotted names and hyphenated words split, numbers and n+1 stay whole.

    Yields (offset in the word, piece, dotted).
    """
    if _NUMBER.fullmatch(word) or word.lower().startswith("n+1"):
        yield 0, word, False
        return
    dotted = "." in word
    offset = 0
    for component in word.split("."):
        piece_offset = offset
        pieces = [component] if "_" in component else component.split("-")
        for piece in pieces:
            if piece.strip("+'"):
                yield piece_offset, piece.strip("+"), dotted
            piece_offset += len(piece) + 1
        offset += len(component) + 1


_WordPiece = tuple[int, int, str, frozenset[str], str, tuple[str, ...]]  # offset, length, text, forms...


@lru_cache(maxsize=100_000)
def _analyse_raw_word(word: str, *, code: bool, keyword_argument: bool) -> tuple[_WordPiece, ...]:
    """The token pieces of one raw word, relative to its start; cached, since answers repeat words."""
    pieces: list[_WordPiece] = []
    for offset, piece, dotted in _split_raw_word(word):
        analysis = _analyse_word(piece, code=code or dotted, keyword_argument=keyword_argument)
        if analysis is not None:
            text, forms, kind, parts = analysis
            pieces.append((offset, len(piece), text, forms, kind, parts))
    return tuple(pieces)


def _tokenize(text: str) -> list[_Token]:
    """Tokens of a text (already through :func:`_normalise_input`), offsets into it, phrases merged."""
    code_spans = [(match.start(), match.end()) for match in _BACKTICK.finditer(text)]
    code_starts = [span_start for span_start, _span_end in code_spans]
    tokens: list[_Token] = []
    for match in _RAW_WORD.finditer(text):
        start, end = match.start(), match.end()
        while end > start and text[end - 1] in ".-'+" and not text[start:end].lower().startswith("n+1"):
            end -= 1
        following = text[end : end + 1]
        span_index = bisect_right(code_starts, start) - 1
        in_code = span_index >= 0 and start < code_spans[span_index][1]
        pieces = _analyse_raw_word(
            text[start:end],
            code=in_code or following == "(",
            keyword_argument=following == "=" or text[end : end + 2] == " =",
        )
        for offset, length, piece_text, forms, kind, parts in pieces:
            tokens.append(_Token(start + offset, start + offset + length, piece_text, forms, kind, parts))
    return _merge_phrases(tokens)


def _merge_phrases(tokens: list[_Token]) -> list[_Token]:
    if len(tokens) < 2:
        return tokens
    stems = [_stem(token.text) for token in tokens]
    merged: list[_Token] = []
    index = 0
    while index < len(tokens):
        for length in _PHRASE_LENGTHS:
            key = tuple(stems[index : index + length])
            if len(key) == length and key in _PHRASE_TABLE:
                target = _PHRASE_TABLE[key]
                first, last = tokens[index], tokens[index + length - 1]
                merged.append(_Token(first.start, last.end, target, frozenset({target}), "word"))
                index += length
                break
        else:
            merged.append(tokens[index])
            index += 1
    return merged


def _normalise_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """The text the grader reads, and where each of its characters came from in ``text``.

    The offsets are ``None`` when every character stayed in place (plain text, the usual case); otherwise
    ``offsets[i]`` is the index in ``text`` of the character that gave character ``i``, so that a span the
    grader found can be highlighted in the answer exactly as the candidate wrote it.
    """
    text = text[:MAX_ANSWER_CHARS]
    offsets: list[int] | None = None
    if not unicodedata.is_normalized("NFKC", text):
        pieces: list[str] = []
        offsets = []
        for index, character in enumerate(text):
            normalised = unicodedata.normalize("NFKC", character)
            pieces.append(normalised)
            offsets.extend([index] * len(normalised))
        text = "".join(pieces)
    text = text.replace("’", "'").replace("‘", "'")
    text = _PLACEHOLDER.sub(r"_\1_", text)  # validate_<field> -> validate__field_, one identifier
    return _IO.sub("io ", text), offsets  # "io " keeps the length of "I/O"


def _normalise_input(text: str) -> str:
    return _normalise_with_offsets(text)[0]


# ------------------------------------------------------------------------------------------- polarity

# Words that deny what their clause says. Apostrophes are gone by the time words are compared.
NEGATION_CUES = frozenset(
    """
    not no never none nothing nobody nowhere neither nor without cannot cant dont doesnt isnt arent wont
    wasnt werent didnt shouldnt mustnt hasnt havent hadnt couldnt wouldnt neednt non
    """.split()
)
# "not only X but Y", "no matter", "not just" do not deny anything.
_NOT_NEGATING_NEXT = frozenset({"only", "just", "matter", "merely", "simply", "necessarily"})
# Words that make a denial conditional: "validate_<field> only runs for sent fields" says what "does not
# run for fields that were not sent" says, without a "not". Disagreement in polarity next to one of these is
# weak evidence: the point needs review rather than counting as contradicted.
HEDGE_WORDS = frozenset(
    """
    only except unless solely exclusively excluding instead rather avoid avoids prevent prevents skip skips
    skipped refuse refuses refused block blocks blocked forbid forbids stop stops lack lacks bypass bypasses
    ignore ignores ignored absent disable disables reject rejects deny denies
    """.split()
)
# An answer describing what could go wrong ("the task might run before the commit") is not asserting it.
MODAL_WORDS = frozenset({"might", "could", "would", "if", "when"})
# In a key point, these also say "not" without a negation cue ("flags missing HSTS", "None without
# versioning", "raises an error otherwise"): a polarity disagreement with such a claim is weak evidence.
CLAIM_HEDGE_WORDS = HEDGE_WORDS | frozenset(
    {"missing", "otherwise", "without", "lack", "lacks", "absent", "fail", "fails", "unless", "non"}
)
# Where a negation stops: the clause it belongs to.
_POLARITY_BREAK = re.compile(
    r"[.!?;:,()\n]|\s[-–—]\s|\b(?:but|whereas|while|whilst|however|although|though|because|since|so|which|"
    r"unlike|instead|then|yet|otherwise)\b",
    re.IGNORECASE,
)

# Pairs of opposites of this domain, by canonical form (see :func:`canonical`). A key point saying one and
# an answer saying the other (not negated) contradict each other: "signals run synchronously" against
# "signals run asynchronously", "before the transaction commits" against "after the commit".
ANTONYM_PAIRS: tuple[tuple[str, str], ...] = (
    ("before", "after"),
    ("synchronous", "asynchronous"),
    ("allow", "forbid"),
    ("allow", "deny"),
    ("allow", "disallow"),
    ("allow", "prohibit"),
    ("allow", "reject"),
    ("enable", "disable"),
    ("mutable", "immutable"),
    ("inside", "outside"),
    ("inner", "outer"),
    ("first", "last"),
    ("increase", "decrease"),
    ("fast", "slow"),
    ("lazy", "eager"),
    ("client", "server"),
    ("public", "private"),
    ("include", "exclude"),
    ("above", "below"),
    ("higher", "lower"),
    ("upper", "lower"),
    ("ascending", "descending"),
    ("min", "max"),
    ("minimum", "maximum"),
    ("valid", "invalid"),
    ("safe", "unsafe"),
    ("safe", "risk"),
    ("secure", "insecure"),
    ("true", "false"),
    ("blocking", "nonblocking"),
    ("explicit", "implicit"),
    ("encrypt", "decrypt"),
    ("serialize", "deserialize"),
    ("shared", "exclusive"),
    ("stateless", "stateful"),
    ("idempotent", "nonidempotent"),
    ("success", "failure"),
    ("open", "close"),
    ("add", "remove"),
    ("sequential", "concurrent"),
    ("automatic", "manual"),
    ("persistent", "temporary"),
    ("strong", "weak"),
    ("global", "local"),
    ("static", "dynamic"),
    ("forward", "reverse"),
    ("outermost", "innermost"),
    ("ignore", "honor"),
)


def _build_antonyms() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for first, second in ANTONYM_PAIRS:
        one, other = canonical(first), canonical(second)
        table.setdefault(one, set()).add(other)
        table.setdefault(other, set()).add(one)
    return {key: frozenset(values) for key, values in table.items()}


ANTONYMS = _build_antonyms()


_MAIN_VERBS = frozenset(
    """
    use uses used using run runs ran running return returns returned give gives gave go goes went come comes
    need needs needed mean means meant work works want wants take takes call calls called keep keeps put
    puts say says see sees know knows try tries happen happens make makes made get gets got
    """.split()
)


def _with_polarity(text: str, tokens: list[_Token]) -> list[_Token]:
    """Mark the tokens a negation denies: the cue and the few words after it, within its clause.

    A negation denies the phrase right after it ("has no built-in endpoint", "is never stored", "does not
    run for fields"), not the subject before it, nor a verb further on ("a field you didn't load triggers
    another query" does not deny the query).
    """
    if not tokens:
        return tokens
    breaks = [match.start() for match in _POLARITY_BREAK.finditer(text)]
    clause_of = [bisect_right(breaks, token.start) for token in tokens]
    negated: set[int] = set()
    heads: set[int] = set()
    for index, token in enumerate(tokens):
        if token.text not in NEGATION_CUES or text[token.start : token.end] == "None":
            continue  # Python's None is a value, not a denial
        following = tokens[index + 1].text if index + 1 < len(tokens) else ""
        if following in _NOT_NEGATING_NEXT:
            continue
        head_found = False
        for position in range(index, min(len(tokens), index + NEGATION_SCOPE + 1)):
            if clause_of[position] != clause_of[index]:
                break
            negated.add(position)
            word = tokens[position].text
            if position > index and not head_found and (word not in STOPWORDS or word in _MAIN_VERBS):
                heads.add(position)
                head_found = True
    for index in negated:
        tokens[index].negated = True
        tokens[index].negation_head = index in heads
    return tokens


# ------------------------------------------------------------------------------------- key point terms


@dataclass(frozen=True, slots=True)
class _Term:
    key: str  # canonical form
    alternatives: frozenset[str]  # any of these in a unit matches
    parts: tuple[str, ...]  # for identifiers: all of these in a unit match as well
    weight: float
    identifier: bool
    surface: str  # the word as written, for fuzzy matching of typos

    def matches(self, bag: frozenset[str]) -> bool:
        if not self.alternatives.isdisjoint(bag):
            return True
        return len(self.parts) >= 2 and all(part in bag for part in self.parts)

    def scaled(self, factor: float) -> _Term:
        return _Term(
            self.key, self.alternatives, self.parts, self.weight * factor, self.identifier, self.surface
        )


@dataclass(frozen=True, slots=True)
class _Slot:
    """An enumeration in a key point: full once two of its items are named."""

    items: tuple[tuple[_Term, ...], ...]
    weight: float


@dataclass(frozen=True, slots=True)
class _Claim:
    """One statement of a key point (key points are split at ';')."""

    terms: tuple[_Term, ...]
    slots: tuple[_Slot, ...]
    anchors: frozenset[str]
    total_weight: float
    forms: frozenset[str]  # every form any of its terms matches: a unit without one scores 0
    negated_keys: frozenset[str] = frozenset()  # terms said under a negation ("is never stored")
    order: tuple[str, ...] = ()  # term keys in the order the claim names them (for swapped roles)
    identifiers: tuple[str, ...] = ()  # identifier term keys in order
    polar_words: tuple[tuple[str, bool], ...] = ()  # (canonical word with antonyms, said negated)
    numbers: frozenset[str] = frozenset()
    hedged: bool = (
        False  # says "not" with other words ("instead of overwriting", "avoids", "missing", "only")
    )
    negated_verbs: frozenset[str] = frozenset()  # common verbs (not terms) a negation denies: "does not run"
    negation_heads: frozenset[str] = frozenset()  # the words its negations deny first


@dataclass(frozen=True, slots=True)
class _PreparedPoint:
    text: str
    claims: tuple[_Claim, ...]


@dataclass(frozen=True, slots=True)
class PreparedKeyPoints:
    """A question's key points turned into weighted terms once, reused for every answer to it."""

    points: tuple[_PreparedPoint, ...]
    prompt_identifiers: frozenset[str]
    fuzzy_vocabulary: dict[str, tuple[tuple[str, frozenset[str]], ...]]  # first two letters -> (word, forms)
    known_forms: frozenset[str]  # answer words with one of these forms need no fuzzy matching


def _term_from_token(token: _Token) -> _Term | None:
    if token.kind == "word" and (token.text in STOPWORDS or len(token.text) < 2):
        return None
    weight = {"identifier": _IDENTIFIER_WEIGHT, "number": _NUMBER_WEIGHT}.get(token.kind, _WORD_WEIGHT)
    if token.kind == "identifier":
        key = token.text
        alternatives = {form for form in token.forms if form == key or form.startswith(_MORPHOLOGY)}
    else:
        key = next(form for form in token.forms if not form.startswith(_MORPHOLOGY))
        alternatives = {key}
    return _Term(key, frozenset(alternatives), token.parts, weight, token.kind == "identifier", token.text)


_SEGMENT_BREAK = re.compile(r"[:()]")
_ITEM_BREAK = re.compile(r"[,/]")
_ITEM_WORDS = frozenset({"and", "or", "vs", "versus"})


def _claim_structure(text: str) -> list[list[list[_Term]]]:
    """Terms of one claim grouped by segment (split at ``:()``) and item (split at ``, / and or``)."""
    tokens = _tokenize(text)
    segments: list[list[list[_Term]]] = [[[]]]
    position = 0
    for token in tokens:
        between = text[position : token.start]
        position = token.end
        if _SEGMENT_BREAK.search(between):
            segments.append([[]])
        elif _ITEM_BREAK.search(between):
            segments[-1].append([])
        if token.kind == "word" and token.text in _ITEM_WORDS:
            segments[-1].append([])
            continue
        term = _term_from_token(token)
        if term is not None:
            segments[-1][-1].append(term)
    return [[item for item in segment if item] for segment in segments]


def _split_claims(text: str) -> list[str]:
    claims: list[str] = []
    depth, start = 0, 0
    for index, character in enumerate(text):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if character == ";" and depth <= 0:
            claims.append(text[start:index])
            start = index + 1
    claims.append(text[start:])
    return [claim for claim in claims if claim.strip()]


def _prepare_claim(
    structure: list[list[list[_Term]]],
    echo_keys: frozenset[str],
    prompt_identifiers: frozenset[str],
    text: str = "",
) -> _Claim:
    plain: list[_Term] = []
    slots: list[_Slot] = []
    for items in structure:
        middle = items[1:-1]
        if len(items) >= 3 and all(len(item) <= 3 for item in middle):
            # "Iteration, list(), len() and bool() evaluate the QuerySet": the first and last items
            # run into the sentence around the list; the words beyond an item's length are plain terms.
            width = max(len(item) for item in middle)
            first, last = items[0], items[-1]
            if len(first) > width + 1:
                plain.extend(first[:-width])
                first = first[-width:]
            if len(last) > width + 1:
                plain.extend(last[width:])
                last = last[:width]
            enumerated = [first, *middle, last]
            slot_items = tuple(
                tuple(term.scaled(_ECHO_FACTOR) if term.key in echo_keys else term for term in item)
                for item in enumerated
            )
            mean_weight = sum(sum(term.weight for term in item) for item in slot_items) / len(slot_items)
            slots.append(_Slot(items=slot_items, weight=min(_SLOT_CAP, _SLOT_FACTOR * mean_weight)))
        else:
            for item in items:
                plain.extend(item)
    # A word that is only a piece of an identifier of the same claim ("skip_locked=True skips locked rows")
    # would let an answer's identifier count twice through its own pieces.
    identifier_parts = {part for term in plain if term.identifier for part in term.parts}
    seen: set[str] = set()
    terms: list[_Term] = []
    for term in plain:
        if term.key in seen or (not term.identifier and term.key in identifier_parts):
            continue
        seen.add(term.key)
        terms.append(term.scaled(_ECHO_FACTOR) if term.key in echo_keys else term)
    anchors = frozenset(term.key for term in terms if term.identifier and term.key in prompt_identifiers)
    total = sum(term.weight for term in terms) + sum(slot.weight for slot in slots)
    forms: set[str] = set()
    for term in [*terms, *(term for slot in slots for item in slot.items for term in item)]:
        forms |= term.alternatives | set(term.parts)
    tokens = _with_polarity(text, _tokenize(text))
    negated_keys: set[str] = set()
    order: list[str] = []
    polar_words: dict[str, bool] = {}
    negated_verbs: set[str] = set()
    heads: set[str] = set()
    for token in tokens:
        for form in token.forms:
            if form in ANTONYMS and token.kind == "word":
                polar_words.setdefault(form, token.negated)
        token_term = _term_from_token(token)
        if token_term is not None and token.negated:
            negated_keys.add(token_term.key)
        if token.negation_head:
            heads.add(token_term.key if token_term is not None else canonical(token.text))
        if token_term is None and token.negated and token.text in _MAIN_VERBS:
            negated_verbs.add(canonical(token.text))  # "does not run": the verb the negation denies
        if token_term is None and token.text in VERB_WORDS and token.text not in NEGATION_CUES:
            key = canonical(token.text)  # "calls" in "A calls B": kept for swapped roles
        elif token_term is None:
            continue
        else:
            key = token_term.key
        if key not in order:
            order.append(key)
    return _Claim(
        terms=tuple(terms),
        slots=tuple(slots),
        anchors=anchors,
        total_weight=total,
        forms=frozenset(forms),
        negated_keys=frozenset(negated_keys),
        order=tuple(order),
        identifiers=tuple(key for key in order if key in {term.key for term in terms if term.identifier}),
        polar_words=tuple(polar_words.items()),
        numbers=frozenset(token.text for token in tokens if token.kind == "number"),
        # an explicit "not" / "never" outweighs a "missing" elsewhere ("defaults are not applied to
        # missing fields" is a plain denial)
        hedged=any(token.text in CLAIM_HEDGE_WORDS for token in tokens)
        and not any(token.text in NEGATION_CUES - CLAIM_HEDGE_WORDS for token in tokens),
        negated_verbs=frozenset(negated_verbs),
        negation_heads=frozenset(heads),
    )


def _all_terms(structure: list[list[list[_Term]]]) -> Iterable[_Term]:
    for segment in structure:
        for item in segment:
            yield from item


@lru_cache(maxsize=2048)
def prepare_key_points(key_points: tuple[str, ...], prompt: str = "") -> PreparedKeyPoints:
    """Turn a question's key points into weighted terms. Cached per (key points, prompt)."""
    prompt_tokens = _tokenize(_normalise_input(prompt))
    prompt_keys = {form for token in prompt_tokens if token.kind != "number" for form in token.forms}
    prompt_identifiers = frozenset(token.text for token in prompt_tokens if token.kind == "identifier")
    if len(prompt_identifiers) < 2:
        prompt_identifiers = frozenset()  # nothing to confuse a subject with

    claim_texts = [_split_claims(_normalise_input(text)) for text in key_points]
    structures = [[_claim_structure(claim) for claim in claims] for claims in claim_texts]
    points_with_key: dict[str, int] = {}
    for point_structures in structures:
        keys = {term.key for structure in point_structures for term in _all_terms(structure)}
        for key in keys:
            points_with_key[key] = points_with_key.get(key, 0) + 1
    common_keys = {
        key for key, count in points_with_key.items() if len(key_points) >= 3 and count * 2 >= len(key_points)
    }
    echo_keys = frozenset(prompt_keys | common_keys)

    points: list[_PreparedPoint] = []
    for text, texts, point_structures in zip(key_points, claim_texts, structures, strict=True):
        claims = [
            _prepare_claim(structure, echo_keys, prompt_identifiers, claim_text)
            for structure, claim_text in zip(point_structures, texts, strict=True)
        ]
        claims = [claim for claim in claims if claim.total_weight > 0]
        # A claim without an identifier of its own is about the point's subject ("...; must use HTTPS").
        point_anchors = frozenset().union(*(claim.anchors for claim in claims)) if claims else frozenset()
        claims = [
            claim if claim.anchors else replace(claim, anchors=frozenset(point_anchors)) for claim in claims
        ]
        points.append(_PreparedPoint(text=text, claims=tuple(claims)))

    vocabulary: dict[str, dict[str, frozenset[str]]] = {}
    known: set[str] = set()
    for point in points:
        for claim in point.claims:
            for term in [
                *claim.terms,
                *(term for slot in claim.slots for item in slot.items for term in item),
            ]:
                known |= term.alternatives
                if len(term.surface) >= FUZZY_MIN_LENGTH:
                    vocabulary.setdefault(term.surface[:2], {})[term.surface] = term.alternatives
    return PreparedKeyPoints(
        points=tuple(points),
        prompt_identifiers=prompt_identifiers,
        fuzzy_vocabulary={prefix: tuple(words.items()) for prefix, words in vocabulary.items()},
        known_forms=frozenset(known),
    )


# ----------------------------------------------------------------------------------------------- answer


@dataclass(frozen=True, slots=True)
class _Unit:
    tokens: tuple[_Token, ...]
    bag: frozenset[str]
    named: frozenset[str]  # prompt identifiers this unit names


def _with_fuzzy_forms(tokens: list[_Token], prepared: PreparedKeyPoints) -> list[_Token]:
    """Give a misspelt word the forms of the key-point word it is a typo of."""
    cache: dict[str, frozenset[str]] = {}
    result: list[_Token] = []
    for token in tokens:
        text = token.text
        if not FUZZY_MIN_LENGTH <= len(text) <= 40 or not token.forms.isdisjoint(prepared.known_forms):
            result.append(token)
            continue
        if text not in cache:
            extra: set[str] = set()
            for word, forms in prepared.fuzzy_vocabulary.get(text[:2], ()):
                if abs(len(word) - len(text)) <= 2 and fuzz.ratio(word, text, score_cutoff=FUZZY_MIN_RATIO):
                    extra |= forms
            cache[text] = frozenset(extra)
        if cache[text]:
            token = replace(token, forms=token.forms | cache[text])
        result.append(token)
    return result


def _clause_spans(text: str) -> list[tuple[int, int]]:
    sentences: list[tuple[int, int]] = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        sentences.append((position, match.start()))
        position = match.end()
    sentences.append((position, len(text)))
    clauses: list[tuple[int, int]] = []
    for start, end in sentences:
        position = start
        for match in _CLAUSE_SPLIT.finditer(text, start, end):
            clauses.append((position, match.start()))
            position = match.end()
        clauses.append((position, end))
    return [(start, end) for start, end in clauses if end > start]


def _make_unit(tokens: Sequence[_Token], prompt_identifiers: frozenset[str]) -> _Unit:
    return _Unit(
        tokens=tuple(tokens),
        bag=frozenset(form for token in tokens for form in token.forms),
        named=frozenset(token.text for token in tokens if token.text in prompt_identifiers),
    )


def _units(text: str, tokens: list[_Token], prompt_identifiers: frozenset[str]) -> list[_Unit]:
    """Runs of one to three neighbouring clauses; long clauses are read in overlapping windows."""
    clauses: list[list[_Token]] = []
    index = 0
    for _start, end in _clause_spans(text):
        clause: list[_Token] = []
        while index < len(tokens) and tokens[index].start < end:
            tokens[index].clause = len(clauses)
            clause.append(tokens[index])
            index += 1
        if clause:
            clauses.append(clause)
    if index < len(tokens):
        for token in tokens[index:]:
            token.clause = len(clauses)
        clauses.append(tokens[index:])

    units: list[_Unit] = []
    for position, clause in enumerate(clauses):
        if len(clause) > UNIT_MAX_WORDS:
            step = WINDOW_WORDS // 2
            for window_start in range(0, len(clause) - step, step):
                units.append(
                    _make_unit(clause[window_start : window_start + WINDOW_WORDS], prompt_identifiers)
                )
            continue
        run = list(clause)
        units.append(_make_unit(run, prompt_identifiers))
        named = {token.text for token in run if token.text in prompt_identifiers}
        for following in clauses[position + 1 : position + UNIT_MAX_CLAUSES]:
            named |= {token.text for token in following if token.text in prompt_identifiers}
            if len(run) + len(following) > UNIT_MAX_WORDS or len(named) > 1:
                break
            run.extend(following)
            units.append(_make_unit(run, prompt_identifiers))
    return units


def _claim_coverage(claim: _Claim, unit: _Unit) -> tuple[float, list[_Term]]:
    found = [term for term in claim.terms if term.matches(unit.bag)]
    weight = sum(term.weight for term in found)
    for slot in claim.slots:
        coverages: list[float] = []
        for item in slot.items:
            item_weight = sum(term.weight for term in item)
            item_terms = [term for term in item if term.matches(unit.bag)]
            item_found = sum(term.weight for term in item_terms)
            if item_weight and item_found * 2 >= item_weight:
                coverages.append(item_found / item_weight)
                found.extend(item_terms)
        best_two = sorted(coverages, reverse=True)[:2]
        weight += slot.weight * min(1.0, sum(best_two) / min(2, len(slot.items)))
    return weight / claim.total_weight, found


def _token_for(
    term: _Term, unit: _Unit, clause: int, negated: bool = False, near: int | None = None
) -> _Token | None:
    """The word of the unit that matches a term, preferably in the given clause, with the given polarity
    (a word said twice, once each way, is read charitably) and nearest to offset ``near`` (so a highlight
    shows one phrase, not the span from a word's first mention to another's last)."""
    matching = [token for token in unit.tokens if not token.forms.isdisjoint(term.alternatives)]
    if not matching and term.parts:
        matching = [token for token in unit.tokens if not token.forms.isdisjoint(term.parts)]
    if not matching:
        return None
    in_clause = [token for token in matching if token.clause == clause] or matching
    candidates = [token for token in in_clause if token.negated == negated] or in_clause
    if near is None:
        return candidates[0]
    return min(candidates, key=lambda token: abs(token.start - near))


def _main_clause(found: list[_Term], unit: _Unit) -> int:
    """The clause of the unit that states most of the found terms (the one a highlight should show)."""
    weight_by_clause: dict[int, float] = {}
    for term in found:
        clauses = {
            token.clause
            for token in unit.tokens
            if not token.forms.isdisjoint(term.alternatives)
            or (term.parts and not token.forms.isdisjoint(term.parts))
        }
        for clause in clauses:
            weight_by_clause[clause] = weight_by_clause.get(clause, 0.0) + term.weight
    if not weight_by_clause:
        return unit.tokens[0].clause if unit.tokens else 0
    return max(weight_by_clause, key=lambda clause: (weight_by_clause[clause], -clause))


@dataclass(frozen=True, slots=True)
class _Judgement:
    """What one unit says about one claim: how much of it, whether the opposite, which words decided."""

    coverage: float  # share of the claim's weight the unit states
    topic: float  # share of the claim's weight the unit talks about, whichever way
    contradiction: str  # "" or how the unit contradicts the claim
    uncertain: bool
    tokens: tuple[_Token, ...]  # the words of the answer that decided


def _swapped_roles(claim: _Claim, unit: _Unit) -> list[_Token]:
    """ "A calls B" against "B calls A": the two identifiers of the claim named in the other order around
    the same word. Passive voice ("B is called by A") is not a swap."""
    if len(claim.identifiers) < 2:
        return []
    first, second = claim.identifiers[0], claim.identifiers[1]
    between = claim.order[claim.order.index(first) + 1 : claim.order.index(second)]
    middles = [key for key in between if key not in claim.identifiers]
    if not middles:
        return []

    def position(key: str) -> int:
        places = [index for index, token in enumerate(unit.tokens) if key == token.text or key in token.forms]
        return places[0] if len(places) == 1 else -1  # named twice ("F('field')" in "field=..."): unclear

    first_at, second_at = position(first), position(second)
    if first_at < 0 or second_at < 0 or second_at > first_at:
        return []
    for middle in middles:
        middle_at = position(middle)
        if second_at < middle_at < first_at:
            if any(token.text == "by" for token in unit.tokens[second_at:first_at]):
                return []
            return [unit.tokens[second_at], unit.tokens[middle_at], unit.tokens[first_at]]
    return []


def _judge(claim: _Claim, unit: _Unit, found: list[_Term], coverage: float) -> _Judgement:
    """Whether the unit states the claim, or its opposite (negation, antonym, number, swapped roles)."""
    agree = disagree = 0.0
    head_disagrees = False  # a negation's own word is said the other way: the denial is about this claim
    tokens: list[_Token] = []
    main = _main_clause(found, unit)
    anchor_term = max(found, key=lambda term: term.weight, default=None)
    anchor = (
        _token_for(anchor_term, unit, main, anchor_term.key in claim.negated_keys) if anchor_term else None
    )
    for term in found:
        token = _token_for(
            term, unit, main, term.key in claim.negated_keys, anchor.start if anchor is not None else None
        )
        if token is None:
            continue
        tokens.append(token)
        if token.forms.isdisjoint(term.alternatives):
            continue  # matched through an identifier's pieces (set_password in SetPasswordForm): no vote
        vote = min(term.weight, 1.0)
        said_negated = term.key in claim.negated_keys
        if not said_negated and not token.negated:
            agree += NEUTRAL_VOTE * vote  # the subject, said plainly on both sides
        elif token.negated == said_negated:
            agree += vote
        else:
            disagree += vote
            head_disagrees = head_disagrees or token.negation_head or term.key in claim.negation_heads

    # The answer denies a word the claim asserts ("it never runs twice" for "they may run twice").
    claim_words_and_verbs = frozenset(form for term in claim.terms for form in term.alternatives) | frozenset(
        claim.order
    )
    for token in unit.tokens:
        if (
            token.negation_head
            and token.clause == main
            and not token.forms.isdisjoint(claim_words_and_verbs)
            and token.forms.isdisjoint(claim.negated_keys | claim.negated_verbs)
        ):
            head_disagrees = True
            if not any(token is found_token for found_token in tokens):
                disagree += 1.0
                tokens.append(token)

    verbs_said = 0
    for verb in claim.negated_verbs:
        said = [token for token in unit.tokens if verb in token.forms]
        token = next((token for token in said if token.clause == main), said[0] if said else None)
        if token is not None:
            tokens.append(token)
            verbs_said += 1
            if token.negated:
                agree += 1.0
            else:
                disagree += 1.0
                head_disagrees = head_disagrees or verb in claim.negation_heads

    reason = ""
    deciding: list[_Token] = []
    extra = restated = 0.0
    weights = {term.key: term.weight for term in claim.terms}
    claim_words = {word for word, _negated in claim.polar_words}
    main_bag = frozenset(form for token in unit.tokens if token.clause == main for form in token.forms)
    for word, said_negated in claim.polar_words:
        if word in main_bag or not ANTONYMS[word].isdisjoint(claim_words):
            continue  # stated as is, or the claim names both sides ("commits ... or rolls back")
        opposite = next(
            (
                token
                for token in unit.tokens
                if token.clause == main and not token.forms.isdisjoint(ANTONYMS[word])
            ),
            None,
        )
        if opposite is None:
            continue
        extra += weights.get(word, 0.0)
        if (
            opposite.negated == said_negated
        ):  # "after" where the claim says "before", or "not after" for "not before"
            reason = reason or "antonym"
            deciding.append(opposite)
        else:  # "not asynchronous" for "synchronous": the same claim
            agree += 1.0
            restated += weights.get(word, 0.0)
            tokens.append(opposite)
    if claim.numbers and not reason:
        stated = [token for token in unit.tokens if token.kind == "number"]
        if stated and not any(token.text in claim.numbers for token in stated):
            extra += sum(weights.get(number, 0.0) for number in claim.numbers)
            reason = "number"
            deciding.append(stated[0])
    if not reason:
        swapped = _swapped_roles(claim, unit)
        if swapped:
            reason = "swapped roles"
            deciding.extend(swapped)

    coverage = min(1.0, coverage + restated / claim.total_weight)
    topic = min(1.0, coverage + extra / claim.total_weight)
    tokens = [token for token in tokens if token.clause == main] or tokens  # the highlight: one clause
    uncertain = False
    if topic < COVERED_THRESHOLD:
        return _Judgement(coverage, topic, "", False, tuple(tokens))
    # A denial needs a subject too: the word it denies and at least one more word of the claim that is not
    # a mere echo of the question ("the stored one" is not about "the raw password is never stored").
    subject_words = sum(1 for term in found if term.weight >= _WORD_WEIGHT) + verbs_said
    hypothetical = any(token.text in MODAL_WORDS and token.clause == main for token in unit.tokens)
    hedged_here = any(token.text in HEDGE_WORDS and token.clause == main for token in unit.tokens)
    if reason == "antonym" and (hypothetical or hedged_here):
        reason, uncertain = "", True  # "the task might run before the commit": a problem being described
    if not reason and disagree > agree and head_disagrees and subject_words >= 2:
        if (
            claim.hedged
            or hypothetical
            or any(token.text in HEDGE_WORDS and token.clause == main for token in unit.tokens)
        ):
            uncertain = True  # "only runs for sent fields" for "does not run for fields not sent"
        else:
            reason = "negation"
            deciding.extend(
                token for token in unit.tokens if token.text in NEGATION_CUES and token.clause == main
            )
    elif not reason and disagree and disagree >= agree * POLARITY_DOUBT:
        uncertain = True  # said partly the other way: weak evidence either way
    if reason:
        return _Judgement(0.0, topic, reason, False, tuple(tokens + deciding))
    return _Judgement(coverage, topic, "", uncertain, tuple(tokens))


def _span_of(tokens: Sequence[_Token], offsets: list[int] | None) -> tuple[int, int] | None:
    if not tokens:
        return None
    start = min(token.start for token in tokens)
    end = max(token.end for token in tokens)
    if offsets is not None:
        start, end = offsets[start], offsets[end - 1] + 1
    return start, end


def _phrase(answer: str, span: tuple[int, int] | None) -> str:
    if span is None:
        return ""
    phrase = " ".join(answer[span[0] : span[1]].split())
    return phrase if len(phrase) <= 240 else phrase[:237] + "..."


def _grade_point(
    point: _PreparedPoint, units: list[_Unit], original: str, offsets: list[int] | None = None
) -> PointResult:
    coverages: list[float] = []
    judgements: list[_Judgement] = []
    for claim in point.claims:
        candidates: list[tuple[float, int, _Unit, list[_Term]]] = []
        for position, unit in enumerate(units):
            if unit.bag.isdisjoint(claim.forms):
                continue
            if claim.anchors and unit.named and unit.named.isdisjoint(claim.anchors):
                continue  # this unit is about another subject of the prompt
            coverage, found = _claim_coverage(claim, unit)
            if coverage > 0:
                candidates.append((min(coverage, 1.0), -position, unit, found))
        if not candidates:
            coverages.append(0.0)
            continue
        candidates.sort(key=lambda candidate: candidate[:2], reverse=True)
        # The best unit decides, unless it contradicts the claim and another unit states it as well: a
        # candidate who says a thing right once and clumsily once has said it.
        judgement = _judge(claim, candidates[0][2], candidates[0][3], candidates[0][0])
        if judgement.contradiction:
            for coverage, _position, unit, found in candidates[1:JUDGED_UNITS]:
                if coverage < COVERED_THRESHOLD:
                    break
                other = _judge(claim, unit, found, coverage)
                if not other.contradiction:
                    judgement = replace(other, uncertain=True)
                    break
        judgements.append(judgement)
        coverages.append(judgement.topic if judgement.contradiction else judgement.coverage)

    similarity = round(sum(coverages) / len(coverages), 2) if coverages else 0.0
    contradicted = [judgement for judgement in judgements if judgement.contradiction]
    if contradicted:
        verdict, deciding = "contradicted", contradicted
    elif similarity >= COVERED_THRESHOLD:
        verdict, deciding = "covered", [judgement for judgement in judgements if judgement.coverage > 0]
    else:
        verdict, deciding = "missing", []
    uncertain = any(judgement.uncertain for judgement in judgements) or (
        not contradicted and abs(similarity - COVERED_THRESHOLD) < UNCERTAIN_MARGIN
    )
    phrases: list[str] = []
    spans: list[tuple[int, int]] = []
    for judgement in deciding:
        span = _span_of(judgement.tokens, offsets)
        phrase = _phrase(original, span)
        if phrase and phrase not in phrases:
            phrases.append(phrase)
        if span is not None and span not in spans:
            spans.append(span)
    evidence = " … ".join(phrases)
    return PointResult(
        key_point=point.text,
        covered=verdict == "covered",
        matched=evidence if verdict == "covered" else "",
        similarity=similarity,
        verdict=verdict,
        evidence=evidence,
        spans=tuple(sorted(spans)),
        reason=contradicted[0].contradiction if contradicted else "",
        uncertain=uncertain,
    )


# ------------------------------------------------------------------------------------------------ stuffing


@dataclass(frozen=True)
class StuffingReport:
    """How much of an answer reads as prose, and whether it was judged a keyword list."""

    words: int
    prose_words: int
    stuffing: bool

    @property
    def prose_share(self) -> float:
        return self.prose_words / self.words if self.words else 1.0


def _is_prose(words: Sequence[str]) -> bool:
    """A fragment reads as a sentence: enough grammar words (a short one also needs a verb, or many)."""
    if len(words) < 2:
        return False
    density = sum(1 for word in words if word in GRAMMAR_WORDS) / len(words)
    if len(words) <= SHORT_FRAGMENT_WORDS and not any(word in VERB_WORDS for word in words):
        return density >= PROSE_GRAMMAR_DENSITY_WITHOUT_VERB
    return density >= PROSE_GRAMMAR_DENSITY


def detect_stuffing(answer: str) -> StuffingReport:
    """Whether an answer is mostly keywords without sentences (see the module docstring)."""
    text = _CODE_LINE.sub(" ", _CODE_FENCE.sub(" ", _normalise_input(answer)))
    words = prose = 0
    for fragment in _FRAGMENT_END.split(text):
        fragment_words = [word.lower().strip(".'-+") for word in _RAW_WORD.findall(fragment)]
        fragment_words = [word for word in fragment_words if word]
        if not fragment_words:
            continue
        words += len(fragment_words)
        # Grammar words spread over a comma list ("OR |, AND &, positional arguments before...") do not
        # make it a sentence: one of its comma-separated parts must read as prose on its own.
        parts = [
            [word.lower().strip(".'-+") for word in _RAW_WORD.findall(part)] for part in fragment.split(",")
        ]
        if _is_prose(fragment_words) and any(_is_prose([word for word in part if word]) for part in parts):
            prose += len(fragment_words)
    stuffing = words >= STUFFING_MIN_WORDS and prose < STUFFING_PROSE_SHARE * words
    return StuffingReport(words=words, prose_words=prose, stuffing=stuffing)


# -------------------------------------------------------------------------------------------------- grade


def _credit(point: PointResult) -> float:
    if point.verdict == "covered":
        return 1.0
    if point.verdict == "contradicted":
        return -CONTRADICTED_PENALTY
    return UNCOVERED_CREDIT * point.similarity


def grade_answer(*, answer: str, key_points: Sequence[str], prompt: str = "") -> Grade:
    """Grade a written answer against a question's key points (see the module docstring for how)."""
    prepared = prepare_key_points(tuple(key_points), prompt)
    text, offsets = _normalise_with_offsets(answer)
    tokens = _with_polarity(text, _with_fuzzy_forms(_tokenize(text), prepared))
    units = _units(text, tokens, prepared.prompt_identifiers) if tokens else []

    points = tuple(_grade_point(point, units, answer, offsets) for point in prepared.points)
    stuffing = bool(tokens) and detect_stuffing(answer).stuffing
    factor = STUFFING_FACTOR if stuffing else 1.0

    def score_of(credits: Iterable[float]) -> float:
        raw = sum(credits) / len(points) if points else 0.0
        return round(min(1.0, max(0.0, raw * factor)), 2)

    score = score_of(_credit(point) for point in points)
    # What the score would be if every doubtful point went the other way: when that changes a fail into a
    # pass (or back), the grader cannot tell, and says so.
    low = score_of(
        min(_credit(point), UNCOVERED_CREDIT * point.similarity) if point.uncertain else _credit(point)
        for point in points
    )
    high = score_of(1.0 if point.uncertain else _credit(point) for point in points)
    needs_review = (
        not stuffing
        and rating_for_score(low) <= REVIEW_LOW_RATING
        and rating_for_score(high) >= REVIEW_HIGH_RATING
    )
    return Grade(
        score=score,
        points=points,
        stuffing=stuffing,
        rating=rating_for_score(score),
        needs_review=needs_review,
    )
