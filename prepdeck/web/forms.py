"""Forms of the web pages. They parse and validate input; every decision is left to the services."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.text import slugify

from prepdeck.catalog import limits
from prepdeck.catalog.choice import MAX_DISTRACTORS as MAX_CHOICE_DISTRACTORS
from prepdeck.catalog.choice import MAX_OPTION_CHARS, MAX_WHY_WRONG_CHARS, choice_normalized
from prepdeck.catalog.importing import IMPORT_FORMATS
from prepdeck.catalog.models import Difficulty, Question, Topic
from prepdeck.catalog.probes import (
    MAX_ANSWER_CHARS,
    MAX_ASK_CHARS,
    MAX_PROBES,
    probes_as_text,
    probes_from_text,
)
from prepdeck.core.forms import MAX_UPLOAD_FILES, MultipleFileField, MultipleFileInput, check_uploads
from prepdeck.practice.models import QuizKind

# --- the question editor --------------------------------------------------------------------------------

# One set of content limits for every door (the JSON importer checks the same ones): catalog/limits.py.
MAX_TAGS = limits.TAGS_MAX
MAX_KEY_POINTS = limits.KEY_POINTS_MAX
MAX_COMMON_MISTAKES = limits.COMMON_MISTAKES_MAX
MAX_DISTRACTORS = MAX_CHOICE_DISTRACTORS
WHY_WRONG_SEPARATOR = " => "
MAX_CODE_EXAMPLES = limits.CODE_EXAMPLES_MAX
MAX_EXPLANATION = limits.EXPLANATION_MAX


def _unix_newlines(value: str) -> str:
    """Browsers submit textarea text with CRLF line breaks; the bank stores LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _check_lines(lines: list[str], *, most: int, longest: int, what: str) -> list[str]:
    if len(lines) > most:
        raise ValidationError(f"At most {most} {what}, one per line (you have {len(lines)}).")
    for number, line in enumerate(lines, start=1):
        if len(line) > longest:
            raise ValidationError(f"Line {number} is longer than {longest} characters ({len(line)}).")
    return lines


TopicChoices = list[tuple[str, Any]]


def topic_choices(topics: Iterable[Topic]) -> TopicChoices:
    """Topic select options in tree order: a topic with subtopics becomes a group holding itself
    (``Django (general)``) and its subtopics; the tree is two levels deep."""
    ordered = sorted(topics, key=lambda topic: (topic.order, topic.title))
    children: dict[int, list[Topic]] = {}
    for topic in ordered:
        if topic.parent_id is not None:
            children.setdefault(topic.parent_id, []).append(topic)
    choices: TopicChoices = []
    for topic in ordered:
        if topic.parent_id is not None:
            continue
        below = children.get(topic.pk, [])
        if below:
            group = [
                (topic.slug, f"{topic.title} (general)"),
                *((child.slug, child.title) for child in below),
            ]
            choices.append((topic.title, group))
        else:
            choices.append((topic.slug, topic.title))
    return choices


