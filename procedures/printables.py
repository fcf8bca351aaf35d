"""A school's printed materials for the participants (PDF, WeasyPrint, DejaVu fonts):

- code slips to cut, a grid of slips a page (code, class, the works the pupil writes) — no names;
- the code list (code, class) — no names;
- the paper protocol pairing codes with names (code, name, class, and for each work the variant and presence),
  for the school's coordinator and director only; every print is recorded in the audit.

One class's documents are rendered inside the request (a page or two each). The whole school's set is a
background document (vpr_portal.documents): each class's printable is a part laid out on its own (one long
table would take several times longer), parts are laid out in parallel processes when there are many (a
1,500-pupil school is 150 parts, ~20 s of CPU), and the files are joined (vpr_portal.pdf.render_parts).
"""

from collections.abc import Callable

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from procedures.models import Campaign
from procedures.selectors.participants import ClassSheet, class_sheets
from procedures.services.participants import participants_version
from schools.access import Capability, schools_with
from schools.models import School, User
from vpr_portal.documents import BuiltDocument, document_request, register_document_builder
from vpr_portal.models import GeneratedDocument
from vpr_portal.pdf import render_parts

SLIPS_TEMPLATE = "procedures/print/codes_slips.html"
LIST_TEMPLATE = "procedures/print/codes_list.html"
PROTOCOL_TEMPLATE = "procedures/print/protocol_codes.html"
SLIPS_PER_ROW = 3
# More works than this and the protocol's columns (variant and attendance for each) need a landscape page.
PORTRAIT_MAX_WORKS = 3

SLIPS, CODE_LIST, PROTOCOL = "slips", "list", "protocol"
PRINTABLES = (SLIPS, CODE_LIST, PROTOCOL)
TEMPLATES = {SLIPS: SLIPS_TEMPLATE, CODE_LIST: LIST_TEMPLATE, PROTOCOL: PROTOCOL_TEMPLATE}

SCHOOL_SET = "participants.school_set"


def _titles() -> dict[str, str]:
    return {
        SLIPS: _("Коды участников для вырезания"),
        CODE_LIST: _("Список кодов участников"),
        PROTOCOL: _("Протокол соответствия кодов и ФИО участников"),
    }


def _chunks(items: list, size: int) -> list[list]:
    rows = [items[start : start + size] for start in range(0, len(items), size)]
    if rows and len(rows[-1]) < size:
        rows[-1] = rows[-1] + [None] * (size - len(rows[-1]))
    return rows


def _context(printable: str, *, campaign: Campaign, school: School, sheet: ClassSheet) -> dict:
    """The printable's data and its official header (templates/print/_official_header.html): the school, the
    campaign, the title with the class, and a meta line."""
    title = _titles()[printable]
    context = {
        "campaign": campaign,
        "school": school,
        "sheet": sheet,
        "title": title,
        "heading": _("{title} — класс {class_name}").format(title=title, class_name=sheet.class_name),
        "meta": [_("Работы: {works}").format(works=", ".join(work.subject.name for work in sheet.assessments))],
    }
    if printable == SLIPS:
        context["rows"] = _chunks(sheet.writing_pupils, SLIPS_PER_ROW)
    elif printable == CODE_LIST:
        context["pupils"] = sheet.writing_pupils
        context["meta"].append(_("участников: {n}").format(n=len(sheet.writing_pupils)))
    else:
        context["landscape"] = len(sheet.assessments) > PORTRAIT_MAX_WORKS
        context["rows"] = [
            (pupil, [pupil.works.get(assessment.pk) for assessment in sheet.assessments]) for pupil in sheet.pupils
        ]
    return context


def sheet_html(printable: str, *, campaign: Campaign, school: School, sheet: ClassSheet) -> str:
    """One class's printable as HTML for WeasyPrint."""
    return render_to_string(TEMPLATES[printable], _context(printable, campaign=campaign, school=school, sheet=sheet))


