"""The school's side of the re-check (Регламент 8.3–8.4): the scans of the selected works and the criteria of
each variant, their sending to the department, and the cover letter (R14).

A scan is checked by its content (PDF, JPEG, PNG: the file's first bytes, not its name) and its size (20 MB),
kept through Django's default storage (RecheckScan.file) and read only through the views' scope checks: the
school, the department, and a commission expert holding the work. Scans are named by the participant's code,
never by a name (R11). Once the school sends them (`scans_send`), they are locked.
"""

import io
import mimetypes
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.models import Work
from grading.rules import recheck_cover_letter
from monitoring.models import RecheckScan, RecheckSelection, RecheckWork
from monitoring.recheck import selection_works
from schools.access import Capability, department_ids_with, schools_with
from schools.models import Role, School, User
from schools.services import audit_record, notifications_send

SCAN_MAX_BYTES = 20 * 1024 * 1024
# How each accepted type's content begins: a renamed document or executable is refused.
SCAN_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
BATCH_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
DEPARTMENT_ROLES = (Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR)


# Which works and which variants ---------------------------------------------------------------------------


def works_to_send(selection: RecheckSelection) -> list[Work]:
    """The works whose scans the school sends (`monitoring.recheck.selection_works`: the school's present
    participants of the assessment with a result), by code, with their original expert."""
    return list(selection_works(selection).select_related("participant", "expert"))


def _variant(work: Work) -> int | None:
    return work.participant.variant


@dataclass
class WorkRow:
    work: Work
    scan: RecheckScan | None

    @property
    def code(self) -> str:
        return self.work.participant.code

    @property
    def class_name(self) -> str:
        return self.work.participant.class_name

    @property
    def variant(self) -> int | None:
        return _variant(self.work)


@dataclass
class VariantRow:
    variant: int
    scan: RecheckScan | None


@dataclass
class SelectionScans:
    """What a school sends for one selection: its works with their scans, the criteria of each variant, what
    is missing (in words) and whether it is sent (then nothing changes any more)."""

    selection: RecheckSelection
    works: list[WorkRow]
    variants: list[VariantRow]
    missing: list[str] = field(default_factory=list)

    @property
    def sent(self) -> bool:
        return self.selection.scans_sent_at is not None

    @property
    def uploaded(self) -> int:
        return sum(row.scan is not None for row in self.works) + sum(row.scan is not None for row in self.variants)


def selection_scans(selection: RecheckSelection) -> SelectionScans:
    works = works_to_send(selection)
    scans = list(selection.scans.all())
    by_work = {scan.work_id: scan for scan in scans if scan.kind == RecheckScan.Kind.WORK}
    by_variant = {scan.variant: scan for scan in scans if scan.kind == RecheckScan.Kind.CRITERIA}
    rows = [WorkRow(work=work, scan=by_work.get(work.pk)) for work in works]
    variants = sorted({_variant(work) for work in works if _variant(work) is not None})
    variant_rows = [VariantRow(variant=variant, scan=by_variant.get(variant)) for variant in variants]
    missing = []
    if not rows:
        missing.append(_("Нет работ для перепроверки: у школы нет участников этой работы с результатом."))
    codes = [row.code for row in rows if row.scan is None]
    if codes:
        missing.append(_("Нет сканов работ: {codes}.").format(codes=", ".join(codes)))
    no_criteria = [str(row.variant) for row in variant_rows if row.scan is None]
    if no_criteria:
        missing.append(_("Нет критериев оценивания вариантов: {variants}.").format(variants=", ".join(no_criteria)))
    return SelectionScans(selection=selection, works=rows, variants=variant_rows, missing=missing)


def school_selections(school: School) -> list[SelectionScans]:
    """The school's selections for re-check, the newest campaign first, each with its scans."""
    selections = (
        RecheckSelection.objects.filter(school=school)
        .select_related("recheck__campaign", "assessment__subject", "school")
        .prefetch_related("scans")
        .order_by("-recheck__campaign__window_start", "assessment__code")
    )
    return [selection_scans(selection) for selection in selections]


# Scopes ----------------------------------------------------------------------------------------------------


