"""Distribution of works to experts (Регламент 7.4, 7.6): automatic and even, by class or by variant, then by
hand; one expert per work (R4); the campaign's own-class setting; audit.

The fixtures here (three classes of 12, 10 and 8 participants of RU-4, variants alternating, three appointed
experts with logins, a sitting in the past) are shared with test_entry.py and test_grid_views.py.
"""

import datetime
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from grading.models import Work
from grading.services.distribution import BY_CLASS, BY_VARIANT, works_distribute, works_reassign
from grading.services.scores import score_set
from procedures.models import Appointment
from schools.models import AuditEntry, Role
from tests.factories import (
    PupilFactory,
    SchoolClassFactory,
    StaffFactory,
    TeachingLoadFactory,
    make_participant,
    make_sitting,
    user_with_role,
)

CLASS_SIZES = {"4А": 12, "4Б": 10, "4В": 8}


def add_participants(assessment, school, sizes=CLASS_SIZES, *, with_pupils=False, first_code=10001):
    """Participants of the assessment at the school, class by class, variants 1 and 2 alternating; returns
    them in code order."""
    code = first_code
    created = []
    for class_name, size in sizes.items():
        school_class = SchoolClassFactory(school=school, grade=int(class_name[:-1]), letter=class_name[-1])
        for index in range(size):
            pupil = PupilFactory(school_class=school_class, last_name=f"Фамилиева{code}") if with_pupils else None
            created.append(
                make_participant(
                    assessment,
                    pupil,
                    school=school,
                    school_class=school_class,
                    class_name=class_name,
                    sex="Ж",
                    code=str(code),
                    variant=1 + index % 2,
                )
            )
            code += 1
    return created


def appoint_expert(assessment, school, *, last_name, username=None):
    """A staff member with a login and the expert role, appointed to check the assessment at the school."""
    user = user_with_role(Role.EXPERT, school=school, username=username) if username else None
    staff = StaffFactory(school=school, user=user, last_name=last_name, is_administration=True)
    Appointment.objects.create(
        campaign=assessment.campaign, school=school, staff=staff, duty=Appointment.Duty.EXPERT, assessment=assessment
    )
    return staff


@pytest.fixture
def sitting(assessment, school):
    return make_sitting(assessment, school, date=datetime.date(2026, 4, 21), lesson=2)


@pytest.fixture
def participants(assessment, school, sitting):
    return add_participants(assessment, school)


@pytest.fixture
def experts(assessment, school):
    return [
        appoint_expert(assessment, school, last_name=name, username=username)
        for name, username in (("Азарова", "azarova"), ("Белова", "belova"), ("Волкова", "volkova"))
    ]


def loads(assessment) -> Counter:
    return Counter(
        Work.objects.filter(assessment=assessment, expert__isnull=False).values_list("expert__last_name", flat=True)
    )


def classes_of(expert) -> set[str]:
    return set(Work.objects.filter(expert=expert).values_list("participant__class_name", flat=True))


@pytest.mark.django_db
def test_the_split_by_class_gives_whole_classes_and_creates_the_works(
    assessment, school, participants, experts, coordinator
):
    assert not Work.objects.exists()
    works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=coordinator)
    assert Work.objects.filter(assessment=assessment).count() == 30
    assert sorted(loads(assessment).values()) == [8, 10, 12]
    assert [len(classes_of(expert)) for expert in experts] == [1, 1, 1]


@pytest.mark.django_db
def test_the_split_by_class_balances_counts_with_fewer_experts_than_classes(
    assessment, school, participants, experts, coordinator
):
    Appointment.objects.filter(staff=experts[2]).delete()
    works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=coordinator)
    # the largest class to one expert, the two others together to the other: 12 and 18 is the best whole classes allow
    assert sorted(loads(assessment).values()) == [12, 18]
    assert classes_of(experts[0]) == {"4А"} and classes_of(experts[1]) == {"4Б", "4В"}


