"""What every API endpoint shares: the error shape, pagination, throttles and OpenAPI helpers."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, cast

from rest_framework.request import Request

if TYPE_CHECKING:
    # django-stubs' name for the model in AUTH_USER_MODEL: typed as PrepDeck's user without core importing
    # accounts (core is the bottom layer, docs/architecture.md).
    from django.contrib.auth.models import _User


def signed_in_user(request: Request) -> _User:
    """The request's user, for views whose permission classes already require a signed-in user."""
    return cast("_User", request.user)


class BuiltOnceFieldsMixin:
    # For a ModelSerializer whose fields never depend on the instance, the request or the context: build
    # them from the model once per class and give every instance a copy (as DRF does for declared fields),
    # instead of introspecting the model on every instantiation (a third of the CPU of writing one review's
    # response). Put it first among the bases; not for serializers that override get_fields. (A comment,
    # not a docstring: drf-spectacular would publish a docstring as the schema's description.)

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            cls._fields_built_once = built  # type: ignore[attr-defined]
        return copy.deepcopy(built)
