"""R11 and «no results» for the people who visit schools: a public observer and the department's representative
follow every link reachable from their start pages (same-origin GETs, a few levels deep, the PDFs they can
download included) on a school with seated, scored pupils, an act and a card filed, violations recorded — and
meet no pupil's name and no result (marks, primary scores, shares of marks) on any of them."""

import datetime
import io
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone
from pypdf import PdfReader

from monitoring.items import items_of
from monitoring.models import ObservationAssignment, Person, VisitReport
from monitoring.services import observer_instruction_acknowledge
from monitoring.visit_reports import report_open, report_save, report_submit
from procedures.models import Appointment, Seat
from schools.models import Pupil, Role, Staff, User
from tests.factories import (
    PupilFactory,
    SchoolClassFactory,
    StaffFactory,
    make_assessment,
    make_campaign,
    make_participant,
    make_room,
    make_sitting,
    make_sitting_room,
    make_work,
)

MAX_DEPTH = 4
MAX_PAGES = 200
SKIPPED = ("/accounts/logout", "/static/", "/i18n/", "/admin/")
# What only a results page, a score grid or a results export shows. Not the words «первичный балл» or «отметка по
# журналу»: the campaign's catalogue page, which the representative reads, names the results form's columns.
RESULT_MARKERS = re.compile(
    r"средн\w* отметк|дол\w+ отметок|выполнение заданий|сумма баллов|отметка «[2-5]»|class=\"grid-cell|data-mark",
    re.IGNORECASE,
)
# The parts of the portal that show results: none of their pages may open for them.
RESULT_NAMESPACES = {"grading", "reports"}
# Pupils of the crawled school, named so that no other word of the portal contains their names.
PUPILS = (
    ("Пупырышкина", "Евлампия", "Ж"),
    ("Кукарекин", "Филимон", "М"),
    ("Зюзюкина", "Агриппина", "Ж"),
    ("Тыквослав", "Елпидифор", "М"),
)
HREF = re.compile(r"""(?:href|src|action)=["']([^"'#]+)""")


def _text_of(response) -> str:
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    if kind.startswith(("text/", "application/json")):
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return content.decode(errors="replace")
    return ""


def crawl(client: Client, *starts: str, max_depth: int = MAX_DEPTH) -> dict[str, str]:
    """Every same-origin page reachable by GET from `starts` (links, and redirects followed), depth-limited:
    URL → its text (a PDF's extracted text). Logging out and static files are left alone."""
    seen: dict[str, str] = {}
    queue = deque((start, 0) for start in starts)
    while queue and len(seen) < MAX_PAGES:
        url, depth = queue.popleft()
        url = urldefrag(url)[0]
        if url in seen or url.startswith(SKIPPED):
            continue
        response = client.get(url)
        if response.status_code in (301, 302, 303, 307, 308):
            seen[url] = ""
            location = urlsplit(response["Location"])
            if not location.netloc:
                queue.append((location.path + (f"?{location.query}" if location.query else ""), depth))
            continue
        text = _text_of(response) if response.status_code == 200 else ""
        seen[url] = text
        if depth >= max_depth or not response.get("Content-Type", "").startswith("text/html"):
            continue
        for link in HREF.findall(text):
            link = link.replace("&amp;", "&")
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            queue.append((link, depth + 1))
    return seen


def entry_points(school_code: str) -> list[str]:
    """Pages a role may open by its address without a link to them (what their capabilities allow, or not): the
    municipality's schools and campaigns, the school's page and classes, its observation pages, the department's
    violations and registry. Those the role may not open answer 403/404 and add nothing to the crawl."""
    names = [
        ("schools:school_list", {}),
        ("procedures:campaign_list", {}),
        ("schools:school_detail", {"school_code": school_code}),
        ("schools:class_list", {"school_code": school_code}),
        ("monitoring:school_reports", {"school_code": school_code}),
        ("monitoring:school_violations", {"school_code": school_code}),
        ("monitoring:school_observers", {"school_code": school_code}),
        ("monitoring:violations", {}),
        ("monitoring:registry", {}),
        ("monitoring:observation_day", {}),
    ]
    urls = []
    for name, kwargs in names:
        try:
            urls.append(reverse(name, kwargs=kwargs))
        except NoReverseMatch:
            continue
    return urls


def forbidden_names() -> set[str]:
    """Every pupil's «Фамилия Имя» (and «Имя Фамилия»), except where an adult who may be named (a user or a staff
    member) bears the same pair."""
    adults = {f"{last} {first}" for last, first in User.objects.values_list("last_name", "first_name")}
    adults |= {f"{last} {first}" for last, first in Staff.objects.values_list("last_name", "first_name")}
    names = set()
    for last, first in Pupil.objects.values_list("last_name", "first_name"):
        if f"{last} {first}" not in adults:
            names |= {f"{last} {first}", f"{first} {last}"}
    return names


