"""The form of the one-page setup of a day's sittings: which sittings, their rooms, each room's organizer.
Choices come already scoped to the school; the rules live in the services (procedures/services/sittings_setup.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from procedures.forms_rooms import StaffChoiceField
from procedures.models import Room, Sitting
from procedures.services.sittings_setup import SittingPlan


class SittingsSetupForm(forms.Form):
    def __init__(
        self, *args, sittings: list[Sitting], rooms: list[Room], staff, current: dict[int, list[int]], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.sittings = sittings
        self.rooms = rooms
        self.room_by_pk = {room.pk: room for room in rooms}
        room_choices = [(str(r.pk), _("{name} ({n} мест)").format(name=r.name, n=r.capacity)) for r in rooms]
        for sitting in sittings:
            self.fields[f"sitting_{sitting.pk}"] = forms.BooleanField(
                label=str(sitting),
                required=False,
                initial=True,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"rooms_{sitting.pk}"] = forms.MultipleChoiceField(
                label=_("Аудитории: {sitting}").format(sitting=sitting),
                choices=room_choices,
                required=False,
                initial=[str(pk) for pk in current.get(sitting.pk, [])],
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            )
        for room in rooms:
            self.fields[f"organizer_{room.pk}"] = StaffChoiceField(
                label=_("Организатор в аудитории «{room}»").format(room=room.name),
                queryset=staff,
                required=False,
                empty_label=_("— не назначать —"),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def rows(self) -> list[tuple[Sitting, forms.BoundField, forms.BoundField]]:
        return [(s, self[f"sitting_{s.pk}"], self[f"rooms_{s.pk}"]) for s in self.sittings]

    def organizer_fields(self) -> list[tuple[Room, forms.BoundField]]:
        return [(room, self[f"organizer_{room.pk}"]) for room in self.rooms]

    def clean(self):
        data = super().clean()
        if not any(data.get(f"sitting_{s.pk}") for s in self.sittings):
            raise forms.ValidationError(_("Отметьте хотя бы одно проведение."))
        return data

    def plans(self) -> list[SittingPlan]:
        data = self.cleaned_data
        organizers = {
            room.pk: [data[f"organizer_{room.pk}"]] for room in self.rooms if data.get(f"organizer_{room.pk}")
        }
        plans = []
        for sitting in self.sittings:
            if not data.get(f"sitting_{sitting.pk}"):
                continue
            rooms = [self.room_by_pk[int(pk)] for pk in data[f"rooms_{sitting.pk}"]]
            plans.append(
                SittingPlan(
                    sitting=sitting,
                    rooms=rooms,
                    organizers={pk: organizers[pk] for pk in organizers if pk in {r.pk for r in rooms}},
                )
            )
        return plans