@pytest.mark.django_db
def test_every_work_has_exactly_one_expert_and_absent_pupils_none(
    assessment, school, participants, experts, coordinator
):
    absent = participants[0]
    absent.absent = True
    absent.save()
    works_distribute(assessment=assessment, school=school, mode=BY_VARIANT, actor=coordinator)
    works = Work.objects.filter(assessment=assessment)
    assert works.count() == 30
    assert works.get(participant=absent).expert is None
    assert works.filter(expert__isnull=True).count() == 1
    assert sum(loads(assessment).values()) == 29


@pytest.mark.django_db
def test_the_split_by_variant_is_even_and_keeps_each_variant_with_one_expert(
    assessment, school, participants, experts, coordinator
):
    Appointment.objects.filter(staff=experts[2]).delete()
    works_distribute(assessment=assessment, school=school, mode=BY_VARIANT, actor=coordinator)
    assert sorted(loads(assessment).values()) == [15, 15]
    for expert in experts[:2]:
        variants = set(Work.objects.filter(expert=expert).values_list("participant__variant", flat=True))
        assert len(variants) == 1


@pytest.mark.django_db
def test_the_split_by_variant_among_three_is_even(assessment, school, participants, experts, coordinator):
    works_distribute(assessment=assessment, school=school, mode=BY_VARIANT, actor=coordinator)
    assert sorted(loads(assessment).values()) == [10, 10, 10]


@pytest.mark.django_db
def test_splitting_again_leaves_scored_works_with_their_expert(assessment, school, participants, experts, coordinator):
    Appointment.objects.filter(staff=experts[2]).delete()
    works_distribute(assessment=assessment, school=school, mode=BY_VARIANT, actor=coordinator)
    scored = Work.objects.filter(expert=experts[0]).first()
    score_set(work=scored, task=assessment.tasks.first(), raw=1, actor=experts[0].user)
    Appointment.objects.create(
        campaign=assessment.campaign,
        school=school,
        staff=experts[2],
        duty=Appointment.Duty.EXPERT,
        assessment=assessment,
    )
    result = works_distribute(assessment=assessment, school=school, mode=BY_VARIANT, actor=coordinator)
    scored.refresh_from_db()
    assert scored.expert == experts[0]
    assert result.kept == 1
    assert sorted(loads(assessment).values()) == [10, 10, 10]


@pytest.mark.django_db
def test_without_appointed_experts_nothing_is_distributed(assessment, school, participants, coordinator):
    with pytest.raises(ValidationError, match="не назначены"):
        works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=coordinator)
    assert not Work.objects.exists()


@pytest.mark.django_db
def test_selected_works_are_reassigned_by_hand_and_audited(assessment, school, participants, experts, coordinator):
    works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=coordinator)
    chosen = [p.pk for p in participants[:3]]
    moved = works_reassign(
        assessment=assessment, school=school, participant_ids=chosen, expert=experts[2], actor=coordinator
    )
    assert moved == 3
    assert set(Work.objects.filter(participant_id__in=chosen).values_list("expert", flat=True)) == {experts[2].pk}
    entry = AuditEntry.objects.get(action="grading.reassigned")
    assert entry.school == school and set(entry.after) == {p.code for p in participants[:3]}
    assert AuditEntry.objects.filter(action="grading.distributed", school=school).count() == 1


@pytest.mark.django_db
def test_a_work_scored_by_another_expert_is_not_reassigned(assessment, school, participants, experts, coordinator):
    """R4: each work is checked by one expert once; the refusal is all or nothing."""
    works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=coordinator)
    scored, untouched = Work.objects.filter(expert=experts[0]).order_by("participant__code")[:2]
    task = assessment.tasks.first()
    score_set(work=scored, task=task, raw=2, actor=experts[0].user)
    with pytest.raises(ValidationError) as refusal:
        works_reassign(
            assessment=assessment,
            school=school,
            participant_ids=[scored.participant_id, untouched.participant_id],
            expert=experts[1],
            actor=coordinator,
        )
    assert "уже выставил баллы" in refusal.value.messages[0]
    assert set(Work.objects.filter(pk__in=[scored.pk, untouched.pk]).values_list("expert", flat=True)) == {
        experts[0].pk
    }
    score_set(work=scored, task=task, raw="", actor=experts[0].user)  # cleared: no scores any more
    works_reassign(
        assessment=assessment,
        school=school,
        participant_ids=[scored.participant_id],
        expert=experts[1],
        actor=coordinator,
    )
    scored.refresh_from_db()
    assert scored.expert == experts[1]


