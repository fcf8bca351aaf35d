"""The audit log reads in people's words: every action has a phrase, fields have names, values are formatted,
and the log filters by kind of action and by object without telling the department a pupil's name."""

import ast
import datetime
import pathlib
import re

import pytest
from django.conf import settings
from django.urls import reverse

from procedures.models import SchoolSchedule
from schools import audit_labels
from schools.models import AuditEntry, Role
from schools.services import audit_record
from tests.factories import SubjectFactory, make_campaign

APPS = ("vpr_portal", "schools", "procedures", "grading", "monitoring", "reports")
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")
# Codes built at run time: the f-string's prefix and the values it is filled with.
BUILT_CODES = {"schedule.": [SchoolSchedule.Status.APPROVED, SchoolSchedule.Status.RETURNED]}


def _strings(node) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    if isinstance(node, ast.JoinedStr):
        prefix = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        assert prefix in BUILT_CODES, f"an action code built at run time: {ast.unparse(node)}"
        return [prefix + value for value in BUILT_CODES[prefix]]
    return []


def action_codes_in_source() -> set[str]:
    """Every action code the apps record: `action=`/`audit_action=` arguments and `action = …` assignments."""
    root = pathlib.Path(settings.BASE_DIR)
    codes = set()
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                values = []
                if isinstance(node, ast.keyword) and node.arg in {"action", "audit_action"}:
                    values = [node.value]
                elif isinstance(node, ast.Assign):
                    names = [target.id for target in node.targets if isinstance(target, ast.Name)]
                    if any(name == "action" or name.endswith("_ACTION") for name in names):
                        values = [node.value]
                for value in values:
                    codes |= {code for code in _strings(value) if CODE.match(code)}
    return codes


def test_every_action_code_recorded_in_the_code_has_a_phrase():
    codes = action_codes_in_source()
    assert {"form_upload.recorded", "schedule.approved", "assessment.created", "protocol.corrected"} <= codes
    assert len(codes) > 60
    missing = sorted(codes - set(audit_labels.ACTIONS))
    assert not missing, f"actions without a phrase in schools/audit_labels.py: {missing}"
    assert audit_labels.action_phrase("form_upload.recorded") == "Загружена форма сбора результатов"


def test_each_action_belongs_to_one_group():
    seen = [code for group in audit_labels.ACTION_GROUPS for code in group.actions]
    assert len(seen) == len(set(seen))


def audit_page(client, user, whole=False, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("schools:audit_list"), params)
    assert response.status_code == 200
    html = response.content.decode()
    if whole:
        return html
    # The rows only: the filter form lists every phrase and repeats what the reader typed.
    return html[html.index("<tbody>") : html.index("</tbody>")] + html[html.index("</tbody>") :].split("</table>")[1]


@pytest.mark.django_db
def test_actions_fields_and_values_are_shown_in_words(client, role_users, school, settings):
    settings.TIME_ZONE = "UTC"
    school.time_zone = "Europe/Moscow"
    school.save()
    subject = SubjectFactory(name="Окружающий мир")
    audit_record(
        actor=role_users[Role.SCHOOL_COORDINATOR],
        action="form_upload.recorded",
        school=school,
        after={"uploaded_at": "2025-04-15T06:30:00+00:00", "late": True, "size": 2048},
    )
    audit_record(
        actor=role_users[Role.SCHOOL_COORDINATOR],
        action="protocol.submitted",
        school=school,
        before={"materials_collected": False, "codes": ["A1", "A2"]},
        after={"materials_collected": True, "codes": ["A1", "A2", "A3"], "date": "2025-04-15"},
    )
    audit_record(
        actor=role_users[Role.SCHOOL_COORDINATOR],
        action="grading.submitted",
        school=school,
        after={"subject_id": subject.pk},
    )
    html = audit_page(client, role_users[Role.DIRECTOR])
    assert "Загружена форма сбора результатов" in html and "Протокол аудитории сдан" in html
    assert "form_upload.recorded</td>" not in html
    assert "15.04.2025 09:30" in html  # 06:30 UTC in the school's Moscow time
    assert "С опозданием</strong>: да" in html
    assert "2,0\xa0КБ" in html or "2,0 КБ" in html
    assert "нет → да" in html
    assert "A1, A2 → A1, A2, A3" in html
    assert "Дата</strong>: 15.04.2025" in html
    assert "Предмет</strong>: Окружающий мир" in html


@pytest.mark.django_db
def test_choices_and_model_fields_are_named_by_the_model(client, role_users, department):
    campaign = make_campaign(department)
    audit_record(
        actor=None,
        action="campaign.status_changed",
        target=campaign,
        department=department,
        before={"status": "draft"},
        after={},
    )
    html = audit_page(client, role_users[Role.DEPARTMENT_STAFF])
    status_field = type(campaign)._meta.get_field("status")
    assert (
        f"{str(status_field.verbose_name).capitalize()}</strong>: {dict(status_field.flatchoices)['draft']} → —" in html
    )
    assert f"{str(type(campaign)._meta.verbose_name).capitalize()}:</span> {campaign}" in html


