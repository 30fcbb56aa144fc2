"""Celery tasks of the core app."""

from celery import shared_task


# The one task whose answer is read (results are ignored by default: CELERY_TASK_IGNORE_RESULT).
@shared_task(name="prepdeck.core.ping", ignore_result=False)
def ping() -> str:
    """Answer ``pong``; ``/readyz`` runs it to prove tasks execute (in-process when no broker is set), and
    the compose smoke test reads its answer back through a worker and Redis."""
    return "pong"
