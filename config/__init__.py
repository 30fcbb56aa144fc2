"""Django project configuration for PrepDeck.

Importing the Celery app here makes sure it is configured whenever Django starts, so that
``shared_task`` decorators bind to it (the pattern Celery's Django guide recommends).
"""

from .celery import app as celery_app

__all__ = ("celery_app",)
