"""Trends and the cohort view (reports/trends.py, reports/views_trends.py): each campaign's figures are those of
`results_figures`, the series is the same work over the campaigns of the same kind by window start, the cohort
compares only the pupils counted in both years, names never appear (R11), schools by code (R15), small groups
hidden from the department, and the queries grow by a small constant per campaign, never with the schools."""

import datetime
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grading.figures import figures_by_class
from grading.services.scores import work_recompute
from procedures.models import Campaign
from schools.models import Role
from tests.factories import (
    DepartmentFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    make_assessment,
    make_campaign,
    make_participant,
    make_score,
    make_work,
    user_with_role,
)
from tests.reports.test_figures import SCALE, TASKS

try:
    from grading.summaries import summaries_refresh
except ImportError:  # the figures still count the raw rows
    summaries_refresh = None
from tests.reports.test_municipal_report import figures_json

# Scores of the three tasks (max 2 + 1 + 3) giving each mark by SCALE: primary 1, 2, 4, 6.
SCORES = {2: (1, 0, 0), 3: (2, 0, 0), 4: (2, 1, 1), 5: (2, 1, 3)}
PRIMARY = {2: 1, 3: 2, 4: 4, 5: 6}
CODES = itertools.count(10001)

# Surnames and first names no page outside the school may show (R11), nor any trend page at all.
NAMES = ["Щеглова-Трендова", "Зимородков-Когортный", "Свиристелева-Переходова", "Клестов-Годовой", "Чечёткина-Вторая"]


def write(assessment, school, mark, *, pupil=None, class_name="5А", absent=False):
    """One participation with its work; `mark` sets the scores (None with `absent`)."""
    fields = {"class_name": class_name, "school": school}
    participant = make_participant(assessment, pupil, code=str(next(CODES)), absent=absent, **fields)
    work = make_work(participant)
    tasks = list(assessment.tasks.order_by("position"))
    scores = {}
    if not absent:
        for task, value in zip(tasks, SCORES[mark], strict=True):
            scores[task.pk] = make_score(work, task, value=value)
    work_recompute(work, tasks=tasks, scores=scores, assessment=assessment)
    work.save()
    if summaries_refresh is not None:  # the figures read the summary rows that every writer keeps current
        summaries_refresh(school_id=school.pk, assessment_ids=[assessment.pk])
    return participant


def write_many(assessment, school, marks, class_name="5А"):
    for mark in marks:
        write(assessment, school, mark, class_name=class_name)


def campaign_of(department, year, **fields):
    fields.setdefault("code", f"VPR-{year}")
    return make_campaign(department, window_start=datetime.date(year, 4, 14), **fields)


def work_of(campaign, grade=5, code=None):
    return make_assessment(campaign, code=code or f"T-{grade}", grade=grade, tasks=TASKS, scale=SCALE)


def municipal_url(assessment):
    kwargs = {"campaign_code": assessment.campaign.code, "assessment_code": assessment.code}
    return reverse("reports:municipal_trend", kwargs=kwargs)


def school_url(name, assessment, school):
    kwargs = {"campaign_code": assessment.campaign.code, "school_code": school.code, "assessment_code": assessment.code}
    return reverse(f"reports:{name}", kwargs=kwargs)


