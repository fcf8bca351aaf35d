from django import forms

from procedures.models import CalendarDay


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name", "source"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
