"""What every API endpoint shares: the error shape, pagination, throttles and OpenAPI helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rest_framework.request import Request

if TYPE_CHECKING:
    from prepdeck.accounts.models import User


def signed_in_user(request: Request) -> User:
    """The request's user, for views whose permission classes already require a signed-in user."""
    return cast("User", request.user)