class QuestionForm(forms.Form):
    """A question's content as an editor types it; ``content()`` gives the services' plain data."""

    prompt = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The question as an interviewer would ask it.",
    )
    topic = forms.ChoiceField()
    difficulty = forms.ChoiceField(choices=Difficulty.choices, initial=Difficulty.UNKNOWN)
    tags = forms.CharField(
        required=False,
        max_length=1500,
        help_text="Comma-separated, e.g. <code>orm, performance</code>. Spaces become hyphens.",
    )
    short_answer = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you would say aloud in the interview.",
    )
    explanation = forms.CharField(
        required=False,
        max_length=MAX_EXPLANATION,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "monospace"}),
        help_text="Markdown: <code>**bold**</code>, <code>`code`</code>, fenced code blocks with a language.",
    )
    key_points = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"One per line; 3–6 statements a good answer covers (at most {MAX_KEY_POINTS}).",
    )
    common_mistakes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One per line."
    )
    choice_correct = forms.CharField(
        label="Multiple choice: correct option",
        required=False,
        max_length=MAX_OPTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences, written for the quiz (not the short answer). Without it and "
        "three wrong options the question is not asked as multiple choice.",
    )
    probes = forms.CharField(
        label="Probing follow-ups",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"What an interviewer asks next, with a short model answer: a line starting “Ask:”, then "
        f"the answer on the lines after it (Markdown). At most {MAX_PROBES}; shown after the answer, in mock "
        "interview reports and to interviewers.",
    )
    distractors = forms.CharField(
        label="Multiple choice: wrong options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"One per line: a plausible wrong answer, then{WHY_WRONG_SEPARATOR.rstrip()} and one line "
        "on why it is wrong (shown after answering). At least 3, similar in length to the correct option.",
    )

    def __init__(self, *args: Any, topics: TopicChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic_field = self.fields["topic"]
        assert isinstance(topic_field, forms.ChoiceField)
        topic_field.choices = [("", "Choose a topic…"), *topics]
        # The live preview: htmx posts the explanation (only) while typing and shows the rendered HTML.
        self.fields["explanation"].widget.attrs.update(
            {
                "hx-post": reverse("web:question_preview"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#explanation-preview",
                "hx-params": "explanation",
                "hx-sync": "this:replace",
                "aria-controls": "explanation-preview",
            }
        )

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        """The form's values for a stored question (tags comma-separated, lists one item per line)."""
        return {
            "prompt": question.prompt,
            "topic": question.topic.slug,
            "difficulty": question.difficulty,
            "tags": ", ".join(tag.slug for tag in question.tags.all()),
            "short_answer": question.short_answer,
            "explanation": question.explanation,
            "key_points": "\n".join(question.key_points),
            "common_mistakes": "\n".join(question.common_mistakes),
            "choice_correct": (question.choice or {}).get("correct", ""),
            "distractors": "\n".join(
                item["text"] + (WHY_WRONG_SEPARATOR + item["why_wrong"] if item.get("why_wrong") else "")
                for item in (question.choice or {}).get("distractors", [])
            ),
            "probes": probes_as_text(question.probes),
        }

    def clean_prompt(self) -> str:
        return _unix_newlines(self.cleaned_data["prompt"])

    def clean_short_answer(self) -> str:
        return _unix_newlines(self.cleaned_data["short_answer"])

    def clean_explanation(self) -> str:
        return _unix_newlines(self.cleaned_data["explanation"])

    def clean_tags(self) -> list[str]:
        slugs: list[str] = []
        for raw in self.cleaned_data["tags"].split(","):
            if not raw.strip():
                continue
            slug = slugify(raw)[:60].strip("-")
            if not slug:
                raise ValidationError(
                    f"“{raw.strip()}” is not a usable tag: use letters, digits and hyphens."
                )
            if slug not in slugs:
                slugs.append(slug)
        if len(slugs) > MAX_TAGS:
            raise ValidationError(f"At most {MAX_TAGS} tags (you have {len(slugs)}).")
        return sorted(slugs)

    def clean_key_points(self) -> list[str]:
        return _check_lines(
            _lines(self.cleaned_data["key_points"]), most=MAX_KEY_POINTS, longest=300, what="key points"
        )

    def clean_common_mistakes(self) -> list[str]:
        return _check_lines(
            _lines(self.cleaned_data["common_mistakes"]),
            most=MAX_COMMON_MISTAKES,
            longest=500,
            what="common mistakes",
        )

    def clean_probes(self) -> list[dict[str, str]]:
        probes = probes_from_text(_unix_newlines(self.cleaned_data["probes"]))
        if len(probes) > MAX_PROBES:
            raise ValidationError(f"At most {MAX_PROBES} probing follow-ups (this has {len(probes)}).")
        for number, probe in enumerate(probes, start=1):
            if not probe["ask"] or not probe["answer"]:
                raise ValidationError(f"Follow-up {number} needs both the question (Ask:) and an answer.")
            if len(probe["ask"]) > MAX_ASK_CHARS or len(probe["answer"]) > MAX_ANSWER_CHARS:
                raise ValidationError(
                    f"Follow-up {number}: the question has at most {MAX_ASK_CHARS} characters and the answer "
                    f"at most {MAX_ANSWER_CHARS}."
                )
        return probes

    def clean_choice_correct(self) -> str:
        return " ".join(self.cleaned_data["choice_correct"].split())

    def clean_distractors(self) -> list[dict[str, str]]:
        lines = _check_lines(
            _lines(self.cleaned_data["distractors"]),
            most=MAX_DISTRACTORS,
            longest=MAX_OPTION_CHARS + len(WHY_WRONG_SEPARATOR) + MAX_WHY_WRONG_CHARS,
            what="wrong options",
        )
        distractors = []
        for number, line in enumerate(lines, start=1):
            text, _, why_wrong = (
                line.rpartition(WHY_WRONG_SEPARATOR)
                if WHY_WRONG_SEPARATOR in line
                else (
                    line,
                    "",
                    "",
                )
            )
            text, why_wrong = text.strip(), why_wrong.strip()
            if not text:
                raise ValidationError(f"Line {number} has a reason but no wrong option before it.")
            if len(text) > MAX_OPTION_CHARS or len(why_wrong) > MAX_WHY_WRONG_CHARS:
                raise ValidationError(
                    f"Line {number}: a wrong option has at most {MAX_OPTION_CHARS} characters and its reason "
                    f"at most {MAX_WHY_WRONG_CHARS}."
                )
            distractors.append({"text": text, "why_wrong": why_wrong})
        return distractors

    def content(self) -> dict[str, Any]:
        """The cleaned values in the shape ``question_create`` and ``question_update`` take."""
        data = self.cleaned_data
        return {
            "prompt": data["prompt"].strip(),
            "topic": data["topic"],
            "difficulty": data["difficulty"],
            "tags": data["tags"],
            "short_answer": data["short_answer"],
            "explanation": data["explanation"],
            "key_points": data["key_points"],
            "common_mistakes": data["common_mistakes"],
            "choice": choice_normalized(
                {"correct": data["choice_correct"], "distractors": data["distractors"]}
            ),
            "probes": data["probes"],
        }


class QuestionEditForm(QuestionForm):
    """The editor's form for an existing question: carries the version the edit is based on."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class CodeExampleForm(forms.Form):
    language = forms.CharField(max_length=30, initial="python", help_text="e.g. python, sql, bash.")
    caption = forms.CharField(max_length=300, required=False)
    code = forms.CharField(strip=False, widget=forms.Textarea(attrs={"rows": 6, "class": "monospace"}))

    def clean_code(self) -> str:
        return _unix_newlines(self.cleaned_data["code"])

    def clean_language(self) -> str:
        language = str(self.cleaned_data["language"]).strip().lower()
        if not language or not all(char.isalnum() or char in "+#.-_" for char in language):
            raise ValidationError("Use a language name such as python, sql or bash.")
        return language


if TYPE_CHECKING:
    _BaseCodeExampleFormSet = forms.BaseFormSet[CodeExampleForm]
else:  # Django's formset classes are not subscriptable at run time
    _BaseCodeExampleFormSet = forms.BaseFormSet


class CodeExampleFormSetBase(_BaseCodeExampleFormSet):
    def examples(self) -> list[dict[str, str]]:
        """The kept examples, in order (blank extra forms and those marked for removal left out)."""
        examples = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or not data.get("code"):
                continue
            examples.append(
                {"language": data["language"], "caption": data.get("caption", ""), "code": data["code"]}
            )
        return examples


CodeExampleFormSet = cast(
    "type[CodeExampleFormSetBase]",
    forms.formset_factory(
        CodeExampleForm,
        formset=CodeExampleFormSetBase,
        extra=1,
        can_delete=True,
        max_num=MAX_CODE_EXAMPLES,
        validate_max=True,
    ),
)


class MarkdownPreviewForm(forms.Form):
    """The live preview's input (same size limit as the explanation itself)."""

    explanation = forms.CharField(required=False, max_length=MAX_EXPLANATION, strip=False)

    def clean_explanation(self) -> str:
        return _unix_newlines(self.cleaned_data["explanation"])


# --- imports --------------------------------------------------------------------------------------------

MAX_IMPORT_FILES = MAX_UPLOAD_FILES
FORMAT_LABELS = {
    "auto": "Detect from each file",
    "markdown": "Markdown or text notes",
    "csv": "CSV / TSV (question, answer columns)",
    "json": "PrepDeck JSON export",
    "apkg": "Anki package (.apkg)",
}


class ImportUploadForm(forms.Form):
    documents = MultipleFileField(
        label="Files",
        widget=MultipleFileInput(
            attrs={"accept": ".md,.markdown,.txt,.csv,.tsv,.json,.apkg", "aria-describedby": "import-formats"}
        ),
    )
    file_format = forms.ChoiceField(
        label="Format", choices=[(name, FORMAT_LABELS[name]) for name in IMPORT_FORMATS], initial="auto"
    )
    topic = forms.ChoiceField(
        required=False,
        help_text="Leave empty to let the importer pick a topic for each question from its section and words.",
    )
    keep_status = forms.BooleanField(
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "id_keep_status_helptext"}),
        label="Keep the status named in a PrepDeck JSON export",
        help_text="Questions are imported as drafts. Tick this to restore a backup of our own export "
        "with its published (or archived) questions as they were.",
    )

    def __init__(self, *args: Any, topics: TopicChoices, size_limit: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic_field = self.fields["topic"]
        assert isinstance(topic_field, forms.ChoiceField)
        topic_field.choices = [("", "Guess for each question"), *topics]
        self.size_limit = size_limit

    def clean_documents(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["documents"]
        check_uploads(files, size_limit=self.size_limit, max_files=MAX_IMPORT_FILES)
        return files


# --- quiz and mock interview setup ------------------------------------------------------------------------


class SlugListField(forms.MultipleChoiceField):
    """Several slugs from checkboxes (topics); whether each exists is checked by the service."""

    def valid_value(self, value: Any) -> bool:
        return bool(value) and slugify(str(value)) == value


@dataclass(frozen=True)
class TopicArea:
    """A top-level topic of the tree (Django, DRF, PostgreSQL...) with the topics one can pick in it."""

    slug: str
    title: str
    topics: tuple[
        tuple[str, str], ...
    ]  # (slug, title): its subtopics, and itself first when it has questions

    @property
    def has_subtopics(self) -> bool:
        return any(slug != self.slug for slug, _ in self.topics)


def topic_areas(topics: Iterable[Topic]) -> list[TopicArea]:
    """The topics that have published questions (``topics_with_counts``), grouped under their area.

    Areas and topics keep the tree's order. The area's own questions are listed as "General" within it, so
    every name is unambiguous inside its group.
    """
    ordered = sorted(topics, key=lambda topic: (topic.order, topic.title))
    children: dict[int, list[Topic]] = {}
    for topic in ordered:
        if topic.parent_id is not None:
            children.setdefault(topic.parent_id, []).append(topic)
    areas = []
    for area in ordered:
        if area.parent_id is not None:
            continue
        below = [topic for topic in children.get(area.pk, []) if getattr(topic, "published_questions", 0)]
        own = getattr(area, "published_questions", 0)
        picks = [(topic.slug, topic.title) for topic in below]
        if own:
            picks.insert(0, (area.slug, "General" if below else area.title))
        if picks:
            areas.append(TopicArea(area.slug, area.title, tuple(picks)))
    return areas


class TopicPickerForm(forms.Form):
    """Topics ticked one by one, or a whole area (``areas``), which ``clean`` turns into its topics."""

    topics = SlugListField(label="Topics", required=False)
    areas = SlugListField(label="Areas", required=False)

    def __init__(self, *args: Any, areas: Iterable[TopicArea] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.topic_areas = {area.slug: area for area in areas}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen: list[str] = list(cleaned.get("topics") or [])
        for slug in cleaned.get("areas") or []:
            area = self.topic_areas.get(slug)
            # an area that lists nothing (unknown, or without questions) is passed on for the service to judge
            for topic in [topic for topic, _ in area.topics] if area else [slug]:
                if topic not in chosen:
                    chosen.append(topic)
        cleaned["topics"] = chosen
        return cleaned


def first_error(form: forms.Form) -> str:
    """The form's first error as one sentence naming its field (the setup pages show one message)."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else name.replace("_", " ").capitalize()
        return f"{label}: {errors[0]}"
    return ""


class QuizSetupForm(TopicPickerForm):
    """What the quiz page posts. Types only: the ranges (1-50 questions, known topics) are the rules of
    ``sessions.quiz_create``, which every door calls."""

    kind = forms.ChoiceField(label="Kind", choices=QuizKind.choices)
    count = forms.IntegerField(label="Questions")
    difficulty = forms.ChoiceField(
        label="Difficulty", required=False, choices=[("", "Any"), *Difficulty.choices]
    )


class MockSetupForm(TopicPickerForm):
    """What the mock interview page posts (types only; ``sessions.mock_start`` checks the ranges)."""

    LEVELS = (Difficulty.BASIC, Difficulty.INTERMEDIATE, Difficulty.ADVANCED)

    count_basic = forms.IntegerField(label="Basic questions", required=False, min_value=0)
    count_intermediate = forms.IntegerField(label="Intermediate questions", required=False, min_value=0)
    count_advanced = forms.IntegerField(label="Advanced questions", required=False, min_value=0)
    seconds = forms.IntegerField(label="Time per question")

    def mix(self) -> dict[str, int]:
        """How many questions of each difficulty were asked for (levels left empty count 0)."""
        return {str(level): self.cleaned_data.get(f"count_{level}") or 0 for level in self.LEVELS}