def _render_parts(parts, *, campaign: Campaign, school: School, progress=None, total: int | None = None) -> bytes:
    """Renders (printable, sheet) parts into one PDF, each part laid out on its own (vpr_portal.pdf)."""
    htmls = [sheet_html(printable, campaign=campaign, school=school, sheet=sheet) for printable, sheet in parts]
    return render_parts(htmls, progress=progress, total=total)


def class_printable(printable: str, *, campaign: Campaign, school: School, class_id: int) -> bytes | None:
    """One class's slips, code list or protocol as PDF bytes; None when nobody in the class has a code yet."""
    sheets = class_sheets(campaign=campaign, school=school, class_ids=[class_id], with_names=printable == PROTOCOL)
    sheets = [sheet for sheet in sheets if sheet.pupils]
    if not sheets:
        return None
    return _render_parts([(printable, sheet) for sheet in sheets], campaign=campaign, school=school)


def printable_filename(printable: str, *, campaign: Campaign, school: School, class_name: str = "") -> str:
    names = {SLIPS: _("коды-для-вырезания"), CODE_LIST: _("список-кодов"), PROTOCOL: _("протокол-кодов")}
    suffix = f"-{class_name}" if class_name else ""
    return f"{names[printable]}-{school.code}-{campaign.code}{suffix}.pdf"


def school_set_pdf(
    *, campaign: Campaign, school: School, progress: Callable[[int, int], None] | None = None
) -> bytes | None:
    """Every class's slips, then every class's code list, then every class's protocol, as one PDF; rendered
    part by part (a class's printable is a part) with `progress(done, total)` after each."""
    sheets = [sheet for sheet in class_sheets(campaign=campaign, school=school, with_names=True) if sheet.pupils]
    if not sheets:
        return None
    parts = [(printable, sheet) for printable in PRINTABLES for sheet in sheets]
    # the last step, joining the files, counts as one more part
    return _render_parts(parts, campaign=campaign, school=school, progress=progress, total=len(parts) + 1)


def _name_printing_school_ids(user) -> list[int]:
    """The whole set holds the protocols with names: read where the user may print them (PRINT_NAMES, which
    the coordinator may hand to the technical specialist)."""
    return list(schools_with(user, Capability.PRINT_NAMES).values_list("pk", flat=True))


@register_document_builder(
    SCHOOL_SET, readable_school_ids=_name_printing_school_ids, audit_action="participants.protocol_printed"
)
def build_school_set(document: GeneratedDocument, progress: Callable[[int, int], None]) -> BuiltDocument:
    """The background builder of a school's whole set (slips, code lists and protocols of every class)."""
    campaign = Campaign.objects.get(pk=document.params["campaign"])
    school = document.school
    content = school_set_pdf(campaign=campaign, school=school, progress=progress)
    if content is None:
        raise ValueError(_("В школе ещё никому не выданы коды участников."))
    filename = _("комплект-печати-{school}-{campaign}.pdf").format(school=school.code, campaign=campaign.code)
    return BuiltDocument(filename=filename, content=content)


def school_set_request(*, campaign: Campaign, school: School, user: User) -> GeneratedDocument:
    """Asks for the school's whole set in the background, keyed by the data it shows: asking again before
    anything changed gives the same document."""
    version = participants_version(campaign=campaign, school=school)
    return document_request(
        key=f"{SCHOOL_SET}:{campaign.pk}:{school.pk}:{version}",
        kind=SCHOOL_SET,
        title=_("Комплект печати: коды и протоколы, {school}, {campaign}").format(
            school=school.short_name, campaign=campaign.title
        ),
        params={
            "campaign": campaign.pk,
            "campaign_code": campaign.code,
            "school_code": school.code,
            "return_url": reverse(
                "procedures:participants", kwargs={"campaign_code": campaign.code, "school_code": school.code}
            ),
        },
        school=school,
        user=user,
    )
