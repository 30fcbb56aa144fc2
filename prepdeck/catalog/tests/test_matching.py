"""Prompt normalisation and duplicate grouping (pure)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prepdeck.catalog import matching


def test_rewordings_share_a_core() -> None:
    assert matching.prompt_core("What are Django signals?") == matching.prompt_core(
        "What are signals in Django?"
    )
    assert matching.prompt_core("Explain Django's architecture.") == matching.prompt_core(
        "Explain Django Architecture?"
    )
    assert matching.prompt_core("select_related vs prefetch_related") == (
        "prefetch_related",
        "select_related",
    )


def test_different_concepts_do_not_match_even_when_the_wording_is_close() -> None:
    orm = matching.prompt_core("What is Django ORM?")
    forms = matching.prompt_core("What is Django Forms?")

    assert orm == ("orm",)
    assert not matching.is_near_duplicate(orm, forms)


def test_groups_exact_and_near_duplicates_keeping_the_first_occurrence() -> None:
    prompts = [
        "What are Django signals?",
        "What is Django ORM?",
        "What are signals in Django?",
        "What are Django signals?",
    ]
    answers = ["a", "b", "c", "a"]

    groups = matching.group_duplicates(prompts, answers)

    assert groups.exact == [[0, 3]]
    assert groups.near == [[0, 2]]


def test_an_empty_core_never_matches() -> None:
    groups = matching.group_duplicates(["What is it?", "How does it work?"], ["x", "y"])

    assert groups.near == []


@given(st.lists(st.text(max_size=60), max_size=30))
def test_grouping_never_fails_and_partitions_the_items(prompts: list[str]) -> None:
    groups = matching.group_duplicates(prompts, ["answer"] * len(prompts))

    members = [index for group in groups.exact for index in group]
    assert len(members) == len(set(members))
    assert all(0 <= index < len(prompts) for group in groups.near for index in group)


def test_grouping_is_not_quadratic() -> None:
    # 20,000 distinct prompts built from a small vocabulary finish in well under the time a pairwise
    # comparison would need (200 million pairs); the benchmark in bench/ measures 1k/10k/50k.
    words = [
        "cache",
        "queryset",
        "signal",
        "router",
        "serializer",
        "index",
        "vacuum",
        "token",
        "celery",
        "form",
    ]
    prompts = [
        f"How do {words[i % 10]} and {words[(i // 10) % 10]} relate in case {i}?" for i in range(20_000)
    ]

    started = time.perf_counter()
    matching.group_duplicates(prompts, ["a"] * len(prompts))

    assert time.perf_counter() - started < 20


def _common_word_prompts(count: int) -> list[str]:
    """Distinct prompts of 6 words out of 30: every word is shared by about a fifth of the prompts."""
    import random

    rng = random.Random(count)
    vocabulary = (
        "queryset index cache signal model view form field router serializer token session manager "
        "migration template middleware permission throttle pagination filter admin widget backend "
        "cursor trigger sequence schema constraint vacuum replica"
    ).split()
    prompts: set[str] = set()
    while len(prompts) < count:
        prompts.add("Why does " + " ".join(sorted(rng.sample(vocabulary, 6))) + " fail?")
    return sorted(prompts)


def test_grouping_prompts_of_common_words_compares_a_bounded_number_of_pairs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given 2,000 prompts whose rarest words are each shared by hundreds of others
    prompts = _common_word_prompts(2_000)
    comparisons = 0
    real = matching.is_near_duplicate

    def counting(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
        nonlocal comparisons
        comparisons += 1
        return real(first, second)

    monkeypatch.setattr(matching, "is_near_duplicate", counting)

    # when they are grouped
    matching.group_duplicates(prompts, ["Because."] * len(prompts))

    # then each prompt is compared with at most CANDIDATES_PER_TOKEN earlier ones per rarest token:
    # linear in the count, where comparing with every earlier prompt sharing a word is quadratic
    assert comparisons <= 2 * matching.CANDIDATES_PER_TOKEN * len(prompts)


def test_equal_cores_are_grouped_however_long_the_posting_lists() -> None:
    prompts = _common_word_prompts(600)
    reworded = "Why does " + " ".join(reversed(prompts[-1][9:-6].split())) + " fail?"

    groups = matching.group_duplicates([*prompts, reworded], ["Because."] * (len(prompts) + 1))

    assert [len(prompts) - 1, len(prompts)] in groups.near