def client_of(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def three_years(department, school, other_school):
    """T-5 in ВПР-2024…2026 (created out of order), each year different marks in two schools."""
    works = {}
    for year in (2025, 2024, 2026):
        works[year] = work_of(campaign_of(department, year))
    write_many(works[2024], school, [5, 5, 4, 3, 2, 2])
    write_many(works[2024], other_school, [4, 4, 4, 3, 3, 2, 5])
    write_many(works[2025], school, [3, 3, 3, 4, 4, 5, 2, 2])
    write_many(works[2025], other_school, [5, 5, 5, 5, 4, 3])
    write_many(works[2026], school, [4, 4, 4, 4, 4, 3])
    write_many(works[2026], other_school, [2, 2, 3, 3, 3, 4, 4, 5, 5])
    write(works[2026], school, None, absent=True)
    return works


def same_figures(figures, expected):
    assert figures.participants == expected["participants"]
    assert figures.mark_counts == expected["mark_counts"]
    assert figures.marks == expected["marks"]
    assert figures.mean_score == expected["mean_score"]


# The series ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_municipal_trend_has_the_figures_of_results_figures_for_each_campaign(
    client, department_user, three_years, school, other_school
):
    response = client_of(client, department_user).get(municipal_url(three_years[2026]))
    assert response.status_code == 200
    trend = response.context["trend"]
    assert [item.campaign.code for item in trend.series] == ["VPR-2024", "VPR-2025", "VPR-2026"]
    html = response.content.decode()
    for point in trend.municipality:
        expected = figures_json(point.campaign, point.assessment)
        same_figures(point.figures, expected)
        row = re.search(rf'<tr data-campaign="{point.campaign.code}"[^>]*>(.*?)</tr>', html, re.S).group(1)
        assert f'data-figure="participants">{expected["participants"]}' in row
        assert f"{expected['marks']['4']:.1f}".replace(".", ",") + "&nbsp;% <span" in row
    rows = {row.school.code: row for row in trend.schools}
    for code in (school.code, other_school.code):
        for point in rows[code].points:
            same_figures(point.figures, figures_json(point.campaign, point.assessment, school=code))
    # the chart's data are the table's numbers
    chart = response.context["chart"]
    assert chart["labels"] == ["ВПР-2024", "ВПР-2025", "ВПР-2026"]
    assert chart["series"][0]["means"] == [p.figures.mean_score for p in trend.municipality]
    assert chart["series"][0]["counts"]["4"] == [p.figures.mark_counts["4"] for p in trend.municipality]
    assert 'id="trend-data"' in html and "js/trends.js" in html and "chart.umd.min.js" in html


@pytest.mark.django_db
def test_the_series_is_the_same_work_in_campaigns_of_the_same_kind_by_window_start(
    client, department_user, department, three_years, school
):
    trial = work_of(campaign_of(department, 2025, code="APR-2025", kind=Campaign.Kind.TRAINING))
    write_many(trial, school, [2, 2, 2, 2, 2])
    other_subject = make_assessment(
        three_years[2025].campaign, code="M-5", subject="Математика", grade=5, tasks=TASKS, scale=SCALE
    )
    write_many(other_subject, school, [2, 2, 2, 2, 2])
    later = work_of(campaign_of(department, 2027))  # not written yet
    draft = work_of(campaign_of(department, 2028, status=Campaign.Status.DRAFT))
    write_many(draft, school, [5, 5, 5, 5, 5])

    trend = client_of(client, department_user).get(municipal_url(three_years[2025])).context["trend"]
    assert [item.pk for item in trend.series] == [three_years[y].pk for y in (2024, 2025, 2026)]
    assert [item.pk for item in trend.without_results] == [later.pk]


@pytest.mark.django_db
def test_a_school_reads_its_own_trend_beside_the_municipality(client, coordinator, three_years, school):
    response = client_of(client, coordinator).get(school_url("school_trend", three_years[2025], school))
    assert response.status_code == 200
    context = response.context
    assert context["as_school"]
    for own, whole in zip(context["trend"].school, context["trend"].municipality, strict=True):
        same_figures(own.figures, figures_json(own.campaign, own.assessment, school=school.code))
        same_figures(whole.figures, figures_json(whole.campaign, whole.assessment))
    assert context["trend"].school[2].figures.absent == 1
    html = response.content.decode()
    results = reverse(
        "grading:results_figures",
        kwargs={"campaign_code": "VPR-2025", "school_code": school.code, "assessment_code": "T-5"},
    )
    assert f'href="{results}"' in html
    assert (
        reverse("reports:municipal_trend", kwargs={"campaign_code": "VPR-2025", "assessment_code": "T-5"}) not in html
    )


@pytest.mark.django_db
def test_pages_link_back_to_the_municipal_results(client, department_user, three_years, school):
    client_of(client, department_user)
    work = three_years[2026]
    municipal = client.get(municipal_url(work)).content.decode()
    assessment = reverse("reports:municipal_assessment", kwargs={"campaign_code": "VPR-2026", "assessment_code": "T-5"})
    assert f'href="{assessment}"' in municipal
    assert f'href="{reverse("reports:municipal_results", kwargs={"campaign_code": "VPR-2026"})}"' in municipal
    assert f'href="{school_url("school_trend", work, school)}"' in municipal
    own = client.get(school_url("school_trend", work, school)).content.decode()
    assert f'href="{municipal_url(work)}"' in own and f'href="{assessment}"' in own


