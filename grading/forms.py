"""Input of the distribution, grid, journal and history pages: parsed here, acted on by the services."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grading.services.distribution import BY_CLASS, BY_VARIANT


class DistributeForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Как распределить"),
        choices=[(BY_CLASS, _("по классам (класс целиком одному эксперту)")), (BY_VARIANT, _("по вариантам"))],
        initial=BY_CLASS,
        widget=forms.RadioSelect,
    )


class ReassignForm(forms.Form):
    """Selected participants' works to one of the assessment's experts (empty: back to nobody)."""

    participant = forms.TypedMultipleChoiceField(label=_("Работы"), coerce=int, choices=())
    expert = forms.ModelChoiceField(
        label=_("Эксперт"), queryset=None, required=False, empty_label=_("— снять эксперта —")
    )

    def __init__(self, *args, participant_ids, experts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = [(pk, pk) for pk in participant_ids]
        self.fields["expert"].queryset = experts


class CodeFilterForm(forms.Form):
    code = forms.CharField(label=_("Код участника"), required=False, max_length=5)


class CellForm(forms.Form):
    """One cell of the grid as the page sends it (JSON): which work and task, what was typed, and the version
    of the cell it was typed over."""

    work = forms.IntegerField(min_value=1)
    task = forms.IntegerField(min_value=1)
    value = forms.CharField(required=False, strip=False, max_length=10)
    # Required: a save that does not name the version it replaces would overwrite another person's value unseen.
    base_version = forms.IntegerField(
        min_value=0,
        error_messages={
            "required": _("не указана версия ячейки: обновите страницу и введите балл ещё раз"),
            "invalid": _("версия ячейки — целое число: обновите страницу и введите балл ещё раз"),
            "min_value": _("версия ячейки — целое число: обновите страницу и введите балл ещё раз"),
        },
    )
    reason = forms.CharField(required=False, max_length=500)

    @classmethod
    def from_body(cls, body: bytes) -> "CellForm":
        try:
            data = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            data = {}
        if data.get("value") is None:
            data["value"] = ""
        return cls(data)

    def first_error(self) -> str:
        for field, errors in self.errors.items():
            return f"{field}: {errors[0]}" if field != "__all__" else errors[0]
        return ""


def validation_message(error: ValidationError) -> str:
    return " ".join(error.messages)


class JournalCellForm(CellForm):
    """One cell of the journal grid as the page sends it (JSON): the participant, the mark typed and the
    version of the mark it was typed over."""

    work = None
    task = None
    reason = None
    participant = forms.IntegerField(min_value=1)
