"""One page to prepare several sittings of a day: choose the sittings and their rooms and an organizer per room,
preview what seating and appointments would give (and every refusal), then confirm once.

The school coordinator (who may prepare rooms) uses it; another school's page is 404, other roles get 403. The sitting's
own pages stay for the details (start time, moves by hand, the release of the lists).
"""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from procedures.forms_sittings_setup import SittingsSetupForm
from procedures.models import SittingRoom
from procedures.selectors import rooms as selectors
from procedures.services.sittings_setup import sittings_setup
from procedures.views.rooms import SchoolCampaignMixin
from schools.access import Capability as C


class SittingsSetupView(SchoolCampaignMixin, View):
    capability = C.PREPARE_ROOMS
    template_name = "procedures/rooms/sittings_setup.html"

    def day(self, sittings) -> datetime.date | None:
        """The day asked for (?date=), else the first day with sittings from today on, else the first one."""
        dates = sorted({s.date for s in sittings})
        asked = self.request.GET.get("date") or self.request.POST.get("date") or ""
        try:
            wanted = datetime.date.fromisoformat(asked)
        except ValueError:
            wanted = None
        if wanted in dates:
            return wanted
        today = timezone.localdate(timezone.now(), self.school.tzinfo)
        return next((d for d in dates if d >= today), dates[0] if dates else None)

    def form(self, data=None):
        all_sittings = list(selectors.sittings_of(campaign=self.campaign, school=self.school).order_by("lesson", "pk"))
        self.day_ = self.day(all_sittings)
        self.dates = sorted({s.date for s in all_sittings})
        sittings = [s for s in all_sittings if s.date == self.day_]
        current: dict[int, list[int]] = {}
        chosen = SittingRoom.objects.filter(sitting__in=sittings).values_list("sitting_id", "room_id")
        for sitting_id, room_id in chosen:
            current.setdefault(sitting_id, []).append(room_id)
        in_use = {pk for pks in current.values() for pk in pks}
        rooms = [r for r in selectors.rooms_of(self.school) if r.is_active or r.pk in in_use]
        return SittingsSetupForm(
            data, sittings=sittings, rooms=rooms, staff=selectors.school_staff(self.school), current=current
        )

    def show(self, form, outcome=None):
        context = {
            "campaign": self.campaign,
            "school": self.school,
            "form": form,
            "day": self.day_,
            "dates": self.dates,
            "outcome": outcome,
        }
        return render(self.request, self.template_name, context)

    def get(self, request, campaign_code, school_code):
        return self.show(self.form())

    def post(self, request, campaign_code, school_code):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.show(form)
        confirm = request.POST.get("action") == "confirm"
        outcome = sittings_setup(plans=form.plans(), actor=request.user, confirm=confirm)
        if not outcome.applied:
            if confirm:
                messages.error(request, _("Ничего не записано: исправьте отмеченное и подтвердите снова."))
            return self.show(form, outcome)
        messages.success(
            request,
            ngettext(
                "Подготовлено %(n)d проведение: аудитории, рассадка и организаторы записаны.",
                "Подготовлено %(n)d проведений: аудитории, рассадка и организаторы записаны.",
                len(outcome.sittings),
            )
            % {"n": len(outcome.sittings)},
        )
        return redirect(self.sittings_url())


SCHOOL = "campaigns/<str:campaign_code>/schools/<str:school_code>/"

urlpatterns = [
    path(SCHOOL + "sittings/setup/", SittingsSetupView.as_view(), name="sittings_setup"),
]