# Small groups and R15 --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_department_sees_no_percentages_of_a_school_under_five(
    client, department_user, coordinator, department, three_years, school, other_school
):
    tiny = SchoolFactory(department=department, code="sch660000", short_name="СШ №0")
    write_many(three_years[2026], tiny, [5, 5, 5])
    response = client_of(client, department_user).get(municipal_url(three_years[2026]))
    rows = {row.school.code: row for row in response.context["trend"].schools}
    small = rows["sch660000"].points[2]
    assert small.hidden and small.participants == 3 and small.mark_rows() == [(m, None, None) for m in "2345"]
    assert rows["sch660000"].points[0].figures is None  # no result in 2024
    # the complement: the smallest other school (school: 6 participants) is hidden too, other_school (9) is not
    assert rows[school.code].points[2].hidden and not rows[other_school.code].points[2].hidden
    html = response.content.decode()
    tiny_row = re.search(r'<tr data-school="sch660000">(.*?)</tr>', html, re.S).group(1)
    assert "100,0" not in tiny_row and "мало участников" in tiny_row
    # the school's own page for the department: hidden; for the school itself: whole
    as_department = client.get(school_url("school_trend", three_years[2026], tiny)).context["trend"].school[-1]
    assert as_department.hidden and as_department.mean is None
    tiny_coordinator = user_with_role(Role.SCHOOL_COORDINATOR, school=tiny)
    as_school = client_of(client, tiny_coordinator).get(school_url("school_trend", three_years[2026], tiny))
    point = as_school.context["trend"].school[-1]
    assert not point.hidden and point.figures.marks["5"] == 100.0 and point.mean == 6.0


@pytest.mark.django_db
def test_schools_are_listed_by_code_whatever_their_results(client, department_user, department, three_years):
    for code, mark in (("sch669999", 5), ("sch660000", 2), ("sch665000", 4)):
        write_many(three_years[2026], SchoolFactory(department=department, code=code), [mark] * 6)
    html = client_of(client, department_user).get(municipal_url(three_years[2026])).content.decode()
    codes = re.findall(r'<tr data-school="([^"]+)">', html)
    assert codes == sorted(codes) and len(codes) == 5


@pytest.mark.django_db
def test_the_schools_list_is_paged_and_filtered(client, department_user, department, three_years):
    for index in range(55):
        write(three_years[2026], SchoolFactory(department=department, code=f"sch67{index:04d}"), 4)
    client_of(client, department_user)
    first = client.get(municipal_url(three_years[2026]))
    assert len(first.context["page_obj"].object_list) == 50 and first.context["page_obj"].paginator.count == 57
    second = client.get(municipal_url(three_years[2026]) + "?page=2").context["page_obj"]
    assert [row.school.code for row in second.object_list] == [f"sch67{index:04d}" for index in range(48, 55)]
    found = client.get(municipal_url(three_years[2026]) + "?q=sch670007").context["page_obj"].object_list
    assert [row.school.code for row in found] == ["sch670007"]


# The cohort ------------------------------------------------------------------------------------------------------


