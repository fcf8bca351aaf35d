"""The demo's re-check (reports/demo/recheck.py), on a demo built once for the module: ВПР-2026's re-check is
finished for two schools — one selected from its case, one by lottery — with an approved commission of experts
of other schools, scans, receipt and the R13 due date; one school's marks change for a fifth of its works or
more, the other agrees closely with one work decided by a third expert; a third school from Rosobrnadzor's list
is in progress, with works left for expert_mun to score; a second build adds nothing."""

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from grading.models import Score, Work
from monitoring.models import (
    CommissionMember,
    Recheck,
    RecheckLottery,
    RecheckScan,
    RecheckScore,
    RecheckScoreChange,
    RecheckSelection,
    RecheckWork,
    SignalCase,
)
from monitoring.recheck import lottery_repeats
from procedures.services.calendar import add_working_days
from reports.demo.build import build_demo
from reports.demo.recheck import scan_pdf
from schools.models import User

from .test_observer_crawl import crawl, forbidden_names


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    """Where the module's demo keeps its scans (not the project's media directory)."""
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_media):
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=str(demo_media)
        ),
    ):
        with transaction.atomic():
            yield build_demo()
            transaction.set_rollback(True)


def selections() -> dict[str, RecheckSelection]:
    return {
        s.school.code: s
        for s in RecheckSelection.objects.filter(recheck__campaign__code="VPR-2026").select_related(
            "school", "assessment", "case", "lottery"
        )
    }


@pytest.mark.django_db
def test_two_schools_selected_one_from_its_case_one_by_lottery_received_with_the_r13_due_date(demo, demo_media):
    found = selections()
    assert set(found) == {"sch660003", "sch660005", "sch660010"}
    from_case, drawn, listed = found["sch660003"], found["sch660005"], found["sch660010"]
    assert (from_case.assessment.code, from_case.reason) == ("RU-6", "signal")
    assert (from_case.case.school_id, from_case.case.assessment_id) == (from_case.school_id, from_case.assessment_id)
    assert (drawn.assessment.code, drawn.reason) == ("MA-5", "lottery")
    lottery = RecheckLottery.objects.get(pk=drawn.lottery_id)
    assert [drawn.school_id, drawn.assessment_id] == lottery.drawn[0][:2] and lottery_repeats(lottery)
    assert (listed.assessment.code, listed.reason, listed.completed_at) == ("RU-8", "rosobrnadzor", None)
    assert listed.due_on > timezone.localdate() > listed.received_at.date()
    for selection in found.values():
        assert selection.notified_at and selection.scans_sent_at and selection.received_at
        assert selection.due_on == add_working_days(selection.received_at.date(), 5)
        works = selection.works.count()
        assert works >= 15
        scans = RecheckScan.objects.filter(selection=selection)
        assert scans.filter(kind="work").count() == works
        assert scans.filter(kind="criteria").count() >= 1
        for scan in scans[:3]:
            assert scan.file.name.endswith(".pdf") and scan.size > 0 and scan.content_type == "application/pdf"
            assert (demo_media / scan.file.name).read_bytes().startswith(b"%PDF-")


@pytest.mark.django_db
def test_the_commission_is_approved_with_expert_mun_and_nobody_from_a_rechecked_school(demo):
    recheck = Recheck.objects.get(campaign__code="VPR-2026")
    assert recheck.commission_approved_at and recheck.commission_approved_by.username == "uo"
    assert recheck.commission_order
    members = CommissionMember.objects.filter(recheck=recheck).select_related("staff__user", "staff__school")
    assert len(members) == 3
    assert "expert_mun" in {m.staff.user.username for m in members}
    assert all(m.staff.user_id for m in members)
    assert not {m.staff.school.code for m in members} & {"sch660003", "sch660005"}
    # R4: nobody re-checks a work they checked; every work has its original expert, of the school itself
    for recheck_work in RecheckWork.objects.filter(selection__recheck=recheck).select_related("work", "expert"):
        assert recheck_work.work.expert_id and recheck_work.work.expert.school_id == recheck_work.work.school_id
        assert recheck_work.expert.staff_id != recheck_work.work.expert_id
        assert recheck_work.third_expert_id != recheck_work.expert_id
    assert RecheckWork.objects.filter(selection__recheck=recheck, expert__staff__user__username="expert_mun").exists()


