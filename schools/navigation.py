"""Where each role starts and what its navigation shows."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role, User


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    key: str


def _first_school(user: User, *roles: str):
    memberships = sorted(
        (m for m in user.active_memberships if m.school_id and m.role in roles), key=lambda m: m.school.code
    )
    return memberships[0].school if memberships else None


def start_url(user: User) -> str:
    """The start page of the user's most responsible role (a person may hold several)."""
    roles = user.roles
    if roles & {Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR}:
        return reverse("reports:overview")
    if school := _first_school(user, Role.SCHOOL_COORDINATOR):
        return reverse("procedures:checklist", kwargs={"school_code": school.code})
    if school := _first_school(user, Role.DIRECTOR):
        return reverse("procedures:director_start", kwargs={"school_code": school.code})
    if school := _first_school(user, Role.TECHNICAL_SPECIALIST):
        return reverse("procedures:technical_start", kwargs={"school_code": school.code})
    if Role.DEPARTMENT_REPRESENTATIVE in roles:
        return reverse("monitoring:cards")
    if any(m.role == Role.EXPERT and m.department_id and not m.school_id for m in user.active_memberships):
        # an expert held in the department sits on its re-check commission
        return reverse("monitoring:recheck_my_works")
    if Role.EXPERT in roles:
        return reverse("grading:my_works")
    if Role.ORGANIZER in roles:
        return reverse("procedures:my_rooms")
    if Role.OBSERVER in roles:
        return reverse("monitoring:assignments")
    return reverse("no_role")


def _school_items(school, school_roles: set[str]) -> list[NavItem]:
    """The menu of a school's coordinator, director or technical specialist."""
    items: list[NavItem] = []
    if Role.DIRECTOR in school_roles:
        items.append(NavItem(_("Рабочий стол"), reverse("procedures:director_start", args=[school.code]), "start"))
    elif Role.TECHNICAL_SPECIALIST in school_roles:
        items.append(NavItem(_("Рабочий стол"), reverse("procedures:technical_start", args=[school.code]), "start"))
    if school_roles & {Role.SCHOOL_COORDINATOR, Role.DIRECTOR}:
        items.append(NavItem(_("План работ"), reverse("procedures:checklist", args=[school.code]), "checklist"))
    items.append(NavItem(_("Кампании"), reverse("procedures:campaign_list"), "campaigns"))
    items.append(NavItem(school.short_name, reverse("schools:school_detail", args=[school.code]), "school"))
    items.append(NavItem(_("Обучающиеся"), reverse("schools:pupil_list", args=[school.code]), "pupils"))
    if school_roles & {Role.SCHOOL_COORDINATOR, Role.DIRECTOR}:
        items.append(NavItem(_("Сотрудники"), reverse("schools:staff_list", args=[school.code]), "staff"))
        items.append(NavItem(_("Документы"), reverse("procedures:document_list"), "documents"))
        items.append(NavItem(_("Пользователи"), reverse("schools:people_list"), "people"))
    if school_roles & {Role.SCHOOL_COORDINATOR, Role.DIRECTOR}:
        items.append(NavItem(_("Разборы"), reverse("monitoring:school_cases", args=[school.code]), "cases"))
        items.append(
            NavItem(_("Наблюдение"), reverse("monitoring:school_observers", args=[school.code]), "observation")
        )
        # the справки, parents' slips and management decisions of the school's campaigns
        items.append(NavItem(_("Отчёты"), reverse("reports:school_report_index", args=[school.code]), "reports"))
    elif Role.TECHNICAL_SPECIALIST in school_roles:
        items.append(NavItem(_("Видеонаблюдение"), reverse("monitoring:school_video", args=[school.code]), "video"))
    if Role.TECHNICAL_SPECIALIST in school_roles and Role.SCHOOL_COORDINATOR not in school_roles:
        # the coordinator reaches the school's re-check from the notice of the selection (the menu is full)
        items.append(NavItem(_("Перепроверка"), reverse("monitoring:recheck_school", args=[school.code]), "recheck"))
    if Role.DIRECTOR in school_roles:
        items.append(NavItem(_("Журнал действий"), reverse("schools:audit_list"), "audit"))
    return items


def nav_items(user: User) -> list[NavItem]:
    roles = user.roles
    items: list[NavItem] = []
    if roles & {Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR}:
        items += [
            NavItem(_("Обзор"), reverse("reports:overview"), "overview"),
            NavItem(_("Кампании"), reverse("procedures:campaign_list"), "campaigns"),
            NavItem(_("Школы"), reverse("schools:school_list"), "schools"),
            NavItem(_("Документы"), reverse("procedures:document_list"), "documents"),
            NavItem(_("Пользователи"), reverse("schools:people_list"), "people"),
            NavItem(_("Журнал действий"), reverse("schools:audit_list"), "audit"),
            NavItem(_("Наблюдение"), reverse("monitoring:observation_day"), "observation"),
            NavItem(_("Нарушения"), reverse("monitoring:violations"), "violations"),
            NavItem(_("Перепроверка"), reverse("monitoring:rechecks"), "recheck"),
            # the signals' thresholds are reached from the campaign's signals list
            NavItem(_("Отчёты"), reverse("reports:municipal_analytical_reports"), "reports"),
            NavItem(_("Решения"), reverse("monitoring:decisions"), "decisions"),
        ]
    if Role.DEPARTMENT_REPRESENTATIVE in roles:
        items.append(NavItem(_("Карты мониторинга"), reverse("monitoring:cards"), "cards"))
    seen_schools = set()
    for membership in sorted(user.active_memberships, key=lambda m: m.school.code if m.school_id else ""):
        school = membership.school
        if not school or school.pk in seen_schools:
            continue
        if not ({membership.role} & {Role.SCHOOL_COORDINATOR, Role.DIRECTOR, Role.TECHNICAL_SPECIALIST}):
            continue
        seen_schools.add(school.pk)
        school_roles = {m.role for m in user.active_memberships if m.school_id == school.pk}
        items += _school_items(school, school_roles)
    if Role.EXPERT in roles:
        items.append(NavItem(_("Работы на проверку"), reverse("grading:my_works"), "works"))
        items.append(NavItem(_("Перепроверка"), reverse("monitoring:recheck_my_works"), "recheck"))
        items.append(NavItem(_("Согласованность"), reverse("monitoring:my_agreement"), "agreement"))
    if Role.ORGANIZER in roles:
        items.append(NavItem(_("Мои аудитории"), reverse("procedures:my_rooms"), "rooms"))
    if Role.OBSERVER in roles:
        items.append(NavItem(_("Назначения"), reverse("monitoring:assignments"), "assignments"))
    unique: dict[str, NavItem] = {}
    for item in items:
        unique.setdefault(item.url, item)
    return list(unique.values())
