"""The video surveillance record of a sitting (Регламент 4.3.10, 8.1): which of the sitting's rooms and whether
the printing of the materials were under video, where the recording is kept and until when.

The school records it (RECORD_VIDEO: the coordinator, the technical specialist); every edit leaves an audit entry
with the values before and after. The keeping date is checked against `keep_at_least_until` — a warning, not a
refusal: the Регламент sets no term for the recordings, so the portal asks for three calendar months after the
later of the sitting's day and the campaign's results deadline (the end of its period when it has none), which
covers the municipal re-check (Регламент 8.2–8.9) that follows the results."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.services.retention import add_months
from monitoring.models import VideoRecord
from procedures.models import Sitting, SittingRoom
from schools.services import audit_record

KEEP_MONTHS = 3
STORAGE_PLACE_MAX = 300


def video_record_for(sitting) -> VideoRecord | None:
    """The school's video record of this sitting, or None when the school has recorded nothing yet."""
    return VideoRecord.objects.filter(sitting=sitting).prefetch_related("rooms__room").first()


def keep_at_least_until(sitting: Sitting) -> datetime.date:
    """The earliest keeping date the portal does not warn about: KEEP_MONTHS calendar months after the later of
    the sitting's day and the campaign's results deadline (its period's end without one), so that the recording
    outlives the municipal re-check (Регламент 8.2–8.9)."""
    campaign = sitting.campaign
    deadline = campaign.upload_deadline
    results_day = timezone.localtime(deadline, sitting.school.tzinfo).date() if deadline else campaign.window_end
    return add_months(max(sitting.date, results_day), KEEP_MONTHS)


def keeping_warning(sitting: Sitting, kept_until: datetime.date | None) -> str:
    """The Russian warning when a recording of the sitting is to be kept for too short a time ('' otherwise)."""
    if kept_until is None:
        return ""
    least = keep_at_least_until(sitting)
    if kept_until >= least:
        return ""
    return _(
        "Запись хранится до {until}, а по ней могут понадобиться сведения при перепроверке работ: храните её не "
        "меньше трёх месяцев после срока загрузки результатов — до {least} или дольше."
    ).format(until=f"{kept_until:%d.%m.%Y}", least=f"{least:%d.%m.%Y}")


@dataclass(frozen=True)
class VideoSaved:
    record: VideoRecord
    warning: str  # '' or the keeping warning (the record is saved either way)


def _state(record: VideoRecord | None) -> dict:
    if record is None or record.pk is None:
        return {"rooms": [], "printing_recorded": False, "storage_place": "", "kept_until": None}
    return {
        "rooms": sorted(str(sitting_room.room) for sitting_room in record.rooms.select_related("room")),
        "printing_recorded": record.printing_recorded,
        "storage_place": record.storage_place,
        "kept_until": record.kept_until.isoformat() if record.kept_until else None,
    }


@transaction.atomic
def video_record_save(
    *,
    sitting: Sitting,
    room_ids: list[int],
    printing_recorded: bool,
    storage_place: str,
    kept_until: datetime.date | None,
    actor,
) -> VideoSaved:
    """Records (or corrects) the sitting's video surveillance, with an audit entry of the values before and after.
    Rooms must be the sitting's own; when anything was under video, the place and the keeping date are required and
    the date is not before the sitting. Refused as a whole with Russian messages per field (nothing half-written)."""
    storage_place = (storage_place or "").strip()
    errors: dict[str, list[str]] = {}
    own_rooms = list(SittingRoom.objects.filter(sitting=sitting, pk__in=set(room_ids)).select_related("room"))
    if len(own_rooms) != len(set(room_ids)):
        errors["rooms"] = [_("Выберите аудитории этого проведения работы.")]
    recorded = bool(room_ids) or printing_recorded
    if recorded and not storage_place:
        errors["storage_place"] = [_("Укажите, где хранится запись.")]
    if len(storage_place) > STORAGE_PLACE_MAX:
        errors["storage_place"] = [_("Не длиннее {n} знаков.").format(n=STORAGE_PLACE_MAX)]
    if recorded and kept_until is None:
        errors["kept_until"] = [_("Укажите, до какой даты хранится запись.")]
    elif kept_until is not None and kept_until < sitting.date:
        errors["kept_until"] = [_("Запись не может храниться до даты раньше дня проведения работы.")]
    if errors:
        raise ValidationError(errors)

    record = VideoRecord.objects.select_for_update().filter(sitting=sitting).first()
    before = _state(record) if record is not None else None
    record = record or VideoRecord(sitting=sitting)
    record.printing_recorded = printing_recorded
    record.storage_place = storage_place
    record.kept_until = kept_until
    record.recorded_at = timezone.now()
    record.recorded_by = actor
    record.save()
    record.rooms.set(own_rooms)
    audit_record(
        actor=actor,
        action="monitoring.video_recorded" if before is None else "monitoring.video_changed",
        target=record,
        school=sitting.school,
        before=before,
        after=_state(record),
    )
    return VideoSaved(record=record, warning=keeping_warning(sitting, kept_until))


def school_video_sittings(school, campaigns) -> QuerySet[Sitting]:
    """The school's sittings of the given campaigns in date and lesson order, each with its rooms and video record
    (None as `video` when nothing is recorded): the school's list of video records."""
    return (
        Sitting.objects.filter(school=school, campaign__in=campaigns)
        .select_related("assessment__subject", "campaign", "video_record__recorded_by")
        .prefetch_related("rooms__room", "video_record__rooms")
        .order_by("date", "lesson", "assessment__code")
    )
