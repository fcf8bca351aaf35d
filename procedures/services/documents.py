"""Writes of regulation documents: publishing a document and its versions, and schools' acknowledgements.

Files go through Django's storage API (documents/<id>/v<n>/<name>); a refused file writes nothing.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils.text import Truncator, get_valid_filename
from django.utils.translation import gettext as _

from procedures.models import Campaign, Document, DocumentAcknowledgement, DocumentVersion
from schools.models import Department, Role, School, User
from schools.services import audit_record, notifications_send

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
ALLOWED_EXTENSIONS = (".pdf", ".docx", ".doc", ".odt", ".xlsx", ".rtf", ".txt")
# Roles of a school told about a new version and asked to confirm they have read it.
NOTIFIED_ROLES = (Role.SCHOOL_COORDINATOR, Role.DIRECTOR)

# How each type's content begins, so that a renamed executable or image is not published as a document.
_ZIP = (b"PK\x03\x04",)
_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".odt": _ZIP,
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".rtf": (b"{\\rtf",),
}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# The stored name must fit FileField's 100 characters together with documents/<id>/v<n>/.
_STEM_MAX = 60


def _allowed_list() -> str:
    return ", ".join(ext.lstrip(".").upper() for ext in ALLOWED_EXTENSIONS)


def _head(file, size: int) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def document_file_check(*, file) -> None:
    """Refuses a file of a type other than PDF, DOCX, DOC, ODT, XLSX, RTF, TXT, an empty file, a file over
    20 MB, or one whose content does not match its extension."""
    name = Path(file.name or "").name
    extension = Path(name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Недопустимый тип файла «{name}». Разрешены: {allowed}.").format(name=name, allowed=_allowed_list()),
            code="file_type",
        )
    if not file.size:
        raise ValidationError(_("Файл «{name}» пуст.").format(name=name), code="file_empty")
    if file.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("Файл «{name}» больше {limit} МБ.").format(name=name, limit=DOCUMENT_MAX_BYTES // (1024 * 1024)),
            code="file_size",
        )
    head = _head(file, 8192)
    if extension == ".txt":
        matches = head.startswith(_UTF16_BOMS) or b"\x00" not in head
    else:
        matches = head.startswith(_SIGNATURES[extension])
    if not matches:
        raise ValidationError(
            _("Содержимое файла «{name}» не соответствует типу {type}.").format(
                name=name, type=extension.lstrip(".").upper()
            ),
            code="file_content",
        )


def _stored_name(name: str) -> str:
    """The uploaded file's own name, made safe for storage (Cyrillic is kept)."""
    path = Path(Path(name).name)
    try:
        stem = get_valid_filename(path.stem)
    except SuspiciousFileOperation:  # a name of dots or nothing
        stem = ""
    return f"{stem[:_STEM_MAX] or 'document'}{path.suffix.lower()}"


@contextmanager
def _stored_files_removed_on_failure() -> Iterator[list[str]]:
    """Files saved inside the block are deleted again if the block fails, so a refused publication
    leaves nothing in storage."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _version_create(*, document: Document, number: int, file, note: str, actor: User, stored: list[str]):
    version = DocumentVersion(document=document, number=number, note=note, published_by=actor)
    version.file.save(_stored_name(file.name), file, save=False)
    stored.append(version.file.name)
    version.save()
    return version


def _notify_schools(*, version: DocumentVersion) -> list[int]:
    document = version.document
    users = (
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role__in=NOTIFIED_ROLES,
            memberships__school__department_id=document.department_id,
        )
        .distinct()
        .order_by("pk")
    )
    if version.number == 1:
        text = _("Опубликован документ «{title}». Ознакомьтесь и подтвердите ознакомление.").format(
            title=document.title
        )
    else:
        text = _("Новая версия {number} документа «{title}»: {note}. Ознакомьтесь и подтвердите ознакомление.").format(
            number=version.number, title=document.title, note=version.note
        )
    return notifications_send(
        users=users,
        text=Truncator(text).chars(500),
        url=reverse("procedures:document_detail", args=[document.pk]),
        key=f"document:{version.pk}",
    )


def document_publish(
    *,
    department: Department,
    kind: str,
    title: str,
    file,
    actor: User,
    campaign: Campaign | None = None,
    note: str = "",
) -> DocumentVersion:
    """Creates a document with its first version, tells the department's schools and records it in the audit."""
    document_file_check(file=file)
    if campaign is not None and campaign.department_id != department.pk:
        raise ValidationError(_("Кампания другого управления образования."))
    if kind not in Document.Kind.values:
        raise ValidationError(_("Неизвестный вид документа."))
    if not title.strip():
        raise ValidationError(_("Укажите название документа."))
    with _stored_files_removed_on_failure() as stored, transaction.atomic():
        document = Document.objects.create(department=department, campaign=campaign, kind=kind, title=title.strip())
        version = _version_create(document=document, number=1, file=file, note=note.strip(), actor=actor, stored=stored)
        audit_record(
            actor=actor,
            action="document.published",
            target=document,
            department=department,
            after={
                "kind": kind,
                "campaign": campaign,
                "version": version.number,
                "file": Path(version.file.name).name,
            },
        )
        _notify_schools(version=version)
    return version


def document_version_publish(*, document: Document, file, note: str, actor: User) -> DocumentVersion:
    """Adds the next version (2, 3, …) of a document with a note of what changed; the schools are told."""
    document_file_check(file=file)
    note = note.strip()
    if not note:
        raise ValidationError(_("Укажите, что изменилось в новой версии."))
    with _stored_files_removed_on_failure() as stored, transaction.atomic():
        # the lock serialises concurrent uploads of the same document, so numbers never collide
        locked = Document.objects.select_for_update().get(pk=document.pk)
        last = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = _version_create(document=locked, number=last + 1, file=file, note=note, actor=actor, stored=stored)
        audit_record(
            actor=actor,
            action="document.version_published",
            target=locked,
            department=locked.department,
            after={"version": version.number, "file": Path(version.file.name).name, "note": note},
        )
        _notify_schools(version=version)
    return version


@transaction.atomic
def document_acknowledge(
    *, version: DocumentVersion, school: School, actor: User
) -> tuple[DocumentAcknowledgement, bool]:
    """Records that a school has read a version («ознакомлен»), once per school and version: confirming again
    changes nothing. Returns the acknowledgement and whether it was recorded now."""
    document = version.document
    if school.department_id != document.department_id:
        raise ValidationError(_("Документ другого управления образования."))
    acknowledgement, created = DocumentAcknowledgement.objects.get_or_create(
        version=version, school=school, defaults={"user": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action="document.acknowledged",
            target=document,
            school=school,
            after={"version": version.number},
        )
    return acknowledgement, created
