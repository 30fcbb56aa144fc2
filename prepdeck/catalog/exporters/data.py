"""Our own JSON (lossless: the importer reads it back into exactly the same questions) and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from prepdeck.catalog import selectors
from prepdeck.catalog.models import Question
from prepdeck.catalog.services import CODE_FIELDS, CONTENT_FIELDS

EXPORT_FORMAT = "prepdeck-export/1"


def question_entry(question: Question) -> dict[str, Any]:
    """One question as plain data (the bank file format plus status, draft flag and sources)."""
    return {
        "key": question.key,
        "topic": question.topic.slug,
        **{name: getattr(question, name) for name in CONTENT_FIELDS},
        "needs_question": question.needs_question,
        "tags": sorted(tag.slug for tag in question.tags.all()),
        "code_examples": [
            {name: getattr(example, name) for name in CODE_FIELDS} for example in question.code_examples.all()
        ],
        "follow_ups": sorted(other.key for other in question.follow_ups.all()),
        "sources": [
            {
                "document": source.document,
                "line_start": source.line_start,
                "line_end": source.line_end,
                "original_prompt": source.original_prompt,
                "original_answer": source.original_answer,
            }
            for source in question.sources.all()
        ],
    }


def export_json(questions: Iterable[Question]) -> str:
    topics = [
        {
            "slug": topic.slug,
            "title": topic.title,
            "description": topic.description,
            "parent": topic.parent.slug if topic.parent else None,
            "order": topic.order,
        }
        for topic in selectors.topics_in_tree_order()
    ]
    document = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "topics": topics,
        "questions": [question_entry(question) for question in questions],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ("question", "answer", "topic", "tags", "difficulty", "key_points")
# A spreadsheet reads a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# What neutralises such a cell: a leading single quote makes the spreadsheet show it as text. The
# importer (importers/tabular.py) removes it again, so an export still reads back to the same questions.
FORMULA_ESCAPE = "'"


def neutralise_formula(cell: str) -> str:
    """``cell`` as a spreadsheet shows it as text: prefixed with ``'`` when it would start a formula."""
    return FORMULA_ESCAPE + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def export_csv(questions: Iterable[Question]) -> str:
    """The CSV the importer reads: one row per question, tags joined by ';', key points by '|'.

    Every cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) is
    prefixed with ``'``; the importer strips that prefix again.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for question in questions:
        answer = question.short_answer
        if question.explanation:
            answer = f"{answer}\n\n{question.explanation}" if answer else question.explanation
        writer.writerow(
            neutralise_formula(cell)
            for cell in [
                question.prompt,
                answer,
                question.topic.slug,
                ";".join(sorted(tag.slug for tag in question.tags.all())),
                question.difficulty,
                "|".join(question.key_points),
            ]
        )
    return buffer.getvalue()
