"""What every API endpoint shares: the error shape, pagination, throttles and OpenAPI helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rest_framework.request import Request

if TYPE_CHECKING:
    # django-stubs' name for the model in AUTH_USER_MODEL: typed as PrepDeck's user without core importing
    # accounts (core is the bottom layer, docs/architecture.md).
    from django.contrib.auth.models import _User


def signed_in_user(request: Request) -> _User:
    """The request's user, for views whose permission classes already require a signed-in user."""
    return cast("_User", request.user)
