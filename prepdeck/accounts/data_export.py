"""The sections that apps above accounts add to "export my data", registered without accounts importing
them (docs/architecture.md: accounts is below every app that keeps data about a user).

An app that keeps data about a user registers one section from its ``AppConfig.ready()``::

    from prepdeck.accounts.data_export import user_data_section_register
    user_data_section_register(selectors.practice_data_of)

A section takes the user (keyword-only) and returns JSON-ready top-level keys for the export document.
Deleting the account needs no registry: every row that is only the user's goes with it through its
foreign key's ``on_delete`` (``CASCADE`` for cards and reviews, ``SET_NULL`` for questions they wrote).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from prepdeck.accounts.models import User


class UserDataSection(Protocol):
    """Everything one app keeps about ``user``, as JSON-ready top-level keys of the export document."""

    def __call__(self, *, user: User) -> dict[str, Any]: ...


_SECTIONS: list[UserDataSection] = []


def user_data_section_register(section: UserDataSection) -> None:
    """Add ``section`` to every export (registering the same function again changes nothing)."""
    if section not in _SECTIONS:
        _SECTIONS.append(section)


def user_data_sections() -> tuple[UserDataSection, ...]:
    """The registered sections, in registration order (the order of ``INSTALLED_APPS``)."""
    return tuple(_SECTIONS)