@pytest.fixture
def cohort_years(department, school, other_school):
    """5А of ВПР-2025 (T-5) and the same pupils in ВПР-2026 (T-6), most of them now in 6А, one in 6Б."""
    before, after = work_of(campaign_of(department, 2025)), work_of(campaign_of(department, 2026), grade=6)
    six_a = SchoolClassFactory(school=school, grade=6, letter="А")
    six_b = SchoolClassFactory(school=school, grade=6, letter="Б")
    pupils = [PupilFactory(school_class=six_a, last_name=name, first_name=f"Имя{n}") for n, name in enumerate(NAMES)]
    moved = PupilFactory(school_class=six_b, last_name="Переведённая-Когортная", first_name="Агата")
    left = PupilFactory(school_class=six_a, last_name="Уехавший-Когортный", first_name="Глеб")
    newcomer = PupilFactory(school_class=six_a, last_name="Новенькая-Когортная", first_name="Ева")
    absent = PupilFactory(school_class=six_a, last_name="Болевший-Когортный", first_name="Лев")
    stranger = PupilFactory(
        school_class=SchoolClassFactory(school=other_school, grade=6, letter="А"), last_name="Чужой-Когортный"
    )
    # marks in 2025 → 2026
    for pupil, (then, now) in zip(pupils, [(5, 5), (4, 5), (4, 3), (3, 3), (2, 3)], strict=True):
        write(before, school, then, pupil=pupil, class_name="5А")
        write(after, school, now, pupil=pupil, class_name="6А")
    write(before, school, 3, pupil=moved, class_name="5А")
    write(after, school, 2, pupil=moved, class_name="6Б")
    write(before, school, 4, pupil=left, class_name="5А")  # no 2026 work
    write(after, school, 4, pupil=newcomer, class_name="6А")  # no 2025 work
    write(before, school, 5, pupil=absent, class_name="5А")
    write(after, school, None, pupil=absent, class_name="6А", absent=True)  # absent in 2026: not compared
    transferred = PupilFactory(school_class=six_a, last_name="Перешедший-Когортный", first_name="Марк")
    write(before, school, 4, pupil=transferred, class_name="5А")
    write(after, other_school, 4, pupil=transferred, class_name="6А")  # a year later in another school
    write(before, other_school, 4, pupil=stranger, class_name="5А")
    write(after, other_school, 4, pupil=stranger, class_name="6А")
    write(before, school, 3, class_name="5Б")  # a participation whose link was removed (R12)
    return {"before": before, "after": after}


@pytest.mark.django_db
def test_the_cohort_compares_only_the_pupils_counted_in_both_years(client, coordinator, cohort_years, school):
    response = client_of(client, coordinator).get(school_url("cohort", cohort_years["before"], school))
    assert response.status_code == 200
    cohort = response.context["cohort"]
    assert cohort.after == cohort_years["after"]
    five_a, five_b, parallel = cohort.groups
    assert (five_a.class_name, five_b.class_name, parallel.class_name) == ("5А", "5Б", None)
    # left out: the leaver, the one absent a year later, the one now in another school
    assert (five_a.wrote, five_a.matched) == (9, 6)
    assert dict(five_a.classes_then) == {"6А": 5, "6Б": 1}
    # 2025: 5, 4, 4, 3, 2, 3 → «2» 1, «3» 2, «4» 2, «5» 1; mean (6 + 4 + 4 + 2 + 1 + 2) / 6 = 3.2 (19/6 = 3.17)
    assert five_a.figures_before.mark_counts == {"2": 1, "3": 2, "4": 2, "5": 1}
    assert five_a.figures_before.mean_score == 3.2
    # 2026: 5, 5, 3, 3, 3, 2 → mean (6 + 6 + 2 + 2 + 2 + 1) / 6 = 3.2 (19/6)
    assert five_a.figures_after.mark_counts == {"2": 1, "3": 3, "4": 0, "5": 2}
    assert five_a.figures_after.participants == 6
    assert dict(five_a.transitions) == {(5, 5): 1, (4, 5): 1, (4, 3): 1, (3, 3): 1, (2, 3): 1, (3, 2): 1}
    assert five_a.transition_rows()[2] == ("4", [0, 1, 0, 1], 2)
    assert five_a.moves() == [("up", 2, 33.3), ("same", 2, 33.3), ("down", 2, 33.3)]
    assert (five_b.wrote, five_b.matched) == (1, 0)
    assert (parallel.wrote, parallel.matched) == (10, 6)
    assert (cohort.unlinked_before, cohort.unlinked_after) == (1, 0)
    html = response.content.decode()
    assert 'data-testid="unlinked"' in html and 'data-testid="transitions"' in html


