"""Holding an uploaded file between its preview and the user's confirmation, and checking large files in a job.

The file goes to the default storage under a random name, and the session remembers which file the user
uploaded, so a confirmation can only apply the user's own previewed file.

A file up to UPLOAD_INLINE_MAX_BYTES is read, previewed and applied in the request. A larger one is not read
in the request: a job (`upload.preview`) reads it and stores the preview's figures or every problem as its
result, the import's page (`?job=<id>`) shows the job's progress and then that result, and the confirmation
queues `upload.apply`, which reads the file again and applies it all or nothing. A job rebuilds the import
without a request from the view's `import_context()` (ids as JSON) and the uploader's id, through the
registry of imports (`register_import`, in each app's `jobs` module); only the uploader may open its pages.
"""

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from .jobs import JobRun, job_request, jobs_sweep_if_due, register_job_kind
from .models import Job
from .params import id_param
from .tables import InputRefused

SESSION_KEY = "pending_uploads"
PREVIEW_JOB, APPLY_JOB = "upload.preview", "upload.apply"


def stash_upload(request, *, purpose: str, name: str, data: bytes | File, deferred: bool = False) -> str:
    """Keeps the file for the user's confirmation; `deferred`: it is checked and applied in jobs."""
    token = uuid.uuid4().hex
    suffix = Path(name).suffix.lower()[:8]
    content = ContentFile(data) if isinstance(data, bytes) else data
    stored = default_storage.save(f"uploads/pending/{token}{suffix}", content)
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {"purpose": purpose, "path": stored, "name": name, **({"deferred": True} if deferred else {})}
    request.session[SESSION_KEY] = pending
    return token


def stashed_entry(request, *, purpose: str, token: str) -> dict | None:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry["purpose"] != purpose or not default_storage.exists(entry["path"]):
        return None
    return entry


def read_stashed(request, *, purpose: str, token: str) -> tuple[str, bytes] | None:
    entry = stashed_entry(request, purpose=purpose, token=token)
    if entry is None:
        return None
    with default_storage.open(entry["path"], "rb") as handle:
        return entry["name"], handle.read()


