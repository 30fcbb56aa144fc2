"""Read queries for accounts."""

from __future__ import annotations

from prepdeck.accounts.models import User


def user_get_by_email(*, email: str) -> User | None:
    """Return the active or inactive user with this email (any case), or ``None``."""
    return User.objects.filter(email__iexact=email.strip()).first()


def users_exist() -> bool:
    """Whether any account exists yet (``prepdeck run`` prints first-run help when none does)."""
    return User.objects.exists()
