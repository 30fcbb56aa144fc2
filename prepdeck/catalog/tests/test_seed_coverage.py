"""Every distinct question the seed documents ask is answered by a question in the bundled bank.

How coverage was established: all five seed documents were read and every question-like item (343
occurrences: headings, numbered and bold question lines, including bundled headings that ask several
things) was grouped into 176 distinct questions, each assigned a topic. The writers of each topic mapped
every group of their topic to the bank question(s) that answer it. The maps in ``seed_coverage/`` keep
only group ids, seed ``file:line`` references and bank keys (no seed text). This test holds the maps to
the bank and to the seeds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prepdeck.catalog.bank import files

COVERAGE_DIR = Path(__file__).resolve().parent / "seed_coverage"
SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"
GROUPS = [
    group for path in sorted(COVERAGE_DIR.glob("*.json")) for group in json.loads(path.read_text())["groups"]
]
BANK_KEYS = {question["key"] for _path, question in files.iter_questions()}


def test_all_176_seed_questions_are_mapped_once() -> None:
    ids = [group["id"] for group in GROUPS]

    assert len(ids) == 176
    assert len(set(ids)) == 176
    assert sum(len(group["occurrences"]) for group in GROUPS) == 343


def test_every_seed_question_is_answered_by_an_existing_bank_question() -> None:
    unanswered = [group["id"] for group in GROUPS if not group["keys"]]
    missing = sorted({key for group in GROUPS for key in group["keys"]} - BANK_KEYS)

    assert unanswered == []
    assert missing == []


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents (../shared/seeds) are not present")
def test_every_reference_points_at_a_line_of_a_seed_document() -> None:
    lengths = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in SEEDS.iterdir()}

    bad = []
    for group in GROUPS:
        for reference in group["occurrences"]:
            name, line = reference.rsplit(":", 1)
            if name not in lengths or not 1 <= int(line) <= lengths[name]:
                bad.append(reference)
    assert bad == []