def discard_stashed(request, *, token: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if entry and default_storage.exists(entry["path"]):
        default_storage.delete(entry["path"])


def problems_of(error: Exception) -> list[str]:
    """Every reason an input was refused, as text (a job stores it)."""
    problems = getattr(error, "problems", None) or getattr(error, "messages", None) or [error]
    return [str(problem) for problem in problems]


class StoredSummary(dict):
    """A preview's figures as stored in a job (JSON), also read as attributes like the service's summary."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Файл"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("Файл больше 20 МБ."))
        return upload


class ImportView(View):
    """Upload → preview (what would change, or every error) → confirm. Nothing is written before confirm.

    A subclass reads the user as `self.user` and the confirmation's `confirm_fields` as `self.extra`, never the
    request, so that a job can run it: `import_context()` names what the import is about (JSON ids; the user
    is kept beside it) and `restore(context)` finds it again, within the user's reach, without a request."""

    purpose = ""
    template_name = "schools/import.html"
    summary_fields: tuple[str, ...] = ("created", "updated", "unchanged")
    confirm_fields: tuple[str, ...] = ()

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

    def import_context(self) -> dict:
        return {}

    def restore(self, context: dict) -> None:
        """Finds again what `import_context` named; raises when it is no longer within the user's reach."""

    def preview_details(self, summary) -> dict:
        """More of the preview for the template, as JSON-serialisable data."""
        return {}

    def preview_data(self, records) -> dict:
        """What the preview page shows, as JSON-serialisable data (a job stores it)."""
        summary = self.preview(records)
        figures = {name: getattr(summary, name) for name in self.summary_fields}
        return {"summary": figures, "rows": self.count(records), **self.preview_details(summary)}

    def outcome_data(self, summary) -> dict:
        return {"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged}

    @classmethod
    def rebuilt(cls, *, user_id: int, context: dict, extra: dict) -> "ImportView":
        """The import as its request had it, for a job."""
        view = cls()
        view.user = get_user_model().objects.get(pk=user_id, is_active=True)
        view.extra = extra
        view.restore(context)
        return view

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.user = request.user
        self.extra = {name: request.POST.get(name, "") for name in self.confirm_fields}

    def context(self, **extra):
        return {"school": getattr(self, "school", None), "purpose": self.purpose, **extra}

    def get(self, request, **kwargs):
        if "job" in request.GET:
            return self.show_job(request, self.own_job(request))
        return render(request, self.template_name, self.context(form=UploadForm()))

    def post(self, request, **kwargs):
        token = request.POST.get("token")
        if token:
            return self.confirm(request, token)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, self.context(form=form))
        upload = form.cleaned_data["file"]
        if upload.size > settings.UPLOAD_INLINE_MAX_BYTES:
            return self.check_later(request, upload)
        data = upload.read()
        try:
            records = self.parse(upload.name, data)
        except InputRefused as refused:
            return self.show_problems(request, refused.problems, upload.name)
        token = stash_upload(request, purpose=self.purpose, name=upload.name, data=data)
        return self.show_preview(request, self.preview_data(records), token=token, filename=upload.name)

    def confirm(self, request, token):
        entry = stashed_entry(request, purpose=self.purpose, token=token)
        if entry is not None and entry.get("deferred"):
            return self.apply_later(request, token, entry)
        stashed = read_stashed(request, purpose=self.purpose, token=token)
        if stashed is None:
            messages.error(request, _("Загруженный файл не найден: загрузите его ещё раз."))
            return redirect(request.path)
        name, data = stashed
        try:
            summary = self.apply(self.parse(name, data))
        except (InputRefused, ValidationError) as error:
            return self.show_problems(request, problems_of(error), name)
        discard_stashed(request, token=token)
        self.announce(request, self.outcome_data(summary))
        return redirect(self.done_url())

    def previewed(self, request, token) -> tuple[str, dict] | None:
        """The preview of the user's stashed file as it was shown: a job's result, or checked here again."""
        entry = stashed_entry(request, purpose=self.purpose, token=token)
        if entry is None:
            return None
        if entry.get("deferred"):
            job = Job.objects.filter(key=f"{PREVIEW_JOB}:{token}", requested_by=request.user).first()
            preview = job.result.get("preview") if job is not None and job.state == Job.State.DONE else None
            return (entry["name"], preview) if preview is not None else None
        stashed = read_stashed(request, purpose=self.purpose, token=token)
        if stashed is None:
            return None
        name, data = stashed
        try:
            return name, self.preview_data(self.parse(name, data))
        except InputRefused:
            return None

    def show_preview(self, request, data: dict, *, token: str, filename: str, status: int = 200, **extra):
        context = {**data, "summary": StoredSummary(data["summary"]), **extra}
        return render(
            request, self.template_name, self.context(token=token, filename=filename, **context), status=status
        )

    def show_problems(self, request, problems, filename: str):
        context = self.context(form=UploadForm(), problems=problems, filename=filename)
        return render(request, self.template_name, context)

    def announce(self, request, outcome: dict) -> None:
        if not outcome["created"] and not outcome["updated"]:
            messages.info(request, _("Ничего не изменилось: файл совпадает с уже сохранёнными данными."))
        else:
            messages.success(
                request,
                _("Загружено: добавлено {created}, обновлено {updated}, без изменений {unchanged}.").format(**outcome),
            )

    # Large files: a job checks, a job applies ---------------------------------------------------------------

    def job_params(self, request, token: str, entry: dict) -> dict:
        return {
            "purpose": self.purpose,
            "context": self.import_context(),
            "user": request.user.pk,
            "token": token,
            "path": entry["path"],
            "name": entry["name"],
            "extra": self.extra,
        }

    def job_url(self, request, job: Job) -> str:
        return f"{request.path}?job={job.pk}"

    def check_later(self, request, upload):
        token = stash_upload(request, purpose=self.purpose, name=upload.name, data=upload, deferred=True)
        entry = request.session[SESSION_KEY][token]
        job = job_request(
            kind=PREVIEW_JOB,
            key=f"{PREVIEW_JOB}:{token}",
            params=self.job_params(request, token, entry),
            user=request.user,
        )
        return redirect(self.job_url(request, job))

    def apply_later(self, request, token: str, entry: dict):
        key = f"{APPLY_JOB}:{token}"
        previous = Job.objects.filter(key=key, requested_by=request.user).only("state", "result").first()
        # An apply that was refused wrote nothing: confirming again (say, with a reason now) tries again.
        refused = previous is not None and previous.state == Job.State.DONE and "problems" in previous.result
        job = job_request(
            kind=APPLY_JOB, key=key, params=self.job_params(request, token, entry), user=request.user, restart=refused
        )
        return redirect(self.job_url(request, job))

    def own_job(self, request) -> Job:
        """The user's own job of this import (same purpose, same school or assessment); 404 for anything else."""
        job_id = id_param(request.GET, "job")
        job = Job.objects.filter(pk=job_id, kind__in=(PREVIEW_JOB, APPLY_JOB), requested_by=request.user).first()
        if job is None or job.params.get("purpose") != self.purpose:
            raise Http404
        if job.params.get("context") != self.import_context():
            raise Http404
        return job

    def show_job(self, request, job: Job):
        name, result = job.params["name"], job.result
        if job.is_running:
            jobs_sweep_if_due()
            context = self.context(job=job, filename=name, checking=job.kind == PREVIEW_JOB, back_url=request.path)
            return render(request, "uploads/progress.html", context)
        if job.state == Job.State.FAILED:
            problem = _(
                "Файл не удалось обработать. Загрузите его ещё раз; если ошибка повторится, сообщите администратору."
            )
            return self.show_problems(request, [problem], name)
        if "problems" in result:
            return self.show_problems(request, result["problems"], name)
        if job.kind == PREVIEW_JOB:
            return self.show_preview(request, result["preview"], token=job.params["token"], filename=name)
        discard_stashed(request, token=job.params["token"])
        self.announce(request, result["outcome"])
        return redirect(result["done_url"])


# The registry of imports and the two kinds of job ---------------------------------------------------------------

_IMPORTS: dict[str, type[ImportView]] = {}


def register_import(*views: type[ImportView]) -> None:
    """Lets jobs run these imports (each app's `jobs` module registers its import views)."""
    for view in views:
        registered = _IMPORTS.get(view.purpose)
        if not view.purpose or (registered is not None and registered is not view):
            raise ValueError(f"import purpose {view.purpose!r} is empty or already registered")
        _IMPORTS[view.purpose] = view


def _job_import(job: Job) -> tuple[ImportView, str, bytes] | None:
    """The job's import rebuilt for its user, and the stashed file; None when the file is gone."""
    params = job.params
    try:
        view_class = _IMPORTS[params["purpose"]]
    except KeyError:
        raise ValueError(f"no import is registered for purpose {params['purpose']!r}") from None
    view = view_class.rebuilt(user_id=params["user"], context=params["context"], extra=params.get("extra", {}))
    if not default_storage.exists(params["path"]):
        return None
    with default_storage.open(params["path"], "rb") as handle:
        return view, params["name"], handle.read()


def _delete_quietly(path: str) -> None:
    try:
        default_storage.delete(path)
    except OSError:  # the import is done all the same; a leftover file only takes space
        pass


FILE_GONE = gettext_lazy("Загруженный файл не найден: загрузите его ещё раз.")


def upload_preview_job(job: Job, run: JobRun) -> dict:
    """Reads a large upload and stores what its preview shows: the figures, or every problem. Writes nothing."""
    rebuilt = _job_import(job)
    if rebuilt is None:
        return {"problems": [str(FILE_GONE)]}
    view, name, data = rebuilt
    try:
        records = view.parse(name, data)
        run.progress(1, 2)
        return {"preview": view.preview_data(records)}
    except (InputRefused, ValidationError) as error:  # the file's contents: never logged, shown to its uploader
        return {"problems": problems_of(error)}


def upload_apply_job(job: Job, run: JobRun):
    """Reads a large upload again and applies it, all or nothing, when the job is marked done (exactly once)."""
    rebuilt = _job_import(job)
    if rebuilt is None:
        return {"problems": [str(FILE_GONE)]}
    view, name, data = rebuilt
    try:
        records = view.parse(name, data)
    except (InputRefused, ValidationError) as error:
        return {"problems": problems_of(error)}
    run.progress(1, 2)
    path = job.params["path"]

    def apply() -> dict:
        try:
            with transaction.atomic():
                summary = view.apply(records)
        except (InputRefused, ValidationError) as error:
            return {"problems": problems_of(error)}
        transaction.on_commit(lambda: _delete_quietly(path))
        return {"outcome": view.outcome_data(summary), "done_url": view.done_url()}

    return apply


register_job_kind(PREVIEW_JOB, upload_preview_job)
register_job_kind(APPLY_JOB, upload_apply_job)