@pytest.mark.django_db
def test_the_log_filters_by_kind_of_action_by_action_and_by_object(client, role_users, school, department):
    campaign = make_campaign(department)
    campaign.title = "Весенняя проверка"
    campaign.save()
    audit_record(
        actor=None,
        action="campaign.updated",
        target=campaign,
        department=department,
        after={"title": "Весенняя проверка"},
    )
    audit_record(actor=None, action="school.updated", target=school, after={"short_name": "Лицей №7"})
    audit_record(actor=None, action="form_upload.recorded", school=school, after={"late": False})
    reader = role_users[Role.DEPARTMENT_STAFF]

    html = audit_page(client, reader, kind="campaigns")
    assert "Изменена кампания" in html and "Изменена школа" not in html and "Загружена форма" not in html
    assert 'value="campaigns" selected' in audit_page(client, reader, whole=True, kind="campaigns")
    html = audit_page(client, reader, kind="results")
    assert "Загружена форма сбора результатов" in html and "Изменена кампания" not in html
    html = audit_page(client, reader, action="school.updated")
    assert "Лицей №7" in html and "Весенняя проверка" not in html
    html = audit_page(client, reader, type="schools.school")
    assert "Лицей №7" in html and "Изменена кампания" not in html
    assert '<option value="schools.school" selected>Школа</option>' in audit_page(
        client, reader, whole=True, type="schools.school"
    )
    html = audit_page(client, reader, target="Весенняя")
    assert "Изменена кампания" in html and "Изменена школа" not in html
    html = audit_page(client, reader, kind="schools", target=school.code)
    assert "Изменена школа" in html and "Загружена форма" not in html


@pytest.mark.django_db
def test_the_log_is_paginated_and_the_pages_keep_the_filter(client, role_users, school, settings):
    for number in range(settings.PAGE_SIZE + 3):
        audit_record(actor=None, action="school.updated", target=school, after={"short_name": f"Школа {number}"})
    audit_record(actor=None, action="form_upload.recorded", school=school, after={"late": False})
    html = audit_page(client, role_users[Role.DIRECTOR], kind="schools")
    assert "page=2" in html and "kind=schools" in html
    assert audit_page(client, role_users[Role.DIRECTOR], kind="schools", page=2).count("Изменена школа") == 3


@pytest.mark.django_db
def test_the_department_cannot_find_a_pupil_by_name_nor_read_a_schools_text(client, role_users, school, pupil):
    client.force_login(role_users[Role.SCHOOL_COORDINATOR])
    client.post(
        reverse("schools:pupil_edit", args=[school.code, pupil.pk]),
        {"last_name": "Зюзикова", "first_name": "Алиса", "school_class": pupil.school_class_id, "sex": "Ж"},
    )
    audit_record(
        actor=role_users[Role.SCHOOL_COORDINATOR],
        action="participant.exempted",
        school=school,
        target_label="Зюзикова Алиса",
        after={"exemption_reason": "болеет", "uploaded_at": "2025-04-15T06:30:00+00:00"},
    )
    assert AuditEntry.objects.filter(target_label__contains="Зюзикова").exists()
    reader = role_users[Role.DEPARTMENT_STAFF]
    for params in ({}, {"target": "Зюзикова"}, {"kind": "participants"}, {"type": "schools.pupil"}):
        html = audit_page(client, reader, **params)
        for secret in ("Зюзиков", "Алиса", "болеет"):
            assert secret not in html, (params, secret)
    assert "Участник освобождён от работы" not in audit_page(client, reader, target="Зюзикова")
    html = audit_page(client, reader, kind="participants")
    assert "Участник освобождён от работы" in html and "•••" in html
    # The school's director finds the same entry by the name.
    assert "Зюзикова" in audit_page(client, role_users[Role.DIRECTOR], target="Зюзикова")


def test_values_are_formatted_without_a_request():
    moment = datetime.datetime(2025, 4, 15, 6, 30, tzinfo=datetime.UTC).isoformat()
    assert audit_labels.format_value(None) == "—"
    assert audit_labels.format_value([True, False]) == "да, нет"
    assert audit_labels.format_value(1.5) == "1,5"
    assert audit_labels.format_value(moment).startswith("15.04.2025")
    assert audit_labels.format_value("•••", mask="•••") == "•••"
    assert audit_labels.field_label("max") == "максимальный балл"
    assert audit_labels.field_label("nonexistent_key") == "nonexistent_key"


@pytest.mark.django_db
def test_model_fields_without_a_russian_name_and_coded_values_are_in_words():
    # Appointment.assessment and .staff carry Django's default names («assessment», «staff»)
    assert audit_labels.field_label("assessment", target_type="procedures.appointment") == "работа"
    assert audit_labels.field_label("staff", target_type="procedures.appointment") == "сотрудник"
    assert audit_labels.format_value("class", field="mode") == "по классам"
    assert audit_labels.format_value("variant", field="mode") == "по вариантам"
