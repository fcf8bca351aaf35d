"""The school's side of the re-check (monitoring/views_recheck_scans.py): scans and the cover letter.

The school's page, its uploads (POST only: GET 405), its «Отправить» and the cover letter: SEND_RECHECK_SCANS
(the coordinator and the technical specialist; another school's: 404). A scan is served by three URLs, one per
capability: the school's (SEND_RECHECK_SCANS), the department's (MANAGE_RECHECK) and a commission expert's
(RECHECK_WORKS: a scan of a work they hold; another's: 404). The department reads the cover letter by its own
URL (MANAGE_RECHECK).

Each school gets a selection of the shared assessment with one present participant (code only) with a result,
the scan of that work and the criteria of its variant; in the role users' school the work is held by a commission
member who is the role users' expert (who exists by the time the objects are built), in the other by someone else.
"""

from schools.access import Capability as C

from .base import Page, school_kwargs
from .reports_municipal import build_objects as municipal_objects

POST_ONLY = 405


def _build(objs: dict, *, expert_user) -> None:
    from django.core.files.base import ContentFile

    from monitoring.models import CommissionMember, Recheck, RecheckScan, RecheckSelection, RecheckWork
    from tests.factories import StaffFactory, make_participant, make_work

    school, assessment = objs["school"], objs["assessment"]
    recheck = Recheck.objects.get_or_create(campaign=objs["campaign"], defaults={"department": objs["department"]})[0]
    selection = RecheckSelection.objects.create(
        recheck=recheck, school=school, assessment=assessment, reason=RecheckSelection.Reason.MANUAL
    )
    participant = make_participant(
        assessment, school=school, class_name="4А", sex="Ж", code=f"7{school.pk:04d}"[:5], variant=1
    )
    work = make_work(participant, primary_score=12, mark=3)
    scans = {}
    for kind, fields in ((RecheckScan.Kind.WORK, {"work": work}), (RecheckScan.Kind.CRITERIA, {"variant": 1})):
        scan = RecheckScan(selection=selection, kind=kind, content_type="application/pdf", size=9, **fields)
        scan.file.save(f"{kind}.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        scan.save()
        scans[kind] = scan
    member = CommissionMember.objects.create(
        recheck=recheck, staff=StaffFactory(school=school, user=expert_user) if expert_user else StaffFactory()
    )
    RecheckWork.objects.create(selection=selection, work=work, expert=member)
    objs["recheck_selection"], objs["recheck_scan"] = selection, scans[RecheckScan.Kind.WORK]


def build_objects(own: dict, other: dict) -> None:
    from schools.models import Role, User

    municipal_objects(own, other)
    expert_user = User.objects.filter(memberships__role=Role.EXPERT, memberships__school=own["school"]).first()
    _build(own, expert_user=expert_user)
    _build(other, expert_user=None)


def selection_kwargs(objs):
    return {"school_code": objs["school"].code, "pk": objs["recheck_selection"].pk}


def school_scan_kwargs(objs):
    return {"school_code": objs["school"].code, "pk": objs["recheck_scan"].pk}


def scan_kwargs(objs):
    return {"pk": objs["recheck_scan"].pk}


def letter_kwargs(objs):
    return {"pk": objs["recheck_selection"].pk, "fmt": "docx"}


PAGES = {
    "monitoring:recheck_school": Page(C.SEND_RECHECK_SCANS, kwargs=school_kwargs, scoped=True),
    "monitoring:recheck_scan_upload": Page(C.SEND_RECHECK_SCANS, kwargs=selection_kwargs, scoped=True, ok=POST_ONLY),
    "monitoring:recheck_scans_batch": Page(C.SEND_RECHECK_SCANS, kwargs=selection_kwargs, scoped=True, ok=POST_ONLY),
    "monitoring:recheck_scans_send": Page(C.SEND_RECHECK_SCANS, kwargs=selection_kwargs, scoped=True, ok=POST_ONLY),
    "monitoring:recheck_scan_school": Page(C.SEND_RECHECK_SCANS, kwargs=school_scan_kwargs, scoped=True),
    "monitoring:recheck_scan_department": Page(C.MANAGE_RECHECK, kwargs=scan_kwargs),
    "monitoring:recheck_scan": Page(C.RECHECK_WORKS, kwargs=scan_kwargs, scoped=True),
    "monitoring:recheck_letter": Page(C.SEND_RECHECK_SCANS, kwargs=letter_kwargs, scoped=True),
    "monitoring:recheck_letter_department": Page(C.MANAGE_RECHECK, kwargs=letter_kwargs),
}
