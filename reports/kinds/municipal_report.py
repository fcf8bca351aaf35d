"""The municipal analytical report (Регламент 3.2, 4.1.9, 9.3–9.4): the department's report on a campaign, in PDF and
DOCX, built in the background (reports.generation); its sections in reports.municipal_sections. Read and asked for by
the department's specialists and municipal coordinators (BUILD_MUNICIPAL_REPORT) of the campaign's department.

The two formats are two jobs that each ask for the content; at region scale the content (figures and charts of
every assessment) is most of the work, so the process keeps the last content it assembled, keyed by the campaign
and the hash of its sources, for a few minutes: the second format's job (in the same process, one after the other
or at the same time) reuses it instead of assembling it again. A change of the sources is a new key."""

import copy
import threading
import time

from django.utils.translation import gettext as _

from schools.access import Capability

from ..generation import ReportKind, register_report, source_hash
from ..municipal_sections import municipal_report_content, municipal_report_source

NAME = "municipal_report"
KEEP_S = 600  # how long the last content is kept for the other format's job

_lock = threading.Lock()
_building: dict[tuple, threading.Lock] = {}
_last: dict = {}  # {"key": (campaign pk, sources' hash), "at": monotonic time, "doc": ReportDocument}


def _content(campaign, school, progress):
    key = (campaign.pk, source_hash(municipal_report_source(campaign)))
    with _lock:
        building = _building.setdefault(key, threading.Lock())
    with building:  # the other format's job waits for the content being assembled, then reuses it
        kept = _last if _last.get("key") == key and time.monotonic() - _last["at"] < KEEP_S else None
        if kept is not None:
            progress(1, 1)
            return copy.copy(kept["doc"])
        doc = municipal_report_content(campaign, progress)
        _last.clear()
        _last.update(key=key, at=time.monotonic(), doc=doc)
    with _lock:
        _building.pop(key, None)
    return copy.copy(doc)


KIND = register_report(
    ReportKind(
        name=NAME,
        title=lambda campaign, school: _("Аналитический отчёт о результатах ВПР: {title}").format(title=campaign.title),
        content=_content,
        source=lambda campaign, school: municipal_report_source(campaign),
        capability=Capability.BUILD_MUNICIPAL_REPORT,
        filename=lambda campaign, school: _("Аналитический_отчёт_{code}").format(code=campaign.code),
        per_school=False,
    )
)
