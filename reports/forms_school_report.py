"""The form of the school's conclusions and measures: for the general part and each assessment of the campaign with
results for the school, «Выводы» and «Меры / рекомендации» (each optional), and the revision the writer read."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .school_conclusions import FIELDS, GENERAL, TEXT_MAX_LENGTH, Conclusions

LABELS = {"conclusions": _("Выводы"), "measures": _("Меры / рекомендации")}


def field_name(part: str, name: str) -> str:
    return f"{part}-{name}"


class ConclusionsForm(forms.Form):
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, assessments: list, current: Conclusions, **kwargs):
        initial = {"based_on": current.revision}
        self.parts = [(str(assessment.pk), assessment) for assessment in assessments] + [(GENERAL, None)]
        for part, _assessment in self.parts:
            for name in FIELDS:
                initial[field_name(part, name)] = current.text(part, name)
        super().__init__(*args, initial=initial, **kwargs)
        for part, _assessment in self.parts:
            for name in FIELDS:
                self.fields[field_name(part, name)] = forms.CharField(
                    label=LABELS[name],
                    required=False,
                    strip=False,
                    max_length=TEXT_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 4, "class": "form-control", "data-part": part}),
                    error_messages={
                        "max_length": _(
                            "Текст длиннее %(limit_value)d символов (сейчас %(show_value)d): сократите его."
                        )
                    },
                )

    def groups(self) -> list[tuple[str, object, list]]:
        """(part, assessment or None, its bound fields) in the form's order: the assessments, then the general part."""
        return [
            (part, assessment, [self[field_name(part, name)] for name in FIELDS]) for part, assessment in self.parts
        ]

    def sections(self) -> dict:
        return {
            part: {name: self.cleaned_data.get(field_name(part, name), "") for name in FIELDS}
            for part, _a in self.parts
        }

    def part_keys(self) -> list[str]:
        return [part for part, _assessment in self.parts]
