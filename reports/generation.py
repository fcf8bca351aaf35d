"""Analytical reports built in the background, with their versions and whether their sources changed since.

A kind of report (the school's справка, the municipal report) is registered once with `register_report`: its
content function (campaign, school, progress → ReportDocument), its source function (what the report is made
of, as a dict of versions: the results' stamps, the cases, the conclusions…) and who reads it. Each kind is built in
two formats from the same content (PDF and DOCX): two documents of the job machinery (vpr_portal.documents), so
that asking runs in the background, shows progress and finishes exactly once.

A report's key is its kind, campaign, school, format and the hash of its sources: asking again while it is built
gives the same document and job (built once); asking after a source changed (a new import, a closed case, new
conclusions) builds a new version, and the previous one is kept. `report_state` says which version is current,
which are outdated, and what is being built.
"""

import hashlib
import json
import pkgutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import import_module

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from procedures.models import Campaign
from schools.access import Capability, department_ids_with, schools_with
from schools.models import School, User
from vpr_portal.documents import BuiltDocument, document_request, documents_visible_to, register_document_builder
from vpr_portal.models import GeneratedDocument

from .report_doc import ReportDocument
from .report_render import report_docx, report_pdf

FORMATS: dict[str, tuple[Callable[[ReportDocument], bytes], str]] = {
    "pdf": (report_pdf, "pdf"),
    "docx": (report_docx, "docx"),
}
PREFIX = "report"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ReportKind:
    """A kind of analytical report.

    `content(campaign, school, progress)` assembles the document (school None for a municipal report);
    `source(campaign, school)` gives the versions of what it is made of (JSON-serialisable); `capability` reads
    it (for a school's report, in that school: the department reaches every school of its own); `filename`
    names its files (without the extension)."""

    name: str
    title: Callable[[Campaign, School | None], str]
    content: Callable[[Campaign, School | None, Progress], ReportDocument]
    source: Callable[[Campaign, School | None], dict]
    capability: Capability
    filename: Callable[[Campaign, School | None], str]
    per_school: bool = True


_KINDS: dict[str, ReportKind] = {}


def _document_kind(name: str, fmt: str) -> str:
    return f"{PREFIX}.{name}.{fmt}"


def register_report(kind: ReportKind) -> ReportKind:
    """Registers a kind of report and its two documents' builders."""
    _KINDS[kind.name] = kind
    for fmt in FORMATS:
        _register_format(kind, fmt)
    return kind


def _register_format(kind: ReportKind, fmt: str) -> None:
    render, extension = FORMATS[fmt]

    def build(document: GeneratedDocument, progress: Progress) -> BuiltDocument:
        campaign = Campaign.objects.select_related("department").get(pk=document.params["campaign"])
        school = School.objects.filter(pk=document.params.get("school")).first() if kind.per_school else None
        doc = shared_content(
            kind, campaign, school, document.params.get("source", ""), lambda done, total: progress(done, total + 1)
        )
        doc.version = _("Версия {number}").format(number=document.params.get("version", 1))
        data = render(doc)
        progress(1, 1)
        return BuiltDocument(filename=f"{kind.filename(campaign, school)}.{extension}", content=data)

    build.__qualname__ = f"report_build[{kind.name}.{fmt}]"
    if kind.per_school:
        register_document_builder(
            _document_kind(kind.name, fmt),
            readable_school_ids=lambda user: schools_with(user, kind.capability).values_list("pk", flat=True),
        )(build)
    else:
        register_document_builder(
            _document_kind(kind.name, fmt),
            readable=lambda user: Q(params__department__in=sorted(department_ids_with(user, kind.capability))),
        )(build)


# One content for both formats ------------------------------------------------------------------------------------
# The PDF's and the DOCX's jobs ask for the same content (the same sources): the one that comes second, in the same
# process (one after the other, or at the same time: it waits), takes what the first assembled instead of drawing
# every chart again. Kept KEEP_CONTENT_SECONDS at most, KEEP_CONTENTS at most; a job in another process assembles its
# own. A change of the sources is another key.

KEEP_CONTENT_SECONDS = 600.0
KEEP_CONTENTS = 4
_content_guard = threading.Lock()
_content_building: dict[tuple, threading.Lock] = {}
_content_kept: dict[tuple, tuple[float, ReportDocument]] = {}


def shared_content(
    kind: ReportKind, campaign: Campaign, school: School | None, source: str, progress: Progress
) -> ReportDocument:
    """The kind's content of the campaign (and school) made of the sources `source`, assembled once per process
    for the formats asked together; each caller gets its own copy (the build sets its version)."""
    key = (kind.name, campaign.pk, school.pk if school is not None else None, source)
    with _content_guard:
        building = _content_building.setdefault(key, threading.Lock())
    with building:
        now = time.monotonic()
        with _content_guard:
            for stale in [k for k, (at, _doc) in _content_kept.items() if now - at > KEEP_CONTENT_SECONDS]:
                del _content_kept[stale]
            kept = _content_kept.get(key)
        if kept is not None:
            progress(1, 1)
            doc = kept[1]
        else:
            doc = kind.content(campaign, school, progress)
            with _content_guard:
                while len(_content_kept) >= KEEP_CONTENTS:
                    del _content_kept[min(_content_kept, key=lambda k: _content_kept[k][0])]
                _content_kept[key] = (time.monotonic(), doc)
    with _content_guard:
        _content_building.pop(key, None)
    return replace(doc, blocks=list(doc.blocks))


def forget_kept_contents() -> None:
    """Drops the kept contents (tests: a new test database may give the same ids and sources again)."""
    with _content_guard:
        _content_kept.clear()


