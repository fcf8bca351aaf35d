"""The signals' thresholds as department settings with history (monitoring.models.ThresholdVersion,
monitoring.cases.thresholds_change): the defaults without a version; the latest version is what
`assessment_signals`, `results_figures --json` and the municipal export use; the same planted data flips at each
threshold (just below, at, just above) when the setting changes; a change records which signals appear and which
vanish and the cases follow; invalid values are refused in Russian; the page shows the values and the history."""

import datetime
import io
import json
from dataclasses import asdict

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from monitoring.cases import cases_open, thresholds_change
from monitoring.models import SignalCase, ThresholdVersion
from monitoring.signals import DEFAULT_THRESHOLDS, Thresholds, assessment_signals, department_thresholds
from schools.models import AuditEntry, Role
from tests.factories import make_assessment, make_campaign
from tests.monitoring.test_signals import bunched, journal_rows, low_rows, plant, plant_levels, totals
from vpr_portal.models import Job

# Every setting below also moves a threshold no signal reads yet (the re-check's), so that a version at a default
# value is still a change.
BASE = {**asdict(DEFAULT_THRESHOLDS), "recheck_works": 6}


def setting(department, user, reason="проверка порогов", **changed) -> ThresholdVersion:
    """A change as the page makes it, with its re-evaluation job run when the change commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        version = thresholds_change(department=department, values={**BASE, **changed}, reason=reason, actor=user)
    version.refresh_from_db()
    return version


def kinds_now(assessment, kind) -> list[str]:
    return [s.school for s in assessment_signals(assessment) if s.kind == kind]


@pytest.fixture
def uo(role_users):
    return role_users[Role.DEPARTMENT_STAFF]


@pytest.fixture
def campaign(department):
    return make_campaign(department)


@pytest.fixture
def ru4(campaign):
    return make_assessment(campaign)


@pytest.mark.django_db
def test_without_a_version_the_defaults_and_then_the_latest_version(department, uo):
    assert department_thresholds(department.pk) == (DEFAULT_THRESHOLDS, 0)
    setting(department, uo, high_results_points=30)
    setting(department, uo, high_results_points=35)
    thresholds, number = department_thresholds(department.pk)
    assert (thresholds.high_results_points, number) == (35, 2)
    assert thresholds.journal_share == DEFAULT_THRESHOLDS.journal_share


# Each kind's thresholds through the department's setting: the data stays, the setting moves -------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "flagged"), [(0.0039, False), (0.00390625, False), (0.004, True)])
def test_bunching_p_setting(ru4, school, department, uo, value, flagged):
    plant(ru4, school, totals(ru4, bunched(8, 10, 5)))  # p = 0.5^8 = 0.00390625, 23 participants, up + down 8
    setting(department, uo, bunching_p=value)
    assert kinds_now(ru4, "boundary_bunching") == (["sch660001"] if flagged else [])


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "flagged"), [(22, True), (23, True), (24, False)])
def test_bunching_participants_setting(ru4, school, department, uo, value, flagged):
    plant(ru4, school, totals(ru4, bunched(8, 10, 5)))  # 23 participants
    setting(department, uo, bunching_participants=value)
    assert kinds_now(ru4, "boundary_bunching") == (["sch660001"] if flagged else [])


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "flagged"), [(9, True), (10, True), (11, False)])
def test_bunching_window_setting(ru4, school, department, uo, value, flagged):
    plant(ru4, school, totals(ru4, bunched(10, 10, 0)))  # up + down = 10
    setting(department, uo, bunching_window=value)
    assert kinds_now(ru4, "boundary_bunching") == (["sch660001"] if flagged else [])


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "flagged"), [(9, True), (10, True), (11, False)])
def test_inverted_points_setting(campaign, school, other_school, department, uo, value, flagged):
    two_tasks = make_assessment(
        campaign, code="T-5", tasks=[("1", 10, "Б"), ("2", 10, "П")], scale={"3": 5, "4": 10, "5": 15}
    )
    plant_levels(two_tasks, school, 250, 400)  # Б 50 %, П 80 %
    plant_levels(two_tasks, other_school, 350, 200)  # the municipality: Б 60 %, П 60 % — gaps 10 and 20
    setting(department, uo, inverted_points=value)
    assert kinds_now(two_tasks, "inverted_difficulty") == (["sch660001"] if flagged else [])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "flagged"),
    [
        ("journal_share", 9, True),
        ("journal_share", 10, True),
        ("journal_share", 11, False),  # the share is 10 %
        ("journal_participants", 19, True),
        ("journal_participants", 20, True),
        ("journal_participants", 21, False),  # 20 with a journal mark
    ],
)
def test_journal_settings(ru4, school, department, uo, field, value, flagged):
    plant(ru4, school, journal_rows(ru4, 2, 18))
    setting(department, uo, **{field: value})
    assert kinds_now(ru4, "journal_gap") == (["sch660001"] if flagged else [])


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "flagged"), [(24, True), (25, True), (26, False)])
def test_high_results_setting(campaign, school, other_school, department, uo, value, flagged):
    one_task = make_assessment(campaign, code="R-6", grade=6, tasks=[("1", 24, "Б")])
    plant(one_task, school, totals(one_task, [20] * 400 + [5] * 100))  # 80 %
    plant(one_task, other_school, totals(one_task, [20] * 150 + [5] * 350))  # the municipality 55 %
    setting(department, uo, high_results_points=value)
    assert kinds_now(one_task, "high_results") == (["sch660001"] if flagged else [])


@pytest.fixture
def years(department):
    found = {}
    for year in (2024, 2025, 2026):
        found[year] = make_assessment(
            make_campaign(department, code=f"VPR-{year}", window_start=datetime.date(year, 4, 20))
        )
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "flagged"),
    [
        ("stable_low_share", 24, True),
        ("stable_low_share", 25, True),
        ("stable_low_share", 26, False),  # 25 % and 30 %: only one left
        ("stable_low_campaigns", 1, True),
        ("stable_low_campaigns", 2, True),
        ("stable_low_campaigns", 3, False),
        ("stable_low_window", 2, False),  # 2024 falls out of the window
    ],
)
def test_stable_low_settings(years, school, other_school, department, uo, field, value, flagged):
    for year, share in ((2026, (1, 4)), (2025, (0, 10)), (2024, (3, 10))):
        plant(years[year], school, low_rows(years[year], share))
        plant(years[year], other_school, low_rows(years[year], (0, 10)))
    setting(department, uo, **{field: value})
    found = [s for s in assessment_signals(years[2026], school=school) if s.kind == "stable_low"]
    assert bool(found) is flagged


# The command, the change's record and the cases ---------------------------------------------------------------


def run_json() -> dict:
    out = io.StringIO()
    call_command("results_figures", "--campaign", "VPR-2026", "--assessment", "R-6", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def high(campaign, school, other_school):
    one_task = make_assessment(campaign, code="R-6", grade=6, tasks=[("1", 24, "Б")])
    plant(one_task, school, totals(one_task, [20] * 8 + [5] * 2))  # 80 %
    plant(one_task, other_school, totals(one_task, [20] * 3 + [5] * 7))  # 30 %: the municipality 55 %
    return one_task


@pytest.mark.django_db
def test_results_figures_follows_the_departments_setting(high, department, uo):
    assert [s["kind"] for s in run_json()["signals"]] == ["high_results"]
    setting(department, uo, high_results_points=26)
    assert run_json()["signals"] == []


@pytest.mark.django_db
def test_the_municipal_export_follows_the_departments_setting(high, department, uo):
    from reports.selectors import signal_kinds

    assert signal_kinds(high) == {"sch660001": ["high_results"]}
    setting(department, uo, high_results_points=26)
    assert signal_kinds(high) == {}


@pytest.mark.django_db
def test_a_change_records_what_appears_and_vanishes_and_the_cases_follow(high, ru4, school, department, uo):
    plant(ru4, school, journal_rows(ru4, 2, 18))  # journal gap at exactly 10 %
    cases_open(assessment=high)
    cases_open(assessment=ru4)
    version = setting(
        department, uo, reason="Строже к высоким, мягче к журналу", high_results_points=26, journal_share=9
    )
    assert version.number == 1 and version.created_by == uo
    assert version.changes == {"appeared": [], "vanished": [["sch660001", "VPR-2026", "R-6", "high_results"]]}
    high_case = SignalCase.objects.get(assessment=high, kind="high_results")
    assert high_case.status == "open" and not high_case.signal_present
    assert list(high_case.messages.values_list("text", flat=True)) == ["признак больше не выявляется"]

    second = setting(department, uo, reason="Журнал строже", high_results_points=26, journal_share=10)
    assert second.changes == {"appeared": [], "vanished": []}
    third = setting(department, uo, reason="Вернули", high_results_points=20, journal_share=10)
    assert third.changes["appeared"] == [["sch660001", "VPR-2026", "R-6", "high_results"]]
    assert SignalCase.objects.get(pk=high_case.pk).signal_present
    entry = AuditEntry.objects.filter(action="signal_thresholds.changed").order_by("pk").first()
    assert version.applied_at is not None and Job.objects.get(key=f"monitoring.thresholds:{version.pk}").state == "done"
    assert entry.before["high_results_points"] == 25 and entry.after["high_results_points"] == 26
    assert entry.reason == "Строже к высоким, мягче к журналу"


@pytest.mark.django_db
def test_a_change_opens_the_cases_of_signals_that_appear(high, department, uo):
    setting(department, uo, high_results_points=30)
    assert not SignalCase.objects.exists()
    version = setting(department, uo, high_results_points=25)
    assert version.changes["appeared"] == [["sch660001", "VPR-2026", "R-6", "high_results"]]
    assert SignalCase.objects.get().evidence_at_opening == {"school": 80.0, "municipality": 55.0}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changed", "field", "message"),
    [
        ({"journal_share": "много"}, "journal_share", "Введите число."),
        ({"journal_share": 10.5}, "journal_share", "Введите целое число."),
        ({"journal_share": 101}, "journal_share", "Значение должно быть от 0 до 100."),
        ({"bunching_p": 0}, "bunching_p", "Значение должно быть от 1e-06 до 0.5."),
        ({"stable_low_campaigns": 4}, "stable_low_campaigns", "не может быть больше окна"),
        ({"high_results_points": ""}, "high_results_points", "Укажите значение."),
    ],
)
def test_invalid_values_are_refused_in_russian(department, uo, changed, field, message):
    with pytest.raises(ValidationError) as refused:
        setting(department, uo, **changed)
    assert message in " ".join(refused.value.message_dict[field])
    assert not ThresholdVersion.objects.exists()


@pytest.mark.django_db
def test_a_reason_is_needed_and_unchanged_values_are_refused(department, uo):
    with pytest.raises(ValidationError, match="Укажите причину"):
        setting(department, uo, reason="  ", journal_share=12)
    with pytest.raises(ValidationError, match="Значения не изменились"):
        thresholds_change(department=department, values=asdict(DEFAULT_THRESHOLDS), reason="так же", actor=uo)
    assert not ThresholdVersion.objects.exists()


@pytest.mark.django_db
def test_a_bunching_p_in_decimal_comma_is_read(department, uo):
    setting(department, uo, bunching_p="0,005")
    assert department_thresholds(department.pk)[0] == Thresholds(bunching_p=0.005, recheck_works=6)


# The page -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_changes_the_thresholds_and_shows_what_vanished(
    client, high, department, uo, django_capture_on_commit_callbacks
):
    client.force_login(uo)
    url = reverse("monitoring:thresholds")
    page = client.get(url).content.decode()
    assert 'name="high_results_points" id="t-high_results_points" value="25"' in page
    values = {**asdict(DEFAULT_THRESHOLDS), "high_results_points": "abc", "reason": "строже"}
    refused = client.post(url, values)
    assert refused.status_code == 400 and "Введите число." in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**values, "high_results_points": "26"})
    assert response["Location"] == reverse("monitoring:threshold_version", kwargs={"number": 1})
    body = client.get(response["Location"]).content.decode()
    vanished = body[body.index('data-testid="vanished"') :]
    assert "sch660001" in vanished and "R-6" in vanished and "высокие результаты" in vanished
    history = client.get(url).content.decode()
    assert "строже" in history[history.index('data-testid="threshold-history"') :]


@pytest.mark.django_db
def test_a_school_cannot_set_thresholds(client, role_users):
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    assert client.post(reverse("monitoring:thresholds"), {"reason": "x"}).status_code == 403
    assert not ThresholdVersion.objects.exists()


@pytest.mark.django_db
def test_the_new_thresholds_hold_at_once_and_the_version_says_while_signals_are_re_evaluated(
    client, high, department, uo
):
    client.force_login(uo)
    values = {**BASE, "high_results_points": "26", "reason": "строже"}
    response = client.post(reverse("monitoring:thresholds"), values)  # the job waits for the commit, never comes
    assert response.status_code == 302
    version = ThresholdVersion.objects.get()
    assert version.applied_at is None and version.changes == {}
    assert department_thresholds(department.pk)[0].high_results_points == 26
    assert kinds_now(high, "high_results") == []
    page = client.get(reverse("monitoring:threshold_version", kwargs={"number": 1})).content.decode()
    assert 'data-testid="thresholds-pending"' in page and "в очереди" in page
    assert "пересчитываются" in client.get(reverse("monitoring:thresholds")).content.decode()
