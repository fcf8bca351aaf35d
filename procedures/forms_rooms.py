"""Forms for rooms, sittings, seating and staffing. Choices come already scoped to the school."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from procedures.models import Appointment, Participant, Room, Sitting, SittingRoom
from schools.models import Staff


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Staff) -> str:
        return f"{obj.full_name}, {obj.position}" if obj.position else obj.full_name


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "rows", "columns", "is_active"]
        help_texts = {
            "rows": _("Ряд 1 — у доски."),
            "columns": _("Места в ряду по порядку слева направо; места 1–2, 3–4, … — одна парта."),
        }


class SittingStartForm(forms.Form):
    """The start of a sitting as a local time on its date."""

    start_time = forms.TimeField(
        label=_("Начало (местное время школы)"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def starts_at(self, sitting: Sitting) -> datetime.datetime:
        return datetime.datetime.combine(sitting.date, self.cleaned_data["start_time"], tzinfo=sitting.school.tzinfo)


class SittingRoomsForm(forms.Form):
    rooms = forms.ModelMultipleChoiceField(
        label=_("Аудитории"),
        queryset=Room.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rooms"].queryset = rooms
        self.fields["rooms"].label_from_instance = lambda room: _("{name} — мест {n} ({rows} × {columns})").format(
            name=room.name, n=room.capacity, rows=room.rows, columns=room.columns
        )


class StaffForm(forms.Form):
    staff = StaffChoiceField(label=_("Сотрудник"), queryset=Staff.objects.none())

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff


class SchoolDutyForm(StaffForm):
    duty = forms.ChoiceField(
        choices=[(d, d.label) for d in (Appointment.Duty.COORDINATOR, Appointment.Duty.TECHNICAL)],
        widget=forms.HiddenInput,
    )


class ExpertForm(StaffForm):
    assessment = forms.ModelChoiceField(label=_("Работа"), queryset=None)

    def __init__(self, *args, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = assessments


class SeatMoveForm(forms.Form):
    """Move a participant to a seat of one of the sitting's rooms; an occupied seat swaps the two."""

    participant = forms.ModelChoiceField(label=_("Участник"), queryset=Participant.objects.none())
    sitting_room = forms.ModelChoiceField(label=_("Аудитория"), queryset=SittingRoom.objects.none())
    row = forms.IntegerField(label=_("Ряд"), min_value=1)
    column = forms.IntegerField(label=_("Место в ряду"), min_value=1)

    def __init__(self, *args, participants, sitting_rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants
        self.fields["participant"].label_from_instance = lambda p: _("{code} ({cls})").format(
            code=p.code or _("без кода, №{id}").format(id=p.pk), cls=p.class_name
        )
        self.fields["sitting_room"].queryset = sitting_rooms
        self.fields["sitting_room"].label_from_instance = lambda sr: sr.room.name
