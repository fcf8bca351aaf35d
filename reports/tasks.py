"""Background work of the reports app. Documents are built by the project's jobs (vpr_portal.tasks.run_job);
`build_document` stays for messages queued by an earlier version and for running a document's job by the
document's number."""

from celery import Task, shared_task

from vpr_portal.jobs import job_fail

from . import services
from .models import GeneratedDocument


class DocumentTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Out of retries (storage still failing): the status page says so instead of waiting forever."""
        document_id = args[0] if args else kwargs.get("document_id")
        job_id = GeneratedDocument.objects.filter(pk=document_id).values_list("job_id", flat=True).first()
        if job_id is not None:
            job_fail(job_id=job_id, error=str(exc) or type(exc).__name__)


@shared_task(
    base=DocumentTask,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    acks_late=True,
    reject_on_worker_lost=True,
)
def build_document(document_id: int) -> str:
    """Builds a GeneratedDocument through its job. Safe to run twice: a done document is not rebuilt."""
    document = services.document_build(document_id=document_id)
    return document.status if document is not None else "missing"
