"""How duplicate detection scales: time to group 1k, 10k and 50k prompts (it must not be quadratic).

Run: .venv/bin/python bench/dedup_scaling.py
The prompts are generated from a vocabulary of Django terms; one in ten is a rewording of another and one
in twenty a verbatim copy, roughly the mix the seed documents show.
"""

from __future__ import annotations

import random
import time

from prepdeck.catalog.matching import group_duplicates

TERMS = (
    "queryset select_related prefetch_related signal middleware serializer viewset router cache session csrf "
    "migration manager index transaction celery beat channel consumer template form formset throttle permission "
    "paginator filter annotate aggregate subquery window jsonb vacuum partition replica pool token jwt admin "
    "fixture factory mock client storage upload static media logging setting"
).split()
TEMPLATES = (
    "What is the role of {a} when working with {b} in case {n}?",
    "How does {a} interact with {b} for scenario {n}?",
    "Explain {a} versus {b} (variant {n}).",
)
REWORD = "In Django, how do {b} and {a} relate for scenario {n}?"


def prompts(count: int, seed: int = 7) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts: list[str] = []
    for number in range(count):
        a, b = rng.sample(TERMS, 2)
        roll = rng.random()
        if texts and roll < 0.05:
            texts.append(rng.choice(texts))
        elif roll < 0.15:
            texts.append(REWORD.format(a=a, b=b, n=number))
        else:
            texts.append(rng.choice(TEMPLATES).format(a=a, b=b, n=number))
    return texts, [f"answer {index % 997}" for index in range(count)]


def main() -> None:
    print(f"{'prompts':>8} {'seconds':>9} {'per prompt (us)':>16} {'exact groups':>13} {'near groups':>12}")
    for count in (1_000, 10_000, 50_000):
        texts, answers = prompts(count)
        started = time.perf_counter()
        groups = group_duplicates(texts, answers)
        elapsed = time.perf_counter() - started
        print(
            f"{count:>8} {elapsed:>9.3f} {elapsed / count * 1e6:>16.1f} {len(groups.exact):>13} {len(groups.near):>12}"
        )


if __name__ == "__main__":
    main()
