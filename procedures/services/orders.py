"""Writes of the school's order on conducting the ВПР (Регламент 4.3.1): submitting a version to the director,
the director's approval or return with a comment, and uploading the signed scan of an approved version.

A version freezes what the order says (SchoolOrder.content) when it is submitted. The next version is submitted
only when the staffing or the schedule changed since the last approved one; the number and date are the
school's own. A returned version is corrected and submitted again under its own number. Every step is audited
and notified: the directors hear of a submission, the coordinators (and who submitted) of the decision. The
signed scan goes through Django's storage; a refused file writes nothing.
"""

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Campaign, SchoolOrder, SchoolOrderStep
from procedures.selectors import orders as selectors
from schools.models import Role, School, User
from schools.services import audit_record, notifications_send

SCAN_MAX_BYTES = 20 * 1024 * 1024
# How each accepted type's content begins: a renamed document or executable is refused.
SCAN_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
SCAN_EXTENSIONS = tuple(SCAN_SIGNATURES)


def _school_users(school: School, *roles: str):
    return User.objects.filter(
        memberships__school=school, memberships__role__in=roles, memberships__is_active=True, is_active=True
    ).distinct()


def _notify(order: SchoolOrder, *, users, text: str, event: str) -> None:
    url = reverse("procedures:order", kwargs={"campaign_code": order.campaign.code, "school_code": order.school.code})
    step = order.steps.order_by("-created_at", "-id").values_list("pk", flat=True).first()
    notifications_send(users=users, text=text, url=url, key=f"order:{order.pk}:{event}:{step}")


def _step(order: SchoolOrder, action: str, actor: User, comment: str = "") -> SchoolOrderStep:
    return SchoolOrderStep.objects.create(order=order, action=action, actor=actor, comment=comment)


def _check_date(latest: SchoolOrder | None, date: datetime.date) -> None:
    if latest is not None and date < latest.date:
        raise ValidationError(
            _("Дата новой версии не может быть раньше даты версии {version} ({date}).").format(
                version=latest.version, date=latest.date.strftime("%d.%m.%Y")
            )
        )


@transaction.atomic
def order_submit(*, campaign: Campaign, school: School, number: str, date: datetime.date, actor: User) -> SchoolOrder:
    """Submits the order as it reads now to the school's director, with the number and date the school gave it.

    A version the director returned is corrected in place (same version, the content read again); otherwise a new
    version is created. Refused while a version awaits the director, when the schedule is not approved, when
    nothing changed in the staffing or schedule since the last approved version, or when the date is earlier
    than that version's. Notifies the school's directors."""
    if school.department_id != campaign.department_id:
        raise ValidationError(_("Кампания другого управления образования."))
    number = number.strip()
    if not number:
        raise ValidationError(_("Укажите номер приказа."))
    # one submission at a time per school, so that two clicks cannot take the same version number
    School.objects.select_for_update().filter(pk=school.pk).first()
    state = selectors.order_state(campaign=campaign, school=school)
    if state.awaiting is not None:
        raise ValidationError(
            _("Версия {version} уже на утверждении у директора.").format(version=state.awaiting.version)
        )
    if state.blockers:
        raise ValidationError(state.blockers)
    latest = state.latest
    if latest is not None and not state.changes:
        raise ValidationError(
            _("Состав и график не изменились с версии {version}: новая версия не нужна.").format(version=latest.version)
        )
    _check_date(latest, date)
    returned = state.returned
    before = None
    if returned is not None:
        before = {"version": returned.version, "number": returned.number, "date": returned.date}
        returned.number, returned.date, returned.content = number, date, state.content
        returned.status, returned.comment = SchoolOrder.Status.SUBMITTED, ""
        returned.save(update_fields=["number", "date", "content", "status", "comment"])
        order = returned
    else:
        versions = [order.version for order in state.versions]
        order = SchoolOrder.objects.create(
            campaign=campaign,
            school=school,
            version=max(versions, default=0) + 1,
            number=number,
            date=date,
            content=state.content,
            created_by=actor,
            status=SchoolOrder.Status.SUBMITTED,
        )
        if latest is not None:
            before = {"version": latest.version, "number": latest.number, "date": latest.date}
    _step(order, SchoolOrderStep.Action.SUBMITTED, actor)
    audit_record(
        actor=actor,
        action="order.resubmitted" if returned is not None else "order.submitted",
        target=order,
        school=school,
        before=before,
        after={
            "version": order.version,
            "number": order.number,
            "date": order.date,
            "changed": ", ".join(state.changes) if latest else "",
        },
    )
    _notify(
        order,
        users=_school_users(school, Role.DIRECTOR).exclude(pk=actor.pk),
        text=_("Приказ о проведении ВПР ({campaign}), версия {version}, ждёт вашего утверждения.").format(
            campaign=campaign.title, version=order.version
        ),
        event="submitted",
    )
    return order


