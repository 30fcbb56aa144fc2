"""Who may do what in a live interview: one set of rules for the web pages, the API and the socket.

A session is visible to its interviewers and to its candidate: the user linked to it, or a browser holding a
redeemed invite (the invite's id kept in the signed-in or anonymous HTTP session). Anyone else gets the same
"not found" as for a session that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from prepdeck.accounts.models import User
from prepdeck.core.exceptions import NotFound, PermissionDenied
from prepdeck.interviews.models import InterviewSession, Invite

INTERVIEWER = "interviewer"
CANDIDATE = "candidate"
# Key of the HTTP session holding the ids of the invites this browser redeemed.
INVITES_SESSION_KEY = "interviews.invites"
# Ids beyond a bigint are nobody's (and would make PostgreSQL raise instead of finding nothing).
MAX_ID = 2**63 - 1


def valid_id(value: Any) -> int:
    """An id from a URL or a message, or ``NotFound``."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise NotFound("Interview session not found.") from None
    if not 0 < number <= MAX_ID:
        raise NotFound("Interview session not found.")
    return number


@dataclass(frozen=True)
class Participant:
    """Someone in a session: an interviewer (always a user) or the candidate (a user or a guest)."""

    role: str
    user: User | None
    name: str

    @property
    def is_interviewer(self) -> bool:
        return self.role == INTERVIEWER

    @property
    def key(self) -> str:
        """Identifies the participant in presence lists."""
        return f"{self.role}:{self.user.pk if self.user is not None else 'guest'}"


def _signed_in(user: Any) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated else None


def invite_ids_of(http_session: Any) -> list[int]:
    """The invite ids a browser's HTTP session holds (an empty list when there is none or it is garbled)."""
    if http_session is None:
        return []
    raw = http_session.get(INVITES_SESSION_KEY, [])
    if not isinstance(raw, list):
        return []
    return [value for value in raw if isinstance(value, int) and 0 < value <= MAX_ID]


def participant_for(
    session: InterviewSession, *, user: Any, invite_ids: Iterable[int] = ()
) -> Participant | None:
    """The caller's role in ``session``, or None when they have none."""
    signed_in = _signed_in(user)
    if signed_in is not None and session.interviewers.filter(pk=signed_in.pk).exists():
        return Participant(role=INTERVIEWER, user=signed_in, name=signed_in.get_short_name())
    ids = list(invite_ids)
    holds_invite = (
        bool(ids) and Invite.objects.filter(pk__in=ids, session=session, used_at__isnull=False).exists()
    )
    if holds_invite or (signed_in is not None and session.candidate_id == signed_in.pk):
        return Participant(role=CANDIDATE, user=signed_in, name=session.candidate_name)
    return None


def session_access(
    *, session_id: Any, user: Any, invite_ids: Iterable[int] = ()
) -> tuple[InterviewSession, Participant]:
    """The session and the caller's role in it; ``NotFound`` whether it is missing or not theirs."""
    try:
        session = InterviewSession.objects.select_related("owner", "candidate").get(pk=valid_id(session_id))
    except InterviewSession.DoesNotExist:
        raise NotFound("Interview session not found.") from None
    participant = participant_for(session, user=user, invite_ids=invite_ids)
    if participant is None:
        raise NotFound("Interview session not found.")
    return session, participant


def interviewer_access(*, session_id: Any, user: Any) -> tuple[InterviewSession, Participant]:
    """The session for one of its interviewers; a candidate and a stranger both get ``NotFound`` (the
    candidate knows the session exists, but nothing interviewer-only is told apart from a missing one)."""
    session, participant = session_access(session_id=session_id, user=user)
    if not participant.is_interviewer:
        raise NotFound("Interview session not found.")
    return session, participant


def require_interviewer(participant: Participant) -> None:
    """Refuse an interviewer-only action to the candidate."""
    if not participant.is_interviewer:
        raise PermissionDenied("Only an interviewer can do this.", code="interviewer_only")


def require_candidate(participant: Participant) -> None:
    """Refuse a candidate-only action (typing in the pad) to an interviewer."""
    if participant.is_interviewer:
        raise PermissionDenied("Only the candidate writes in the answer pad.", code="candidate_only")