def selections_for_school_users(user: User) -> QuerySet[RecheckSelection]:
    """Selections of the schools where the user sends the re-check's scans."""
    return RecheckSelection.objects.filter(school__in=schools_with(user, Capability.SEND_RECHECK_SCANS))


def selections_for_department(user: User) -> QuerySet[RecheckSelection]:
    """Selections of the re-checks of the departments the user manages the re-check of."""
    return RecheckSelection.objects.filter(
        recheck__department_id__in=department_ids_with(user, Capability.MANAGE_RECHECK)
    )


def scans_for_school_users(user: User) -> QuerySet[RecheckScan]:
    """Scans of the schools where the user sends the re-check's scans."""
    return RecheckScan.objects.filter(selection__in=selections_for_school_users(user))


def scans_for_department(user: User) -> QuerySet[RecheckScan]:
    """Scans of the re-checks of the departments the user manages the re-check of."""
    return RecheckScan.objects.filter(selection__in=selections_for_department(user))


def _held_works(user: User) -> QuerySet[RecheckWork]:
    return RecheckWork.objects.filter(Q(expert__staff__user=user) | Q(third_expert__staff__user=user))


def scans_for_expert(user: User) -> QuerySet[RecheckScan]:
    """Scans a commission expert may read: the scan of a work they hold (as its expert or its third expert) and
    the criteria of that work's variant; nothing else."""
    if not user.is_authenticated:
        return RecheckScan.objects.none()
    held = _held_works(user)
    work_scans = Q(kind=RecheckScan.Kind.WORK, work__recheck__in=held)
    criteria = Q(pk__in=[])
    for selection_id, variant in held.values_list("selection_id", "work__participant__variant").distinct():
        criteria |= Q(kind=RecheckScan.Kind.CRITERIA, selection_id=selection_id, variant=variant)
    return RecheckScan.objects.filter(work_scans | criteria)


def scans_for_work(recheck_work: RecheckWork) -> list[RecheckScan]:
    """The scan of the work and the criteria of its variant (what the commission expert reads beside the grid)."""
    variant = recheck_work.work.participant.variant
    return list(
        RecheckScan.objects.filter(selection_id=recheck_work.selection_id)
        .filter(
            Q(kind=RecheckScan.Kind.WORK, work_id=recheck_work.work_id)
            | Q(kind=RecheckScan.Kind.CRITERIA, variant=variant)
        )
        .order_by("kind", "pk")
    )


def scan_download_name(scan: RecheckScan) -> str:
    """The file's name as served: the school, the assessment and the code or variant — never a pupil's name."""
    selection = scan.selection
    extension = mimetypes.guess_extension(scan.content_type) or PurePath(scan.file.name).suffix
    extension = {".jpe": ".jpg", ".jpeg": ".jpg"}.get(extension, extension)
    if scan.kind == RecheckScan.Kind.WORK:
        what = scan.work.participant.code if scan.work_id else str(scan.pk)
    else:
        what = _("критерии-вариант-{variant}").format(variant=scan.variant)
    return f"{selection.school.code}-{selection.assessment.code}-{what}{extension}"


# Uploads ---------------------------------------------------------------------------------------------------


