"""The way from a school's results page to its analytical справка (a panel of grading's results page, registered
from reports/apps.py): for those who read the справка — the school's coordinator and director, the department."""

from django.urls import reverse

from grading.panels import ResultsPanel
from schools.access import Capability, user_can


def school_report_panel(*, viewer, campaign, school, assessment, skills=None) -> ResultsPanel | None:
    if not user_can(viewer, Capability.VIEW_SCHOOL_REPORT, school):
        return None
    url = reverse("reports:school_report", args=[school.code, campaign.code])
    return ResultsPanel(template="reports/school_report/_results_link.html", context={"url": url}, key=url)
