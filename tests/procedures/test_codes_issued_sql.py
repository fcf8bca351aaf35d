"""The plan-graph's «Выдать коды участников» check counted in the database: the same answer as reading every
participation, pupil and code into Python (the way it was computed before, kept here as the reference), in a
fixed number of queries whatever the number of schools and pupils."""

import datetime
from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procedures.models import ClassAssignment, Participant, ParticipantCode
from procedures.selectors.schedules import assigned_class_ids_by_school, assigned_works_by_school
from procedures.services.participants import codes_issue, codes_issued, participant_exempt, participants_refresh
from schools.models import Pupil
from tests.factories import PupilFactory, SchoolClassFactory, SchoolFactory, make_assessment, make_participant


def codes_issued_in_python(campaign, schools):
    """The check as it read before: every row into Python, sets compared there."""
    school_ids = [s.pk for s in schools]
    works = assigned_works_by_school(campaign=campaign, school_ids=school_ids)
    assessments_of_class = defaultdict(set)
    for school_works in works.values():
        for work in school_works:
            for school_class in work.classes:
                assessments_of_class[school_class.pk].add(work.assessment.pk)
    statuses, needed = {}, defaultdict(set)
    for pupil_id, assessment_id, status, school_id, active in Participant.objects.filter(
        campaign=campaign, school_id__in=school_ids, pupil__isnull=False
    ).values_list("pupil_id", "assessment_id", "status", "school_id", "pupil__is_active"):
        statuses[(pupil_id, assessment_id)] = status
        if status == Participant.Status.WRITES and active:
            needed[school_id].add(pupil_id)
    for pupil_id, school_id, class_id in Pupil.objects.filter(
        school_id__in=school_ids, school_class_id__in=list(assessments_of_class), is_active=True, family_education=False
    ).values_list("id", "school_id", "school_class_id"):
        if any(statuses.get((pupil_id, a)) != Participant.Status.EXEMPT for a in assessments_of_class[class_id]):
            needed[school_id].add(pupil_id)
    issued = dict(
        ParticipantCode.objects.filter(campaign=campaign, school_id__in=school_ids, pupil__isnull=False).values_list(
            "pupil_id", "issued_at"
        )
    )
    return {
        school_id: (True, max(issued[p] for p in pupils))
        for school_id, pupils in needed.items()
        if pupils and all(p in issued for p in pupils)
    }


def school_with_classes(department, code, *, pupils_per_class=3):
    school = SchoolFactory(department=department, code=code)
    classes = [SchoolClassFactory(school=school, grade=4, letter=letter) for letter in "АБ"]
    for school_class in classes:
        for number in range(pupils_per_class):
            PupilFactory(school_class=school_class, last_name=f"Ученик{number}")
    return school, classes


@pytest.fixture
def works(campaign):
    return [
        make_assessment(campaign, code="RU-4", subject="Русский язык"),
        make_assessment(campaign, code="MA-4", subject="Математика"),
    ]


