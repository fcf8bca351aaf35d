"""Documents built in the background (GeneratedDocument): asking for one, building it, reading its file.

A kind of document is registered with its builder, `builder(document, progress) -> BuiltDocument`, which
renders in parts (a class, a room) and calls `progress(done, total)` after each; the row's progress follows.
Builders live in each app's `printables` module, imported on first use (as Django's admin does with
`admin.py`), or are registered from an AppConfig.ready().

    @register_document_builder("participants.school_set", roles={Role.SCHOOL_COORDINATOR, Role.DIRECTOR})
    def build_school_set(document, progress):
        ...
        return BuiltDocument(filename="codes.pdf", content=pdf)

A request is keyed by what the document is for (kind + parameters + data version): asking twice with the same
key gives the same job (a failed one is started again), and a document already built is never rebuilt.
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from reports.models import GeneratedDocument
from schools.models import School, User
from schools.services import audit_record

logger = logging.getLogger(__name__)

# A job still queued after this long lost its message (broker down when it was sent): asking again re-sends it.
REQUEUE_AFTER = datetime.timedelta(minutes=10)


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
    # Recorded in the audit on each download (documents with pupils' names are printed on the record).
    audit_action: str = ""


_KINDS: dict[str, DocumentKind] = {}
_discovered = False


def register_document_builder(
    kind: str, *, roles: Iterable[str], audit_action: str = ""
) -> Callable[[Builder], Builder]:
    """Registers the builder of a kind of document and the school roles that may read it."""

    def decorator(builder: Builder) -> Builder:
        registered = _KINDS.get(kind)
        if registered is not None and registered.builder.__qualname__ != builder.__qualname__:
            raise ValueError(f"document kind {kind!r} already has a builder: {registered.builder.__qualname__}")
        _KINDS[kind] = DocumentKind(kind=kind, builder=builder, roles=frozenset(roles), audit_action=audit_action)
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


def documents_visible_to(user: User) -> QuerySet[GeneratedDocument]:
    """Documents the user may read: of a school, for the roles its kind names in that school; without a
    school, the requester's own."""
    condition = Q(school__isnull=True, requested_by_id=user.pk) if user.pk else Q(pk__in=[])
    for kind in document_kinds().values():
        school_ids = user.school_ids_with_role(*kind.roles)
        if school_ids:
            condition |= Q(kind=kind.kind, school_id__in=school_ids)
    return GeneratedDocument.objects.filter(condition).select_related("school")


def document_is_running(document: GeneratedDocument) -> bool:
    return document.status in (GeneratedDocument.Status.QUEUED, GeneratedDocument.Status.RUNNING)


# Writes --------------------------------------------------------------------------------------------------------


def document_request(
    *, key: str, kind: str, title: str, params: dict, school: School | None, user: User | None
) -> GeneratedDocument:
    """Asks for a document to be built in the background; idempotent by `key`.

    The same key gives the same document: queued, running or done, it is returned as it is (nothing is built
    twice); a failed one is queued again. The build is queued after the transaction commits (in-process when
    no broker is configured)."""
    document_kind(kind)  # an unknown kind is a programming error: fail before anything is written
    send = False
    with transaction.atomic():
        try:
            with transaction.atomic():
                document, created = GeneratedDocument.objects.get_or_create(
                    key=key,
                    defaults={
                        "kind": kind,
                        "title": title[:300],
                        "params": params,
                        "school": school,
                        "requested_by": user,
                    },
                )
        except IntegrityError:  # the same key asked for at the same moment by someone else
            document, created = GeneratedDocument.objects.get(key=key), False
        if created:
            send = True
        else:
            document = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
            if document.kind != kind or document.school_id != (school.pk if school else None):
                raise ValidationError(_("Документ с этим ключом уже заказан для другой цели."))
            stale = (
                document.status == GeneratedDocument.Status.QUEUED
                and timezone.now() - document.created_at > REQUEUE_AFTER
            )
            if document.status == GeneratedDocument.Status.FAILED or stale:
                document.status = GeneratedDocument.Status.QUEUED
                document.progress = 0
                document.error = ""
                document.finished_at = None
                document.requested_by = user or document.requested_by
                document.created_at = timezone.now()
                document.save(
                    update_fields=["status", "progress", "error", "finished_at", "requested_by", "created_at"]
                )
                send = True
        if send:
            from vpr_portal.tasks import enqueue

            from .tasks import build_document

            enqueue(build_document, document.pk)
    return document


def _set_progress(document_id: int, value: int) -> None:
    GeneratedDocument.objects.filter(pk=document_id, status=GeneratedDocument.Status.RUNNING).update(progress=value)


def document_build(*, document_id: int) -> GeneratedDocument | None:
    """Builds a queued document: its builder renders it part by part, the progress is saved as parts complete,
    the file is stored and the document marked done. Idempotent: a done document is not rebuilt, a missing
    one is ignored. A builder's error marks the document failed (its message kept for the status page);
    storage errors (OSError) propagate so the task retries."""
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status == GeneratedDocument.Status.DONE:
            return document
        document.status = GeneratedDocument.Status.RUNNING
        document.progress = 0
        document.error = ""
        document.save(update_fields=["status", "progress", "error"])
    last = {"value": 0}

    def progress(done: int, total: int) -> None:
        # 100 means the file is stored: parts complete count up to 99.
        value = min(99, int(99 * done / total)) if total else 0
        if value != last["value"]:
            last["value"] = value
            _set_progress(document_id, value)

    try:
        built = document_kind(document.kind).builder(document, progress)
    except Exception as error:  # a builder's bug or bad data: retrying would fail the same way
        logger.exception("document %s (%s) failed", document_id, document.kind)
        document_fail(document_id=document_id, error=str(error) or type(error).__name__)
        return GeneratedDocument.objects.get(pk=document_id)
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().get(pk=document_id)
        if document.status == GeneratedDocument.Status.DONE:  # a duplicate delivery finished first
            return document
        if document.file:
            document.file.delete(save=False)
        document.file.save(built.filename, ContentFile(built.content), save=False)
        document.status = GeneratedDocument.Status.DONE
        document.progress = 100
        document.finished_at = timezone.now()
        document.save(update_fields=["file", "status", "progress", "finished_at"])
    return document


def document_fail(*, document_id: int, error: str) -> None:
    GeneratedDocument.objects.filter(pk=document_id).exclude(status=GeneratedDocument.Status.DONE).update(
        status=GeneratedDocument.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def document_downloaded(*, document: GeneratedDocument, user: User) -> None:
    """A download of a document whose kind asks for it (names printed) is recorded in the audit."""
    kind = document_kinds().get(document.kind)
    if kind is None or not kind.audit_action:
        return
    audit_record(
        actor=user,
        action=kind.audit_action,
        target=document,
        school=document.school,
        target_label=document.title,
        after={
            "document": document.pk,
            **{k: v for k, v in document.params.items() if isinstance(v, str | int) and k != "return_url"},
        },
        source="document",
    )
