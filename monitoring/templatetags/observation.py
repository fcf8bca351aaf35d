"""The tabs that join observation's pages: the school's (who comes, acts and cards, violations, video) and the
department's (assignments, registry, violations). Each tab is shown only to a user who may open it."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from schools.access import Capability as C
from schools.access import user_can

register = template.Library()


@register.inclusion_tag("monitoring/_tabs.html", takes_context=True)
def school_observation_tabs(context, school, active: str):
    user = context["request"].user
    candidates = [
        ("observers", _("Кто придёт"), C.VIEW_OBSERVATION, "monitoring:school_observers"),
        ("reports", _("Акты и карты мониторинга"), C.VIEW_OBSERVATION, "monitoring:school_reports"),
        ("violations", _("Нарушения"), C.VIEW_VIOLATIONS, "monitoring:school_violations"),
        ("video", _("Видеонаблюдение"), C.RECORD_VIDEO, "monitoring:school_video"),
    ]
    tabs = [
        (key, label, reverse(name, args=[school.code]))
        for key, label, capability, name in candidates
        if user_can(user, capability, school)
    ]
    if not user_can(user, C.RECORD_VIDEO, school) and user_can(user, C.VIEW_OBSERVATION, school):
        tabs.append(("video", _("Видеонаблюдение"), reverse("monitoring:school_video_records", args=[school.code])))
    return {"tabs": tabs, "active": active}


@register.inclusion_tag("monitoring/_tabs.html", takes_context=True)
def department_observation_tabs(context, active: str):
    user = context["request"].user
    candidates = [
        ("day", _("Назначения по дням"), C.MANAGE_OBSERVERS, "monitoring:observation_day"),
        ("registry", _("Реестр наблюдателей"), C.MANAGE_OBSERVERS, "monitoring:registry"),
        ("violations", _("Нарушения"), C.CLOSE_VIOLATIONS, "monitoring:violations"),
    ]
    tabs = [(key, label, reverse(name)) for key, label, capability, name in candidates if user_can(user, capability)]
    return {"tabs": tabs, "active": active}


@register.inclusion_tag("monitoring/_tabs.html", takes_context=True)
def recheck_tabs(context, campaign, active: str):
    """The department's re-check of a campaign: selection and the clock, the commission, marker agreement, and
    the protocol and spreadsheets to download."""
    user = context["request"].user
    if not user_can(user, C.MANAGE_RECHECK):
        return {"tabs": [], "active": active}
    code = campaign.code
    tabs = [
        ("selection", _("Отбор и сроки"), reverse("monitoring:recheck", args=[code])),
        ("commission", _("Комиссия"), reverse("monitoring:recheck_commission", args=[code])),
        ("agreement", _("Согласованность оценивания"), reverse("monitoring:recheck_agreement", args=[code])),
        ("protocol", _("Протокол (PDF)"), reverse("monitoring:recheck_protocol", args=[code])),
        ("xlsx", _("Таблицы (xlsx)"), reverse("monitoring:recheck_xlsx", args=[code])),
    ]
    return {"tabs": tabs, "active": active}
