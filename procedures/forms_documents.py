"""Forms of regulation documents: publishing a document, uploading a new version, filtering the list."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from procedures.models import Campaign, Document
from procedures.services.documents import ALLOWED_EXTENSIONS, DOCUMENT_MAX_BYTES, document_file_check


def _file_field() -> forms.FileField:
    return forms.FileField(
        label=_("Файл"),
        help_text=format_lazy(
            _("PDF, DOCX, DOC, ODT, XLSX, RTF или TXT, не больше {limit} МБ."),
            limit=DOCUMENT_MAX_BYTES // (1024 * 1024),
        ),
        widget=forms.FileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
    )


class DocumentFileMixin:
    """The file is checked by the same rule the service applies, so the refusal shows on the field."""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        document_file_check(file=upload)
        return upload


class DocumentCreateForm(DocumentFileMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Вид"), choices=Document.Kind.choices)
    title = forms.CharField(label=_("Название"), max_length=300)
    campaign = forms.ModelChoiceField(
        label=_("Кампания"),
        queryset=Campaign.objects.none(),
        required=False,
        help_text=_("Документ кампании входит в этап плана-графика «документы кампании прочитаны»."),
    )
    file = _file_field()
    note = forms.CharField(label=_("Примечание"), max_length=500, required=False)

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].empty_label = _("без кампании")


class DocumentVersionForm(DocumentFileMixin, forms.Form):
    file = _file_field()
    note = forms.CharField(
        label=_("Что изменилось"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Кратко: какие пункты изменены, что добавлено или отменено."),
    )


class DocumentFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Кампания"),
        queryset=Campaign.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kind = forms.ChoiceField(
        label=_("Вид"),
        choices=[("", _("все виды")), *Document.Kind.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].empty_label = _("все кампании")
