"""Background work of the reports app: thin, retrying tasks around idempotent services."""

from celery import Task, shared_task

from . import services


class DocumentTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Out of retries (storage still failing): the status page says so instead of waiting forever."""
        document_id = args[0] if args else kwargs.get("document_id")
        if document_id is not None:
            services.document_fail(document_id=document_id, error=str(exc) or type(exc).__name__)


@shared_task(
    base=DocumentTask,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    acks_late=True,
    reject_on_worker_lost=True,
)
def build_document(document_id: int) -> str:
    """Builds a GeneratedDocument by its kind's builder. Safe to run twice: a done document is not rebuilt."""
    document = services.document_build(document_id=document_id)
    return document.status if document is not None else "missing"
