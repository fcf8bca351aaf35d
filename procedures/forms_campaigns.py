import datetime
import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from procedures.catalogue import DIFFICULTIES
from procedures.models import Campaign, Form, Level, campaign_kind_problems

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
    deadline_date = forms.DateField(label=_("Срок загрузки результатов: дата"), widget=DATE_WIDGET, required=False)
    deadline_time = forms.TimeField(
        label=_("время"), widget=forms.TimeInput(attrs={"type": "time"}), initial="23:59", required=False
    )

    class Meta:
        model = Campaign
        fields = [
            "code",
            "title",
            "kind",
            "owner_school",
            "window_start",
            "window_end",
            "criteria_open_time",
            "retention_months",
        ]
        widgets = {
            "window_start": DATE_WIDGET,
            "window_end": DATE_WIDGET,
            "criteria_open_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, time_zone: str, previous_choices=None, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zoneinfo.ZoneInfo(time_zone)
        self.fields["deadline_date"].help_text = _(
            "Обязателен для ВПР, НИКО и апробации. Время — по часовому поясу управления ({tz})."
        ).format(tz=time_zone)
        self.fields["kind"].required = False  # absent: ВПР, the model's default
        if schools is not None:
            self.fields["owner_school"].queryset = schools
        if self.instance.pk and self.instance.upload_deadline is not None:
            local = self.instance.upload_deadline.astimezone(self.zone)
            self.initial.setdefault("deadline_date", local.date())
            self.initial.setdefault("deadline_time", local.time().strftime("%H:%M"))
        if previous_choices is not None:
            self.fields["previous"] = forms.ModelChoiceField(
                label=_("Взять каталог работ из кампании"),
                queryset=previous_choices,
                required=False,
                help_text=_("Все работы с заданиями и шкалами будут скопированы; изменённое затем правится."),
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("window_start"), cleaned.get("window_end")
        if start and end and end < start:
            self.add_error("window_end", _("Окно заканчивается раньше, чем начинается."))
        deadline = None
        if cleaned.get("deadline_date"):
            deadline = datetime.datetime.combine(
                cleaned["deadline_date"], cleaned.get("deadline_time") or datetime.time(23, 59), self.zone
            )
            if end and deadline.date() < end:
                self.add_error("deadline_date", _("Срок загрузки результатов раньше конца окна проведения."))
        self.instance.upload_deadline = deadline
        probe = Campaign(
            kind=cleaned.get("kind") or Campaign.Kind.VPR,
            upload_deadline=deadline,
            owner_school=cleaned.get("owner_school"),
            department_id=self.instance.department_id,
        )
        field_of = {"upload_deadline": "deadline_date", "owner_school": "owner_school"}
        for field, message in campaign_kind_problems(probe).items():
            self.add_error(field_of[field], message)
        return cleaned


class AssessmentForm(forms.Form):
    code = forms.CharField(label=_("Код"), max_length=40)
    subject = forms.CharField(label=_("Предмет"), max_length=120)
    grade = forms.IntegerField(label=_("Класс"), min_value=1, max_value=11)
    level = forms.ChoiceField(label=_("Уровень"), choices=Level.choices)
    form = forms.ChoiceField(label=_("Форма"), choices=Form.choices)
    duration = forms.IntegerField(label=_("Продолжительность, минут"), min_value=1, max_value=600)
    scale_3 = forms.IntegerField(label=_("«3» от, баллов"), min_value=1)
    scale_4 = forms.IntegerField(label=_("«4» от, баллов"), min_value=1)
    scale_5 = forms.IntegerField(label=_("«5» от, баллов"), min_value=1)
    tasks = forms.CharField(
        label=_("Задания"),
        widget=forms.Textarea(attrs={"rows": 12, "class": "font-monospace"}),
        help_text=_(
            "По строке на задание: номер; максимальный балл; уровень (Б, П или В); проверяемое умение. "
            "Например: «3.1; 1; Б; 2.1 Орфография»."
        ),
    )

    def raw(self) -> dict:
        """The assessment as in a catalogue file, for the same checks (procedures.catalogue.parse_assessment)."""
        data = self.cleaned_data
        tasks = []
        for line in data["tasks"].splitlines():
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(";")]
            parts += [""] * (4 - len(parts))
            tasks.append({"label": parts[0], "max": parts[1], "level": parts[2] or "Б", "skill": ";".join(parts[3:])})
        return {
            "code": data["code"],
            "subject": data["subject"],
            "grade": data["grade"],
            "level": data["level"],
            "form": data["form"],
            "duration": data["duration"],
            "tasks": tasks,
            "scale": {"3": data["scale_3"], "4": data["scale_4"], "5": data["scale_5"]},
        }

    @staticmethod
    def initial_for(assessment) -> dict:
        return {
            "code": assessment.code,
            "subject": assessment.subject.name,
            "grade": assessment.grade,
            "level": assessment.level,
            "form": assessment.form,
            "duration": assessment.duration,
            "scale_3": assessment.scale["3"],
            "scale_4": assessment.scale["4"],
            "scale_5": assessment.scale["5"],
            "tasks": "\n".join(
                f"{t.label}; {t.max_points}; {t.difficulty}; {t.skill}".rstrip("; ") for t in assessment.tasks.all()
            ),
        }


__all__ = ["DIFFICULTIES", "AssessmentForm", "CampaignForm"]
