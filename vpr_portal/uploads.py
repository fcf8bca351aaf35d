"""Holding an uploaded file between its preview and the user's confirmation.

The file goes to the default storage under a random name, and the session remembers which file the user
uploaded, so a confirmation can only apply the user's own previewed file.
"""

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from .tables import InputRefused

SESSION_KEY = "pending_uploads"


def stash_upload(request, *, purpose: str, name: str, data: bytes) -> str:
    token = uuid.uuid4().hex
    suffix = Path(name).suffix.lower()[:8]
    stored = default_storage.save(f"uploads/pending/{token}{suffix}", ContentFile(data))
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {"purpose": purpose, "path": stored, "name": name}
    request.session[SESSION_KEY] = pending
    return token


def read_stashed(request, *, purpose: str, token: str) -> tuple[str, bytes] | None:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry["purpose"] != purpose or not default_storage.exists(entry["path"]):
        return None
    with default_storage.open(entry["path"], "rb") as handle:
        return entry["name"], handle.read()


def discard_stashed(request, *, token: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if entry and default_storage.exists(entry["path"]):
        default_storage.delete(entry["path"])


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Файл"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("Файл больше 20 МБ."))
        return upload


class ImportView(View):
    """Upload → preview (what would change, or every error) → confirm. Nothing is written before confirm."""

    purpose = ""
    template_name = "schools/import.html"

    def parse(self, name: str, data: bytes):
        raise NotImplementedError

    def preview(self, records):
        raise NotImplementedError

    def apply(self, records):
        raise NotImplementedError

    def count(self, records) -> int:
        return len(records)

    def done_url(self) -> str:
        raise NotImplementedError

    def context(self, **extra):
        return {"school": getattr(self, "school", None), "purpose": self.purpose, **extra}

    def get(self, request, **kwargs):
        return render(request, self.template_name, self.context(form=UploadForm()))

    def post(self, request, **kwargs):
        token = request.POST.get("token")
        if token:
            return self.confirm(request, token)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, self.context(form=form))
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            records = self.parse(upload.name, data)
        except InputRefused as refused:
            return render(
                request,
                self.template_name,
                self.context(form=UploadForm(), problems=refused.problems, filename=upload.name),
            )
        token = stash_upload(request, purpose=self.purpose, name=upload.name, data=data)
        return render(
            request,
            self.template_name,
            self.context(summary=self.preview(records), token=token, filename=upload.name, rows=self.count(records)),
        )

    def confirm(self, request, token):
        stashed = read_stashed(request, purpose=self.purpose, token=token)
        if stashed is None:
            messages.error(request, _("Загруженный файл не найден: загрузите его ещё раз."))
            return redirect(request.path)
        name, data = stashed
        try:
            summary = self.apply(self.parse(name, data))
        except (InputRefused, ValidationError) as error:
            problems = getattr(error, "problems", None) or getattr(error, "messages", [str(error)])
            return render(
                request, self.template_name, self.context(form=UploadForm(), problems=problems, filename=name)
            )
        discard_stashed(request, token=token)
        if not summary.created and not summary.updated:
            messages.info(request, _("Ничего не изменилось: файл совпадает с уже сохранёнными данными."))
        else:
            messages.success(
                request,
                _("Загружено: добавлено {created}, обновлено {updated}, без изменений {unchanged}.").format(
                    created=summary.created, updated=summary.updated, unchanged=summary.unchanged
                ),
            )
        return redirect(self.done_url())
