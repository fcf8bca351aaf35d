from django import forms
from django.utils.translation import gettext_lazy as _


class SecondFactorCodeForm(forms.Form):
    token = forms.CharField(
        label=_("Код"),
        max_length=16,
        help_text=_("Шесть цифр из приложения-аутентификатора или один из кодов восстановления."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class EnrolCodeForm(forms.Form):
    token = forms.CharField(
        label=_("Код из приложения"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
