"""Writes of the school's order on conducting the ВПР (Регламент 4.3.1): issuing a version and uploading the
signed scan.

A version freezes what the order says (SchoolOrder.content) when it is issued. The next version is issued only
when the staffing or the schedule changed since then; the number and date are the school's own. The signed
scan goes through Django's storage; a refused file writes nothing.
"""

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from procedures.models import Campaign, SchoolOrder
from procedures.selectors import orders as selectors
from schools.models import School, User
from schools.services import audit_record

SCAN_MAX_BYTES = 20 * 1024 * 1024
# How each accepted type's content begins: a renamed document or executable is refused.
SCAN_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
SCAN_EXTENSIONS = tuple(SCAN_SIGNATURES)


@transaction.atomic
def order_issue(*, campaign: Campaign, school: School, number: str, date: datetime.date, actor: User) -> SchoolOrder:
    """Issues the next version of the school's order with the number and date the school gave it.

    Refused when the schedule is not approved, when nothing changed in the staffing or schedule since the last
    version, or when the date is earlier than the last version's."""
    if school.department_id != campaign.department_id:
        raise ValidationError(_("Кампания другого управления образования."))
    number = number.strip()
    if not number:
        raise ValidationError(_("Укажите номер приказа."))
    # one issue at a time per school, so that two clicks cannot take the same version number
    School.objects.select_for_update().filter(pk=school.pk).first()
    state = selectors.order_state(campaign=campaign, school=school)
    if state.blockers:
        raise ValidationError(state.blockers)
    latest = state.latest
    if latest is not None and not state.changes:
        raise ValidationError(
            _("Состав и график не изменились с версии {version}: новая версия не нужна.").format(version=latest.version)
        )
    if latest is not None and date < latest.date:
        raise ValidationError(
            _("Дата новой версии не может быть раньше даты версии {version} ({date}).").format(
                version=latest.version, date=latest.date.strftime("%d.%m.%Y")
            )
        )
    order = SchoolOrder.objects.create(
        campaign=campaign,
        school=school,
        version=(latest.version if latest else 0) + 1,
        number=number,
        date=date,
        content=state.content,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="order.issued",
        target=order,
        school=school,
        before={"version": latest.version, "number": latest.number, "date": latest.date} if latest else None,
        after={
            "version": order.version,
            "number": order.number,
            "date": order.date,
            "changed": ", ".join(state.changes) if latest else "",
        },
    )
    return order


def order_scan_check(*, file) -> None:
    """Refuses a scan other than PDF, JPG or PNG, an empty one, one over 20 MB, or one whose content does not
    begin as its type does."""
    name = Path(file.name or "").name
    extension = Path(name).suffix.lower()
    if extension not in SCAN_SIGNATURES:
        raise ValidationError(
            _("Недопустимый тип файла «{name}». Разрешены: PDF, JPG, PNG.").format(name=name), code="file_type"
        )
    if not file.size:
        raise ValidationError(_("Файл «{name}» пуст.").format(name=name), code="file_empty")
    if file.size > SCAN_MAX_BYTES:
        raise ValidationError(
            _("Файл «{name}» больше {limit} МБ.").format(name=name, limit=SCAN_MAX_BYTES // (1024 * 1024)),
            code="file_size",
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if not head.startswith(SCAN_SIGNATURES[extension]):
        raise ValidationError(
            _("Содержимое файла «{name}» не соответствует типу {type}.").format(
                name=name, type=extension.lstrip(".").upper()
            ),
            code="file_content",
        )


def order_scan_upload(*, order: SchoolOrder, file, actor: User) -> SchoolOrder:
    """Stores the signed scan of a version (replacing an earlier scan of it) and records it in the audit."""
    order_scan_check(file=file)
    extension = Path(file.name).suffix.lower().replace(".jpeg", ".jpg")
    previous = order.signed_scan.name or ""
    storage = order.signed_scan.storage
    order.signed_scan.save(f"order-{order.school.code}-v{order.version}{extension}", file, save=False)
    stored = order.signed_scan.name
    try:
        with transaction.atomic():
            order.save(update_fields=["signed_scan"])
            audit_record(
                actor=actor,
                action="order.scan_uploaded",
                target=order,
                school=order.school,
                before={"scan": Path(previous).name} if previous else None,
                after={"scan": Path(stored).name, "version": order.version},
            )
            if previous and previous != stored:
                transaction.on_commit(lambda: storage.delete(previous))
    except BaseException:
        storage.delete(stored)
        raise
    return order
