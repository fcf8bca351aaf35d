"""The re-check delta signal (monitoring/signals.py `recheck_delta`, docs/glossary.md): a school × assessment with at
least 5 works re-checked to a final result, ≥ 20 % of them changing mark; just below, at and just above each
threshold; its evidence; only final results count; `results_figures --json` (the school and the municipality) and
`export_municipal_report`'s «Признаки» carry it; the cached signals see a new final result at once; its case
opens and its page names the evidence."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from monitoring.cases import cases_open
from monitoring.models import RecheckWork, SignalCase
from monitoring.signals import Thresholds, assessment_signals
from schools.models import Role
from tests.factories import DepartmentFactory, SchoolFactory, make_assessment, make_campaign, user_with_role
from tests.monitoring.recheck_plant import plant_recheck

pytestmark = pytest.mark.django_db


@pytest.fixture
def ru4():
    """Русский язык 4 кл.: max 24, «3» from 10, «4» from 16, «5» from 21."""
    campaign = make_campaign(DepartmentFactory())
    return make_assessment(campaign)


@pytest.fixture
def school(ru4):
    return SchoolFactory(department=ru4.campaign.department, code="sch660001")


def points(assessment, score: int) -> tuple:
    """The score spread over the tasks from the first, each up to its maximum."""
    found, left = [], score
    for maximum in assessment.tasks.order_by("position").values_list("max_points", flat=True):
        found.append(min(maximum, left))
        left -= found[-1]
    assert left == 0
    return tuple(found)


def works(assessment, *, kept: int, changed: int) -> list[tuple]:
    """`kept` works re-checked to the same total (12, «3»), `changed` from 16 («4») down to 14 («3»)."""
    same = [(points(assessment, 12), points(assessment, 12))] * kept
    lowered = [(points(assessment, 16), points(assessment, 14))] * changed
    return same + lowered


def delta(assessment, school=None, thresholds=None):
    found = assessment_signals(assessment, school=school, thresholds=thresholds)
    return [s for s in found if s.kind == "recheck_delta"]


@pytest.mark.parametrize(
    ("kept", "changed", "flagged"),
    [
        (0, 4, False),  # four works: under five re-checked, however many changed
        (4, 1, True),  # five works, one changed: 20 %, at the threshold
        (5, 0, False),
        (5, 1, False),  # six works, one changed: 16.7 %, just below
        (3, 2, True),  # 40 %, above
    ],
)
def test_recheck_delta_thresholds(ru4, school, kept, changed, flagged):
    plant_recheck(ru4, school, works(ru4, kept=kept, changed=changed))
    assert bool(delta(ru4)) is flagged


def test_recheck_delta_evidence(ru4, school):
    plant_recheck(ru4, school, works(ru4, kept=3, changed=2))
    (signal,) = delta(ru4)
    assert signal.school == "sch660001"
    # mean difference: (0 · 3 + 2 · 2) / 5 = 0.8 points, the original higher
    assert signal.evidence == {"n": 5, "changed": 2, "share": 40.0, "mean_difference": 0.8}


def test_recheck_delta_negative_mean_difference(ru4, school):
    raised = [(points(ru4, 14), points(ru4, 17))] * 2  # «3» → «4», −3 each
    plant_recheck(ru4, school, raised + [(points(ru4, 12), points(ru4, 12))] * 4)
    (signal,) = delta(ru4)
    assert signal.evidence == {"n": 6, "changed": 2, "share": 33.3, "mean_difference": -1.0}


def test_recheck_delta_under_other_thresholds(ru4, school):
    plant_recheck(ru4, school, works(ru4, kept=3, changed=1))  # four works, 25 %
    assert not delta(ru4)
    assert delta(ru4, thresholds=Thresholds(recheck_works=4))
    assert not delta(ru4, thresholds=Thresholds(recheck_works=4, recheck_share=26))


def test_only_final_results_count_and_only_the_schools_own(ru4, school):
    other = SchoolFactory(department=ru4.campaign.department, code="sch660002")
    plant_recheck(ru4, school, works(ru4, kept=3, changed=2), status=RecheckWork.Status.ADJUDICATION)
    plant_recheck(ru4, other, works(ru4, kept=5, changed=0))
    assert not delta(ru4)
    assert not delta(ru4, school=school)


@pytest.mark.django_db(transaction=True)
def test_the_cached_signals_see_a_new_final_result(ru4, school):
    """Stored in the cache outside a transaction (grading/cache.py): a final result decided later is seen at once."""
    done = plant_recheck(ru4, school, works(ru4, kept=3, changed=2), status=RecheckWork.Status.ADJUDICATION)
    assert not delta(ru4)  # cached now under the department's thresholds
    for each in done:
        each.status = RecheckWork.Status.FINAL
        each.final_primary_score, each.final_mark = each.recheck_primary_score, each.recheck_mark
        each.save()
    assert [s.school for s in delta(ru4)] == ["sch660001"]


def run_json(*args) -> dict:
    out = io.StringIO()
    call_command("results_figures", "--campaign", "VPR-2026", "--assessment", "RU-4", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_results_figures_and_the_municipal_report_carry_it(ru4, school, tmp_path):
    SchoolFactory(department=ru4.campaign.department, code="sch660002")
    plant_recheck(ru4, school, works(ru4, kept=4, changed=1))
    expected = {
        "kind": "recheck_delta",
        "school": "sch660001",
        "evidence": {"n": 5, "changed": 1, "share": 20.0, "mean_difference": 0.4},
    }
    assert expected in run_json("--school", "sch660001")["signals"]
    assert expected in run_json()["signals"]
    assert run_json("--school", "sch660002")["signals"] == []

    path = tmp_path / "report.xlsx"
    call_command("export_municipal_report", "--campaign", "VPR-2026", "--output", str(path), stdout=io.StringIO())
    sheet = load_workbook(path)["RU-4"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("Признаки")
    rows = {row[0]: row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "recheck_delta" in (rows["sch660001"] or "")


def test_the_signal_opens_a_case_whose_page_names_the_evidence(client, ru4, school):
    plant_recheck(ru4, school, works(ru4, kept=3, changed=2))
    assert ("sch660001", "RU-4", "recheck_delta") in cases_open(assessment=ru4).opened
    case = SignalCase.objects.get(kind="recheck_delta", school=school)
    assert case.evidence_at_opening == {"n": 5, "changed": 2, "share": 40.0, "mean_difference": 0.8}
    client.force_login(user_with_role(Role.DEPARTMENT_STAFF, department=ru4.campaign.department))
    body = client.get(reverse("monitoring:case", kwargs={"pk": case.pk})).content.decode()
    assert "из них отметка изменилась" in body and "доля работ с изменённой отметкой" in body