@pytest.mark.django_db
def test_one_school_changes_a_fifth_of_marks_or_more_the_other_agrees_closely(demo):
    found = selections()
    shares = {}
    for code in ("sch660003", "sch660005"):
        selection = found[code]
        assert selection.completed_at
        works = list(selection.works.select_related("work"))
        assert all(w.status == "final" and w.final_mark is not None for w in works)
        # the original results are left as they were
        assert all((w.original_primary_score, w.original_mark) == (w.work.primary_score, w.work.mark) for w in works)
        changed = sum(1 for w in works if w.final_mark != w.original_mark)
        shares[code] = changed / len(works)
        adjudicated = [w for w in works if w.third_expert_id]
        # every work whose mark the first round changed went to a third expert, who scored it in the third round
        assert all(w.third_expert_id for w in works if w.recheck_mark != w.original_mark)
        for w in adjudicated:
            assert RecheckScore.objects.filter(recheck_work=w, round="third").count() == w.work.assessment.tasks.count()
    assert shares["sch660003"] >= 0.2
    assert shares["sch660005"] == 0
    close = found["sch660005"].works.filter(third_expert__isnull=False)
    assert close.count() == 1
    assert RecheckScoreChange.objects.filter(recheck_work__in=close, round="third").exists()
    # the large delta is a signal, and its case opens
    flagged = SignalCase.objects.filter(campaign__code="VPR-2026", kind="recheck_delta")
    assert set(flagged.values_list("school__code", "assessment__code")) == {("sch660003", "RU-6")}


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.django_db
def test_uo_and_expert_mun_land_on_the_finished_recheck(demo):
    found = selections()
    uo = client_for("uo")
    page = uo.get(reverse("monitoring:recheck", args=["VPR-2026"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "sch660003" in text and "sch660005" in text
    assert uo.get(reverse("monitoring:recheck_commission", args=["VPR-2026"])).status_code == 200
    assert uo.get(reverse("monitoring:recheck_selection", args=[found["sch660003"].pk])).status_code == 200

    expert = client_for("expert_mun")
    page = expert.get(reverse("monitoring:recheck_my_works"))
    assert page.status_code == 200 and "RU-6" in page.content.decode() and "RU-8" in page.content.decode()
    # in progress: some of her RU-8 works scored, some still to score, none submitted
    hers = RecheckWork.objects.filter(selection=found["sch660010"], expert__staff__user__username="expert_mun")
    assert {w.status for w in hers} == {"assigned"}
    assert 0 < hers.filter(scores__isnull=True).count() < hers.count()
    grid = expert.get(reverse("monitoring:recheck_grid", args=[found["sch660010"].pk]))
    assert grid.status_code == 200 and 'data-testid="recheck-grid"' in grid.content.decode()
    assert expert.get(reverse("monitoring:recheck_grid", args=[found["sch660003"].pk])).status_code == 200
    # her works are sch660003's RU-6 only: sch660005's MA-5 is not hers
    assert expert.get(reverse("monitoring:recheck_grid", args=[found["sch660005"].pk])).status_code == 404


@pytest.mark.django_db
def test_a_second_build_adds_no_recheck(demo):
    models = (
        Recheck,
        RecheckLottery,
        RecheckSelection,
        RecheckScan,
        CommissionMember,
        RecheckWork,
        RecheckScore,
        RecheckScoreChange,
    )
    before = {model.__name__: model.objects.count() for model in models}
    scores = list(Score.objects.filter(work__recheck__isnull=False).values_list("pk", "value").order_by("pk"))
    build_demo()
    assert {model.__name__: model.objects.count() for model in models} == before
    assert list(Score.objects.filter(work__recheck__isnull=False).values_list("pk", "value").order_by("pk")) == scores
    assert Work.objects.filter(recheck__isnull=False).count() == before["RecheckWork"]


def test_a_demo_scan_is_a_pdf_of_codes_only():
    data = scan_pdf(["VPR-2026 RU-6 sch660003", "Participant code 12345, variant 1"])
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    assert b"Participant code 12345" in data


@pytest.mark.django_db
def test_expert_mun_never_meets_a_pupil_by_name(demo, demo_media, settings):
    """R11: a commission expert sees codes only, on every page her re-check links lead to (grids, scans)."""
    settings.MEDIA_ROOT = str(demo_media)
    pages = crawl(client_for("expert_mun"), reverse("monitoring:recheck_my_works"))
    assert len(pages) > 3
    assert any("/recheck/scans/" in url for url in pages)
    names = forbidden_names()
    for url, text in pages.items():
        found = [name for name in names if name in text]
        assert not found, (url, found[:3])
