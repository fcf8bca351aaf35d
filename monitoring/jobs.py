"""The monitoring app's kinds of background job (discovered by vpr_portal.jobs): the re-evaluation of the signals
after a change of the department's thresholds."""

from vpr_portal.jobs import register_job_kind

from .cases import THRESHOLDS_JOB, thresholds_job

register_job_kind(THRESHOLDS_JOB, thresholds_job)
