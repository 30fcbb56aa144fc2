"""Who may call the question bank's API: DRF permission classes over the bank's own access rules.

They decide nothing themselves: ``accounts.roles`` says who is an editor and
``catalog.services.question_action_refusal`` what a user's role allows on one question, the same rules
the services enforce for every other door (the web editor, the admin, commands). Checking them here too
answers a refusal before the request's input is read, with the same message.
"""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from prepdeck.accounts import roles
from prepdeck.catalog import services
from prepdeck.catalog.models import Question


class EditorsOnly(permissions.BasePermission):
    """Signed-in editors (and staff); anyone else is refused before the object is looked up."""

    message = "Only editors can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        return roles.is_editor(request.user)


class QuestionAccess(permissions.BasePermission):
    """What a user may do to one question: the view's ``question_action`` (``edit``, ``delete``,
    ``restore`` or a workflow action) as the services allow it. Only an object check: pair it with
    ``IsAuthenticatedOrReadOnly`` (reading is open, and what each user sees is the selectors' business, so
    a question they may not see is not found before anything is refused)."""

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        action = getattr(view, "question_action", None)
        if action is None or not isinstance(obj, Question):
            return True
        refusal = services.question_action_refusal(question=obj, user=request.user, action=action)
        if refusal:
            self.message = refusal  # DRF makes new permission objects for every request
            return False
        return True
