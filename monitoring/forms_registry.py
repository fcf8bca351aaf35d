"""Forms of the observers' registry, the assignments, the lottery and the school's placing."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.models import Person, Stage
from schools.forms import _validate_person_names
from schools.models import Relation, School, SchoolClass

CLASS_NAME = re.compile(r"^(\d{1,2})([А-ЯЁA-Z]{1,2})$")


class PersonForm(forms.Form):
    last_name = forms.CharField(label=_("Фамилия"), max_length=150)
    first_name = forms.CharField(label=_("Имя"), max_length=150)
    middle_name = forms.CharField(label=_("Отчество"), max_length=150, required=False)
    kind = forms.ChoiceField(label=_("Кто"), choices=Person.Kind.choices)
    identity_document = forms.CharField(
        label=_("Документ, удостоверяющий личность"),
        max_length=120,
        required=False,
        help_text=_("Вид, серия и номер: школа сверяет его при входе (приложение 2, п. 5)."),
    )
    organisation = forms.CharField(label=_("Направившая организация"), max_length=300, required=False)
    phone = forms.CharField(label=_("Телефон"), max_length=40, required=False)
    email = forms.EmailField(
        label=_("E-mail"), required=False, help_text=_("На этот адрес придёт ссылка для установки пароля.")
    )
    workplace_school = forms.ModelChoiceField(
        label=_("Место работы (школа муниципалитета)"),
        queryset=School.objects.none(),
        required=False,
        help_text=_("Если человек работает в школе муниципалитета: в ней он не наблюдает."),
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        _validate_person_names(self)
        self.fields["workplace_school"].queryset = schools


class PersonCreateForm(PersonForm):
    username = forms.RegexField(
        label=_("Логин"),
        regex=r"^[\w.@+-]{3,150}$",
        max_length=150,
        help_text=_("Латинские буквы, цифры и знаки . @ + - _."),
    )
    field_order = ["username"]


class RelativeForm(forms.Form):
    school = forms.ModelChoiceField(label=_("Школа"), queryset=School.objects.none())
    class_name = forms.CharField(
        label=_("Класс"),
        max_length=4,
        required=False,
        help_text=_("Например, 4А. Если класс не указан, конфликт — с любой работой этой школы."),
    )
    relation = forms.ChoiceField(label=_("Степень родства"), choices=Relation.choices)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools

    def clean(self):
        data = super().clean()
        name = (data.get("class_name") or "").strip().upper().replace(" ", "")
        data["school_class"] = None
        if name and data.get("school") is not None:
            match = CLASS_NAME.match(name)
            school_class = (
                SchoolClass.objects.filter(school=data["school"], grade=int(match[1]), letter__iexact=match[2])
                .order_by("-academic_year")
                .first()
                if match
                else None
            )
            if school_class is None:
                self.add_error("class_name", _("В этой школе нет класса «{name}».").format(name=name))
            data["school_class"] = school_class
        return data


class AssignForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Кого"), queryset=Person.objects.none())
    stage = forms.ChoiceField(label=_("Этап"), choices=Stage.choices, initial=Stage.CONDUCT)

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Причина отмены"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class LotteryForm(forms.Form):
    date = forms.DateField(label=_("День проведения"), widget=forms.DateInput(attrs={"type": "date"}))
    count = forms.IntegerField(label=_("Сколько проведений выбрать"), min_value=1, max_value=500, initial=1)
    stage = forms.ChoiceField(label=_("Этап"), choices=Stage.choices, initial=Stage.CONDUCT)
    note = forms.CharField(label=_("Примечание"), max_length=500, required=False)


class PlaceForm(forms.Form):
    sitting_room = forms.ModelChoiceField(label=_("Аудитория"), queryset=None, required=False)

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sitting_room"].queryset = rooms
        self.fields["sitting_room"].widget.attrs["class"] = "form-select form-select-sm w-auto"
        self.fields["sitting_room"].empty_label = _("— не размещён —")
        self.fields["sitting_room"].label_from_instance = lambda sitting_room: str(sitting_room.room)