@pytest.mark.django_db
def test_a_whole_class_found_a_year_later_has_the_figures_of_its_class(client, coordinator, department, school):
    before, after = work_of(campaign_of(department, 2025)), work_of(campaign_of(department, 2026), grade=6)
    marks = [(5, 4), (4, 4), (3, 2), (3, 3), (2, 2), (4, 5), (5, 5)]
    for then, now in marks:
        pupil = PupilFactory(school_class=SchoolClassFactory(school=school, grade=6, letter="В"))
        write(before, school, then, pupil=pupil, class_name="5В")
        write(after, school, now, pupil=pupil, class_name="6В")
    group = client_of(client, coordinator).get(school_url("cohort", before, school)).context["cohort"].groups[0]
    for figures, expected in (
        (group.figures_before, figures_by_class(assessment=before, school=school)["5В"]),
        (group.figures_after, figures_by_class(assessment=after, school=school)["6В"]),
    ):
        assert (figures.participants, figures.mark_counts, figures.marks, figures.mean_score) == (
            expected.participants,
            expected.mark_counts,
            expected.marks,
            expected.mean_score,
        )


@pytest.mark.django_db
def test_the_department_sees_small_cohorts_without_percentages_or_transitions(
    client, department_user, coordinator, department, school
):
    before, after = work_of(campaign_of(department, 2025)), work_of(campaign_of(department, 2026), grade=6)
    for class_name, size in (("А", 3), ("Б", 6), ("В", 8)):
        for _ in range(size):
            pupil = PupilFactory(school_class=SchoolClassFactory(school=school, grade=6, letter=class_name))
            write(before, school, 4, pupil=pupil, class_name=f"5{class_name}")
            write(after, school, 5, pupil=pupil, class_name=f"6{class_name}")
    response = client_of(client, department_user).get(school_url("cohort", before, school))
    five_a, five_b, five_v, parallel = response.context["cohort"].groups
    assert five_a.hidden and five_a.figures_before.mean_score is None and five_a.marks_before()[2] == ("4", None, None)
    assert five_b.hidden and five_b.figures_after.marks["5"] is None  # the complement of 5А: the smallest other
    assert not five_v.hidden and five_v.figures_after.marks["5"] == 100.0
    assert not parallel.hidden and parallel.matched == 17
    assert five_a.moves()[0] == ("up", 3, None)
    html = response.content.decode()
    section = re.search(r'<section class="mt-4" data-cohort="5А">(.*?)</section>', html, re.S).group(1)
    assert 'data-testid="transitions-hidden"' in section and "100,0" not in section
    # the school reads its own small classes whole
    own = client_of(client, coordinator).get(school_url("cohort", before, school)).context["cohort"].groups[0]
    assert not own.hidden and own.figures_after.marks["5"] == 100.0


@pytest.mark.django_db
def test_without_a_year_later_the_cohort_says_so(client, coordinator, three_years, school):
    response = client_of(client, coordinator).get(school_url("cohort", three_years[2026], school))
    assert response.context["cohort"].after is None
    assert 'data-testid="no-next-year"' in response.content.decode()


@pytest.mark.django_db
def test_the_trend_links_each_year_to_its_cohort(client, coordinator, cohort_years, school):
    html = client_of(client, coordinator).get(school_url("school_trend", cohort_years["before"], school))
    assert f'href="{school_url("cohort", cohort_years["before"], school)}"' in html.content.decode()
    cohort_page = client.get(school_url("cohort", cohort_years["before"], school)).content.decode()
    assert f'href="{school_url("school_trend", cohort_years["before"], school)}"' in cohort_page


# R11 and scope ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_trend_or_cohort_page_shows_a_pupils_name(client, role_users, cohort_years, school):
    urls = [
        municipal_url(cohort_years["before"]),
        school_url("school_trend", cohort_years["before"], school),
        school_url("cohort", cohort_years["before"], school),
        school_url("school_trend", cohort_years["after"], school),
    ]
    names = [*NAMES, "Переведённая-Когортная", "Уехавший-Когортный", "Новенькая-Когортная", "Агата", "Имя0"]
    for role in (Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR, Role.SCHOOL_COORDINATOR, Role.DIRECTOR):
        client.force_login(role_users[role])
        for url in urls:
            response = client.get(url)
            if response.status_code == 403:  # the municipal trend is the department's
                continue
            assert response.status_code == 200
            html = response.content.decode()
            assert not [name for name in names if name in html], f"{url} as {role}"


