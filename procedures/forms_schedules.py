"""Forms of class assignment and school schedules: they parse input; the rules live in
procedures/services/schedules.py."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from procedures.models import Assessment, ScheduleEntry
from procedures.selectors.schedules import AssignedWork
from procedures.services.schedules import EntryValue, ScheduleState, ScheduleWarning, WarningCode
from schools.models import SchoolClass

WARNING_CHOICES = [
    (WarningCode.LESSON, _("урок вне 2–3")),
    (WarningCode.SAME_DAY, _("две работы в день")),
    (WarningCode.DAY_OFF, _("выходной день")),
]


def pair_key(assessment: Assessment, school_class: SchoolClass) -> str:
    return f"{assessment.pk}_{school_class.pk}"


@dataclass
class ScheduleRow:
    """One line of the schedule form: a class × assessment with its inputs, warnings and errors."""

    key: str
    assessment: Assessment
    school_class: SchoolClass
    entry: ScheduleEntry | None
    date: forms.BoundField
    lesson: forms.BoundField
    warnings: list[tuple[ScheduleWarning, bool]]
    errors: list[str]

    @property
    def unconfirmed(self) -> int:
        return sum(1 for _warning, confirmed in self.warnings if not confirmed)


class ScheduleForm(forms.Form):
    """Date and lesson of every assigned class × assessment, and the confirmation of each warning."""

    def __init__(self, *args, state: ScheduleState, **kwargs):
        super().__init__(*args, **kwargs)
        self.state = state
        for assessment, school_class in state.pairs:
            key = pair_key(assessment, school_class)
            entry = state.entries.get((assessment.pk, school_class.pk))
            self.fields[f"date_{key}"] = forms.DateField(
                label=_("Дата"),
                required=False,
                initial=entry.date if entry else None,
                widget=forms.DateInput(
                    attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
                ),
            )
            self.fields[f"lesson_{key}"] = forms.IntegerField(
                label=_("Урок"),
                required=False,
                min_value=1,
                max_value=8,
                initial=entry.lesson if entry else None,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 1, "max": 8}),
            )
            self.fields[f"confirm_{key}"] = forms.MultipleChoiceField(
                choices=WARNING_CHOICES, required=False, initial=list(entry.confirmed_warnings) if entry else []
            )

    def values(self) -> list[EntryValue]:
        data = self.cleaned_data
        return [
            EntryValue(
                assessment=assessment,
                school_class=school_class,
                date=data.get(f"date_{pair_key(assessment, school_class)}"),
                lesson=data.get(f"lesson_{pair_key(assessment, school_class)}"),
                confirmed=frozenset(data.get(f"confirm_{pair_key(assessment, school_class)}") or ()),
            )
            for assessment, school_class in self.state.pairs
        ]

    def rows(self, *, warnings=None, confirmed=None, errors=None) -> list[ScheduleRow]:
        """The lines to show. By default the stored warnings and confirmations; after a refused save, the
        warnings of the values typed and the boxes ticked."""
        warnings = self.state.warnings if warnings is None else warnings
        errors = errors or {}
        rows = []
        for assessment, school_class in self.state.pairs:
            key = pair_key(assessment, school_class)
            entry = self.state.entries.get((assessment.pk, school_class.pk))
            if confirmed is None:
                ticked = set(entry.confirmed_warnings) if entry else set()
            else:
                ticked = confirmed.get((assessment.pk, school_class.pk), set())
            rows.append(
                ScheduleRow(
                    key=key,
                    assessment=assessment,
                    school_class=school_class,
                    entry=entry,
                    date=self[f"date_{key}"],
                    lesson=self[f"lesson_{key}"],
                    warnings=[(w, w.code in ticked) for w in warnings.get((assessment.pk, school_class.pk), [])],
                    errors=[*self[f"date_{key}"].errors, *self[f"lesson_{key}"].errors, *errors.get(key, [])],
                )
            )
        return rows


class ScheduleDecisionForm(forms.Form):
    APPROVE = "approve"
    RETURN = "return"

    decision = forms.ChoiceField(
        label=_("Решение"), choices=[(APPROVE, _("Согласовать")), (RETURN, _("Вернуть на доработку"))]
    )
    comment = forms.CharField(
        label=_("Комментарий для школы"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Обязателен при возврате: напишите, что исправить."),
    )


class AssignmentEditForm(forms.Form):
    """The department's choice of classes per assessment for one school."""

    def __init__(self, *args, works: list[AssignedWork], classes: list[SchoolClass], **kwargs):
        super().__init__(*args, **kwargs)
        self.works = [w for w in works if any(c.grade == w.assessment.grade for c in classes)]
        self.classes = {c.pk: c for c in classes}
        for work in self.works:
            self.fields[f"classes_{work.assessment.pk}"] = forms.MultipleChoiceField(
                label=str(work.assessment),
                required=False,
                choices=[(str(c.pk), c.name) for c in classes if c.grade == work.assessment.grade],
                initial=[str(c.pk) for c in work.classes],
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            )

    def rows(self) -> list[tuple[AssignedWork, forms.BoundField]]:
        return [(work, self[f"classes_{work.assessment.pk}"]) for work in self.works]

    def chosen(self) -> dict[Assessment, list[SchoolClass]]:
        return {
            work.assessment: [self.classes[int(pk)] for pk in self.cleaned_data[f"classes_{work.assessment.pk}"]]
            for work in self.works
        }


class ScheduleBulkForm(forms.Form):
    """One date and lesson for several classes (or whole parallels) and one or several assessments."""

    assessments = forms.MultipleChoiceField(
        label=_("Работы"), widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
    )
    grades = forms.MultipleChoiceField(
        label=_("Вся параллель"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    classes = forms.MultipleChoiceField(
        label=_("Классы"), required=False, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
    )
    date = forms.DateField(
        label=_("Дата"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
    )
    lesson = forms.IntegerField(
        label=_("Урок"),
        min_value=1,
        max_value=8,
        widget=forms.NumberInput(attrs={"class": "form-control", "min": 1, "max": 8}),
    )
    confirm = forms.MultipleChoiceField(
        label=_("Подтверждаю предупреждения"),
        choices=WARNING_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, state: ScheduleState, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment_by_pk = {a.pk: a for a, _c in state.pairs}
        self.class_by_pk = {c.pk: c for _a, c in state.pairs}
        classes = sorted(self.class_by_pk.values(), key=lambda c: (c.grade, c.letter))
        self.fields["assessments"].choices = [
            (str(a.pk), f"{a.code} — {a}") for a in sorted(self.assessment_by_pk.values(), key=lambda a: a.code)
        ]
        self.fields["grades"].choices = [
            (str(g), _("%(grade)d классы") % {"grade": g}) for g in sorted({c.grade for c in classes})
        ]
        self.fields["classes"].choices = [(str(c.pk), c.name) for c in classes]

    def choice_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("assessments", "grades", "classes", "confirm")]

    def clean(self):
        data = super().clean()
        if not data.get("classes") and not data.get("grades"):
            raise forms.ValidationError(_("Отметьте классы или всю параллель."))
        return data

    def chosen(self) -> dict:
        """The keyword arguments of `schedule_bulk_set`."""
        data = self.cleaned_data
        return {
            "assessments": [self.assessment_by_pk[int(pk)] for pk in data["assessments"]],
            "classes": [self.class_by_pk[int(pk)] for pk in data["classes"]],
            "grades": [int(g) for g in data["grades"]],
            "date": data["date"],
            "lesson": data["lesson"],
            "confirmed": data["confirm"],
        }
