"""Pages of the sittings' video surveillance records (Регламент 4.3.10, 8.1; monitoring/video.py).

The school's coordinator and technical specialist (RECORD_VIDEO) list the school's sittings of its current
campaigns with the state of each record and fill the record of a sitting; the director, the coordinator and the
department (VIEW_OBSERVATION) read the school's records. Another school's sitting is 404."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from monitoring import video
from procedures.models import Sitting
from procedures.selectors.school_start import current_campaigns
from schools.access import Capability as C
from schools.access import SchoolMixin
from vpr_portal.access import get_scoped_or_404


class _SchoolVideoList(SchoolMixin, TemplateView):
    template_name = "monitoring/video/school.html"

    def get_context_data(self, **kwargs):
        sittings = video.school_video_sittings(self.school, current_campaigns(self.viewer, self.school))
        return super().get_context_data(sittings=sittings, can_record=self.can(C.RECORD_VIDEO, self.school), **kwargs)


class SchoolVideoView(_SchoolVideoList):
    """The school's sittings of its current campaigns with the state of each video record, to fill them in."""

    capability = C.RECORD_VIDEO


class SchoolVideoRecordsView(_SchoolVideoList):
    """The school's video records, read by the director and the department."""

    capability = C.VIEW_OBSERVATION


def _date_or_none(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        raise ValidationError({"kept_until": [_("Дата в виде ДД.ММ.ГГГГ.")]}) from None


class SittingVideoView(SchoolMixin, View):
    """The video record of one sitting of the school: the sitting's rooms to tick («все аудитории» ticks them
    all), the printing of the materials, where the recording is kept and until when."""

    capability = C.RECORD_VIDEO
    template_name = "monitoring/video/sitting.html"

    def resolve(self, **kwargs) -> None:
        self.sitting = get_scoped_or_404(
            Sitting.objects.filter(school=self.school).select_related("assessment__subject", "campaign", "school"),
            pk=kwargs["pk"],
        )

    def render_page(self, request, *, values: dict, errors=None, status: int = 200):
        sitting_rooms = list(self.sitting.rooms.select_related("room").order_by("room__name"))
        context = {
            "school": self.school,
            "sitting": self.sitting,
            "sitting_rooms": sitting_rooms,
            "values": values,
            "errors": errors or {},
            "record": video.video_record_for(self.sitting),
            "keep_until_least": video.keep_at_least_until(self.sitting),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, **kwargs):
        record = video.video_record_for(self.sitting)
        values = {"room_ids": set(), "printing_recorded": False, "storage_place": "", "kept_until": ""}
        if record is not None:
            values = {
                "room_ids": {sitting_room.pk for sitting_room in record.rooms.all()},
                "printing_recorded": record.printing_recorded,
                "storage_place": record.storage_place,
                "kept_until": record.kept_until.isoformat() if record.kept_until else "",
            }
        return self.render_page(request, values=values)

    def post(self, request, **kwargs):
        post = request.POST
        if post.get("all_rooms"):
            room_ids = list(self.sitting.rooms.values_list("pk", flat=True))
        else:
            room_ids = [int(value) for value in post.getlist("rooms") if value.isdigit()]
        values = {
            "room_ids": set(room_ids),
            "printing_recorded": bool(post.get("printing_recorded")),
            "storage_place": post.get("storage_place", ""),
            "kept_until": post.get("kept_until", ""),
        }
        try:
            saved = video.video_record_save(
                sitting=self.sitting,
                room_ids=room_ids,
                printing_recorded=values["printing_recorded"],
                storage_place=values["storage_place"],
                kept_until=_date_or_none(values["kept_until"]),
                actor=request.user,
            )
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"all": error.messages}
            return self.render_page(request, values=values, errors=errors, status=400)
        messages.success(request, _("Сведения о видеонаблюдении сохранены."))
        if saved.warning:
            messages.warning(request, saved.warning)
        return redirect(reverse("monitoring:school_video", kwargs={"school_code": self.school.code}))
