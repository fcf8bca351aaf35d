"""The municipal analytical report (reports/kinds/municipal_report.py): the demo municipality's report of its last
finished campaign — the content (every figure, chart and section) and both files, PDF and DOCX — against a budget of
30 s, beside raw references measured in the same run: the xlsx of the same campaign (`export_municipal_report`'s
figures per school), the renderers' fixed cost (a one-paragraph document to PDF and DOCX) and a fixed Python loop
(how much of a core this process gets now: the machine is shared).

At region scale (`--region`, 600 schools × 20 assessments): the report asked for as the page asks (report_request)
and built through the job machinery in this process's job threads (the embedded default, no broker), from the
request to both stored files, against 5 minutes; the progress the job reported is noted."""

import datetime
import io
import time

from django.conf import settings
from django.core.management import call_command

from procedures.models import Campaign
from reports.demo.campaigns import finished_springs
from reports.demo.region import USERNAME, campaign_code
from schools.models import User
from vpr_portal import jobs
from vpr_portal.models import GeneratedDocument

from . import Measurement, benchmark, region_benchmark
from .region import cpu_reference

DEMO_BUDGET_S = 30.0
REGION_BUDGET_S = 300.0
REFERENCE_BUDGET_S = 5.0
DEMO_USERNAME = "uo"


def _renderers_reference() -> float:
    from reports.report_doc import Paragraph, ReportDocument
    from reports.report_render import report_docx, report_pdf

    doc = ReportDocument(
        title="Проверка", organisation="Управление образования", campaign="ВПР", date=datetime.date.today()
    )
    doc.add(Paragraph("Одна строка текста."))
    started = time.perf_counter()
    report_pdf(doc)
    report_docx(doc)
    return time.perf_counter() - started


@benchmark
def municipal_report_demo() -> list[Measurement]:
    """The demo municipality's report of its last finished campaign, content and both files, inline."""
    from reports.exports import municipal_report_write
    from reports.municipal_sections import municipal_report_content
    from reports.report_render import report_docx, report_pdf

    call_command("seed_demo", stdout=io.StringIO())  # idempotent: nothing to do when the demo is there
    campaign = Campaign.objects.select_related("department").get(code=f"VPR-{finished_springs()[-1]}")
    seen: list[int] = []
    started = time.perf_counter()
    doc = municipal_report_content(campaign, lambda done, total: seen.append(round(100 * done / total)))
    content = time.perf_counter() - started
    started = time.perf_counter()
    pdf = report_pdf(doc)
    pdf_s = time.perf_counter() - started
    started = time.perf_counter()
    docx = report_docx(doc)
    docx_s = time.perf_counter() - started
    total = content + pdf_s + docx_s

    started = time.perf_counter()
    municipal_report_write(campaign, io.BytesIO(), hide_small=True)
    xlsx = time.perf_counter() - started
    renderers = _renderers_reference()
    cpu = cpu_reference()
    assessments = campaign.assessments.count()
    note = (
        f"{assessments} assessments; content {content:.1f} s, PDF {pdf_s:.1f} s ({len(pdf) // 1024} KB), "
        f"DOCX {docx_s:.1f} s ({len(docx) // 1024} KB); progress {seen[:1]}…{seen[-1:]}"
    )
    return [
        Measurement(f"municipal report {campaign.code} (demo): content + PDF + DOCX", total, "s", DEMO_BUDGET_S, note),
        Measurement(f"reference: the xlsx of {campaign.code} (every school's figures)", xlsx, "s", REFERENCE_BUDGET_S),
        Measurement(
            "reference: the renderers' fixed cost (one paragraph, PDF + DOCX)", renderers, "s", REFERENCE_BUDGET_S
        ),
        Measurement("reference: fixed Python loop (CPU available now)", cpu, "s", 0.15, "≈ 0.1 s on an idle core"),
    ]


def build_through_the_job(campaign: Campaign, user: User) -> tuple[float, list[int], list[GeneratedDocument]]:
    """Asks for the report as its page does, with jobs in this process's threads, and waits for both files:
    (seconds from the request to both stored, the progress values seen, the documents)."""
    from reports.generation import report_request

    inline, settings.JOBS_INLINE = settings.JOBS_INLINE, False
    seen: list[int] = []
    try:
        if jobs.jobs_mode() != jobs.THREAD:
            raise AssertionError(f"jobs run in mode {jobs.jobs_mode()}, not in threads")
        started = time.perf_counter()
        documents = report_request(name="municipal_report", campaign=campaign, school=None, user=user)
        while True:
            for document in documents:
                document.refresh_from_db()
            seen.append(min(document.progress for document in documents))
            if not any(document.is_running for document in documents):
                break
            if time.perf_counter() - started > 2 * REGION_BUDGET_S:
                raise AssertionError("the report was not built within twice its budget")
            time.sleep(1.0)
        elapsed = time.perf_counter() - started
    finally:
        settings.JOBS_INLINE = inline
    failed = [document for document in documents if document.status != GeneratedDocument.Status.DONE]
    if failed:
        raise AssertionError(f"document {failed[0].status}: {failed[0].error}")
    return elapsed, sorted(set(seen)), documents


def _forget(campaign: Campaign) -> None:
    """Removes the campaign's municipal report versions (documents, their jobs and files): only this benchmark
    builds them in the region's database."""
    from vpr_portal.models import Job

    documents = list(GeneratedDocument.objects.filter(key__startswith=f"report:municipal_report:{campaign.pk}:"))
    for document in documents:
        if document.file:
            document.file.delete(save=False)
    GeneratedDocument.objects.filter(pk__in=[d.pk for d in documents]).delete()
    Job.objects.filter(pk__in=[d.job_id for d in documents]).delete()


@region_benchmark
def municipal_report_region() -> list[Measurement]:
    """The region's report of its last finished campaign, built through the job (threads), from the request to
    both files; the same campaign's xlsx as the reference. A version already built for the current data is
    removed first, so that the build is measured (the region is left as it was found otherwise)."""
    from reports.exports import municipal_report_write

    campaign = Campaign.objects.select_related("department").get(code=campaign_code(finished_springs()[-1]))
    user = User.objects.get(username=USERNAME)
    _forget(campaign)
    try:
        elapsed, seen, documents = build_through_the_job(campaign, user)
        sizes = ", ".join(f"{d.params['format']} {d.file.size // 1024} KB" for d in documents)
    finally:
        _forget(campaign)
    started = time.perf_counter()
    municipal_report_write(campaign, io.BytesIO(), hide_small=True)
    xlsx = time.perf_counter() - started
    cpu = cpu_reference()
    return [
        Measurement(
            f"municipal report {campaign.code} (region): request → both files (job thread)",
            elapsed,
            "s",
            REGION_BUDGET_S,
            f"{campaign.assessments.count()} assessments; {sizes}; progress seen {seen[:1]}…{seen[-1:]} "
            f"({len(seen)} values)",
        ),
        Measurement(f"reference: the xlsx of {campaign.code} (every school's figures)", xlsx, "s", 60.0),
        Measurement("reference: fixed Python loop (CPU available now)", cpu, "s", 0.15, "≈ 0.1 s on an idle core"),
    ]
