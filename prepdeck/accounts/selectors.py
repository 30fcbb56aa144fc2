"""Read queries for accounts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet

from prepdeck.accounts.data_export import user_data_sections
from prepdeck.accounts.models import ApiToken, User
from prepdeck.accounts.roles import EDITORS_GROUP, IS_EDITOR_ATTRIBUTE
from prepdeck.core.statements import CompiledQuery, Param


def _user_with_roles() -> QuerySet[User]:
    in_editors = User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=EDITORS_GROUP)
    return User.objects.annotate(**{IS_EDITOR_ATTRIBUTE: Exists(in_editors)}).filter(
        pk=Param("user_id", User._meta.pk)
    )


_USER_WITH_ROLES = CompiledQuery(_user_with_roles)


def user_for_request(*, user_id: Any) -> User | None:
    """The user a JWT names, whether an editor included, in one statement compiled once per process: it runs
    on every request signed with a JWT (sessions and API tokens load theirs as Django and
    ``services.api_token_authenticate`` do). ``None`` when there is no such user (or ``user_id`` is not an
    id)."""
    try:
        user_id = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    user = _USER_WITH_ROLES.first(user_id=user_id)
    assert user is None or isinstance(user, User)
    return user


def user_get_by_email(*, email: str) -> User | None:
    """Return the active or inactive user with this email (any case), or ``None``."""
    return User.objects.filter(email__iexact=email.strip()).first()


def users_exist() -> bool:
    """Whether any account exists yet (``prepdeck run`` prints first-run help when none does)."""
    return User.objects.exists()


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything PrepDeck keeps about the user, as one JSON-ready document ("export my data").

    Accounts' own data, then each section that an app above registered (``accounts.data_export``).
    """
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
            "study_reminder_enabled",
            "study_reminder_hour",
            "study_reminder_sent_on",
            "weekly_digest_enabled",
            "weekly_digest_sent_week",
        )
    }
    document: dict[str, Any] = {
        "format": "prepdeck-account/1",
        "profile": profile,
        "api_tokens": list(
            user.api_tokens.order_by("id").values("name", "prefix", "created_at", "last_used_at")
        ),
    }
    for section in user_data_sections():
        part = section(user=user)
        clash = document.keys() & part.keys()
        if clash:  # a programming error: two apps would overwrite each other's data
            raise RuntimeError(f"export sections both write {', '.join(sorted(clash))}")
        document.update(part)
    return document


def api_token_list(*, user: User) -> list[ApiToken]:
    """The user's personal API tokens, newest first, for the tokens page (one query, never the secrets)."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id"))
