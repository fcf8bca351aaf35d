"""The plan-graph stage form: the deadline is entered as a date and a time in the department's time zone."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Stage
from schools.models import SCHOOL_ROLES, Role


class StageForm(forms.ModelForm):
    deadline_date = forms.DateField(
        label=_("Дата срока"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    deadline_time = forms.TimeField(
        label=_("Время срока"),
        initial=datetime.time(18, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    class Meta:
        model = Stage
        fields = ["kind", "title", "responsible_role"]
        help_texts = {"title": _("Если оставить пустым, будет взято название вида этапа.")}

    def __init__(self, *args, tz: datetime.tzinfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.fields["title"].required = False
        self.fields["responsible_role"].choices = [
            (value, label) for value, label in Role.choices if value in SCHOOL_ROLES
        ]
        self.fields["deadline_time"].help_text = _("Время управления образования ({tz}).").format(tz=tz)
        self.order_fields(["kind", "title", "deadline_date", "deadline_time", "responsible_role"])
        if self.instance.pk and self.instance.deadline:
            local = timezone.localtime(self.instance.deadline, tz)
            self.initial.setdefault("deadline_date", local.date())
            self.initial.setdefault("deadline_time", local.time().replace(second=0, microsecond=0))

    def clean(self):
        data = super().clean()
        day, at = data.get("deadline_date"), data.get("deadline_time")
        if day is not None and at is not None:
            self.instance.deadline = datetime.datetime.combine(day, at, tzinfo=self.tz)
        return data
