"""The region pages' cached figures (grading/cache.py): each assessment's results stamp grows in the same
transaction as every write of its summary rows — an import, a grid cell of a counted work, a participant's change,
a rebuild — so that after each write the cached tallies, item analysis and signals are the new ones (equal to
computing them without a cache); a thresholds change changes the signals at once; a second call reads the cache
(fewer queries); a failing cache is skipped and the value computed.

The cache stores only outside a transaction (a rolled back stamp could be given again), so the tests that read
through the cache run with transactions of their own (`transaction=True`)."""

import pytest
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from grading import cache as results_cache
from grading.figures import Tally, tallies, tallies_raw, with_task_sums
from grading.item_analysis import item_analysis
from grading.models import ResultsStamp, ResultSummary, Score, Work
from grading.results_form import FormRow, ParsedForm
from grading.services.results import results_import
from grading.services.scores import Cell, score_set
from grading.summaries import summaries_rebuild
from monitoring.models import ThresholdVersion
from monitoring.signals import DEFAULT_THRESHOLDS, assessment_signals, thresholds_values
from procedures.services.participants import codes_issue, participant_exempt
from tests.bench.region import url_for
from tests.factories import PupilFactory, SchoolClassFactory
from tests.grading.test_summaries import writers

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


class BrokenCache(BaseCache):
    """A cache whose every call raises, as Redis does when it is down."""

    def __init__(self, location, params):
        super().__init__(params)

    def get(self, key, default=None, version=None):
        raise ConnectionError("the cache is down")

    def set(self, key, value, timeout=None, version=None):
        raise ConnectionError("the cache is down")


