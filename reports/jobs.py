"""The reports app's kinds of background job (discovered by vpr_portal.jobs)."""

from vpr_portal.jobs import register_job_kind

from .models import DOCUMENT_JOB
from .services import document_job

register_job_kind(DOCUMENT_JOB, document_job)
