"""Class assignment: which classes write which assessment (docs/glossary.md), Rosobrnadzor's distribution file."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from procedures.models import ClassAssignment, ScheduleEntry, SchoolSchedule
from procedures.selectors.schedules import assignments_for, campaign_classes
from procedures.services.schedules import (
    assignments_import,
    assignments_resolve,
    class_assignments_set,
    parse_assignments,
)
from schools.models import AuditEntry, Notification, Role
from tests.factories import SchoolClassFactory, make_assessment, user_with_role
from vpr_portal.tables import InputRefused, read_table

YEAR = 2025  # the academic year of the 2026 window (Campaign.academic_year)


def make_classes(school, *names, year=YEAR):
    return [SchoolClassFactory(school=school, academic_year=year, grade=int(n[:-1]), letter=n[-1]) for n in names]


def names(classes) -> list[str]:
    return [c.name for c in classes]


def assignment_of(campaign, school) -> dict[str, list[str]]:
    return {a.code: names(classes) for a, classes in assignments_for(campaign=campaign, school=school)}


def csv_file(rows, header=("Код школы", "Класс", "Код работы")) -> tuple[str, bytes]:
    lines = [";".join(header)] + [";".join(row) for row in rows]
    return "distribution.csv", ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_file(rows, header=("Код школы", "Класс", "Код работы")) -> tuple[str, bytes]:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return "distribution.xlsx", buffer.getvalue()


def upload(campaign, file, *, actor=None):
    name, data = file
    resolved = assignments_resolve(campaign=campaign, records=parse_assignments(read_table(data, name)))
    return assignments_import(campaign=campaign, resolved=resolved, actor=actor)


def rows_snapshot():
    return sorted(ClassAssignment.objects.values_list("school__code", "school_class__id", "assessment__code"))


# Default assignment and the academic year -----------------------------------------------------------------


@pytest.mark.django_db
def test_every_class_of_the_grade_writes_an_assessment_by_default(campaign, assessment, math_assessment, school):
    make_classes(school, "4А", "4Б", "5А")
    assert assignment_of(campaign, school) == {"RU-4": ["4А", "4Б"], "MA-4": ["4А", "4Б"]}


@pytest.mark.django_db
def test_an_assessment_no_class_of_the_school_writes_is_listed_with_no_classes(campaign, school):
    make_assessment(campaign, code="RU-5", grade=5)
    make_classes(school, "4А")
    assert assignment_of(campaign, school) == {"RU-5": []}


@pytest.mark.django_db
def test_the_classes_of_the_campaigns_academic_year_are_used(campaign, assessment, school):
    assert campaign.academic_year == YEAR
    make_classes(school, "4А", year=YEAR)
    make_classes(school, "4А", "4Б", year=YEAR + 1)
    assert names(campaign_classes(campaign=campaign, school=school)) == ["4А"]
    assert {c.academic_year for c in campaign_classes(campaign=campaign, school=school)} == {YEAR}
    assert assignment_of(campaign, school) == {"RU-4": ["4А"]}


@pytest.mark.django_db
def test_a_school_without_classes_of_that_year_falls_back_to_its_latest_year(campaign, assessment, school):
    make_classes(school, "4В", year=YEAR - 2)
    latest = make_classes(school, "4А", "4Б", year=YEAR - 1)
    assert list(campaign_classes(campaign=campaign, school=school)) == latest
    assert assignment_of(campaign, school) == {"RU-4": ["4А", "4Б"]}


@pytest.mark.django_db
def test_the_fallback_also_takes_a_later_year(campaign, assessment, school):
    """Classes loaded for the next year only (the registry is ahead of the campaign) still write it."""
    make_classes(school, "4А", year=YEAR + 1)
    assert assignment_of(campaign, school) == {"RU-4": ["4А"]}


@pytest.mark.django_db
def test_a_school_without_classes_writes_nothing(campaign, assessment, school):
    assert list(campaign_classes(campaign=campaign, school=school)) == []
    assert assignment_of(campaign, school) == {"RU-4": []}


@pytest.mark.django_db
def test_assignment_rows_limit_the_classes_of_that_school_and_assessment_only(
    campaign, assessment, math_assessment, school, other_school
):
    a4, _b4 = make_classes(school, "4А", "4Б")
    make_classes(other_school, "4А", "4Б")
    ClassAssignment.objects.create(assessment=assessment, school=school, school_class=a4)
    assert assignment_of(campaign, school) == {"RU-4": ["4А"], "MA-4": ["4А", "4Б"]}
    assert assignment_of(campaign, other_school) == {"RU-4": ["4А", "4Б"], "MA-4": ["4А", "4Б"]}


# The distribution file -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_a_good_distribution_file_assigns_exactly_its_classes(
    campaign, assessment, math_assessment, school, other_school, department_user, make_file
):
    make_classes(school, "4А", "4Б", "4В")
    make_classes(other_school, "4А", "4Б")
    summary = upload(
        campaign,
        make_file([("sch660001", "4А", "RU-4"), ("sch660001", "4 в", "RU-4"), ("sch660002", "4Б", "MA-4")]),
        actor=department_user,
    )
    assert (summary.pairs, summary.schools, summary.added, summary.removed) == (2, 2, 3, 0)
    assert assignment_of(campaign, school) == {"RU-4": ["4А", "4В"], "MA-4": ["4А", "4Б", "4В"]}
    assert assignment_of(campaign, other_school) == {"RU-4": ["4А", "4Б"], "MA-4": ["4Б"]}
    assert AuditEntry.objects.filter(action="class_assignment.changed").count() == 2


@pytest.mark.django_db
def test_uploading_replaces_only_the_school_and_assessment_pairs_in_the_file(
    campaign, assessment, math_assessment, school, other_school
):
    make_classes(school, "4А", "4Б", "4В")
    make_classes(other_school, "4А", "4Б")
    upload(
        campaign,
        csv_file(
            [
                ("sch660001", "4А", "RU-4"),
                ("sch660001", "4Б", "RU-4"),
                ("sch660001", "4В", "MA-4"),
                ("sch660002", "4А", "RU-4"),
            ]
        ),
    )
    summary = upload(campaign, csv_file([("sch660001", "4В", "RU-4")]))
    assert (summary.pairs, summary.added, summary.removed, summary.unchanged) == (1, 1, 2, 0)
    assert assignment_of(campaign, school) == {"RU-4": ["4В"], "MA-4": ["4В"]}
    assert assignment_of(campaign, other_school) == {"RU-4": ["4А"], "MA-4": ["4А", "4Б"]}


@pytest.mark.django_db
def test_re_uploading_the_same_file_changes_nothing(campaign, assessment, school):
    make_classes(school, "4А", "4Б")
    file = csv_file([("sch660001", "4А", "RU-4")])
    upload(campaign, file)
    before = rows_snapshot()
    summary = upload(campaign, file)
    assert (summary.added, summary.removed, summary.unchanged) == (0, 0, 1)
    assert rows_snapshot() == before
    assert AuditEntry.objects.filter(action="class_assignment.changed").count() == 1


BAD_ROWS = {
    "unknown school": ([("sch999999", "4А", "RU-4")], 2, "Код школы", "школа с кодом «sch999999» не найдена"),
    "school of another municipality": ([("sch770001", "4А", "RU-4")], 2, "Код школы", "не найдена"),
    "unknown class": ([("sch660001", "4Г", "RU-4")], 2, "Класс", "в школе sch660001 нет класса 4Г"),
    "not a class name": ([("sch660001", "четвёртый", "RU-4")], 2, "Класс", "не является названием класса"),
    "unknown assessment": ([("sch660001", "4А", "HI-5")], 2, "Код работы", "работы с кодом «HI-5» нет в кампании"),
    "grade differs": ([("sch660001", "5А", "RU-4")], 2, "Класс", "класс 5А не может писать работу RU-4"),
    "duplicate row": ([("sch660001", "4А", "RU-4"), ("sch660001", "4а", "ru-4")], 3, None, "повторяет строку 4"),
    "empty cell": ([("sch660001", "", "RU-4")], 2, "Класс", "не заполнено"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_each_bad_row_refuses_the_whole_file_and_changes_nothing(campaign, assessment, school, other_school, case):
    from tests.factories import DepartmentFactory, SchoolFactory

    SchoolFactory(department=DepartmentFactory(code="uo-far"), code="sch770001")
    make_classes(school, "4А", "4Б", "5А")
    make_classes(other_school, "4А")
    ClassAssignment.objects.create(assessment=assessment, school=other_school, school_class=other_school.classes.get())
    before = rows_snapshot()
    bad_rows, row, column, message = BAD_ROWS[case]
    good_rows = [("sch660001", "4Б", "RU-4"), ("sch660002", "4А", "RU-4")]
    with pytest.raises(InputRefused) as refused:
        upload(campaign, csv_file(good_rows + bad_rows))
    problems = refused.value.problems
    assert len(problems) == 1, problems
    assert problems[0].row == row + len(good_rows)
    assert problems[0].column == column
    assert message in problems[0].message
    assert rows_snapshot() == before


@pytest.mark.django_db
def test_a_file_without_a_required_column_is_refused_naming_it(campaign, assessment, school):
    make_classes(school, "4А")
    with pytest.raises(InputRefused) as refused:
        upload(campaign, csv_file([("sch660001", "4А")], header=("Код школы", "Класс")))
    assert [(p.column, p.message) for p in refused.value.problems] == [
        ("Код работы", "обязательный столбец отсутствует в файле")
    ]
    assert not ClassAssignment.objects.exists()


@pytest.mark.django_db
def test_every_problem_of_a_file_is_listed_at_once(campaign, assessment, school):
    make_classes(school, "4А")
    with pytest.raises(InputRefused) as refused:
        upload(campaign, csv_file([("sch999999", "4А", "RU-4"), ("sch660001", "4Д", "XX-1")]))
    assert [str(p) for p in refused.value.problems] == [
        "строка 2, столбец «Код школы»: школа с кодом «sch999999» не найдена",
        "строка 3, столбец «Код работы»: работы с кодом «XX-1» нет в кампании VPR-2026",
        "строка 3, столбец «Класс»: в школе sch660001 нет класса 4Д",
    ]


@pytest.mark.django_db
def test_the_distribution_uses_the_academic_year_rule_for_class_names(campaign, assessment, school):
    make_classes(school, "4А", year=YEAR - 1)
    current = make_classes(school, "4А", "4Б", year=YEAR)[0]
    upload(campaign, csv_file([("sch660001", "4А", "RU-4")]))
    assert list(ClassAssignment.objects.values_list("school_class", flat=True)) == [current.pk]


# Through the pages -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_department_previews_then_confirms_an_upload(client, campaign, assessment, school, department_user):
    make_classes(school, "4А", "4Б")
    client.force_login(department_user)
    url = reverse("procedures:assignment_import", kwargs={"campaign_code": campaign.code})
    name, data = csv_file([("sch660001", "4Б", "RU-4")])
    response = client.post(url, {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    assert "Проверка файла" in response.content.decode()
    assert not ClassAssignment.objects.exists()
    token = response.context["token"]
    response = client.post(url, {"token": token})
    assert response.status_code == 302
    assert assignment_of(campaign, school) == {"RU-4": ["4Б"]}


@pytest.mark.django_db
def test_a_refused_upload_shows_every_problem_and_writes_nothing(client, campaign, assessment, school, department_user):
    make_classes(school, "4А")
    client.force_login(department_user)
    url = reverse("procedures:assignment_import", kwargs={"campaign_code": campaign.code})
    name, data = csv_file([("sch660001", "5А", "RU-4")])
    response = client.post(url, {"file": SimpleUploadedFile(name, data)})
    body = response.content.decode()
    assert "Файл не принят" in body
    assert "строка 2, столбец «Класс»: в школе sch660001 нет класса 5А" in body
    assert "token" not in response.context or not response.context.get("token")
    assert not ClassAssignment.objects.exists()


@pytest.mark.django_db
def test_the_department_sets_a_schools_classes_per_assessment(
    client, campaign, assessment, math_assessment, school, department_user
):
    a4, b4 = make_classes(school, "4А", "4Б")
    client.force_login(department_user)
    url = reverse(
        "procedures:school_assignments_edit", kwargs={"campaign_code": campaign.code, "school_code": school.code}
    )
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url, {f"classes_{assessment.pk}": [str(b4.pk)], f"classes_{math_assessment.pk}": [str(a4.pk), str(b4.pk)]}
    )
    assert response.status_code == 302
    assert assignment_of(campaign, school) == {"RU-4": ["4Б"], "MA-4": ["4А", "4Б"]}
    # every class of the grade ticked: back to the default, no rows
    assert not ClassAssignment.objects.filter(assessment=math_assessment).exists()


@pytest.mark.django_db
def test_unticking_every_class_is_refused(client, campaign, assessment, school, department_user):
    a4, _b4 = make_classes(school, "4А", "4Б")
    ClassAssignment.objects.create(assessment=assessment, school=school, school_class=a4)
    client.force_login(department_user)
    url = reverse(
        "procedures:school_assignments_edit", kwargs={"campaign_code": campaign.code, "school_code": school.code}
    )
    response = client.post(url, {})
    assert response.status_code == 200
    assert "отметьте хотя бы один класс" in response.content.decode()
    assert assignment_of(campaign, school) == {"RU-4": ["4А"]}


@pytest.mark.django_db
def test_ticking_every_class_returns_to_the_default(campaign, assessment, school, department_user):
    a4, b4 = make_classes(school, "4А", "4Б")
    ClassAssignment.objects.create(assessment=assessment, school=school, school_class=a4)
    class_assignments_set(campaign=campaign, school=school, chosen={assessment: [a4, b4]}, actor=department_user)
    assert not ClassAssignment.objects.exists()
    assert assignment_of(campaign, school) == {"RU-4": ["4А", "4Б"]}


@pytest.mark.django_db
def test_a_class_of_another_grade_is_refused(campaign, assessment, school, department_user):
    make_classes(school, "4А")
    (a5,) = make_classes(school, "5А")
    with pytest.raises(ValidationError):
        class_assignments_set(campaign=campaign, school=school, chosen={assessment: [a5]}, actor=department_user)
    assert not ClassAssignment.objects.exists()


@pytest.mark.django_db
def test_the_school_reads_its_own_assignment_without_editing(
    client, campaign, assessment, school, other_school, role_users
):
    make_classes(school, "4А", "4Б")
    kwargs = {"campaign_code": campaign.code, "school_code": school.code}
    for role in (Role.SCHOOL_COORDINATOR, Role.DIRECTOR):
        client.force_login(role_users[role])
        response = client.get(reverse("procedures:school_assignments", kwargs=kwargs))
        assert response.status_code == 200
        body = response.content.decode()
        assert "4А, 4Б" in body
        assert reverse("procedures:school_assignments_edit", kwargs=kwargs) not in body
        assert client.get(reverse("procedures:school_assignments_edit", kwargs=kwargs)).status_code == 403
        other = {"campaign_code": campaign.code, "school_code": other_school.code}
        assert client.get(reverse("procedures:school_assignments", kwargs=other)).status_code == 404


@pytest.mark.django_db
def test_a_draft_campaign_does_not_exist_for_schools(client, campaign, assessment, school, role_users):
    campaign.status = campaign.Status.DRAFT
    campaign.save(update_fields=["status"])
    kwargs = {"campaign_code": campaign.code, "school_code": school.code}
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    assert client.get(reverse("procedures:school_assignments", kwargs=kwargs)).status_code == 404
    client.force_login(role_users[Role.DEPARTMENT_STAFF])
    assert client.get(reverse("procedures:school_assignments", kwargs=kwargs)).status_code == 200


@pytest.mark.django_db
def test_the_overview_lists_every_school_with_flat_queries(
    client, campaign, assessment, math_assessment, department_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import SchoolFactory

    client.force_login(department_user)
    url = reverse("procedures:assignments", kwargs={"campaign_code": campaign.code})
    counts = []
    for size in (2, 8):
        for _n in range(size):
            make_classes(SchoolFactory(department=campaign.department), "4А", "4Б")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# The schedule follows the assignment ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_assignment_change_removes_the_dates_of_classes_no_longer_writing(campaign, assessment, school, coordinator):
    a4, b4 = make_classes(school, "4А", "4Б")
    schedule = SchoolSchedule.objects.create(campaign=campaign, school=school)
    for school_class in (a4, b4):
        ScheduleEntry.objects.create(
            schedule=schedule,
            assessment=assessment,
            school_class=school_class,
            date=datetime.date(2026, 4, 21),
            lesson=2,
        )
    upload(campaign, csv_file([("sch660001", "4А", "RU-4")]))
    assert list(schedule.entries.values_list("school_class", flat=True)) == [a4.pk]
    assert AuditEntry.objects.filter(action="schedule.entries_unassigned", school=school).exists()


@pytest.mark.django_db
def test_an_approved_schedule_that_gains_a_class_goes_back_to_the_school(campaign, assessment, school, coordinator):
    a4, _b4 = make_classes(school, "4А", "4Б")
    ClassAssignment.objects.create(assessment=assessment, school=school, school_class=a4)
    schedule = SchoolSchedule.objects.create(campaign=campaign, school=school, status=SchoolSchedule.Status.APPROVED)
    ScheduleEntry.objects.create(
        schedule=schedule, assessment=assessment, school_class=a4, date=datetime.date(2026, 4, 21), lesson=2
    )
    upload(campaign, csv_file([("sch660001", "4А", "RU-4"), ("sch660001", "4Б", "RU-4")]))
    schedule.refresh_from_db()
    assert schedule.status == SchoolSchedule.Status.RETURNED
    assert "Назначение классов изменилось" in schedule.comment
    assert Notification.objects.filter(user=coordinator).exists()


@pytest.mark.django_db
def test_another_municipalitys_department_cannot_open_our_campaign(client, campaign, assessment, school):
    from tests.factories import DepartmentFactory

    stranger = user_with_role(Role.DEPARTMENT_STAFF, department=DepartmentFactory(code="uo-other"))
    client.force_login(stranger)
    assert client.get(reverse("procedures:assignments", kwargs={"campaign_code": campaign.code})).status_code == 404
