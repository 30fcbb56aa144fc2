"""Celery tasks of the core app, and the options every periodic task shares."""

from __future__ import annotations

import smtplib
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

# Errors worth retrying: the database or the mail server went away for a moment (ConnectionError covers
# refused and reset sockets). Anything else is a bug, logged by Celery, and the next scheduled run tries again.
TRANSIENT_TASK_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
)

# The options of the periodic tasks and the per-user tasks they queue: retried with exponential backoff
# and jitter (1 s, 2 s, 4 s, ... at most 5 minutes apart, 5 times), acknowledged after they ran (a worker
# that dies mid-task has it redelivered; they are idempotent), and stopped by a soft then a hard time limit.
PERIODIC_TASK_OPTIONS: dict[str, Any] = {
    "autoretry_for": TRANSIENT_TASK_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "soft_time_limit": 240,
    "time_limit": 300,
}


# The one task whose answer is read (results are ignored by default: CELERY_TASK_IGNORE_RESULT).
@shared_task(name="prepdeck.core.ping", ignore_result=False)
def ping() -> str:
    """Answer ``pong``; ``/readyz`` runs it to prove tasks execute (in-process when no broker is set), and
    the compose smoke test reads its answer back through a worker and Redis."""
    return "pong"
