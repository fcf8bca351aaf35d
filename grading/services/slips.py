"""Writes of the parents' results slips (Регламент 3.1.6): every print of a class's slips is logged and audited,
and the school marks which pupils' slips were handed out.

The audit entries carry the class, the assessment, counts and participant codes, never a name (R11): the names are
on the slips and on the school's own handout list only.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.models import SlipHandout, SlipPrint
from grading.slips import ClassSlips, class_participants
from procedures.models import Assessment
from schools.models import SchoolClass, User
from schools.services import audit_record


@transaction.atomic
def slips_print_record(*, slips: ClassSlips, actor: User) -> SlipPrint:
    """Records one print of the class's slips (who, when, which class and assessment, how many) in the school's
    log and in the audit."""
    printed = SlipPrint.objects.create(
        campaign=slips.campaign,
        assessment=slips.assessment,
        school=slips.school,
        school_class=slips.school_class,
        class_name=slips.class_name,
        slips=len(slips.slips),
        printed_by=actor,
    )
    audit_record(
        actor=actor,
        action="parent_slips.printed",
        target=slips.school,
        after={
            "campaign": slips.campaign.code,
            "assessment": slips.assessment.code,
            "class": slips.class_name,
            "slips": len(slips.slips),
        },
        personal=False,
    )
    return printed


def _school_today(school_class: SchoolClass) -> datetime.date:
    return timezone.localdate(timezone.now(), school_class.school.tzinfo)


@transaction.atomic
def slip_handouts_mark(
    *,
    assessment: Assessment,
    school_class: SchoolClass,
    participant_ids: list[int],
    handed_on: datetime.date,
    actor: User,
) -> int:
    """Marks the slips of the given participants of the class as handed out on `handed_on` (not a future day in the
    school's time zone); slips already marked keep their mark. Returns how many were marked now."""
    if handed_on > _school_today(school_class):
        raise ValidationError(_("Дата выдачи не может быть позже сегодняшнего дня."))
    wanted = set(participant_ids)
    participants = list(
        class_participants(assessment=assessment, school_class=school_class)
        .filter(pk__in=wanted, slip_handout__isnull=True)
        .order_by("code", "pk")
    )
    SlipHandout.objects.bulk_create(
        [SlipHandout(participant=participant, handed_on=handed_on, recorded_by=actor) for participant in participants]
    )
    if participants:
        audit_record(
            actor=actor,
            action="parent_slips.handed_out",
            target=school_class.school,
            after={
                "assessment": assessment.code,
                "class": school_class.name,
                "date": handed_on,
                "codes": [participant.code for participant in participants],
            },
            personal=False,
        )
    return len(participants)


@transaction.atomic
def slip_handout_cancel(*, assessment: Assessment, school_class: SchoolClass, participant_id: int, actor: User) -> bool:
    """Removes the handout mark of one participant of the class (a mark set by mistake). Returns whether there was
    one."""
    handout = (
        SlipHandout.objects.select_related("participant")
        .filter(participant__in=class_participants(assessment=assessment, school_class=school_class))
        .filter(participant_id=participant_id)
        .first()
    )
    if handout is None:
        return False
    handout.delete()
    audit_record(
        actor=actor,
        action="parent_slips.handout_cancelled",
        target=school_class.school,
        before={"date": handout.handed_on},
        after={"assessment": assessment.code, "class": school_class.name, "code": handout.participant.code},
        personal=False,
    )
    return True