def _locked_for_decision(order: SchoolOrder) -> SchoolOrder:
    order = SchoolOrder.objects.select_for_update().select_related("campaign", "school").get(pk=order.pk)
    if order.status != SchoolOrder.Status.SUBMITTED:
        raise ValidationError(
            _("Версия {version} не ждёт утверждения (статус: {status}).").format(
                version=order.version, status=order.get_status_display()
            )
        )
    return order


def _decision_recipients(order: SchoolOrder, actor: User):
    """The school's coordinators and who submitted the version, except the director deciding."""
    ids = set(_school_users(order.school, Role.SCHOOL_COORDINATOR).values_list("pk", flat=True))
    ids |= set(order.steps.filter(action=SchoolOrderStep.Action.SUBMITTED).values_list("actor_id", flat=True))
    ids.discard(actor.pk)
    return User.objects.filter(pk__in=ids, is_active=True)


def _decide(order: SchoolOrder, *, approve: bool, actor: User, comment: str = "") -> SchoolOrder:
    """The director's decision on a submitted version: its status and step, the audit entry, and the notice to
    the school's coordinators and whoever submitted it."""
    order = _locked_for_decision(order)
    status = SchoolOrder.Status.APPROVED if approve else SchoolOrder.Status.RETURNED
    order.status, order.comment = status, comment
    order.decided_at, order.decided_by = timezone.now(), actor
    order.save(update_fields=["status", "comment", "decided_at", "decided_by"])
    _step(order, SchoolOrderStep.Action.APPROVED if approve else SchoolOrderStep.Action.RETURNED, actor, comment)
    after = {"status": order.get_status_display(), "version": order.version}
    audit_record(
        actor=actor,
        action="order.approved" if approve else "order.returned",
        target=order,
        school=order.school,
        before={"status": SchoolOrder.Status.SUBMITTED.label},
        after={**after, "comment": comment} if comment else after,
    )
    if approve:
        text = _("Директор утвердил приказ о проведении ВПР ({campaign}), версия {version}.")
    else:
        text = _("Директор вернул приказ о проведении ВПР ({campaign}), версия {version}: {comment}")
    _notify(
        order,
        users=_decision_recipients(order, actor),
        text=text.format(campaign=order.campaign.title, version=order.version, comment=comment[:300]),
        event="approved" if approve else "returned",
    )
    return order


@transaction.atomic
def order_approve(*, order: SchoolOrder, actor: User) -> SchoolOrder:
    """The director approves a submitted version: it comes into force and may be signed and scanned.
    Notifies the school's coordinators."""
    return _decide(order, approve=True, actor=actor)


@transaction.atomic
def order_return(*, order: SchoolOrder, comment: str, actor: User) -> SchoolOrder:
    """The director returns a submitted version with a comment on what to correct. Notifies the school's
    coordinators."""
    comment = comment.strip()
    if not comment:
        raise ValidationError(_("Напишите, что исправить в приказе."))
    return _decide(order, approve=False, actor=actor, comment=comment)


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
    """Stores the signed scan of an approved version (replacing an earlier scan of it) and records it in the
    audit."""
    if not order.is_approved:
        raise ValidationError(_("Скан загружается после утверждения приказа директором."), code="not_approved")
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
