"""Reading the bundled bank's data files (plain data, no ORM)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BANK_DIR = Path(__file__).resolve().parent
DATA_DIR = BANK_DIR / "data"
TOPICS_FILE = BANK_DIR / "topics.json"


@dataclass(frozen=True)
class RunnableExample:
    question_key: str
    index: int
    code: str
    requires: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.question_key}[{self.index}]"


def bank_files(data_dir: Path | None = None) -> list[Path]:
    """The topic files in a stable order."""
    return sorted((data_dir or DATA_DIR).glob("*.json"))


def load_topics() -> list[dict[str, Any]]:
    topics: list[dict[str, Any]] = json.loads(TOPICS_FILE.read_text(encoding="utf-8"))["topics"]
    return topics


def iter_questions_of(path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The questions of one topic file (each carries its topic)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    for question in document["questions"]:
        yield path, {**question, "topic": question.get("topic", document["topic"])}


def iter_questions(data_dir: Path | None = None) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every question of every topic file, with the file it came from."""
    for path in bank_files(data_dir):
        yield from iter_questions_of(path)


def runnable_examples() -> list[RunnableExample]:
    """Every code example marked runnable, in bank order."""
    found = []
    for _path, question in iter_questions():
        for index, example in enumerate(question.get("code_examples", [])):
            if example.get("runnable"):
                found.append(
                    RunnableExample(
                        question_key=question["key"],
                        index=index,
                        code=example["code"],
                        requires=tuple(question.get("requires", ())),
                    )
                )
    return found
