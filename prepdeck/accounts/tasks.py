"""Periodic housekeeping of the accounts app (Celery Beat, ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

import logging

from celery import shared_task

from prepdeck.accounts import services
from prepdeck.core.tasks import PERIODIC_TASK_OPTIONS

logger = logging.getLogger(__name__)


@shared_task(name="prepdeck.accounts.credentials_sweep", **PERIODIC_TASK_OPTIONS)
def credentials_sweep_task() -> dict[str, int | None]:
    """Delete expired sessions (``clearsessions``) and expired refresh tokens with their blacklist entries
    (``flushexpiredtokens``). Idempotent: a second run finds nothing left."""
    sessions = services.expired_sessions_clear()
    tokens = services.expired_tokens_flush()
    logger.info(
        "Credentials sweep: %s, %s expired refresh token(s) deleted",
        "sessions expire in the session engine"
        if sessions is None
        else f"{sessions} expired session(s) deleted",
        tokens,
    )
    return {"sessions_deleted": sessions, "tokens_deleted": tokens}
