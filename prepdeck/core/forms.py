"""Form pieces every app's forms share (the web pages' and the admin's), so one rule has one definition."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

MAX_UPLOAD_FILES = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>`` (the pattern from Django's file-upload docs);
    choosing none is the usual "This field is required." unless ``required=False``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        cleaned = single(data or None, initial)
        return [cleaned] if cleaned else []


def check_uploads(files: list[UploadedFile], *, size_limit: int, max_files: int = MAX_UPLOAD_FILES) -> None:
    """Refuse more than ``max_files`` files or any file above ``size_limit`` bytes, naming them: the one
    upload check of every door that takes documents (web import page, admin import page)."""
    if len(files) > max_files:
        raise ValidationError(f"At most {max_files} files at once (you chose {len(files)}).")
    too_big = [upload.name or "upload" for upload in files if (upload.size or 0) > size_limit]
    if too_big:
        raise ValidationError(
            f"Larger than the {size_limit // (1024 * 1024)} MiB limit: {', '.join(too_big)}."
        )
