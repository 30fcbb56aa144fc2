"""Periodic housekeeping of the accounts app (Celery Beat, ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

import logging

from celery import shared_task

from prepdeck.accounts import services
from prepdeck.core.tasks import PERIODIC_TASK_OPTIONS

logger = logging.getLogger(__name__)


@shared_task(name="prepdeck.accounts.credentials_sweep", **PERIODIC_TASK_OPTIONS)
def credentials_sweep_task() -> dict[str, int | bool]:
    """Delete expired sessions (``clearsessions``) and expired refresh tokens with their blacklist entries
    (``flushexpiredtokens``). Idempotent: a second run finds nothing left."""
    sessions_cleared = services.expired_sessions_clear()
    tokens = services.expired_tokens_flush()
    logger.info(
        "Credentials sweep: expired sessions %s, %s expired refresh token(s) deleted",
        "cleared" if sessions_cleared else "left to the session engine",
        tokens,
    )
    return {"sessions_cleared": sessions_cleared, "tokens_deleted": tokens}
