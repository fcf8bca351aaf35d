"""The campaign in preparation (the coming spring's ВПР): what a department and its schools have done a few
months before the window — the regulation and the guidelines published, some schools have read them, some have
set their schedule, a few have sent it and one has it approved. Built through the same services as the pages."""

import datetime

from django.core.files.base import ContentFile

from procedures.models import Campaign, Document
from procedures.services.documents import document_acknowledge, document_publish
from procedures.services.schedules import (
    EntryValue,
    schedule_approve,
    schedule_get_or_create,
    schedule_save,
    schedule_state,
    schedule_submit,
)
from schools.models import Membership, Role, User

DOCUMENTS = (
    (
        Document.Kind.REGULATION,
        "Регламент проведения ВПР в муниципалитете (демонстрационный)",
        "regulation.txt",
        "Демонстрационный документ. Порядок проведения всероссийских проверочных работ в общеобразовательных "
        "организациях муниципалитета: сроки, ответственные, кодирование участников, проверка работ, "
        "загрузка результатов в ФИС ОКО, хранение материалов.\n",
    ),
    (
        Document.Kind.GUIDELINES,
        "Методические рекомендации по подготовке к ВПР (демонстрационные)",
        "guidelines.txt",
        "Демонстрационный документ. Рекомендации школьным координаторам: график, рассадка, организаторы в "
        "аудиториях, общественные наблюдатели, объективность проверки.\n",
    ),
)
# Of the schools whose coordinators have demo log-ins: sch660001 has read the documents, set its schedule and had
# it approved; sch660002 has set its schedule but not sent it yet. The other schools have not begun.
APPROVED = ("sch660001",)


def _documents(campaign: Campaign, *, author: User) -> list:
    versions = []
    for kind, title, name, text in DOCUMENTS:
        document = Document.objects.filter(campaign=campaign, title=title).first()
        if document is None:
            file = ContentFile(text.encode("utf-8"), name=name)
            versions.append(
                document_publish(
                    department=campaign.department, kind=kind, title=title, file=file, actor=author, campaign=campaign
                )
            )
        else:
            versions.append(document.versions.order_by("-number").first())
    return versions


def _work_days(start: datetime.date, count: int) -> list[datetime.date]:
    """`count` working days from `start`, every other one (two days between works of a parallel)."""
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
            day += datetime.timedelta(days=2)
        else:
            day += datetime.timedelta(days=1)
    return days


def _schedule(campaign: Campaign, school, *, coordinator: User, department_user: User) -> None:
    schedule = schedule_get_or_create(campaign=campaign, school=school)
    if not schedule.is_editable:  # sent or approved by an earlier build
        return
    state = schedule_state(schedule=schedule)
    if not state.pairs or not state.missing:
        return
    codes = sorted({a.code for a, _c in state.pairs})
    days = dict(zip(codes, _work_days(campaign.window_start + datetime.timedelta(days=1), len(codes)), strict=True))
    values = [EntryValue(a, c, days[a.code], 2) for a, c in state.pairs]
    state = schedule_save(schedule=schedule, values=values, actor=coordinator)
    values = [
        EntryValue(a, c, days[a.code], 2, frozenset(w.code for w in state.warnings.get((a.pk, c.pk), [])))
        for a, c in state.pairs
    ]
    schedule_save(schedule=schedule, values=values, actor=coordinator)
    if school.code in APPROVED:
        schedule_submit(schedule=schedule, actor=coordinator)
        schedule_approve(schedule=schedule, actor=department_user)


def seed_preparation(campaign: Campaign) -> None:
    """Documents, their reading and the schools' schedules of the campaign in preparation; idempotent."""
    author = User.objects.get(username="uo")
    department_user = User.objects.get(username="mun")
    versions = _documents(campaign, author=author)
    coordinators = (
        Membership.objects.filter(school__department=campaign.department, role=Role.SCHOOL_COORDINATOR, is_active=True)
        .select_related("user", "school")
        .order_by("school__code")
    )
    for membership in coordinators:
        school, coordinator = membership.school, membership.user
        if school.code in APPROVED:
            for version in versions:
                document_acknowledge(version=version, school=school, actor=coordinator)
        _schedule(campaign, school, coordinator=coordinator, department_user=department_user)
