"""Every runnable code example in the bundled bank runs against the Django we ship and proves its claim.

Each example executes in a fresh namespace inside a test database that has the ``library`` example app;
its own ``assert`` statements are the checks. Examples that need PostgreSQL skip on SQLite.
"""

from __future__ import annotations

import sys

import pytest
from django.db import connection

from prepdeck.catalog.bank import files, library
from prepdeck.catalog.bank.library import models as library_models

EXAMPLES = files.runnable_examples()


@pytest.fixture(autouse=True)
def _library_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    # Examples read like user code: ``from library.models import Book``.
    monkeypatch.setitem(sys.modules, "library", library)
    monkeypatch.setitem(sys.modules, "library.models", library_models)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("example", EXAMPLES, ids=[example.id for example in EXAMPLES])
def test_runnable_example(example: files.RunnableExample) -> None:
    if "postgresql" in example.requires and connection.vendor != "postgresql":
        pytest.skip("example needs PostgreSQL")
    namespace: dict[str, object] = {"__name__": f"bank_example_{example.question_key.replace('-', '_')}"}
    exec(compile(example.code, example.id, "exec"), namespace)  # noqa: S102 - our own bank's code
