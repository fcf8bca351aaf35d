"""The handout list of a class's parents' slips: which pupils' slips were handed out, and on which day."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SlipHandoutForm(forms.Form):
    """Ticks on the class's list (`choices`: the participants not yet marked) and the day they were handed out."""

    participants = forms.TypedMultipleChoiceField(
        label=_("Кому выдано"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Отметьте хотя бы одного обучающегося.")},
    )
    handed_on = forms.DateField(
        label=_("Дата выдачи"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"),
        error_messages={"required": _("Укажите дату выдачи."), "invalid": _("Введите дату в формате ДД.ММ.ГГГГ.")},
    )

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].choices = choices
        self.fields["participants"].error_messages["invalid_choice"] = _(
            "Этот обучающийся не из списка класса или его бланк уже отмечен выданным."
        )
