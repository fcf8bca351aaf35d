"""Forms of the participants' pages: the list's filter, exemption (R8), the parents' decision on ОВЗ (R7) and a
family-form pupil's joining by agreement (Регламент 2.5)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from procedures.selectors.participants import STATUS_FILTERS


class ParticipantFilterForm(forms.Form):
    assessment = forms.ChoiceField(
        label=_("Работа"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select", "aria-label": _("Работа")}),
    )
    class_id = forms.TypedChoiceField(
        label=_("Класс"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select", "aria-label": _("Класс")}),
    )
    status = forms.ChoiceField(
        label=_("Участие"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select", "aria-label": _("Участие")}),
    )
    q = forms.CharField(label=_("Поиск"), required=False, max_length=100)

    def __init__(self, *args, assessments, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].choices = [("", _("все работы"))] + [(a.code, str(a)) for a in assessments]
        self.fields["class_id"].choices = [("", _("все классы"))] + [(c.pk, c.name) for c in classes]
        self.fields["status"].choices = [("", _("все"))] + list(STATUS_FILTERS.items())
        self.assessments = {a.code: a for a in assessments}

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "assessment": self.assessments.get(data.get("assessment") or ""),
            "class_id": data.get("class_id"),
            "status": data.get("status") or "",
            "search": data.get("q") or "",
        }


class ExemptionForm(forms.Form):
    reason = forms.CharField(
        label=_("Уважительная причина"),
        max_length=300,
        help_text=_("Например: болезнь, участие в соревнованиях (Регламент 2.3)."),
    )
    document = forms.CharField(
        label=_("Подтверждающий документ"),
        max_length=300,
        help_text=_("Вид, номер и дата: справка №15 от 18.04.2026 ГАУЗ СО «Талицкая ЦРБ»."),
    )


class DisabilityDecisionForm(forms.Form):
    TAKES_PART, DECLINES = "yes", "no"
    takes_part = forms.ChoiceField(
        label=_("Решение родителей (законных представителей)"),
        choices=[(TAKES_PART, _("участвует (время +30 минут)")), (DECLINES, _("не участвует"))],
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(
        label=_("Реквизиты решения"),
        max_length=300,
        help_text=_("Заявление родителей: от кого, дата (Регламент 2.4, 2.6)."),
    )
    all_works = forms.BooleanField(label=_("Для всех работ обучающегося в кампании"), required=False, initial=True)

    def takes_part_value(self) -> bool:
        return self.cleaned_data["takes_part"] == self.TAKES_PART


class FamilyParticipantForm(forms.Form):
    pupil = forms.ModelChoiceField(label=_("Обучающийся на семейной форме"), queryset=None)
    assessments = forms.MultipleChoiceField(label=_("Работы"), widget=forms.CheckboxSelectMultiple)
    agreement = forms.CharField(
        label=_("Согласование с управлением образования"),
        max_length=300,
        help_text=_("Номер и дата письма или распоряжения управления (Регламент 2.5)."),
    )

    def __init__(self, *args, pupils, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        self.fields["pupil"].label_from_instance = lambda p: f"{p.full_name}, {p.school_class.name}"
        self.fields["assessments"].choices = [(a.code, str(a)) for a in assessments]
        self.assessment_by_code = {a.code: a for a in assessments}

    def chosen_assessments(self) -> list:
        return [self.assessment_by_code[code] for code in self.cleaned_data["assessments"]]
