"""Parents' results slips (Регламент 3.1.6): a class's slips of one assessment, printed in the request, two to an A4
page; per participant the name (the school only, R11), mark, primary score and every task's points with its skill
and level, and beside each task the class's and the municipality's completion — the numbers of `results_figures`.
Every print is logged and audited; the school marks which slips were handed out. The department gets 403, another
school's class is 404."""

import io
import json
import math
import os

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from grading import figures
from grading.models import SlipHandout, SlipPrint
from grading.results_form import FormRow, ParsedForm
from grading.services.results import results_import
from grading.services.scores import Cell
from grading.slips import class_slips, class_slips_pdf, slips_title
from procedures.models import Participant
from procedures.services.participants import codes_issue
from schools.models import AuditEntry, Role
from tests.factories import PupilFactory, SchoolClassFactory, make_sitting, user_with_role
from vpr_portal.pdf import pdf_text

SKILL = "Умение списывать текст с пропусками орфограмм и пунктограмм"


def points_for(index: int, task, seed: int):
    """A fixed pattern of points: some «X», the rest spread over 0…max."""
    if (index + seed) % 7 == 3:
        return Cell(None, not_attempted=True)
    return Cell((index * 3 + seed) % (task.max_points + 1))


def import_results(assessment, school, *, absent_codes=(), left_out=(), seed=0) -> None:
    tasks = list(assessment.tasks.order_by("position"))
    rows = []
    participants = Participant.objects.filter(assessment=assessment, school=school).order_by("class_name", "code")
    for number, participant in enumerate(participants, start=2):
        if participant.code in left_out:
            continue
        if participant.code in absent_codes:
            rows.append(FormRow(number, participant.code, None, True, tuple(Cell(None) for _t in tasks), None))
            continue
        cells = tuple(points_for(number + position, task, seed) for position, task in enumerate(tasks))
        rows.append(FormRow(number, participant.code, 1 + number % 2, False, cells, None))
    results_import(assessment=assessment, school=school, form=ParsedForm(rows=rows), actor=None)


@pytest.fixture
def graded(assessment, school, other_school, class_4a, pupil):
    """4А of sch660001: the pupil and six more (one absent, one without a result yet); 4Б of the school with five;
    4А of sch660002 with six — all with codes and results imported (the municipality is both schools)."""
    task = assessment.tasks.order_by("position").first()
    task.skill = SKILL
    task.save(update_fields=["skill"])
    PupilFactory.create_batch(6, school_class=class_4a)
    PupilFactory.create_batch(5, school_class=SchoolClassFactory(school=school, grade=4, letter="Б"))
    PupilFactory.create_batch(6, school_class=SchoolClassFactory(school=other_school, grade=4, letter="А"))
    for each in (school, other_school):
        codes_issue(campaign=assessment.campaign, school=each, actor=None)
    codes = list(
        Participant.objects.filter(assessment=assessment, school=school, class_name="4А")
        .order_by("code")
        .values_list("code", flat=True)
    )
    import_results(assessment, school, absent_codes={codes[1]}, left_out={codes[2]}, seed=1)
    import_results(assessment, other_school, seed=5)
    make_sitting(assessment, school)
    return assessment


@pytest.fixture
def coordinator(school):
    return user_with_role(Role.SCHOOL_COORDINATOR, school=school, username="slips-coord")


def participants_of_4a(assessment, school):
    return list(
        Participant.objects.filter(assessment=assessment, school=school, class_name="4А").select_related(
            "pupil", "work"
        )
    )


