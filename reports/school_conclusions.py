"""The school's conclusions and measures on a campaign's results (reports.models): read the current texts, save a new
revision, list the history.

Texts are per part: the general part ("general") and each assessment of the campaign with results for the school
(its id), each with «Выводы» (`conclusions`) and «Меры / рекомендации» (`measures`). Saving keeps every earlier
revision; it is refused (nothing written) when a text is too long, or when someone saved a newer revision since the
form was opened (the writer reads it first). Saving the same texts again adds nothing. Every saving is audited with
the school and campaign, never a text's content (it might name a pupil; the audit shows only which parts changed).
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Campaign
from schools.models import School, User
from schools.services import audit_record

from .models import ConclusionsRevision, SchoolConclusions

GENERAL = "general"
FIELDS = ("conclusions", "measures")
TEXT_MAX_LENGTH = 10000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Conclusions:
    """The current texts of a school's conclusions on a campaign (revision 0: none saved yet)."""

    revision: int
    sections: dict = field(default_factory=dict)
    updated_at: object = None
    updated_by: User | None = None

    def text(self, part: str | int, name: str) -> str:
        return (self.sections.get(str(part)) or {}).get(name, "")

    def part(self, part: str | int) -> dict:
        return {name: self.text(part, name) for name in FIELDS}

    @property
    def written(self) -> bool:
        return any(text for section in self.sections.values() for text in section.values())


def conclusions_of(campaign: Campaign, school: School) -> Conclusions:
    """The school's current conclusions on the campaign. Two queries at most."""
    record = SchoolConclusions.objects.filter(campaign=campaign, school=school).select_related("updated_by").first()
    if record is None or not record.revision:
        return Conclusions(revision=0)
    latest = record.revisions.filter(number=record.revision).values_list("sections", flat=True).first() or {}
    return Conclusions(record.revision, latest, record.updated_at, record.updated_by)


def conclusions_revision(campaign: Campaign, school: School) -> int:
    """The current revision's number (0: none): part of the справка's sources. One query."""
    return (
        SchoolConclusions.objects.filter(campaign=campaign, school=school).values_list("revision", flat=True).first()
        or 0
    )


def conclusions_history(campaign: Campaign, school: School) -> list[ConclusionsRevision]:
    """Every saved revision, the newest first, with who saved it."""
    return list(
        ConclusionsRevision.objects.filter(conclusions__campaign=campaign, conclusions__school=school)
        .select_related("saved_by")
        .order_by("-number")
    )


def clean_text(value: str | None) -> str:
    """A text as kept: control characters dropped (line breaks kept), line ends unified, trimmed."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def _checked(sections: dict, parts: list[str]) -> dict:
    result = {}
    for part in parts:
        given = sections.get(part) or {}
        texts = {name: clean_text(given.get(name)) for name in FIELDS}
        for text in texts.values():
            if len(text) > TEXT_MAX_LENGTH:
                raise ValidationError(_("Текст длиннее {n} символов: сократите его.").format(n=TEXT_MAX_LENGTH))
        if any(texts.values()):
            result[part] = texts
    return result


@transaction.atomic
def conclusions_save(
    *, campaign: Campaign, school: School, sections: dict, parts: list[str], based_on: int, actor: User
) -> Conclusions:
    """Saves the texts of `parts` (keys of `sections`) as a new revision. `based_on` is the revision the writer
    read: when another saving came since, nothing is written (ValidationError). The same texts again: nothing
    written, the current revision returned."""
    record, _created = SchoolConclusions.objects.select_for_update().get_or_create(campaign=campaign, school=school)
    if record.revision != based_on:
        who = record.updated_by.full_name or record.updated_by.username if record.updated_by else _("кто-то")
        raise ValidationError(
            _(
                "Пока вы писали, выводы сохранил(а) {who} ({when}, редакция {number}). Ваш текст не сохранён: "
                "перечитайте новую редакцию и внесите изменения снова."
            ).format(
                who=who,
                when=timezone.localtime(record.updated_at).strftime("%d.%m.%Y %H:%M"),
                number=record.revision,
            )
        )
    texts = _checked(sections, parts)
    current = conclusions_of(campaign, school)
    if texts == current.sections:
        return current
    now = timezone.now()
    record.revision += 1
    record.updated_at = now
    record.updated_by = actor
    record.save(update_fields=["revision", "updated_at", "updated_by"])
    ConclusionsRevision.objects.create(
        conclusions=record, number=record.revision, sections=texts, saved_at=now, saved_by=actor
    )
    changed = sorted(
        part for part in set(texts) | set(current.sections) if texts.get(part) != current.sections.get(part)
    )
    audit_record(
        actor=actor,
        action="school_conclusions.saved",
        target=school,
        target_label=_("Выводы школы {school}: {campaign}, редакция {number} (изменено частей: {parts})").format(
            school=school.code, campaign=campaign.title, number=record.revision, parts=len(changed)
        ),
        school=school,
    )
    return Conclusions(record.revision, texts, now, actor)