@pytest.mark.django_db
def test_another_schools_pages_do_not_exist_for_a_school(client, coordinator, cohort_years, other_school):
    client_of(client, coordinator)
    assert client.get(school_url("school_trend", cohort_years["before"], other_school)).status_code == 404
    assert client.get(school_url("cohort", cohort_years["before"], other_school)).status_code == 404


@pytest.mark.django_db
def test_another_municipality_sees_nothing(client, three_years, school):
    stranger = user_with_role(Role.DEPARTMENT_STAFF, department=DepartmentFactory(code="uo-other"))
    client_of(client, stranger)
    assert client.get(municipal_url(three_years[2026])).status_code == 404
    assert client.get(school_url("school_trend", three_years[2026], school)).status_code == 404
    assert client.get(school_url("cohort", three_years[2025], school)).status_code == 404


# Queries ---------------------------------------------------------------------------------------------------------


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_queries_grow_by_a_small_constant_per_campaign_and_not_with_schools(
    client, department_user, department, school
):
    client_of(client, department_user)
    current = work_of(campaign_of(department, 2026))
    write_many(current, school, [4, 4, 4, 4, 4])

    def both() -> tuple[int, int]:
        return queries(client, municipal_url(current)), queries(client, school_url("school_trend", current, school))

    one = both()
    works = [work_of(campaign_of(department, year)) for year in (2024, 2025)]
    for work in works:
        write_many(work, school, [3, 3, 3, 3, 3])
    three = both()
    for index in range(6):
        extra = SchoolFactory(department=department, code=f"sch68{index:04d}")
        for work in [*works, current]:
            write_many(work, extra, [2, 3, 4, 5, 5])
    assert both() == three
    per_campaign = [(b - a) / 2 for a, b in zip(one, three, strict=True)]
    assert max(per_campaign) <= 10, per_campaign


@pytest.mark.django_db
def test_cohort_queries_do_not_grow_with_classes_or_pupils(client, coordinator, department, school):
    client_of(client, coordinator)
    before, after = work_of(campaign_of(department, 2025)), work_of(campaign_of(department, 2026), grade=6)
    counts = []
    for letters in ("А", "БВГД"):
        for letter in letters:
            for _ in range(5):
                pupil = PupilFactory(school_class=SchoolClassFactory(school=school, grade=6, letter=letter))
                write(before, school, 3, pupil=pupil, class_name=f"5{letter}")
                write(after, school, 4, pupil=pupil, class_name=f"6{letter}")
        counts.append(queries(client, school_url("cohort", before, school)))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_the_cohort_links_to_the_same_pupils_a_year_earlier(client, coordinator, department, school):
    grade_4 = work_of(campaign_of(department, 2024), grade=4)
    grade_5 = work_of(campaign_of(department, 2025), grade=5)
    grade_6 = work_of(campaign_of(department, 2026), grade=6)
    for mark in (3, 4, 5, 4, 3):
        pupil = PupilFactory(school_class=SchoolClassFactory(school=school, grade=6, letter="А"))
        for work, class_name in ((grade_4, "4А"), (grade_5, "5А"), (grade_6, "6А")):
            write(work, school, mark, pupil=pupil, class_name=class_name)
    response = client_of(client, coordinator).get(school_url("cohort", grade_5, school))
    assert response.context["earlier"] == grade_4 and response.context["cohort"].after == grade_6
    assert f'href="{school_url("cohort", grade_4, school)}"' in response.content.decode()
    earliest = client.get(school_url("cohort", grade_4, school))
    assert earliest.context["earlier"] is None and earliest.context["cohort"].after == grade_5
    assert earliest.context["cohort"].groups[0].matched == 5


@pytest.mark.django_db
def test_a_year_not_written_yet_is_said_so(client, coordinator, department, school):
    before = work_of(campaign_of(department, 2025))
    work_of(campaign_of(department, 2026), grade=6)
    pupil = PupilFactory(school_class=SchoolClassFactory(school=school, grade=6, letter="А"))
    write(before, school, 4, pupil=pupil, class_name="5А")
    response = client_of(client, coordinator).get(school_url("cohort", before, school))
    assert response.context["cohort"].after_written == 0
    assert 'data-testid="no-results-yet"' in response.content.decode()
