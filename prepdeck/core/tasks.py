"""Celery tasks of the core app."""

from celery import shared_task


@shared_task(name="prepdeck.core.ping")
def ping() -> str:
    """Answer ``pong``; ``/readyz`` runs it to prove tasks execute (in-process when no broker is set)."""
    return "pong"
