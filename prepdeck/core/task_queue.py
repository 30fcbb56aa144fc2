"""Sending background tasks, with a broker outage answered as 503 instead of a 500.

Doors that queue work call ``task_queue_check`` before they write anything a task must pick up (so with the
broker down nothing is written and the caller gets ``ServiceUnavailable``), and send the task with
``task_send`` once their transaction has committed. Without ``REDIS_URL`` tasks run eagerly in-process and
neither function touches a broker.
"""

from __future__ import annotations

from typing import Any

from celery import Task

from prepdeck.core.exceptions import ServiceUnavailable
from prepdeck.core.outages import BROKER_ERRORS, RETRY_AFTER_SECONDS, first_line, outage_log

# How long the check waits for the broker to accept a connection.
CHECK_TIMEOUT_SECONDS = 2


def task_queue_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The task queue is unavailable at the moment, so the job could not be queued; nothing was saved. "
        "Try again shortly.",
        service="task_queue",
        retry_after=RETRY_AFTER_SECONDS,
    )


def _app() -> Any:
    from config.celery import app

    return app


def task_queue_check() -> None:
    """Raise ``ServiceUnavailable`` unless the broker accepts a connection (nothing to check when eager)."""
    app = _app()
    if app.conf.task_always_eager:
        return
    try:
        with app.connection_for_write() as connection:
            # one immediate retry, for a blip; a broker that is down is reported in milliseconds
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=CHECK_TIMEOUT_SECONDS)
    except BROKER_ERRORS as error:
        outage_log.report("broker", "The task broker is unreachable (%s): answering 503.", first_line(error))
        raise task_queue_unavailable() from error


def task_send(task: Task, *args: Any) -> None:
    """``task.delay(*args)``; a broker that cannot take it raises ``ServiceUnavailable``."""
    if _app().conf.task_always_eager:
        task.delay(*args)  # runs here and now; its own errors are not the broker's
        return
    try:
        task.delay(*args)
    except BROKER_ERRORS as error:
        outage_log.report(
            "broker", "The task broker did not take %s (%s): answering 503.", task.name, first_line(error)
        )
        raise task_queue_unavailable() from error
