"""Campaign kinds: ВПР and the other assessment procedures (входной/промежуточный/итоговый контроль, СтатГрад, НИКО,
региональный мониторинг, апробация). Only the federal ones need an upload deadline for ФИС ОКО; a school's own
procedure may name its school."""

import copy

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from procedures.models import Campaign, campaign_kind_problems
from tests.procedures.test_catalogue import CATALOGUE, load
from tests.procedures.test_catalogue import specialist as specialist  # the fixture

FORM = {
    "code": "VK-2026",
    "title": "Входной контроль 2026",
    "window_start": "2026-09-14",
    "window_end": "2026-09-25",
    "criteria_open_time": "14:00",
    "retention_months": 12,
}


@pytest.mark.django_db
def test_existing_and_new_campaigns_are_vpr_by_default(campaign):
    assert campaign.kind == Campaign.Kind.VPR and campaign.is_federal and campaign.owner_school is None


@pytest.mark.django_db
def test_a_school_procedure_needs_no_upload_deadline_and_names_its_school(client, specialist, school):
    client.force_login(specialist)
    response = client.post(reverse("procedures:campaign_create"), {**FORM, "kind": "entry", "owner_school": school.pk})
    assert response.status_code == 302, response.content.decode()
    campaign = Campaign.objects.get(code="VK-2026")
    assert (campaign.kind, campaign.owner_school, campaign.upload_deadline) == ("entry", school, None)
    page = client.get(reverse("procedures:campaign_detail", args=[campaign.code])).content.decode()
    assert "входной контроль" in page and "не установлен" in page


@pytest.mark.django_db
def test_a_federal_procedure_without_a_deadline_is_refused_in_russian(client, specialist, school):
    client.force_login(specialist)
    response = client.post(reverse("procedures:campaign_create"), {**FORM, "kind": "vpr"})
    assert response.status_code == 200
    assert "нужен срок загрузки результатов в ФИС ОКО" in response.content.decode()
    response = client.post(
        reverse("procedures:campaign_create"),
        {**FORM, "kind": "niko", "deadline_date": "2026-09-30", "owner_school": school.pk},
    )
    assert "не одна школа" in response.content.decode()
    assert not Campaign.objects.filter(code="VK-2026").exists()


@pytest.mark.django_db
def test_the_owning_school_belongs_to_the_campaigns_department(department, school):
    from tests.factories import DepartmentFactory, SchoolFactory

    stranger = SchoolFactory(department=DepartmentFactory(code="uo-other"), code="sch999001")
    campaign = Campaign(department=department, kind=Campaign.Kind.FINAL, owner_school=stranger)
    assert set(campaign_kind_problems(campaign)) == {"owner_school"}
    campaign.owner_school = school
    assert campaign_kind_problems(campaign) == {}


@pytest.mark.django_db
def test_the_database_refuses_a_federal_campaign_without_a_deadline(campaign):
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(upload_deadline=None)
    Campaign.objects.filter(pk=campaign.pk).update(kind=Campaign.Kind.STATGRAD, upload_deadline=None)


@pytest.mark.django_db
def test_the_catalogue_takes_an_optional_kind(tmp_path, department):
    data = copy.deepcopy(CATALOGUE)
    data["campaign"]["kind"] = "midterm"
    del data["campaign"]["upload_deadline"]
    code, _out, err = load(tmp_path, data)
    assert (code, err) == (0, "")
    assert Campaign.objects.get(code="VPR-2026").kind == "midterm"

    data["campaign"].update(code="X-1", kind="vpr")
    code, _out, err = load(tmp_path, data)
    assert code == 1 and "upload_deadline" in err
    data["campaign"].update(kind="олимпиада")
    code, _out, err = load(tmp_path, data)
    assert code == 1 and "вид «олимпиада» неизвестен" in err
    assert not Campaign.objects.filter(code="X-1").exists()


@pytest.mark.django_db
def test_the_upload_page_of_a_procedure_without_deadline_says_so(client, coordinator, school, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(kind=Campaign.Kind.ENTRY, upload_deadline=None)
    client.force_login(coordinator)
    response = client.get(reverse("grading:school_uploads", args=[campaign.code, school.code]))
    assert response.status_code == 200
    assert "не установлен" in response.content.decode()


@pytest.mark.django_db
def test_the_campaign_list_names_the_kind_of_other_procedures(client, specialist, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(kind=Campaign.Kind.STATGRAD)
    client.force_login(specialist)
    html = client.get(reverse("procedures:campaign_list")).content.decode()
    assert 'data-testid="campaign-kind">СтатГрад<' in html