def scan_check(upload) -> tuple[bytes, str]:
    """The file's content and type if it is a PDF, JPEG or PNG (by its first bytes) of at most 20 MB; a clear
    Russian error otherwise."""
    name = getattr(upload, "name", "") or _("файл")
    if upload.size > SCAN_MAX_BYTES:
        raise ValidationError(_("«{name}»: файл больше {mb} МБ.").format(name=name, mb=SCAN_MAX_BYTES // (1024 * 1024)))
    if upload.size == 0:
        raise ValidationError(_("«{name}»: файл пустой.").format(name=name))
    upload.seek(0)
    content = upload.read(SCAN_MAX_BYTES + 1)
    if len(content) > SCAN_MAX_BYTES:
        raise ValidationError(_("«{name}»: файл больше {mb} МБ.").format(name=name, mb=SCAN_MAX_BYTES // (1024 * 1024)))
    for signature, content_type, _extension in SCAN_SIGNATURES:
        if content.startswith(signature):
            return content, content_type
    raise ValidationError(
        _("«{name}»: это не PDF, JPEG или PNG (проверяется содержимое файла, а не его расширение).").format(name=name)
    )


def _extension(content_type: str) -> str:
    return next(extension for _signature, kind, extension in SCAN_SIGNATURES if kind == content_type)


def _locked(selection: RecheckSelection) -> RecheckSelection:
    selection = RecheckSelection.objects.select_for_update().select_related("school", "assessment").get(pk=selection.pk)
    if selection.scans_sent_at is not None:
        raise ValidationError(_("Сканы уже отправлены на перепроверку: изменить их нельзя."))
    return selection


def _store(*, selection, kind, work, variant, content: bytes, content_type: str, by: User) -> RecheckScan:
    """Saves one scan in place of the one it replaces (its file removed after commit: nothing stale stays)."""
    old = RecheckScan.objects.filter(selection=selection, kind=kind)
    old = old.filter(work=work) if kind == RecheckScan.Kind.WORK else old.filter(variant=variant)
    stale = [(scan.file.storage, scan.file.name) for scan in old if scan.file]
    old.delete()
    if kind == RecheckScan.Kind.WORK:
        base = work.participant.code or f"work-{work.pk}"
    else:
        base = f"criteria-{variant}"
    scan = RecheckScan(
        selection=selection,
        kind=kind,
        work=work,
        variant=variant,
        content_type=content_type,
        size=len(content),
        uploaded_by=by,
    )
    scan.file.save(base + _extension(content_type), ContentFile(content), save=False)
    saved_name = scan.file.name
    scan.save()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in stale if name != saved_name])
    return scan


def _audit(selection: RecheckSelection, *, by: User, what: str, count: int = 1) -> None:
    audit_record(
        actor=by,
        action="recheck.scan_uploaded",
        target=selection,
        school=selection.school,
        after={"file": what, "works": count} if count > 1 else {"file": what},
    )


def _work_of(selection: RecheckSelection, work_id) -> Work:
    for work in works_to_send(selection):
        if str(work.pk) == str(work_id):
            return work
    raise ValidationError(_("Этой работы нет среди отобранных на перепроверку."))


@transaction.atomic
def scan_upload(*, selection: RecheckSelection, upload, by: User, work_id=None, variant=None) -> RecheckScan:
    """A scan of one selected work (`work_id`) or the criteria of one variant (`variant`), replacing what was
    there; refused after the scans are sent, for a work not selected, a variant none of the works has, or a
    file that is not a PDF/JPEG/PNG of at most 20 MB."""
    selection = _locked(selection)
    content, content_type = scan_check(upload)
    if work_id not in (None, ""):
        work = _work_of(selection, work_id)
        scan = _store(
            selection=selection,
            kind=RecheckScan.Kind.WORK,
            work=work,
            variant=None,
            content=content,
            content_type=content_type,
            by=by,
        )
        _audit(selection, by=by, what=_("скан работы {code}").format(code=work.participant.code))
        return scan
    variants = {_variant(work) for work in works_to_send(selection)} - {None}
    try:
        variant = int(variant)
    except (TypeError, ValueError):
        raise ValidationError(_("Укажите работу или вариант критериев.")) from None
    if variant not in variants:
        raise ValidationError(_("Вариант {variant} не писал ни один из отобранных участников.").format(variant=variant))
    scan = _store(
        selection=selection,
        kind=RecheckScan.Kind.CRITERIA,
        work=None,
        variant=variant,
        content=content,
        content_type=content_type,
        by=by,
    )
    _audit(selection, by=by, what=_("критерии варианта {variant}").format(variant=variant))
    return scan


@transaction.atomic
def scans_upload_batch(*, selection: RecheckSelection, uploads, by: User) -> list[RecheckScan]:
    """Several works' scans at once, each file named by the participant's code (`10001.pdf`, `10002.jpg`). All
    or nothing: a name that is no selected work's code, a code given twice or a bad file refuses the batch."""
    selection = _locked(selection)
    uploads = list(uploads)
    if not uploads:
        raise ValidationError(_("Выберите файлы сканов."))
    works = {work.participant.code: work for work in works_to_send(selection)}
    unknown, seen, twice, errors, checked = [], set(), [], [], []
    for upload in uploads:
        path = PurePath(upload.name or "")
        code = path.stem.strip() if path.suffix.lower() in BATCH_EXTENSIONS else path.name
        if code not in works:
            unknown.append(path.name)
            continue
        if code in seen:
            twice.append(code)
        seen.add(code)
        try:
            checked.append((works[code], *scan_check(upload)))
        except ValidationError as error:
            errors.extend(error.messages)
    problems = []
    if unknown:
        problems.append(
            _(
                "Файлы не соответствуют кодам отобранных работ: {names}. "
                "Назовите файл кодом участника, например {code}.pdf."
            ).format(names=", ".join(sorted(unknown)), code=next(iter(works), "10001"))
        )
    if twice:
        problems.append(_("Код указан в нескольких файлах: {codes}.").format(codes=", ".join(sorted(set(twice)))))
    problems.extend(errors)
    if problems:
        raise ValidationError(problems)
    scans: list[RecheckScan] = []
    try:
        for work, content, content_type in checked:
            scans.append(
                _store(
                    selection=selection,
                    kind=RecheckScan.Kind.WORK,
                    work=work,
                    variant=None,
                    content=content,
                    content_type=content_type,
                    by=by,
                )
            )
    except Exception:
        for scan in scans:  # the batch is rolled back: no file of it stays in the storage
            scan.file.storage.delete(scan.file.name)
        raise
    _audit(selection, by=by, what=_("сканы работ {codes}").format(codes=", ".join(sorted(seen))), count=len(scans))
    return scans


def department_recheck_users(school: School) -> QuerySet[User]:
    """The school's department's active staff and municipal coordinators: who run the re-check."""
    return User.objects.filter(
        memberships__department_id=school.department_id,
        memberships__role__in=DEPARTMENT_ROLES,
        memberships__is_active=True,
        is_active=True,
    ).distinct()


def _selection_url(selection: RecheckSelection) -> str:
    try:
        return reverse("monitoring:recheck_selection", args=[selection.pk])
    except NoReverseMatch:  # pragma: no cover - until part f's page lands
        return ""


@transaction.atomic
def scans_send(*, selection: RecheckSelection, by: User) -> RecheckSelection:
    """The school sends its scans to the department: refused with the list of what is missing unless every
    selected work has its scan and every variant its criteria; then locked and the department notified."""
    selection = _locked(selection)
    state = selection_scans(selection)
    if state.missing:
        raise ValidationError(state.missing)
    selection.scans_sent_at = timezone.now()
    selection.save(update_fields=["scans_sent_at"])
    audit_record(
        actor=by,
        action="recheck.scans_sent",
        target=selection,
        school=selection.school,
        after={"works": len(state.works)},
    )
    notifications_send(
        users=department_recheck_users(selection.school),
        text=_("Школа {school} отправила сканы на перепроверку: {assessment}, работ: {count}.").format(
            school=selection.school.code, assessment=selection.assessment.code, count=len(state.works)
        ),
        url=_selection_url(selection),
        key=f"recheck_selection:{selection.pk}:scans_sent",
    )
    return selection


# The cover letter (R14) ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterRow:
    school: str
    subject: str
    class_name: str
    expert_name: str
    expert_position: str
    code: str
    variant: str
    total: str


@dataclass(frozen=True)
class CoverLetter:
    """The letter's content, the same for its PDF and its DOCX."""

    school_name: str
    school_code: str
    address: str
    phone: str
    email: str
    department: str
    campaign: str
    subject: str
    grade: int
    classes: str
    assessment: str
    rows: list[LetterRow]
    director_name: str
    date: str

    @property
    def letterhead(self) -> list[str]:
        contacts = ", ".join(
            part
            for part in (
                _("тел. {phone}").format(phone=self.phone) if self.phone else "",
                _("e-mail: {email}").format(email=self.email) if self.email else "",
            )
            if part
        )
        return [line for line in (self.school_name, self.address, contacts) if line]

    @property
    def body(self) -> str:
        return _(
            "Направляем сканы работ участников {campaign} по учебному предмету «{subject}» ({grade} класс, "
            "классы: {classes}), отобранных для муниципальной перепроверки, и критерии оценивания вариантов. "
            "Сведения о работах и экспертах, проверявших их, приведены в таблице."
        ).format(campaign=self.campaign, subject=self.subject, grade=self.grade, classes=self.classes)

    headers = (
        _("Образовательная организация"),
        _("Предмет"),
        _("Класс"),
        _("ФИО эксперта"),
        _("Должность эксперта"),
        _("Код участника"),
        _("Вариант"),
        _("Первичный балл"),
    )


def cover_letter(selection: RecheckSelection) -> CoverLetter:
    """The cover letter to the scans (R14): on the school's letterhead, to the department, with one row per work
    re-checked — the school, the subject, the class, the original expert's ФИО and position, the participant's
    code, the variant and the total primary score (the fields of `grading.rules.recheck_cover_letter`); the
    director's signature line. Codes only, never names."""
    selection = RecheckSelection.objects.select_related(
        "school__department", "assessment__subject", "recheck__campaign"
    ).get(pk=selection.pk)
    school, assessment = selection.school, selection.assessment
    works = works_to_send(selection)
    # each row is R14's fields in its one home, grading.rules.recheck_cover_letter
    rows = [LetterRow(*[value or "—" for _label, value in recheck_cover_letter(work)]) for work in works]
    classes = sorted({row.class_name for row in rows})
    return CoverLetter(
        school_name=school.name,
        school_code=school.code,
        address=school.address,
        phone=school.phone,
        email=school.email,
        department=school.department.name,
        campaign=selection.recheck.campaign.title,
        subject=assessment.subject.name,
        grade=assessment.grade,
        classes=", ".join(classes) or "—",
        assessment=assessment.code,
        rows=rows,
        director_name=school.director_name,
        date=timezone.localdate().strftime("%d.%m.%Y"),
    )


def cover_letter_docx(letter: CoverLetter) -> bytes:
    """The letter as a .docx (python-docx, like the school's order): the letterhead, the addressee, the text,
    the table of works and the director's signature line."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Cm, Pt

    font = "Times New Roman"
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(1.5)
    style = document.styles["Normal"]
    style.font.name = font
    style.font.size = Pt(12)
    style.paragraph_format.space_after = Pt(0)
    style.element.rPr.rFonts.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", font)

    def paragraph(text: str = "", *, bold=False, align=None, size=None):
        item = document.add_paragraph()
        if text:
            run = item.add_run(text)
            run.bold = bold
            if size:
                run.font.size = Pt(size)
        if align is not None:
            item.alignment = align
        return item

    for number, line in enumerate(letter.letterhead):
        paragraph(line, bold=number == 0, align=WD_ALIGN_PARAGRAPH.CENTER, size=None if number == 0 else 10)
    paragraph()
    paragraph(letter.date)
    paragraph(letter.department, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph()
    paragraph(_("Сопроводительное письмо"), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(_("к сканам работ для муниципальной перепроверки"), align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph()
    paragraph(letter.body, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph()
    grid = document.add_table(rows=1, cols=len(letter.headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(grid.rows[0].cells, letter.headers, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(header)
        run.bold = True
        run.font.size = Pt(10)
    for row in letter.rows:
        values = (
            row.school,
            row.subject,
            row.class_name,
            row.expert_name,
            row.expert_position,
            row.code,
            row.variant,
            row.total,
        )
        for cell, value in zip(grid.add_row().cells, values, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(value).font.size = Pt(10)
    paragraph()
    paragraph(_("Работ: {count}.").format(count=len(letter.rows)))
    paragraph()
    signature = paragraph(f"{_('Директор')}\t____________\t{letter.director_name or '____________'}")
    stops = signature.paragraph_format.tab_stops
    stops.add_tab_stop(Cm(12.0))
    stops.add_tab_stop(Cm(26.7), WD_TAB_ALIGNMENT.RIGHT)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
