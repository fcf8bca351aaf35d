"""The form recording the upload to ФИС ОКО: the results form that was uploaded, as a file."""

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from grading.services.uploads import XLSX_EXTENSION, form_file_check


class FormUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Загруженная в ФИС ОКО форма (.xlsx)"),
        help_text=format_lazy(
            _(
                "Тот самый файл, который загружен в ФИС ОКО: заполненная форма сбора результатов этой работы, "
                "книга Excel (.xlsx), не больше {limit} МБ."
            ),
            limit=settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        ),
        widget=forms.FileInput(attrs={"accept": XLSX_EXTENSION}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        form_file_check(file=upload)
        return upload
