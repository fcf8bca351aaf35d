"""Queueing background work: after the transaction commits, and never breaking the web when Redis is down."""

import logging

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> None:
    """Sends `task` once the current transaction commits. With no broker configured the task runs
    in-process (CELERY_TASK_ALWAYS_EAGER). If the broker is unreachable the request still succeeds and the
    failure is logged; periodic tasks pick up what was left (they work from the database, not the queue)."""

    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                raise
            logger.exception("could not queue %s: broker unavailable", task.name)

    transaction.on_commit(send)
