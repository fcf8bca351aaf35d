"""Forms of the room protocol: one form for the whole page (start, absentees, incidents, materials, notes), so
that whichever button the organizer presses, nothing typed on the phone is lost; and the correction form with
its reason."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Participant, ProtocolIncident
from procedures.selectors.protocols import ProtocolPage, needs_extra_time
from procedures.services.protocols import IncidentInput, ProtocolInput

TIME_WIDGET_ATTRS = {"type": "time", "class": "form-control form-control-lg"}


class ProtocolForm(forms.Form):
    SAVE, START, INCIDENT, SUBMIT = "save", "start", "incident", "submit"

    action = forms.ChoiceField(
        choices=[(SAVE, SAVE), (START, START), (INCIDENT, INCIDENT), (SUBMIT, SUBMIT)], required=False
    )
    remove_incident = forms.IntegerField(required=False)
    started_time = forms.TimeField(
        label=_("Фактическое начало"),
        required=False,
        widget=forms.TimeInput(attrs=TIME_WIDGET_ATTRS, format="%H:%M"),
        help_text=_("Время, записанное на доске. Окончание считается от него."),
    )
    absent = forms.TypedMultipleChoiceField(label=_("Отсутствуют"), coerce=int, required=False)
    materials_collected = forms.BooleanField(label=_("КИМ и черновики собраны"), required=False)
    handed_to_coordinator = forms.BooleanField(label=_("Материалы переданы школьному координатору"), required=False)
    notes = forms.CharField(
        label=_("Примечания"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    incident_kind = forms.ChoiceField(
        label=_("Что произошло"),
        choices=[("", _("— выберите —")), *ProtocolIncident.Kind.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )
    incident_participant = forms.TypedChoiceField(
        label=_("Участник"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )
    incident_time = forms.TimeField(
        label=_("Время"),
        required=False,
        widget=forms.TimeInput(attrs=TIME_WIDGET_ATTRS, format="%H:%M"),
        help_text=_("Не указано — текущее время."),
    )
    incident_note = forms.CharField(
        label=_("Подробности"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg"}),
    )

    def __init__(self, *args, page: ProtocolPage, **kwargs):
        self.page = page
        protocol = page.protocol
        started = page.local(protocol.started_at)
        kwargs.setdefault(
            "initial",
            {
                "started_time": started.time() if started else None,
                "absent": [p.pk for p in page.participants if p.absent],
                "materials_collected": protocol.materials_collected,
                "handed_to_coordinator": protocol.handed_to_coordinator,
                "notes": protocol.notes,
            },
        )
        super().__init__(*args, **kwargs)
        labels = [(p.pk, self.participant_label(p)) for p in page.participants]
        self.fields["absent"].choices = labels
        self.fields["incident_participant"].choices = [("", _("— без участника —")), *labels]

    @staticmethod
    def participant_label(participant: Participant) -> str:
        return _("{code} · {class_name}").format(code=participant, class_name=participant.class_name)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.INCIDENT and not cleaned.get("incident_kind"):
            self.add_error("incident_kind", _("Выберите, что произошло."))
        return cleaned

    @property
    def chosen_action(self) -> str:
        return self.cleaned_data.get("action") or self.SAVE

    def participant_rows(self) -> list[tuple[Participant, bool, bool]]:
        """(participant, marked absent, needs extra time) for the checkbox list, as typed or as saved."""
        value = self["absent"].value() or []
        chosen = {str(v) for v in value}
        return [(p, str(p.pk) in chosen, needs_extra_time(p)) for p in self.page.participants]

    def protocol_input(self) -> ProtocolInput:
        data = self.cleaned_data
        started_at = None
        typed = data.get("started_time")
        if typed is not None:
            current = self.page.local(self.page.protocol.started_at)
            # the same minute as recorded keeps the recorded moment
            if current is None or current.time().replace(second=0, microsecond=0) != typed:
                started_at = self.page.moment(typed)
        return ProtocolInput(
            started_at=started_at,
            absent_ids=frozenset(data.get("absent") or ()),
            materials_collected=data.get("materials_collected", False),
            handed_to_coordinator=data.get("handed_to_coordinator", False),
            notes=data.get("notes", ""),
        )

    def incident_input(self) -> IncidentInput | None:
        data = self.cleaned_data
        if not data.get("incident_kind"):
            return None
        time = data.get("incident_time")
        happened_at = self.page.moment(time) if time else timezone.now()
        return IncidentInput(
            kind=data["incident_kind"],
            happened_at=happened_at,
            participant_id=data.get("incident_participant"),
            note=data.get("incident_note", ""),
        )


class ProtocolCorrectionForm(ProtocolForm):
    reason = forms.CharField(
        label=_("Причина исправления"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=_("Например: «участник 12345 пришёл ко второму уроку, ошибочно отмечен отсутствующим»."),
    )