@pytest.mark.django_db
def test_a_submitted_work_is_not_reassigned(assessment, school, participants, experts, coordinator):
    works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=coordinator)
    work = Work.objects.filter(expert=experts[0]).first()
    Work.objects.filter(pk=work.pk).update(submitted_at=datetime.datetime(2026, 4, 22, tzinfo=datetime.UTC))
    with pytest.raises(ValidationError, match="уже сдана"):
        works_reassign(
            assessment=assessment, school=school, participant_ids=[work.participant_id], expert=None, actor=coordinator
        )


@pytest.mark.django_db
def test_an_expert_not_appointed_to_the_assessment_gets_no_works(
    assessment, school, participants, experts, coordinator
):
    stranger = StaffFactory(school=school)
    with pytest.raises(ValidationError, match="не назначен экспертом"):
        works_reassign(
            assessment=assessment,
            school=school,
            participant_ids=[participants[0].pk],
            expert=stranger,
            actor=coordinator,
        )


@pytest.fixture
def azarova_teaches_4a(assessment, experts, participants):
    TeachingLoadFactory(staff=experts[0], school_class=participants[0].school_class)
    campaign = assessment.campaign
    campaign.experts_check_own_classes = False
    campaign.save()
    return experts[0]


@pytest.mark.django_db
@pytest.mark.parametrize("mode", [BY_CLASS, BY_VARIANT])
def test_with_own_classes_off_no_expert_gets_a_class_they_teach(
    assessment, school, participants, experts, coordinator, azarova_teaches_4a, mode
):
    works_distribute(assessment=assessment, school=school, mode=mode, actor=coordinator)
    assert "4А" not in classes_of(azarova_teaches_4a)
    assert not Work.objects.filter(assessment=assessment, expert__isnull=True).exists()
    assert max(loads(assessment).values()) - min(loads(assessment).values()) <= 4


@pytest.mark.django_db
def test_with_own_classes_off_a_manual_assignment_of_ones_class_is_refused(
    assessment, school, participants, experts, coordinator, azarova_teaches_4a
):
    with pytest.raises(ValidationError, match="преподаёт в классе 4А"):
        works_reassign(
            assessment=assessment,
            school=school,
            participant_ids=[participants[0].pk],
            expert=azarova_teaches_4a,
            actor=coordinator,
        )
    assert not Work.objects.filter(expert=azarova_teaches_4a).exists()


@pytest.mark.django_db
def test_with_own_classes_off_a_class_only_its_teacher_could_take_stays_unassigned(
    assessment, school, participants, experts, coordinator, azarova_teaches_4a
):
    Appointment.objects.filter(staff__in=experts[1:]).delete()
    result = works_distribute(assessment=assessment, school=school, mode=BY_CLASS, actor=coordinator)
    assert len(result.unassigned) == 12
    assert classes_of(azarova_teaches_4a) == {"4Б", "4В"}


@pytest.mark.django_db
def test_with_own_classes_on_a_teacher_may_check_their_class(assessment, school, participants, experts, coordinator):
    TeachingLoadFactory(staff=experts[0], school_class=participants[0].school_class)
    works_reassign(
        assessment=assessment,
        school=school,
        participant_ids=[participants[0].pk],
        expert=experts[0],
        actor=coordinator,
    )
    assert Work.objects.get(participant=participants[0]).expert == experts[0]
