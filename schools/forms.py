from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Pupil, Relation, School, SchoolClass, Staff, Subject
from .validators import validate_person_name

PERSON_NAME_FIELDS = ("last_name", "first_name", "middle_name")


def _validate_person_names(form: forms.Form) -> None:
    """Every name field of the form follows the one rule for names (the imports' rule too)."""
    for name in PERSON_NAME_FIELDS:
        if name in form.fields:
            form.fields[name].validators.append(validate_person_name)


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "short_name", "time_zone", "address", "director_name", "phone", "email"]


class PupilForm(forms.ModelForm):
    class Meta:
        model = Pupil
        fields = [
            "last_name",
            "first_name",
            "middle_name",
            "school_class",
            "sex",
            "has_disability",
            "family_education",
            "is_active",
        ]

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        _validate_person_names(self)
        self.fields["school_class"].queryset = SchoolClass.objects.filter(school=school).order_by(
            "-academic_year", "grade", "letter"
        )
        self.fields["school_class"].label_from_instance = lambda c: f"{c.name} ({c.academic_year_label})"


class StaffForm(forms.ModelForm):
    subjects = forms.CharField(
        label=_("Предметы и стаж"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("По строке на предмет: «Математика: 12». Для учителя начальных классов: «Начальные классы: 8»."),
    )
    loads = forms.ModelMultipleChoiceField(
        label=_("Классы, в которых преподаёт"),
        queryset=SchoolClass.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    load_subject = forms.ModelChoiceField(
        label=_("Предмет в этих классах"), queryset=Subject.objects.all(), required=False
    )

    class Meta:
        model = Staff
        fields = [
            "last_name",
            "first_name",
            "middle_name",
            "position",
            "is_administration",
            "experience_years",
            "is_active",
        ]

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        _validate_person_names(self)
        self.fields["loads"].queryset = SchoolClass.objects.filter(school=school).order_by(
            "-academic_year", "grade", "letter"
        )
        if self.instance.pk:
            self.initial["subjects"] = "\n".join(
                f"{item.subject.name}: {item.experience_years}"
                for item in self.instance.subject_experience.select_related("subject")
            )
            loads = list(self.instance.teaching_loads.select_related("subject"))
            self.initial["loads"] = [load.school_class_id for load in loads]
            if loads:
                self.initial["load_subject"] = loads[0].subject_id

    def clean_subjects(self) -> dict[Subject, int]:
        result: dict[Subject, int] = {}
        for number, line in enumerate(self.cleaned_data["subjects"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, years = line.partition(":")
            name = name.strip()
            try:
                years_value = int(years.strip() or 0)
            except ValueError:
                raise forms.ValidationError(
                    _("Строка {n}: стаж должен быть целым числом лет.").format(n=number)
                ) from None
            subject = Subject.objects.filter(name__iexact=name).first()
            if subject is None:
                raise forms.ValidationError(_("Строка {n}: неизвестный предмет «{name}».").format(n=number, name=name))
            result[subject] = years_value
        return result

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("loads") and not cleaned.get("load_subject"):
            self.add_error("load_subject", _("Укажите предмет, который сотрудник ведёт в выбранных классах."))
        return cleaned


class RelativeForm(forms.Form):
    pupil = forms.ModelChoiceField(label=_("Обучающийся"), queryset=Pupil.objects.none())
    relation = forms.ChoiceField(label=_("Степень родства"), choices=Relation.choices)

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils.select_related("school_class")
        self.fields["pupil"].label_from_instance = lambda p: f"{p.full_name} ({p.school_class.name})"


class RoleGrantForm(forms.Form):
    username = forms.RegexField(
        label=_("Логин"),
        regex=r"^[\w.@+-]{3,150}$",
        max_length=150,
        help_text=_("Латинские буквы, цифры и знаки . @ + - _. Если такой логин уже есть, роль добавится к нему."),
    )
    last_name = forms.CharField(label=_("Фамилия"), max_length=150, required=False)
    first_name = forms.CharField(label=_("Имя"), max_length=150, required=False)
    middle_name = forms.CharField(label=_("Отчество"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"), required=False, help_text=_("На этот адрес придёт ссылка для установки пароля.")
    )
    role = forms.ChoiceField(label=_("Роль"))
    school = forms.ModelChoiceField(
        label=_("Школа"),
        queryset=School.objects.none(),
        required=False,
        help_text=_("Не заполняйте для ролей управления образования, наблюдателя и эксперта муниципальной комиссии."),
    )

    def __init__(self, *args, roles, schools, **kwargs):
        super().__init__(*args, **kwargs)
        _validate_person_names(self)
        self.fields["role"].choices = roles
        self.fields["school"].queryset = schools