def print_url(assessment, school, school_class, name="slips_print"):
    return reverse(
        f"grading:{name}",
        kwargs={
            "school_code": school.code,
            "campaign_code": assessment.campaign.code,
            "assessment_code": assessment.code,
            "class_id": school_class.pk,
        },
    )


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def percent_text(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


@pytest.mark.django_db
def test_every_participant_of_the_class_gets_a_slip_two_to_a_page(graded, school, class_4a):
    slips = class_slips(assessment=graded, school_class=class_4a)
    participants = participants_of_4a(graded, school)
    assert len(slips.slips) == len(participants) == 7
    assert [slip.name for slip in slips.slips] == sorted((p.pupil.full_name for p in participants), key=str.casefold)
    data = class_slips_pdf(slips)
    pages = page_texts(data)
    assert len(pages) == math.ceil(7 / 2) == 4
    title = slips_title(graded.campaign)
    assert [text.count(title) for text in pages] == [2, 2, 2, 1]  # one slip per half page
    text = pdf_text(data)
    for participant in participants:
        assert participant.pupil.full_name in text.replace("\n", " ")
        assert participant.code in text
    assert school.name in text
    assert graded.campaign.title in text
    assert "Страница 1 из 4" in pages[0] and "Страница 4 из 4" in pages[3]  # page numbers


@pytest.mark.django_db
def test_points_mark_and_score_are_the_participants_and_x_counts_0(graded, school, class_4a):
    slips = {slip.code: slip for slip in class_slips(assessment=graded, school_class=class_4a).slips}
    tasks = list(graded.tasks.order_by("position"))
    checked = 0
    for participant in participants_of_4a(graded, school):
        slip = slips[participant.code]
        work = getattr(participant, "work", None)
        if participant.absent or work is None or not work.is_complete:
            assert slip.mark is None and slip.primary_score is None
            continue
        scores = {score.task_id: score for score in work.scores.all()}
        assert [line.points for line in slip.tasks] == [scores[task.pk].value or 0 for task in tasks]
        assert [line.not_attempted for line in slip.tasks] == [scores[task.pk].not_attempted for task in tasks]
        assert slip.primary_score == work.primary_score == sum(line.points for line in slip.tasks)
        assert slip.mark == work.mark == graded.mark_for(work.primary_score)
        assert slip.max_score == 24
        assert [line.level for line in slip.tasks] == [task.difficulty for task in tasks]
        checked += 1
    assert checked == 5
    assert any(line.not_attempted for slip in slips.values() for line in slip.tasks)


@pytest.mark.django_db
def test_completion_beside_each_task_is_that_of_results_figures(graded, school, class_4a):
    slips = class_slips(assessment=graded, school_class=class_4a)
    out = io.StringIO()
    call_command("results_figures", campaign=graded.campaign.code, assessment=graded.code, json=True, stdout=out)
    municipality = json.loads(out.getvalue())["tasks"]
    by_class = figures.figures_by_class(assessment=graded, school=school)["4А"]
    assert by_class.participants == slips.class_participants == 5
    text = pdf_text(class_slips_pdf(slips))
    for line in slips.slips[0].tasks:
        assert line.municipality_share == municipality[line.label]
        assert line.class_share == by_class.tasks[line.label]
    # the numbers printed are these: one row of a task, label … class … municipality
    first = slips.slips[0]
    if first.has_result:
        line = first.tasks[0]
        assert f"{percent_text(line.class_share)} {percent_text(line.municipality_share)}" in text


@pytest.mark.django_db
def test_the_skill_of_each_task_is_on_the_slip(graded, class_4a):
    data = class_slips_pdf(class_slips(assessment=graded, school_class=class_4a))
    if os.environ.get("SLIPS_PDF"):  # to look at the layout
        with open(os.environ["SLIPS_PDF"], "wb") as handle:
            handle.write(data)
    text = pdf_text(data).replace("\n", " ")
    assert SKILL in text
    assert "10.1" in text  # the factory's skills of the other tasks


LONG_SKILL = (
    "Умение находить в тексте информацию, представленную в явном виде, и использовать её для решения учебной задачи; "
    "формулировать выводы на основе прочитанного и обосновывать их примерами из текста"
)


@pytest.mark.django_db
def test_long_skills_keep_each_slip_on_its_half_page_with_every_task(graded, school, class_4a):
    """Skills as long as a кодификатор's (here 190 characters, every task): each slip still fits its half page — two
    slips a page, each with its every task's line, the legend and the signature line — the skills cut short if
    need be, never a task."""
    graded.tasks.update(skill=LONG_SKILL)
    slips = class_slips(assessment=graded, school_class=class_4a)
    with_result = [slip for slip in slips.slips if slip.has_result]
    data = class_slips_pdf(slips)
    pages = page_texts(data)
    assert len(pages) == math.ceil(7 / 2) == 4
    assert [text.count("Классный руководитель") for text in pages] == [2, 2, 2, 1]
    text = " ".join(pages).replace("\n", " ")
    last = graded.tasks.order_by("position").last()
    assert last.label == "1К1" and text.count("1К1") == len(with_result) == 5  # the last task on every result
    assert text.count("Ур. — уровень сложности задания") == 5
    assert text.count("Умение находить в тексте информацию, представленную в явном виде") == 5 * graded.tasks.count()


@pytest.mark.django_db
def test_an_absent_pupil_gets_a_slip_saying_so_and_an_ungraded_one_no_result(graded, school, class_4a):
    slips = class_slips(assessment=graded, school_class=class_4a).slips
    absent = [slip for slip in slips if slip.absent]
    pending = [slip for slip in slips if not slip.absent and not slip.complete]
    assert len(absent) == 1 and len(pending) == 1
    text = pdf_text(class_slips_pdf(class_slips(assessment=graded, school_class=class_4a))).replace("\n", " ")
    assert "не писал(а) эту работу" in text
    assert "Результат ещё не готов" in text
    assert graded.campaign.window_start.strftime("%d.%m.%Y") in text  # the sitting's date


@pytest.mark.django_db
def test_the_print_is_a_pdf_logged_and_audited_without_names(client, graded, school, class_4a, coordinator):
    client.force_login(coordinator)
    response = client.get(print_url(graded, school, class_4a))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Снегирёва Алиса Олеговна" in pdf_text(response.content).replace("\n", " ")
    printed = SlipPrint.objects.get()
    assert (printed.school, printed.assessment, printed.class_name, printed.slips) == (school, graded, "4А", 7)
    assert printed.printed_by == coordinator
    entry = AuditEntry.objects.get(action="parent_slips.printed")
    assert entry.after == {"campaign": graded.campaign.code, "assessment": graded.code, "class": "4А", "slips": 7}
    assert entry.school == school
    assert "Снегирёва" not in json.dumps(entry.after, ensure_ascii=False) + entry.target_label


@pytest.mark.django_db
def test_the_director_prints_the_department_and_the_technical_specialist_may_not(
    client, graded, school, class_4a, department
):
    url = print_url(graded, school, class_4a)
    client.force_login(user_with_role(Role.DIRECTOR, school=school, username="slips-director"))
    assert client.get(url).status_code == 200
    for role, where in (
        (Role.DEPARTMENT_STAFF, {"department": department}),
        (Role.MUNICIPAL_COORDINATOR, {"department": department}),
        (Role.TECHNICAL_SPECIALIST, {"school": school}),
    ):
        client.force_login(user_with_role(role, username=f"slips-{role}", **where))
        response = client.get(url)
        assert response.status_code == 403, role
        assert b"%PDF" not in response.content
    assert SlipPrint.objects.count() == 1


@pytest.mark.django_db
def test_another_schools_class_and_a_class_without_participants_are_404(
    client, graded, school, other_school, class_4a, coordinator
):
    client.force_login(coordinator)
    other_class = other_school.classes.get()
    # another school in the URL, and another school's class under one's own school
    assert client.get(print_url(graded, other_school, other_class)).status_code == 404
    assert client.get(print_url(graded, school, other_class)).status_code == 404
    empty = SchoolClassFactory(school=school, grade=7, letter="В")
    assert client.get(print_url(graded, school, empty)).status_code == 404
    assert client.get(print_url(graded, school, other_class, name="slips_class")).status_code == 404
    assert not SlipPrint.objects.exists()


@pytest.mark.django_db
def test_the_campaign_page_lists_each_class_with_its_print_and_the_log(client, graded, school, class_4a, coordinator):
    client.force_login(coordinator)
    client.get(print_url(graded, school, class_4a))
    page = client.get(
        reverse("grading:slips_campaign", kwargs={"school_code": school.code, "campaign_code": graded.campaign.code})
    ).content.decode()
    assert print_url(graded, school, class_4a) in page
    class_4b = school.classes.get(letter="Б")
    assert print_url(graded, school, class_4b) in page
    assert 'data-testid="slip-print-log"' in page
    assert "Пользователева" in page  # who printed, in the log
    school_page = client.get(reverse("grading:slips_school", kwargs={"school_code": school.code})).content.decode()
    assert graded.campaign.title in school_page


@pytest.mark.django_db
def test_handing_out_is_marked_per_pupil_and_can_be_undone(client, graded, school, class_4a, coordinator, pupil):
    client.force_login(coordinator)
    url = print_url(graded, school, class_4a, name="slips_class")
    participant = Participant.objects.get(assessment=graded, pupil=pupil)
    response = client.post(url, {"participants": [participant.pk], "handed_on": "2026-05-12"})
    assert response.status_code == 302
    handout = SlipHandout.objects.get()
    assert (handout.participant, str(handout.handed_on), handout.recorded_by) == (
        participant,
        "2026-05-12",
        coordinator,
    )
    page = client.get(url).content.decode()
    assert "12.05.2026" in page and "Снегирёва" in page
    assert 'data-handed="1"' in page
    entry = AuditEntry.objects.get(action="parent_slips.handed_out")
    assert entry.after["codes"] == [participant.code] and "Снегирёва" not in json.dumps(entry.after)
    # marking again changes nothing: the pupil is no longer on the choices
    again = client.post(url, {"participants": [participant.pk], "handed_on": "2026-05-13"})
    assert again.status_code == 400
    assert str(SlipHandout.objects.get().handed_on) == "2026-05-12"
    cancel = print_url(graded, school, class_4a, name="slips_handout_cancel")
    assert client.post(cancel, {"participant": participant.pk}).status_code == 302
    assert not SlipHandout.objects.exists()
    assert AuditEntry.objects.filter(action="parent_slips.handout_cancelled").count() == 1


@pytest.mark.django_db
def test_a_future_date_or_another_classs_pupil_is_refused_and_nothing_written(
    client, graded, school, other_school, class_4a, coordinator
):
    client.force_login(coordinator)
    url = print_url(graded, school, class_4a, name="slips_class")
    mine = Participant.objects.filter(assessment=graded, school=school, class_name="4А").first()
    response = client.post(url, {"participants": [mine.pk], "handed_on": "2099-01-01"})
    assert response.status_code == 400
    assert "позже сегодняшнего" in response.content.decode()
    stranger = Participant.objects.filter(school=other_school).first()
    response = client.post(url, {"participants": [stranger.pk], "handed_on": "2026-05-12"})
    assert response.status_code == 400
    assert not SlipHandout.objects.exists()


@pytest.mark.django_db
def test_the_slips_take_the_same_queries_for_a_bigger_class(graded, school, class_4a):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            class_slips(assessment=graded, school_class=class_4a)
        return len(queries)

    before = count()
    PupilFactory.create_batch(10, school_class=class_4a)
    codes_issue(campaign=graded.campaign, school=school, actor=None)
    import_results(graded, school, seed=2)
    assert len(class_slips(assessment=graded, school_class=class_4a).slips) == 17
    assert count() == before
