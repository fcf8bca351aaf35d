"""Recording that a school uploaded its results form to ФИС ОКО (Регламент 6.6.9), with the very file it
uploaded: an Excel workbook (.xlsx) of at most 20 MB, checked to be one before anything is stored, and read
(`form_upload_content_check`): it must be the school's results form of that assessment (its task columns, its
participants' codes), complete (every participant on it, every task of a present participant filled) and equal
to the results recorded in the portal. Recording again replaces the kept file (the latest is kept, the
replacement is in the audit)."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from grading.models import FormUpload
from grading.selectors import results as results_selectors
from grading.services.results import UNCHANGED, results_form_read, results_plan
from procedures.models import Assessment, Campaign
from schools.models import School, User
from schools.services import audit_record
from vpr_portal.tables import InputRefused, check_xlsx_archive, read_table

XLSX_EXTENSION = ".xlsx"
SHOWN_PROBLEMS = 20  # a refusal lists this many of the file's problems, then how many more there are


def form_file_check(*, file) -> None:
    """Refuses what is not an .xlsx workbook: another extension, an empty file, a file over the upload limit
    (20 MB), or content that is not an xlsx archive (or would inflate past the limits)."""
    name = Path(file.name or "").name
    if Path(name).suffix.lower() != XLSX_EXTENSION:
        raise ValidationError(
            _("Файл «{name}» — не книга Excel: нужна форма сбора результатов в формате .xlsx.").format(name=name),
            code="file_type",
        )
    if not file.size:
        raise ValidationError(_("Файл «{name}» пуст.").format(name=name), code="file_empty")
    if file.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("Файл «{name}» больше {limit} МБ.").format(name=name, limit=settings.UPLOAD_MAX_BYTES // (1024 * 1024)),
            code="file_size",
        )
    file.seek(0)
    data = file.read()
    file.seek(0)
    try:
        check_xlsx_archive(data)
    except InputRefused as refused:
        raise ValidationError(
            _("Файл «{name}»: {problem}.").format(name=name, problem=refused.problems[0]), code="file_content"
        ) from None


def _codes(codes) -> str:
    codes = sorted(codes)
    shown = ", ".join(codes[:SHOWN_PROBLEMS])
    return shown + ("…" if len(codes) > SHOWN_PROBLEMS else "")


def form_upload_content_check(*, assessment: Assessment, school: School, file) -> None:
    """Reads the file as the school's results form of `assessment` and refuses it, with every reason in Russian,
    unless it is that form (its task columns and the school's participants' codes), complete (a row for every
    participant who writes it, every task of a present participant filled) and equal to the recorded results.
    Codes only in the reasons (R11)."""
    name = Path(file.name or "").name
    file.seek(0)
    data = file.read()
    file.seek(0)
    try:
        form = results_form_read(assessment=assessment, school=school, table=read_table(data, name))
    except InputRefused as refused:
        lines = [str(problem) for problem in refused.problems]
        more = len(lines) - SHOWN_PROBLEMS
        raise ValidationError(
            [
                _("Файл «{name}» — не заполненная форма сбора результатов работы {assessment} школы {school}:").format(
                    name=name, assessment=assessment.code, school=school.code
                ),
                *lines[:SHOWN_PROBLEMS],
                *([_("и ещё ошибок: {n}.").format(n=more)] if more > 0 else []),
            ],
            code="file_form",
        ) from None
    problems = []
    writing, _exempt = results_selectors.form_codes(assessment=assessment, school=school)
    missing = writing - {row.code for row in form.rows}
    if missing:
        problems.append(
            _("В файле нет участников ({n}): {codes}. Форма для ФИС ОКО содержит всех участников работы.").format(
                n=len(missing), codes=_codes(missing)
            )
        )
    plan = results_plan(assessment=assessment, school=school, form=form)
    differing = [row.code for row in plan.rows if row.status != UNCHANGED]
    if differing:
        problems.append(
            _(
                "Файл не совпадает с результатами в портале у участников ({n}): {codes}. Загрузите в ФИС ОКО форму, "
                "выгруженную из портала, или сначала загрузите этот файл в портал."
            ).format(n=len(differing), codes=_codes(differing))
        )
    if problems:
        raise ValidationError(problems, code="file_form")


def _check_scope(*, campaign: Campaign, school: School, assessment: Assessment) -> None:
    if school.department_id != campaign.department_id or assessment.campaign_id != campaign.pk:
        raise ValidationError(_("Работа или школа не относится к этой кампании."))
    if campaign.status == Campaign.Status.DRAFT:
        raise ValidationError(_("Кампания ещё не объявлена."))


def _stored_name(*, school: School, assessment: Assessment) -> str:
    return get_valid_filename(f"fisoko-{school.code}-{assessment.code}{XLSX_EXTENSION}")


def form_upload_record(*, campaign: Campaign, school: School, assessment: Assessment, file, actor: User) -> FormUpload:
    """Records that the school uploaded the results form of `assessment` to ФИС ОКО, keeping `file`.

    The file is checked first (`form_file_check`, then `form_upload_content_check`): a refused file writes
    nothing. A second record for the same
    assessment replaces the kept file; the earlier file is deleted once the new record is committed. Both are
    in the audit, with the name the file had on the coordinator's computer."""
    _check_scope(campaign=campaign, school=school, assessment=assessment)
    form_file_check(file=file)
    form_upload_content_check(assessment=assessment, school=school, file=file)
    original = Path(file.name).name
    size = file.size
    probe = FormUpload(campaign=campaign, school=school, assessment=assessment)
    storage = probe.file.storage
    probe.file.save(_stored_name(school=school, assessment=assessment), file, save=False)
    stored = probe.file.name
    try:
        with transaction.atomic():
            # one record at a time per school: two clicks cannot both create the first record
            School.objects.select_for_update().filter(pk=school.pk).first()
            upload = FormUpload.objects.filter(school=school, assessment=assessment).first()
            previous = None
            if upload is None:
                upload = probe
            else:
                previous = {"file": Path(upload.file.name).name, "uploaded_at": upload.uploaded_at.isoformat()}
                old_name = upload.file.name
                upload.file.name = stored
                if old_name and old_name != stored:
                    transaction.on_commit(lambda: storage.delete(old_name))
            upload.campaign = campaign
            upload.uploaded_at = timezone.now()
            upload.uploaded_by = actor
            upload.save()
            audit_record(
                actor=actor,
                action="form_upload.replaced" if previous else "form_upload.recorded",
                target=upload,
                school=school,
                before=previous,
                after={
                    "campaign": campaign.code,
                    "assessment": assessment.code,
                    "file": Path(stored).name,
                    "original_name": original,
                    "size": size,
                },
            )
    except BaseException:
        storage.delete(stored)
        raise
    return upload


def form_upload_open(*, upload: FormUpload) -> File:
    """The kept file, opened for reading (FileNotFoundError when the storage lost it)."""
    return upload.file.storage.open(upload.file.name, "rb")
