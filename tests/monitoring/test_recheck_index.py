"""The department's entry to the re-check lists its campaigns with their re-check's counts, and no other
department's."""

import pytest
from django.urls import reverse

from monitoring.models import RecheckSelection
from monitoring.recheck import receipt_confirm, recheck_for, selection_add
from schools.models import Role
from tests.factories import (
    DepartmentFactory,
    SchoolFactory,
    make_assessment,
    make_campaign,
    user_with_role,
)


@pytest.mark.django_db
def test_the_index_lists_the_departments_campaigns_with_their_re_checks_counts(client):
    department = DepartmentFactory()
    campaign = make_campaign(department=department, code="VPR-IDX")
    assessment = make_assessment(campaign, code="RU-4")
    school = SchoolFactory(department=department)
    recheck = recheck_for(campaign)
    selection = selection_add(recheck, school, assessment, RecheckSelection.Reason.MANUAL, by=None)
    foreign = make_campaign(department=DepartmentFactory(code="uo-other", name="Другое УО"), code="VPR-FOREIGN")
    user = user_with_role(Role.DEPARTMENT_STAFF, department=department)
    client.force_login(user)

    page = client.get(reverse("monitoring:rechecks")).content.decode()

    assert "VPR-IDX" in page and foreign.code not in page
    assert reverse("monitoring:recheck", args=[campaign.code]) in page
    assert reverse("monitoring:recheck_commission", args=[campaign.code]) in page
    rows = [row for row in page.split("<tr>") if "VPR-IDX" in row]
    assert '<td class="text-end">1</td>\n    <td class="text-end">0</td>' in rows[0]
    selection.scans_sent_at = selection.selected_at
    selection.save(update_fields=["scans_sent_at"])
    receipt_confirm(selection, by=user)
    rows = [
        row for row in client.get(reverse("monitoring:rechecks")).content.decode().split("<tr>") if "VPR-IDX" in row
    ]
    assert '<td class="text-end">1</td>\n    <td class="text-end">1</td>' in rows[0]