def report_kinds() -> dict[str, ReportKind]:
    """The registered kinds (the modules of reports.kinds register them when first imported)."""
    from . import kinds

    for module in pkgutil.iter_modules(kinds.__path__):
        import_module(f"{kinds.__name__}.{module.name}")
    return _KINDS


def report_kind(name: str) -> ReportKind:
    try:
        return report_kinds()[name]
    except KeyError:
        raise ValueError(f"no report kind {name!r}") from None


# Sources -------------------------------------------------------------------------------------------------------


def source_hash(parts: dict) -> str:
    """A short hash of a report's sources (their versions as given by its kind)."""
    encoded = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def results_source(campaign: Campaign) -> list:
    """The results' stamps of the campaign's assessments: any import, correction or purge changes them."""
    from grading.models import ResultsStamp

    return sorted(ResultsStamp.objects.filter(assessment__campaign=campaign).values_list("assessment_id", "version"))


def cases_source(campaign: Campaign, school: School | None = None) -> list:
    """The state of the campaign's cases (of one school): a case opened, answered, concluded or closed changes it."""
    from django.db.models import Max

    from monitoring.models import SignalCase

    cases = SignalCase.objects.filter(campaign=campaign)
    if school is not None:
        cases = cases.filter(school=school)
    rows = cases.annotate(last_message=Max("messages__pk")).values_list(
        "pk", "status", "conclusion", "signal_present", "last_message", "measures"
    )
    return sorted([*row[:5], hashlib.sha256((row[5] or "").encode()).hexdigest()[:8]] for row in rows)


# Requests and state --------------------------------------------------------------------------------------------


def _prefix(kind: ReportKind, campaign: Campaign, school: School | None) -> str:
    return f"{PREFIX}:{kind.name}:{campaign.pk}:{school.pk if school is not None else 'm'}:"


def report_request(*, name: str, campaign: Campaign, school: School | None, user: User) -> list[GeneratedDocument]:
    """Asks for the report in both formats; idempotent while its sources are unchanged (the same documents and
    jobs, built once); after a change, a new version is built and the earlier ones are kept."""
    kind = report_kind(name)
    source = source_hash(kind.source(campaign, school))
    prefix = _prefix(kind, campaign, school)
    title = kind.title(campaign, school)
    documents = []
    # both formats recorded together: their jobs start once both are (after the commit), and the version's number is
    # read in the same transaction
    with transaction.atomic():
        existing = GeneratedDocument.objects.filter(key__startswith=prefix)
        sources = list(dict.fromkeys(existing.order_by("created_at").values_list("params__source", flat=True)))
        version = sources.index(source) + 1 if source in sources else len(sources) + 1
        for fmt in FORMATS:
            params = {
                "campaign": campaign.pk,
                "school": school.pk if school is not None else None,
                "department": campaign.department_id,
                "format": fmt,
                "source": source,
                "version": version,
                "report": kind.name,
            }
            documents.append(
                document_request(
                    key=f"{prefix}{fmt}:{source}",
                    kind=_document_kind(kind.name, fmt),
                    title=_("{title} ({fmt}, версия {version})").format(title=title, fmt=fmt.upper(), version=version),
                    params=params,
                    school=school,
                    user=user,
                )
            )
    return documents


@dataclass(frozen=True)
class ReportVersion:
    number: int
    source: str
    documents: dict[str, GeneratedDocument]  # format → its document
    requested_by: User | None
    requested_at: object
    current: bool  # made of the sources as they are now

    @property
    def running(self) -> bool:
        return any(document.is_running for document in self.documents.values())

    @property
    def done(self) -> bool:
        return all(document.status == GeneratedDocument.Status.DONE for document in self.documents.values())

    @property
    def failed(self) -> bool:
        return any(document.status == GeneratedDocument.Status.FAILED for document in self.documents.values())

    @property
    def progress(self) -> int:
        values = [document.progress for document in self.documents.values()]
        return round(sum(values) / len(values)) if values else 0


@dataclass(frozen=True)
class ReportState:
    versions: list[ReportVersion]  # the newest first
    source: str  # the current sources' hash

    @property
    def latest(self) -> ReportVersion | None:
        return self.versions[0] if self.versions else None

    @property
    def outdated(self) -> bool:
        """A version was built, and the sources changed since the newest one."""
        return self.latest is not None and not self.latest.current

    @property
    def running(self) -> bool:
        return any(version.running for version in self.versions)


def report_state(*, name: str, campaign: Campaign, school: School | None, user: User) -> ReportState:
    """The report's versions the user may read (the newest first), each with its documents, who asked and when,
    and whether it is made of the current sources."""
    kind = report_kind(name)
    source = source_hash(kind.source(campaign, school))
    documents = (
        documents_visible_to(user)
        .filter(key__startswith=_prefix(kind, campaign, school))
        .select_related("job", "requested_by")
        .order_by("created_at", "pk")
    )
    grouped: dict[str, dict[str, GeneratedDocument]] = {}
    for document in documents:
        grouped.setdefault(document.params.get("source", ""), {})[document.params.get("format", "pdf")] = document
    versions = []
    for number, (version_source, formats) in enumerate(grouped.items(), start=1):
        first = min(formats.values(), key=lambda document: document.created_at)
        versions.append(
            ReportVersion(
                number=first.params.get("version", number),
                source=version_source,
                documents={fmt: formats[fmt] for fmt in FORMATS if fmt in formats},
                requested_by=first.requested_by,
                requested_at=first.created_at,
                current=version_source == source,
            )
        )
    versions.sort(key=lambda version: version.requested_at, reverse=True)
    return ReportState(versions=versions, source=source)


def report_documents_visible_to(user: User, name: str):
    """The documents of a kind of report the user may read (for the download page)."""
    return documents_visible_to(user).filter(kind__startswith=f"{PREFIX}.{name}.")
