"""Documents built in the background (GeneratedDocument): asking for one, building it, reading its file.

A kind of document is registered with its builder, `builder(document, progress) -> BuiltDocument`, which
renders in parts (a class, a room) and calls `progress(done, total)` after each; the progress of the document's
job follows. Builders live in each app's `printables` module, imported on first use (as Django's admin does
with `admin.py`), or are registered from an AppConfig.ready().

    @register_document_builder("participants.school_set", roles={"school_coordinator", "director"})
    def build_school_set(document, progress):
        ...
        return BuiltDocument(filename="codes.pdf", content=pdf)

A request is keyed by what the document is for (kind + parameters + data version): asking twice with the same
key gives the same document and the same job (a failed one is started again), and a document already built is
never rebuilt. The build is a job of the project's job machinery (vpr_portal.jobs: a row with a heartbeat, run
in a worker or in the web process's job threads, re-queued by the sweeper when its worker dies), so it
finishes exactly once; the file is stored in the same transaction that marks the job done.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from .jobs import JobRun, job_request, job_run, jobs_sweep_if_due, register_job_kind
from .models import DOCUMENT_JOB, GeneratedDocument, Job, generated_path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuiltDocument:
    filename: str
    content: bytes


Progress = Callable[[int, int], None]
Builder = Callable[[GeneratedDocument, Progress], BuiltDocument]


@dataclass(frozen=True)
class DocumentKind:
    kind: str
    builder: Builder
    # School roles that may read a document of this kind (in the document's school).
    roles: frozenset[str]
    # Or, when reading depends on more than a role (a right the school handed on): the ids of the schools
    # whose documents of this kind the user may read.
    readable_school_ids: Callable[[object], Iterable[int]] | None = None
    # Or, for a document of no school (a department's report): a condition on the documents of this kind the user
    # may read beside their own (such as the department in its parameters); None: only the requester's own.
    readable: Callable[[object], Q | None] | None = None
    # Recorded in the audit on each download (documents with pupils' names are printed on the record).
    audit_action: str = ""


_KINDS: dict[str, DocumentKind] = {}
_discovered = False


def register_document_builder(
    kind: str,
    *,
    roles: Iterable[str] = (),
    readable_school_ids: Callable[[object], Iterable[int]] | None = None,
    readable: Callable[[object], Q | None] | None = None,
    audit_action: str = "",
) -> Callable[[Builder], Builder]:
    """Registers the builder of a kind of document and who may read it: the school roles, or a function
    giving the schools whose documents of the kind a user may read."""

    def decorator(builder: Builder) -> Builder:
        registered = _KINDS.get(kind)
        if registered is not None and registered.builder.__qualname__ != builder.__qualname__:
            raise ValueError(f"document kind {kind!r} already has a builder: {registered.builder.__qualname__}")
        _KINDS[kind] = DocumentKind(
            kind=kind,
            builder=builder,
            roles=frozenset(roles),
            readable_school_ids=readable_school_ids,
            readable=readable,
            audit_action=audit_action,
        )
        return builder

    return decorator


def document_kinds() -> dict[str, DocumentKind]:
    global _discovered
    if not _discovered:
        autodiscover_modules("printables")
        _discovered = True
    return _KINDS


def document_kind(kind: str) -> DocumentKind:
    try:
        return document_kinds()[kind]
    except KeyError:
        raise ValueError(f"no builder is registered for document kind {kind!r}") from None


# Reads ---------------------------------------------------------------------------------------------------------


def documents_visible_to(user) -> QuerySet[GeneratedDocument]:
    """Documents the user may read: of a school, for the roles its kind names in that school; without a
    school, the requester's own. The user is asked for the schools where they hold some roles
    (`user.school_ids_with_role(*roles)`), so this layer needs no school model."""
    condition = Q(school__isnull=True, requested_by_id=user.pk) if user.pk else Q(pk__in=[])
    for kind in document_kinds().values():
        if kind.readable is not None:
            extra = kind.readable(user)
            if extra is not None:
                condition |= Q(kind=kind.kind) & extra
        if kind.readable_school_ids is not None:
            school_ids = set(kind.readable_school_ids(user))
        else:
            school_ids = user.school_ids_with_role(*kind.roles)
        if school_ids:
            condition |= Q(kind=kind.kind, school_id__in=school_ids)
    return GeneratedDocument.objects.filter(condition).select_related("school", "job")


def document_is_running(document: GeneratedDocument) -> bool:
    """Queued or being built. On the embedded default, reading it also lets the sweeper look (at most every
    JOBS_SWEEP_SECONDS) for builds interrupted by a restart."""
    jobs_sweep_if_due()
    return document.is_running


# Writes --------------------------------------------------------------------------------------------------------


def document_request(*, key: str, kind: str, title: str, params: dict, school, user) -> GeneratedDocument:
    """Asks for a document to be built in the background; idempotent by `key`.

    The same key gives the same document and job: queued, running or done, it is returned as it is (nothing is
    built twice); a failed one is queued again. The build starts after the transaction commits."""
    document_kind(kind)  # an unknown kind is a programming error: fail before anything is written
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().filter(key=key).first()
        if document is not None and (document.kind != kind or document.school_id != (school.pk if school else None)):
            raise ValidationError(_("Документ с этим ключом уже заказан для другой цели."))
        # A job left by a removed document (the purge) is started anew for the new one.
        job = job_request(kind=DOCUMENT_JOB, key=f"{DOCUMENT_JOB}:{key}", user=user, restart=document is None)
        if document is None:
            try:
                with transaction.atomic():
                    document = GeneratedDocument.objects.create(
                        key=key, kind=kind, title=title[:300], params=params, school=school, requested_by=user, job=job
                    )
            except IntegrityError:  # the same key asked for at the same moment by someone else
                document = GeneratedDocument.objects.get(key=key)
    return document


def document_job(job: Job, run: JobRun):
    """The handler of a document's job: its kind's builder renders it part by part (progress as parts complete),
    and the file is stored when the job is marked done (once: a taken-over attempt stores nothing)."""
    document = GeneratedDocument.objects.select_related("school").filter(job=job).first()
    if document is None:  # removed meanwhile (the personal-data purge)
        return {"document": None}
    built = document_kind(document.kind).builder(document, run.progress)

    def store() -> dict:
        locked = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
        storage = locked.file.storage
        if locked.file:
            locked.file.delete(save=False)
        target = generated_path(locked, built.filename)
        if storage.exists(target):  # left by an attempt killed between storing and committing
            storage.delete(target)
        locked.file.save(built.filename, ContentFile(built.content), save=False)
        GeneratedDocument.objects.filter(pk=locked.pk).update(file=locked.file.name)
        return {"document": locked.pk, "file": locked.file.name, "bytes": len(built.content)}

    return store


def document_build(*, document_id: int) -> GeneratedDocument | None:
    """Builds a document now, in this thread, through its job (see `document_job`); idempotent: a done document
    is not rebuilt, a missing one is ignored."""
    document = GeneratedDocument.objects.filter(pk=document_id).only("job").first()
    if document is None:
        return None
    job_run(job_id=document.job_id)
    return GeneratedDocument.objects.select_related("job").get(pk=document_id)


def document_download_audit(document: GeneratedDocument) -> dict | None:
    """What a download of the document records in the audit, when its kind asks for it (names printed): the
    arguments of the audit record besides the actor (the caller records it: the audit lives with the schools,
    above this layer); None when a download is not recorded."""
    kind = document_kinds().get(document.kind)
    if kind is None or not kind.audit_action:
        return None
    return {
        "action": kind.audit_action,
        "target": document,
        "school": document.school,
        "target_label": document.title,
        "after": {
            "document": document.pk,
            **{k: v for k, v in document.params.items() if isinstance(v, str | int) and k != "return_url"},
        },
        "source": "document",
    }


register_job_kind(DOCUMENT_JOB, document_job)