BROKEN_CACHE = {"default": {"BACKEND": f"{__name__}.BrokenCache"}}


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache and no pause after a failure (ids may repeat between the transactional
    tests' flushed databases)."""
    cache.clear()
    results_cache._paused_until = 0.0
    yield
    cache.clear()
    results_cache._paused_until = 0.0


def version(assessment) -> int:
    return results_cache.stamps([assessment.pk])[assessment.pk]


def form(assessment, participants, points: int, *, skip: int = 0) -> ParsedForm:
    """Every participant's row with `points` in every task (capped at its maximum) and a journal mark of 4."""
    tasks = list(assessment.tasks.order_by("position"))
    return ParsedForm(
        rows=[
            FormRow(row, p.code, 1, False, tuple(Cell(min(points, t.max_points)) for t in tasks), 4)
            for row, p in enumerate(participants[skip:], start=2)
        ]
    )


@pytest.fixture
def results(assessment, school, other_school, class_4a):
    """sch660001: 4А (16) and 4Б (12), everyone with full points but the first two (left for the grid);
    sch660002: 4А (14), everyone with 1 point a task. sch660001's share of «4» and «5» is 100 %, the
    municipality's 26 of 40: a high results signal (35 points above) under the default thresholds (25)."""
    class_4b = SchoolClassFactory(school=school, grade=4, letter="Б")
    other_4a = SchoolClassFactory(school=other_school, grade=4, letter="А")
    for school_class, n in ((class_4a, 16), (class_4b, 12), (other_4a, 14)):
        PupilFactory.create_batch(n, school_class=school_class)
    for each in (school, other_school):
        codes_issue(campaign=assessment.campaign, school=each, actor=None)
    results_import(
        assessment=assessment, school=school, form=form(assessment, writers(assessment, school), 99, skip=2), actor=None
    )
    results_import(
        assessment=assessment,
        school=other_school,
        form=form(assessment, writers(assessment, other_school), 1),
        actor=None,
    )
    return assessment


def uncached(compute):
    with override_settings(CACHES=NO_CACHE):
        return compute()


def read_all(assessment) -> dict:
    """What the region pages read of the assessment, through the cache."""
    return {
        "by_school": tallies(assessment=assessment, group="school"),
        "by_school_sizes": tallies(assessment=assessment, group="school", task_sums=False),
        "region_task_sums": with_task_sums(Tally(), assessment=assessment),
        "item_analysis": item_analysis(assessment),
        "signals": assessment_signals(assessment),
    }


def assert_fresh(assessment, school) -> dict:
    """The cached reads equal the same computed without a cache, and the tallies equal the raw counts."""
    cached = read_all(assessment)
    assert cached == uncached(lambda: read_all(assessment))
    assert cached["by_school"] == tallies_raw(assessment=assessment, group="school")
    school_signals = assessment_signals(assessment, school=school)
    assert school_signals == [s for s in cached["signals"] if s.school == school.code]
    assert school_signals == uncached(lambda: assessment_signals(assessment, school=school))
    return cached


# The stamp, in the writer's transaction -------------------------------------------------------------------------


class Rollback(Exception):
    pass


def assert_bumped_with(write, assessment) -> None:
    """The write bumps the stamp inside its transaction, and a rollback takes the bump back with the rows."""
    before = version(assessment)
    rows = list(ResultSummary.objects.filter(assessment=assessment).order_by("pk").values())
    with pytest.raises(Rollback), transaction.atomic():
        write()
        assert version(assessment) > before
        raise Rollback
    assert version(assessment) == before
    assert list(ResultSummary.objects.filter(assessment=assessment).order_by("pk").values()) == rows
    write()
    assert version(assessment) > before


@pytest.mark.django_db
def test_the_stamp_grows_in_the_transaction_of_each_write(results, school, other_school, coordinator):
    assert version(results) > 0  # the fixture's imports

    # an import: other_school's participants now with 2 points a task
    assert_bumped_with(
        lambda: results_import(
            assessment=results, school=other_school, form=form(results, writers(results, other_school), 2), actor=None
        ),
        results,
    )
    # a grid cell of a counted work
    counted = Work.objects.filter(school=school, is_complete=True, participant__absent=False).order_by("pk").first()
    score = Score.objects.filter(work=counted).order_by("task__position").first()
    assert_bumped_with(
        lambda: score_set(work=counted, task=score.task, raw="0", actor=coordinator, reason="исправление"), results
    )
    # a participant's change: one left for the grid (no variant recorded) exempted
    participant = writers(results, school)[0]
    assert_bumped_with(
        lambda: participant_exempt(participant=participant, reason="болезнь", document="справка №1", actor=coordinator),
        results,
    )
    # a rebuild: of the assessment, of its campaign, of everything
    assert_bumped_with(lambda: summaries_rebuild(assessment_ids=[results.pk]), results)
    assert_bumped_with(lambda: summaries_rebuild(campaign=results.campaign), results)
    assert_bumped_with(lambda: summaries_rebuild(), results)
    assert ResultsStamp.objects.filter(assessment=results).count() == 1


@pytest.mark.django_db
def test_a_catalogue_change_bumps_the_stamp(results):
    from procedures.services.dependants import assessment_recompute

    before = version(results)
    results.tasks.filter(position=1).update(max_points=5)
    assessment_recompute(results)
    assert version(results) > before


# Reading through the cache ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_after_each_write_the_cached_figures_and_signals_are_the_new_ones(results, school, other_school, coordinator):
    first = assert_fresh(results, school)
    assert [(s.school, s.kind) for s in first["signals"]] == [(school.code, "high_results")]

    # an import into the other school: every participant with full points, so the high results signal goes
    results_import(
        assessment=results, school=other_school, form=form(results, writers(results, other_school), 99), actor=None
    )
    after_import = assert_fresh(results, school)
    assert after_import["by_school"] != first["by_school"]
    assert after_import["signals"] == []

    # a participant exempted: the first of the two left for the grid
    participant_exempt(
        participant=writers(results, school)[0], reason="болезнь", document="справка №1", actor=coordinator
    )
    after_exempt = assert_fresh(results, school)
    assert after_exempt["by_school"][school.pk] != after_import["by_school"][school.pk]

    # the grid: the other one left out is graded cell by cell with 0 points, until counted («2»)
    tasks = list(results.tasks.order_by("position"))
    work = Work.objects.get(participant=writers(results, school)[0])
    for task in tasks:
        score_set(work=work, task=task, raw="0", actor=coordinator)
    after_grid = assert_fresh(results, school)
    assert after_grid["by_school"][school.pk] != after_exempt["by_school"][school.pk]
    assert after_grid["item_analysis"] != after_exempt["item_analysis"]

    # a grid cell of a counted work
    counted = Work.objects.filter(participant=writers(results, school)[5]).get()
    score_set(work=counted, task=tasks[0], raw="0", actor=coordinator, reason="исправление")
    after_cell = assert_fresh(results, school)
    assert after_cell["region_task_sums"] != after_grid["region_task_sums"]

    # a rebuild after the summary rows were changed behind the services' back
    ResultSummary.objects.filter(assessment=results, school=school).delete()
    assert uncached(lambda: read_all(results)) != after_cell
    summaries_rebuild(assessment_ids=[results.pk])
    assert assert_fresh(results, school) == after_cell


@pytest.mark.django_db(transaction=True)
def test_a_thresholds_change_changes_the_signals_at_once(results, school, department):
    assert [s.kind for s in assessment_signals(results)] == ["high_results"]
    assert [s.kind for s in assessment_signals(results, school=school)] == ["high_results"]
    values = thresholds_values(DEFAULT_THRESHOLDS)
    ThresholdVersion.objects.create(
        department=department, number=1, values={**values, "high_results_points": 40}, reason="строже"
    )
    assert assessment_signals(results) == []
    assert assessment_signals(results, school=school) == []
    ThresholdVersion.objects.create(
        department=department, number=2, values={**values, "high_results_points": 30}, reason="мягче"
    )
    assert [s.kind for s in assessment_signals(results)] == ["high_results"]


@pytest.mark.django_db(transaction=True)
def test_a_second_call_reads_the_cache(results, school):
    for read in (
        lambda: tallies(assessment=results, group="school"),
        lambda: tallies(assessment=results, group="school", task_sums=False),
        lambda: with_task_sums(Tally(), assessment=results),
        lambda: item_analysis(results),
        lambda: assessment_signals(results),
        lambda: assessment_signals(results, school=school),
    ):
        cache.clear()
        with CaptureQueriesContext(connection) as first:
            computed = read()
        with CaptureQueriesContext(connection) as second:
            again = read()
        assert again == computed
        assert len(second) < len(first), (len(first), len(second))


PAGES = {  # URL name → what of its context is compared
    "reports:municipal_results": ("rows",),
    "reports:municipal_assessment": ("whole", "item_analysis"),
    "reports:municipal_funnel": ("whole", "plots"),
    "grading:results_figures": ("whole", "municipality", "drill"),
}


def page_values(client, url: str, keys: tuple) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    return {key: response.context[key] for key in keys}


@pytest.mark.django_db(transaction=True)
def test_the_region_pages_show_the_new_figures_after_a_write(results, school, other_school, department_user, client):
    client.force_login(department_user)
    values = {
        "campaign_code": results.campaign.code,
        "assessment_code": results.code,
        "school_code": other_school.code,
    }
    urls = {name: url_for([name], values)[1] for name in PAGES}
    before = {name: page_values(client, url, PAGES[name]) for name, url in urls.items()}
    assert before["reports:municipal_assessment"]["whole"].participants == 40
    results_import(
        assessment=results, school=other_school, form=form(results, writers(results, other_school)[:10], 99), actor=None
    )
    # the first ten of other_school now with full points: the municipality's «5» are 26 + 10
    after = {name: page_values(client, url, PAGES[name]) for name, url in urls.items()}
    assert after["reports:municipal_assessment"]["whole"].mark_counts["5"] == 36
    assert after["grading:results_figures"]["whole"].mark_counts["5"] == 10
    for name, url in urls.items():
        assert after[name] != before[name], name
        assert after[name] == uncached(lambda url=url, name=name: page_values(client, url, PAGES[name])), name


@pytest.mark.django_db(transaction=True)
def test_a_failing_cache_is_skipped_and_the_values_computed(results, school):
    expected = uncached(lambda: read_all(results))
    with override_settings(CACHES=BROKEN_CACHE):
        assert read_all(results) == expected
        assert results_cache._paused_until > 0  # the cache is left alone for a while after it failed
        results_cache._paused_until = 0.0
        assert results_cache.cached("probe", [1], lambda: 42) == 42


@pytest.mark.django_db
def test_inside_a_transaction_nothing_is_stored(results):
    assert connection.in_atomic_block
    tallies(assessment=results, group="school")
    with CaptureQueriesContext(connection) as again:
        tallies(assessment=results, group="school")
    assert len(again) > 1  # computed again: a stamp read inside a transaction may be rolled back


@pytest.mark.django_db(transaction=True)
def test_a_newer_value_replaces_the_older_entry(results, school, other_school):
    """One entry per name and assessment: the memory does not grow with the writes."""
    key = results_cache._key("item_analysis", [results.pk])
    first = item_analysis(results)
    assert cache.get(key) == (results_cache.stamped([results.pk]), first)
    results_import(
        assessment=results, school=other_school, form=form(results, writers(results, other_school), 99), actor=None
    )
    assert cache.get(key)[1] == first  # still there, but under the older stamp: never returned
    second = item_analysis(results)
    assert second != first
    assert cache.get(key) == (results_cache.stamped([results.pk]), second)
