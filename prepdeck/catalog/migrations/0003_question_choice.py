"""Multiple choice gets its own correct option and "why wrong" notes (issue 13).

The old ``distractors`` list of strings becomes ``choice`` = {"correct": "", "distractors": [{"text": ...,
"why_wrong": ""}]}: the texts are kept, but with no correct option written for the quiz the question is not
asked as multiple choice until an author (or the bundled bank) supplies one. Revision snapshots are
converted the same way, so history, diffs and restores keep working.
"""

from typing import Any

from django.db import migrations, models

import prepdeck.catalog.models

_BATCH = 500


def _to_choice(distractors: Any) -> dict[str, Any]:
    texts = [str(text).strip() for text in distractors or [] if str(text).strip()]
    return (
        {"correct": "", "distractors": [{"text": text, "why_wrong": ""} for text in texts]} if texts else {}
    )


def _from_choice(choice: Any) -> list[str]:
    return [item.get("text", "") for item in (choice or {}).get("distractors", [])]


def forwards(apps: Any, schema_editor: Any) -> None:
    Question = apps.get_model("catalog", "Question")
    QuestionRevision = apps.get_model("catalog", "QuestionRevision")
    changed = []
    for question in Question._base_manager.only("pk", "distractors").iterator():
        if not question.distractors:
            continue
        question.choice = _to_choice(question.distractors)
        changed.append(question)
    Question._base_manager.bulk_update(changed, ["choice"], batch_size=_BATCH)
    revisions = []
    for revision in QuestionRevision.objects.only("pk", "snapshot").iterator():
        snapshot = dict(revision.snapshot or {})
        if "distractors" in snapshot:
            snapshot["choice"] = _to_choice(snapshot.pop("distractors"))
            revision.snapshot = snapshot
            revisions.append(revision)
    QuestionRevision.objects.bulk_update(revisions, ["snapshot"], batch_size=_BATCH)


def backwards(apps: Any, schema_editor: Any) -> None:
    Question = apps.get_model("catalog", "Question")
    QuestionRevision = apps.get_model("catalog", "QuestionRevision")
    changed = []
    for question in Question._base_manager.only("pk", "choice").iterator():
        if not question.choice:
            continue
        question.distractors = _from_choice(question.choice)
        changed.append(question)
    Question._base_manager.bulk_update(changed, ["distractors"], batch_size=_BATCH)
    revisions = []
    for revision in QuestionRevision.objects.only("pk", "snapshot").iterator():
        snapshot = dict(revision.snapshot or {})
        if "choice" in snapshot:
            snapshot["distractors"] = _from_choice(snapshot.pop("choice"))
            revision.snapshot = snapshot
            revisions.append(revision)
    QuestionRevision.objects.bulk_update(revisions, ["snapshot"], batch_size=_BATCH)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_import_jobs")]

    operations = [
        migrations.AddField(
            model_name="question",
            name="choice",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text=(
                    'Multiple choice: {"correct": "...", "distractors": [{"text": "...", "why_wrong": "..."}]} '
                    "(at least 3 distractors; see the bank's FORMAT.md)."
                ),
                validators=[prepdeck.catalog.models.validate_choice],
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="question", name="distractors"),
    ]
