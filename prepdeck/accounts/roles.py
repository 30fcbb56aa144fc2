"""Who may do what: the product's roles and its access rules, in one place.

Roles: anonymous, learner (any signed-in user), editor (member of the ``editors`` group, or staff) and
staff. The rules:

- published questions, topics and tags are readable by everybody;
- drafts (and questions in review or archived) by their author and by editors;
- creating questions is for signed-in users; editing, submitting, publishing, archiving and importing
  for editors (an author may edit and submit their own draft);
- a user's own things (cards, reviews, quiz answers, mock interviews, statistics, import jobs, API
  tokens) by that user alone: someone else's answers 404, never 403, so their existence is not revealed.
"""

from __future__ import annotations

from typing import Any

EDITORS_GROUP = "editors"
# Where the answer of ``is_editor`` is kept on a user object (``accounts.selectors.user_for_request`` sets it
# when it loads the request's user, so asking costs no query).
IS_EDITOR_ATTRIBUTE = "_prepdeck_is_editor"


def is_editor(user: Any) -> bool:
    """Editors curate the bank. Cached on the user object for the request (one query at most)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    cached = getattr(user, IS_EDITOR_ATTRIBUTE, None)
    if cached is None:
        cached = user.groups.filter(name=EDITORS_GROUP).exists()
        setattr(user, IS_EDITOR_ATTRIBUTE, cached)
    return bool(cached)


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


def roles_of(user: Any) -> list[str]:
    """The roles ``user`` has, broadest first (``learner``, ``editor``, ``staff``): what clients are told in
    the JWT's ``roles`` claim so that they can show or hide actions without asking."""
    if not getattr(user, "is_authenticated", False):
        return []
    return ["learner", *(["editor"] if is_editor(user) else []), *(["staff"] if is_staff(user) else [])]
