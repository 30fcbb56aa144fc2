"""Background tasks of live interviews. Thin: they call services."""

from __future__ import annotations

import logging

from celery import shared_task

from prepdeck.core.tasks import PERIODIC_TASK_OPTIONS
from prepdeck.interviews import services

logger = logging.getLogger(__name__)


@shared_task(name="prepdeck.interviews.presence_sweep", **PERIODIC_TASK_OPTIONS)
def presence_sweep_task() -> int:
    """Periodic: drop connections whose heartbeat stopped (their server died), so nobody stays "present"
    in a session that nobody is in any more (a connected client's heartbeat does it sooner)."""
    changed = services.presence_sweep()
    if changed:
        logger.info("Presence sweep: %s sessions changed", changed)
    return changed