@pytest.fixture
def visited_school(school, role_users, department):
    """Today's sitting of the school with a room, its pupils seated and scored, an organizer; the observer (placed
    in the room) and the representative sent to it; and yesterday's sitting with the act and the card signed,
    one of them reporting a violation."""
    campaign = make_campaign(department, window_start=timezone.localdate() - datetime.timedelta(days=10))
    assessment = make_assessment(campaign)
    today = timezone.localdate(timezone=school.tzinfo)
    klass = SchoolClassFactory(school=school, grade=4, letter="А")
    sittings = [make_sitting(assessment, school, date=today, lesson=2)]
    other = make_assessment(campaign, code="MA-4", subject="Математика")
    sittings.append(make_sitting(other, school, date=today - datetime.timedelta(days=1), lesson=3))
    room = make_sitting_room(sittings[0], make_room(school), released_at=timezone.now())
    organizer = StaffFactory(school=school, last_name="Организаторова", first_name="Нина")
    Appointment.objects.create(
        campaign=campaign, school=school, staff=organizer, duty=Appointment.Duty.ORGANIZER, sitting_room=room
    )
    for number, (last, first, sex) in enumerate(PUPILS):
        pupil = PupilFactory(school_class=klass, last_name=last, first_name=first, sex=sex)
        for index, work_of in enumerate((assessment, other)):
            participant = make_participant(work_of, pupil, code=f"{index + 1}{number:04d}")
            make_work(participant, primary_score=12 + number, mark=3 + number % 3, is_complete=True)
            if work_of is assessment:
                Seat.objects.create(sitting_room=room, participant=participant, row=1, column=number + 1)
    observer = Person.objects.create(
        department=department, user=role_users[Role.OBSERVER], kind=Person.Kind.OBSERVER, organisation="Палата"
    )
    representative = Person.objects.create(
        department=department, user=role_users[Role.DEPARTMENT_REPRESENTATIVE], kind=Person.Kind.REPRESENTATIVE
    )
    observer_instruction_acknowledge(user=observer.user)
    for sitting in sittings:
        ObservationAssignment.objects.create(person=observer, sitting=sitting, sitting_room=room)
        ObservationAssignment.objects.create(person=representative, sitting=sitting)
    for person, reported in ((observer, {"2.2": "yes"}), (representative, {"9": "no"})):
        assignment = ObservationAssignment.objects.get(person=person, sitting=sittings[1])
        report = report_open(assignment=assignment)
        for item in items_of(report.kind):
            value = reported.get(item.code) or {"yes": "no", "no": "yes"}[item.violation_if]
            report_save(assignment=assignment, field=item.code, value=value, text="Подробности нарушения.")
        report_save(assignment=assignment, field="started_at", value="09:00")
        report_save(assignment=assignment, field="ended_at", value="10:30")
        report.refresh_from_db()
        report_submit(report=report, user=person.user)
    return sittings


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, start",
    [(Role.OBSERVER, "monitoring:assignments"), (Role.DEPARTMENT_REPRESENTATIVE, "monitoring:cards")],
)
def test_no_pupil_name_and_no_result_on_any_page_they_reach(school, visited_school, role_users, role, start):
    pages = crawl(logged_in(role_users[role]), reverse(start), *entry_points(school.code))
    # the crawl reached their forms: today's to fill, yesterday's signed
    forms = {url for url in pages if url.startswith(("/monitoring/acts/", "/monitoring/cards/"))}
    assert len(forms) >= 2, sorted(pages)
    names = {word for last, first, _sex in PUPILS for word in (last, first)} | forbidden_names()
    for url, text in pages.items():
        assert not [name for name in names if name in text], url
        assert not RESULT_MARKERS.search(text), (url, RESULT_MARKERS.search(text).group(0))
        if text:  # a page that opened
            assert resolve(urlsplit(url).path).namespace not in RESULT_NAMESPACES, url


@pytest.mark.django_db
def test_the_crawl_would_see_a_name_and_a_result_where_there_are_some(visited_school, role_users):
    """The crawl's own check: the school's coordinator, who may see both, meets them on the pages it reaches."""
    pages = crawl(logged_in(role_users[Role.SCHOOL_COORDINATOR]), "/", max_depth=3)
    assert any(PUPILS[0][0] in text for text in pages.values())
    assert any(RESULT_MARKERS.search(text) for text in pages.values())


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OBSERVER, Role.DEPARTMENT_REPRESENTATIVE])
def test_the_pdf_of_their_own_signed_form_carries_no_name_and_no_result(visited_school, role_users, role):
    """The PDF of the act or card they signed (if they may download it at all) and any PDF the crawl found."""
    client = logged_in(role_users[role])
    signed = VisitReport.objects.get(assignment__person__user=role_users[role], status=VisitReport.Status.SUBMITTED)
    urls = {reverse("monitoring:report_pdf", args=[signed.pk])}
    start = "monitoring:assignments" if role == Role.OBSERVER else "monitoring:cards"
    urls |= {url for url in crawl(client, reverse(start)) if url.endswith("/pdf/")}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        if response.status_code != 200:
            continue
        text = _text_of(response)
        assert items_of(signed.kind)[0].text[:20] in text, url  # the PDF's text was read
        assert not any(word in text for last, first, _sex in PUPILS for word in (last, first)), url
        assert not RESULT_MARKERS.search(text), url
