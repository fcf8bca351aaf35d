"""Forms of the school's order: submitting a version (number and date), the director's return with a comment and
uploading the signed scan."""

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from procedures.services.orders import SCAN_EXTENSIONS, SCAN_MAX_BYTES, order_scan_check


class OrderIssueForm(forms.Form):
    number = forms.CharField(
        label=_("Номер приказа"), max_length=40, widget=forms.TextInput(attrs={"placeholder": _("например, 45-о")})
    )
    date = forms.DateField(
        label=_("Дата приказа"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )


class OrderReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Что исправить"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class OrderScanForm(forms.Form):
    file = forms.FileField(
        label=_("Скан подписанного приказа"),
        help_text=format_lazy(_("PDF, JPG или PNG, не больше {limit} МБ."), limit=SCAN_MAX_BYTES // (1024 * 1024)),
        widget=forms.FileInput(attrs={"accept": ",".join(SCAN_EXTENSIONS)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        order_scan_check(file=upload)
        return upload