@pytest.mark.django_db
def test_the_sql_count_agrees_with_reading_every_row(campaign, department, coordinator, works):
    russian, maths = works
    done, _classes = school_with_classes(department, "sch770001")
    codes_issue(campaign=campaign, school=done, actor=None)
    # a pupil who joined after the codes: not done until they have one
    late_school, late_classes = school_with_classes(department, "sch770002")
    codes_issue(campaign=campaign, school=late_school, actor=None)
    PupilFactory(school_class=late_classes[0], last_name="Новенький")
    # a pupil exempted from both works of the class needs no code: still done
    exempt_school, exempt_classes = school_with_classes(department, "sch770003")
    codes_issue(campaign=campaign, school=exempt_school, actor=None)
    exempt = PupilFactory(school_class=exempt_classes[1], last_name="Освобождённый")
    participants_refresh(campaign=campaign, school=exempt_school, actor=None)
    for participant in Participant.objects.filter(pupil=exempt):
        participant_exempt(participant=participant, reason="болезнь", document="справка №7", actor=coordinator)
    # exempted from one work of two: still writes the other, so needs a code
    half_school, half_classes = school_with_classes(department, "sch770004")
    codes_issue(campaign=campaign, school=half_school, actor=None)
    half = PupilFactory(school_class=half_classes[0], last_name="Половина")
    participants_refresh(campaign=campaign, school=half_school, actor=None)
    participant_exempt(
        participant=Participant.objects.get(pupil=half, assessment=russian),
        reason="болезнь",
        document="справка №8",
        actor=coordinator,
    )
    # only 4Б writes Russian (the department's distribution), 4А only mathematics; a pupil of 4А exempt from
    # mathematics writes nothing
    assigned_school, assigned_classes = school_with_classes(department, "sch770005")
    ClassAssignment.objects.create(assessment=russian, school_class=assigned_classes[1], school=assigned_school)
    codes_issue(campaign=campaign, school=assigned_school, actor=None)
    only_maths = PupilFactory(school_class=assigned_classes[0], last_name="Математик")
    participants_refresh(campaign=campaign, school=assigned_school, actor=None)
    participant_exempt(
        participant=Participant.objects.get(pupil=only_maths, assessment=maths),
        reason="болезнь",
        document="справка №9",
        actor=coordinator,
    )
    # a family-form pupil (not of an assigned class's register) writing by agreement, without a code yet
    family_school, family_classes = school_with_classes(department, "sch770006")
    codes_issue(campaign=campaign, school=family_school, actor=None)
    family = PupilFactory(school_class=family_classes[0], last_name="Семейный", family_education=True)
    make_participant(russian, family, code="", family_form=True, family_agreement="письмо №1")
    # a school with classes of another grade only: nobody writes, not done
    nobody = SchoolFactory(department=department, code="sch770007")
    PupilFactory(school_class=SchoolClassFactory(school=nobody, grade=9, letter="А"))
    schools = [done, late_school, exempt_school, half_school, assigned_school, family_school, nobody]

    result = codes_issued(campaign, schools)

    assert result == codes_issued_in_python(campaign, schools)
    assert set(result) == {done.pk, exempt_school.pk, assigned_school.pk}
    assert all(isinstance(at, datetime.datetime) and at.tzinfo is not None for _done, at in result.values())
    assert result[done.pk][1] == ParticipantCode.objects.filter(school=done).latest("issued_at").issued_at


@pytest.mark.django_db
def test_the_check_reads_five_queries_whatever_the_number_of_schools_and_pupils(campaign, department, works):
    counts = []
    schools = []
    for total, pupils_per_class in ((1, 2), (5, 12)):
        while len(schools) < total:
            school, _classes = school_with_classes(
                department, f"sch77{len(schools):04d}", pupils_per_class=pupils_per_class
            )
            codes_issue(campaign=campaign, school=school, actor=None)
            schools.append(school)
        with CaptureQueriesContext(connection) as queries:
            result = codes_issued(campaign, schools)
        assert set(result) == {s.pk for s in schools}
        counts.append(len(queries))
    assert counts == [5, 5]


@pytest.mark.django_db
def test_the_assignment_as_ids_names_the_same_classes_as_the_assignment(campaign, department, works):
    russian, maths = works
    current, _classes = school_with_classes(department, "sch770001")
    # a past year's fourth grade is not the campaign's: never read
    SchoolClassFactory(school=current, grade=4, letter="В", academic_year=campaign.academic_year - 1)
    # a school without classes of the campaign's year reads its latest year
    older = SchoolFactory(department=department, code="sch770002")
    for year in (campaign.academic_year - 2, campaign.academic_year - 1):
        SchoolClassFactory(school=older, grade=4, letter="А", academic_year=year)
    # the department's distribution: only 4Б writes Russian
    explicit, explicit_classes = school_with_classes(department, "sch770003")
    ClassAssignment.objects.create(assessment=russian, school_class=explicit_classes[1], school=explicit)
    empty = SchoolFactory(department=department, code="sch770004")
    school_ids = [current.pk, older.pk, explicit.pk, empty.pk]

    as_ids = assigned_class_ids_by_school(campaign=campaign, school_ids=school_ids)

    as_objects = assigned_works_by_school(campaign=campaign, school_ids=school_ids)
    assert as_ids == {
        school_id: {work.assessment.pk: [c.pk for c in work.classes] for work in school_works}
        for school_id, school_works in as_objects.items()
    }
    assert as_ids[explicit.pk][russian.pk] == [explicit_classes[1].pk]
    assert len(as_ids[explicit.pk][maths.pk]) == 2
    assert as_ids[empty.pk] == {russian.pk: [], maths.pk: []}
