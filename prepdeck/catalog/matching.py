"""Pure text matching for the question bank: normalised prompts, and grouping of exact and near duplicates.

Near-duplicate detection compares the *core* of each prompt: its content words, stemmed, without
question words and words every prompt here shares ("django", "what", "explain"). "What are Django signals?"
and "What are signals in Django?" have the same core ({signal}); "What is Django ORM?" and "What is Django
Forms?" do not ({orm} vs {form}), although plain fuzzy ratios rate them 94% alike.

Candidates are found through an inverted index on each prompt's rarest core token, so the work grows with
the number of prompts times the (small) size of a token's posting list, not with the square of the count.
Prompts with equal cores are matched through a dictionary; for the fuzzy comparison at most
``CANDIDATES_PER_TOKEN`` entries of a posting list are compared, so that prompts made only of common words
(where every posting list is long) still cost a bounded amount each: a near duplicate that differs in its
words and whose rarest words are shared by hundreds of earlier prompts may then be missed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz import fuzz

_STEMMER = snowballstemmer.stemmer("english")

# Words that say nothing about which concept a prompt asks for.
STOPWORDS = frozenset(
    """
    a an the and or of in on at to for from by with without into about as is are was were be been being do does did
    doing done can could should would will shall may might must what whats which who whom whose when where why how
    explain describe define definition mean means meaning tell give brief briefly short overview example examples
    use used using uses work works working purpose role concept concepts idea difference differences between
    vs versus compare comparison django djangos your you we i it its this that these those there their they them
    some any all each our my me us one two main key important common commonly typical typically basic basics
    advanced intermediate question answer q please also like etc handle handles handled
    """.split()
)

_WORD = re.compile(r"[a-z0-9_@.]+")
_MARKUP = re.compile(r"[`*~#>\"“”‘’]|(?<!\w)_+|_+(?!\w)")  # underscores inside identifiers stay


def normalize_text(text: str) -> str:
    """Lower-case, strip Markdown emphasis and punctuation noise, collapse whitespace."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _MARKUP.sub(" ", text.replace("’", "'"))
    text = re.sub(r"[^\w@.'+-]+", " ", text)
    return " ".join(text.split()).strip(" .:-")


@lru_cache(maxsize=65536)  # words repeat across prompts, and the pure-Python stemmer is slow
def _stem(word: str) -> str:
    # Code identifiers (select_related, get_object_or_404, @action) are kept whole.
    if "_" in word or "@" in word or any(character.isdigit() for character in word):
        return word
    return str(_STEMMER.stemWord(word))


@lru_cache(maxsize=65536)
def prompt_core(prompt: str) -> tuple[str, ...]:
    """The sorted, de-duplicated stems of the prompt's content words."""
    words = (word.strip(".") for word in _WORD.findall(normalize_text(prompt).replace("'s", "")))
    return tuple(sorted({_stem(word) for word in words if word and word not in STOPWORDS}))


def content_hash(prompt: str, answer: str) -> str:
    """Identity of an item for exact-duplicate merging: normalised prompt and answer."""
    digest = hashlib.sha256(f"{normalize_text(prompt)}\x00{normalize_text(answer)}".encode())
    return digest.hexdigest()


def is_near_duplicate(first: Sequence[str], second: Sequence[str]) -> bool:
    """Whether two prompt cores ask the same thing."""
    if not first or not second:
        return False
    if first == second:
        return True
    if min(len(first), len(second)) < 3:
        return False
    return fuzz.token_sort_ratio(" ".join(first), " ".join(second)) >= 90


# Earlier prompts compared with a prompt per posting list (its two rarest tokens' lists); see the docstring.
CANDIDATES_PER_TOKEN = 50


@dataclass(frozen=True)
class DuplicateGroups:
    """Item indices grouped by what they duplicate. Each group lists its members in input order."""

    exact: list[list[int]]
    near: list[list[int]]


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, index: int) -> int:
        while self.parent[index] != index:
            self.parent[index] = self.parent[self.parent[index]]
            index = self.parent[index]
        return index

    def union(self, first: int, second: int) -> None:
        root_first, root_second = self.find(first), self.find(second)
        if root_first != root_second:
            # The earlier item stays the representative, so merges keep the first occurrence.
            low, high = sorted((root_first, root_second))
            self.parent[high] = low


def group_duplicates(prompts: Sequence[str], answers: Sequence[str]) -> DuplicateGroups:
    """Group items that repeat verbatim (``exact``) and, among the rest, prompts that match (``near``).

    Only groups with two or more members are returned.
    """
    count = len(prompts)
    exact_sets = _UnionFind(count)
    first_by_hash: dict[str, int] = {}
    for index in range(count):
        digest = content_hash(prompts[index], answers[index])
        if digest in first_by_hash:
            exact_sets.union(first_by_hash[digest], index)
        else:
            first_by_hash[digest] = index
    representatives = sorted(first_by_hash.values())

    cores = {index: prompt_core(prompts[index]) for index in representatives}
    frequency: dict[str, int] = defaultdict(int)
    for core in cores.values():
        for token in core:
            frequency[token] += 1
    postings: dict[str, list[int]] = defaultdict(list)
    for index in representatives:
        core = cores[index]
        if core:
            rarest = min(core, key=lambda token: (frequency[token], token))
            postings[rarest].append(index)

    near_sets = _UnionFind(count)
    first_with_core: dict[tuple[str, ...], int] = {}
    for index in representatives:
        core = cores[index]
        if not core:
            continue
        if core in first_with_core:  # equal cores: a near duplicate, found without scanning
            near_sets.union(first_with_core[core], index)
            continue
        first_with_core[core] = index
        # A near duplicate shares most tokens, so it contains one of this prompt's two rarest tokens,
        # whose posting lists are short (and are cut to the nearest CANDIDATES_PER_TOKEN earlier prompts).
        for token in sorted(core, key=lambda token: (frequency[token], token))[:2]:
            posting = postings.get(token, [])
            end = bisect_left(posting, index)
            for other in posting[max(0, end - CANDIDATES_PER_TOKEN) : end]:
                if near_sets.find(other) != near_sets.find(index) and is_near_duplicate(core, cores[other]):
                    near_sets.union(other, index)

    return DuplicateGroups(exact=_groups(exact_sets, range(count)), near=_groups(near_sets, representatives))


def _groups(sets: _UnionFind, members: Sequence[int] | range) -> list[list[int]]:
    grouped: dict[int, list[int]] = defaultdict(list)
    for index in members:
        grouped[sets.find(index)].append(index)
    return [group for _root, group in sorted(grouped.items()) if len(group) > 1]
