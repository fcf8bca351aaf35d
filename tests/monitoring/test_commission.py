"""The re-check commission (monitoring/commission.py, views_commission.py): who may serve (R4 own school and own
check, R3 qualification, R5 relatives), approval (Регламент 8.5), even distribution, the blind grid, adjudication
by a third expert at the threshold, the final result; another expert's works are 404."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from grading.models import Score
from monitoring import commission
from monitoring.models import CommissionMember, Recheck, RecheckScore, RecheckScoreChange, RecheckSelection, RecheckWork
from schools.models import AuditEntry, DeclaredRelative, Role
from tests.factories import (
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    StaffFactory,
    StaffSubjectFactory,
    make_assessment,
    make_campaign,
    make_participant,
    make_work,
    user_with_role,
)

# Two tasks of 20 points: the original figures (17, 19 → 36, «5») are unlike anything else on the pages.
TASKS = [("1", 20), ("2", 20)]
SCALE = {"3": 10, "4": 25, "5": 35}
ORIGINAL = (17, 19)


class World:
    pass


def qualified(school, subject, **fields):
    staff = StaffFactory(school=school, **fields)
    StaffSubjectFactory(staff=staff, subject=subject, experience_years=5)
    return staff


@pytest.fixture
def world(department, school, other_school):
    w = World()
    w.department, w.school, w.other_school = department, school, other_school
    w.campaign = make_campaign(department)
    w.assessment = make_assessment(w.campaign, tasks=TASKS, scale=SCALE)
    w.tasks = list(w.assessment.tasks.order_by("position"))
    w.original_expert = qualified(school, w.assessment.subject, last_name="Оригиналова")
    w.works = []
    for number in range(7):
        participant = make_participant(w.assessment, school=school, code=f"3000{number}", variant=1 + number % 2)
        work = make_work(participant, expert=w.original_expert, primary_score=sum(ORIGINAL), mark=5, is_complete=True)
        for task, value in zip(w.tasks, ORIGINAL, strict=True):
            Score.objects.create(work=work, task=task, value=value)
        w.works.append(work)
    w.recheck = Recheck.objects.create(department=department, campaign=w.campaign)
    w.selection = RecheckSelection.objects.create(
        recheck=w.recheck,
        school=school,
        assessment=w.assessment,
        reason=RecheckSelection.Reason.MANUAL,
        received_at=timezone.now(),
    )
    w.uo = user_with_role(Role.DEPARTMENT_STAFF, department=department)
    w.third_school = SchoolFactory(department=department, code="sch660003")
    w.experts = []
    for number in range(3):
        user = user_with_role(Role.EXPERT, school=other_school, username=f"commission{number}")
        w.experts.append(qualified(other_school if number < 2 else w.third_school, w.assessment.subject, user=user))
    return w


def approved(w, staff=None):
    for number, person in enumerate(staff or w.experts):
        commission.member_add(w.recheck, person, by=w.uo, is_chair=number == 0)
    return commission.commission_approve(w.recheck, order="№ 15 от 20.05.2026", by=w.uo)


def score_all(rw, values, user, round_=RecheckScore.Round.FIRST):
    for task, value in zip(rw.work.assessment.tasks.order_by("position"), values, strict=True):
        score = RecheckScore.objects.filter(recheck_work=rw, round=round_, task=task).first()
        commission.cell_save(rw, task, value, by=user, base_version=score.version if score else 0)


# Who may serve ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_r4_own_school_is_refused_with_the_reason(world):
    colleague = qualified(world.school, world.assessment.subject)
    reasons = commission.commission_conflicts(colleague, world.recheck)
    assert any("работы своей школы" in r for r in reasons)
    assert commission.commission_conflicts(world.experts[0], world.recheck) == []


@pytest.mark.django_db
def test_r4_a_work_they_checked_is_refused_even_from_another_school(world):
    outsider = qualified(world.third_school, world.assessment.subject)
    world.works[0].expert = outsider
    world.works[0].save()
    reasons = commission.commission_conflicts(outsider, world.recheck, selection=world.selection)
    assert any("свою проверку эксперт не перепроверяет" in r for r in reasons)


@pytest.mark.django_db
def test_r3_qualification_and_r5_relatives_are_reasons(world):
    novice = StaffFactory(school=world.other_school)
    StaffSubjectFactory(staff=novice, subject=world.assessment.subject, experience_years=1)
    assert any("стажем не менее 3 лет" in r for r in commission.commission_conflicts(novice, world.recheck))
    parent = world.experts[1]
    child = PupilFactory(school=world.school, school_class=SchoolClassFactory(school=world.school, grade=4, letter="Б"))
    make_participant(world.assessment, child, code="39999")
    DeclaredRelative.objects.create(staff=parent, pupil=child, relation="parent")
    assert any("близкий родственник" in r for r in commission.commission_conflicts(parent, world.recheck))


@pytest.mark.django_db
def test_candidates_show_r4_as_a_note_and_a_blocked_one_is_not_added(world):
    colleague = qualified(world.school, world.assessment.subject)
    candidate = commission.candidates_of([colleague], world.recheck)[0]
    assert candidate.blocked and candidate.notes and not candidate.refusals
    with pytest.raises(ValidationError):
        commission.member_add(world.recheck, colleague, by=world.uo)
    assert not CommissionMember.objects.exists()


# Approval ----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_approval_needs_order_chair_two_members_and_fixes_the_composition(world):
    commission.member_add(world.recheck, world.experts[0], by=world.uo)
    with pytest.raises(ValidationError) as error:
        commission.commission_approve(world.recheck, order="", by=world.uo)
    assert len(error.value.messages) == 3
    with pytest.raises(ValidationError):
        commission.works_distribute(world.recheck, by=world.uo)
    commission.member_add(world.recheck, world.experts[1], by=world.uo, is_chair=True)
    recheck = commission.commission_approve(world.recheck, order="№ 15", by=world.uo)
    assert recheck.commission_approved_by == world.uo
    with pytest.raises(ValidationError):
        commission.member_add(recheck, world.experts[2], by=world.uo)
    with pytest.raises(ValidationError):
        commission.commission_unapprove(recheck, reason=" ", by=world.uo)
    commission.commission_unapprove(recheck, reason="эксперт заболел", by=world.uo)
    commission.member_add(recheck, world.experts[2], by=world.uo)
    assert AuditEntry.objects.filter(action="recheck.commission_unapproved", reason="эксперт заболел").exists()


# Distribution ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_works_are_distributed_evenly_frozen_and_idempotently(world):
    approved(world)
    result = commission.works_distribute(world.recheck, by=world.uo)
    assert len(result.created) == 7 and not result.unassigned
    assert sorted(result.load.values()) == [2, 2, 3]
    rw = RecheckWork.objects.get(work=world.works[0])
    assert (rw.original_primary_score, rw.original_mark, rw.status) == (36, 5, RecheckWork.Status.ASSIGNED)
    again = commission.works_distribute(world.recheck, by=world.uo)
    assert not again.created and again.kept == 7
    assert RecheckWork.objects.count() == 7


@pytest.mark.django_db
def test_only_received_selections_and_a_work_nobody_may_take_is_listed(world):
    approved(world)
    world.works[0].expert = world.experts[0]
    world.works[0].save()
    # the other members conflict with the selection too: only the own-check half is left
    RecheckSelection.objects.filter(pk=world.selection.pk).update(received_at=None)
    with pytest.raises(ValidationError):
        commission.works_distribute(world.recheck, by=world.uo)
    RecheckSelection.objects.filter(pk=world.selection.pk).update(received_at=timezone.now())
    result = commission.works_distribute(world.recheck, by=world.uo)
    expert0 = CommissionMember.objects.get(staff=world.experts[0])
    assert not RecheckWork.objects.filter(expert=expert0).exists()  # R4: checked one of the selection's works
    assert len(result.created) == 7


@pytest.mark.django_db
def test_a_work_nobody_may_take_is_not_assigned_with_the_reasons(world):
    approved(world, world.experts[:2])
    for work in world.works:
        work.expert = world.experts[work.pk % 2]
        work.save()
    result = commission.works_distribute(world.recheck, by=world.uo)
    assert not result.created and len(result.unassigned) == 7
    assert any("свою проверку" in r for r in result.unassigned[0].reasons)


# The blind grid ----------------------------------------------------------------------------------------------------


@pytest.fixture
def distributed(world):
    approved(world)
    commission.works_distribute(world.recheck, by=world.uo)
    return world


def first_work(w, index=0):
    member = CommissionMember.objects.get(staff=w.experts[index])
    return RecheckWork.objects.filter(expert=member).select_related("work__assessment").order_by("pk").first()


@pytest.mark.django_db
def test_the_expert_grid_never_shows_the_original(client, distributed):
    w = distributed
    rw = first_work(w)
    user = w.experts[0].user
    client.force_login(user)
    page = client.get(reverse("monitoring:recheck_grid", args=[w.selection.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    table = re.search(r"<table.*?</table>", html, re.S).group(0)
    assert rw.work.participant.code in table
    for original in ORIGINAL + (36,):
        assert f">{original}<" not in table and f'value="{original}"' not in table
    assert "Оригиналова" not in html
    response = client.post(
        reverse("monitoring:recheck_cell_save"),
        json.dumps({"work": rw.pk, "task": w.tasks[0].pk, "value": "3", "base_version": 0}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert set(response.json()) == {"version", "value", "total", "mark"}
    assert response.json()["total"] == 3
    assert RecheckScoreChange.objects.filter(recheck_work=rw, new="3", round="first").exists()
    listing = client.get(reverse("monitoring:recheck_my_works")).content.decode()
    assert w.selection.school.code in listing and "Оригиналова" not in listing


@pytest.mark.django_db
def test_another_experts_work_is_404(client, distributed):
    w = distributed
    theirs = first_work(w, 1)
    client.force_login(w.experts[0].user)
    response = client.post(
        reverse("monitoring:recheck_cell_save"),
        json.dumps({"work": theirs.pk, "task": w.tasks[0].pk, "value": "3", "base_version": 0}),
        content_type="application/json",
    )
    assert response.status_code == 404
    stranger = user_with_role(Role.EXPERT, school=w.other_school)
    client.force_login(stranger)
    assert client.get(reverse("monitoring:recheck_grid", args=[w.selection.pk])).status_code == 404


@pytest.mark.django_db
def test_scores_are_0_to_max_or_x_and_refused_after_submit(distributed):
    w = distributed
    rw = first_work(w)
    user = w.experts[0].user
    with pytest.raises(ValidationError):
        commission.cell_save(rw, w.tasks[0], "21", by=user, base_version=0)
    with pytest.raises(ValidationError):
        commission.work_submit(rw, by=user)  # not every task scored
    score_all(rw, ORIGINAL, user)
    commission.cell_save(rw, w.tasks[0], "X", by=user, base_version=1)
    commission.cell_save(rw, w.tasks[0], "17", by=user, base_version=2)
    commission.work_submit(rw, by=user)
    with pytest.raises(ValidationError):
        commission.cell_save(rw, w.tasks[0], "16", by=user, base_version=3)


# Adjudication --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "status"),
    [
        ((16, 19), RecheckWork.Status.FINAL),  # 1 point below the threshold, the same mark
        ((15, 20), RecheckWork.Status.ADJUDICATION),  # 2 points at the threshold
        ((10, 10), RecheckWork.Status.ADJUDICATION),  # another mark (36 → 20: «5» → «3»)
    ],
)
def test_adjudication_triggers_at_the_threshold(distributed, values, status):
    w = distributed
    rw = first_work(w)
    score_all(rw, values, w.experts[0].user)
    rw = commission.work_submit(rw, by=w.experts[0].user)
    assert rw.status == status
    assert rw.recheck_primary_score == sum(values)
    if status == RecheckWork.Status.FINAL:
        assert rw.final_primary_score == sum(values)
        assert commission.final_scores(rw) == {w.tasks[0].pk: values[0], w.tasks[1].pk: values[1]}
    else:
        assert commission.final_scores(rw) == {}


@pytest.mark.django_db
def test_the_third_experts_decision_is_final(client, distributed):
    w = distributed
    rw = first_work(w)
    score_all(rw, (10, 10), w.experts[0].user)
    rw = commission.work_submit(rw, by=w.experts[0].user)
    first_member = CommissionMember.objects.get(staff=w.experts[0])
    with pytest.raises(ValidationError):
        commission.third_expert_assign(rw, by=w.uo, member=first_member)
    rw = commission.third_expert_assign(rw, by=w.uo)  # the least loaded eligible one
    third_user = rw.third_expert.staff.user
    assert rw.third_expert != first_member
    client.force_login(third_user)
    html = client.get(reverse("monitoring:recheck_grid", args=[w.selection.pk])).content.decode()
    table = re.search(r"<table.*?</table>", html, re.S).group(0)
    assert 'value="10"' not in table  # neither the first round's scores …
    assert 'value="17"' not in table  # … nor the original's
    score_all(rw, (17, 18), third_user, RecheckScore.Round.THIRD)
    with pytest.raises(ValidationError):
        commission.work_submit(rw, by=third_user)  # a decision note is required
    rw = commission.work_submit(rw, by=third_user, note="согласна с оригинальной проверкой по заданию 1")
    assert rw.status == RecheckWork.Status.FINAL
    assert (rw.final_primary_score, rw.final_mark) == (35, 5)
    assert (rw.recheck_primary_score, rw.recheck_mark) == (20, 3)
    assert commission.final_scores(rw) == {w.tasks[0].pk: 17, w.tasks[1].pk: 18}
    assert AuditEntry.objects.filter(action="recheck.work_decided").exists()


# The department's page --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_department_forms_approves_and_distributes_on_the_page(client, world):
    client.force_login(world.uo)
    url = reverse("monitoring:recheck_commission", args=[world.campaign.code])
    page = client.get(url, {"q": world.experts[0].last_name})
    assert page.status_code == 200 and world.experts[0].last_name in page.content.decode()
    colleague = qualified(world.school, world.assessment.subject, last_name="Своешкольная")
    page = client.get(url, {"q": "Своешкольная"}).content.decode()
    assert "работы своей школы" in page
    for number, person in enumerate(world.experts):
        client.post(url, {"action": "add", "staff": person.pk, "chair": "1" if number == 0 else ""})
    client.post(url, {"action": "add", "staff": colleague.pk})
    assert world.recheck.members.count() == 3
    client.post(url, {"action": "approve", "order": "№ 15 от 20.05.2026"})
    client.post(url, {"action": "distribute"})
    assert RecheckWork.objects.count() == 7
    page = client.get(url).content.decode()
    assert "№ 15 от 20.05.2026" in page


@pytest.mark.django_db
def test_the_selection_is_completed_when_every_work_has_its_final_result(distributed):
    w = distributed
    works = list(RecheckWork.objects.select_related("expert__staff__user", "work__assessment").order_by("pk"))
    for index, rw in enumerate(works):
        score_all(rw, ORIGINAL, rw.expert.staff.user)
        commission.work_submit(rw, by=rw.expert.staff.user)
        w.selection.refresh_from_db()
        assert (w.selection.completed_at is not None) == (index == len(works) - 1)


@pytest.mark.django_db
def test_a_member_is_removed_only_before_approval_and_before_scoring(distributed):
    w = distributed
    rw = first_work(w)
    member = rw.expert
    with pytest.raises(ValidationError):
        commission.member_remove(member, by=w.uo)  # approved: the composition is fixed
    commission.commission_unapprove(w.recheck, reason="замена эксперта", by=w.uo)
    commission.cell_save(rw, w.tasks[0], "3", by=member.staff.user, base_version=0)
    with pytest.raises(ValidationError):
        commission.member_remove(member, by=w.uo)
    other = first_work(w, 1).expert
    held = other.works.count()
    commission.member_remove(other, by=w.uo)
    assert not CommissionMember.objects.filter(pk=other.pk).exists()
    assert RecheckWork.objects.count() == 7 - held  # their works go back to the pool
    commission.chair_set(member, by=w.uo)
    assert list(w.recheck.members.filter(is_chair=True)) == [member]


@pytest.mark.django_db
def test_the_department_sends_divergent_works_to_the_least_loaded_third_expert(client, distributed):
    w = distributed
    rw = first_work(w)
    score_all(rw, (10, 10), w.experts[0].user)
    commission.work_submit(rw, by=w.experts[0].user)
    client.force_login(w.uo)
    url = reverse("monitoring:recheck_commission", args=[w.campaign.code])
    assert rw.work.participant.code in client.get(url).content.decode()
    client.post(url, {"action": "third_auto"})
    rw.refresh_from_db()
    assert rw.third_expert is not None and rw.third_expert != rw.expert
    assert AuditEntry.objects.filter(action="recheck.third_expert_assigned").exists()
