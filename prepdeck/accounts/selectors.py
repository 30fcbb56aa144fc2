"""Read queries for accounts."""

from __future__ import annotations

from typing import Any

from prepdeck.accounts.models import ApiToken, User


def user_get_by_email(*, email: str) -> User | None:
    """Return the active or inactive user with this email (any case), or ``None``."""
    return User.objects.filter(email__iexact=email.strip()).first()


def users_exist() -> bool:
    """Whether any account exists yet (``prepdeck run`` prints first-run help when none does)."""
    return User.objects.exists()


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything PrepDeck keeps about the user, as one JSON-ready document ("export my data")."""
    from prepdeck.catalog import selectors as catalog_selectors
    from prepdeck.practice import selectors as practice_selectors

    profile = {
        name: getattr(user, name)
        for name in (
            "email",
            "display_name",
            "date_joined",
            "email_verified_at",
            "time_zone",
            "day_start_hour",
            "desired_retention",
            "daily_new_limit",
        )
    }
    return {
        "format": "prepdeck-account/1",
        "profile": profile,
        "api_tokens": list(
            user.api_tokens.order_by("id").values("name", "prefix", "created_at", "last_used_at")
        ),
        **practice_selectors.practice_data_of(user=user),
        **catalog_selectors.authored_data_of(user=user),
    }


def api_token_list(*, user: User) -> list[ApiToken]:
    """The user's personal API tokens, newest first, for the tokens page (one query, never the secrets)."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id"))
