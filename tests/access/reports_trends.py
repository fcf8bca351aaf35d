"""Trends and the cohort view (reports/views_trends.py).

- The municipality's trend of an assessment with every school by code: VIEW_OVERVIEW, like the municipal results
  pages (the department's specialists and municipal coordinators); every other role 403, the schools included.
- A school's trend beside the municipality, and its cohorts (the same pupils a year later): VIEW_RESULTS, like
  the school's results page — the school's coordinator and director for their own school, the department for
  any school of its municipality (aggregates only, small groups hidden); the school roles of another school: 404.
Names appear on none of them (R11; tests/reports/test_trends.py plants distinctive surnames).
"""

from schools.access import Capability as C

from .base import Page
from .grading_results import assessment_kwargs as school_assessment_kwargs
from .reports_results import assessment_kwargs as municipal_assessment_kwargs
from .reports_results import build_objects as results_objects


def build_objects(own: dict, other: dict) -> None:
    results_objects(own, other)


PAGES = {
    "reports:municipal_trend": Page(C.VIEW_OVERVIEW, kwargs=municipal_assessment_kwargs),
    "reports:school_trend": Page(C.VIEW_RESULTS, kwargs=school_assessment_kwargs, scoped=True),
    "reports:cohort": Page(C.VIEW_RESULTS, kwargs=school_assessment_kwargs, scoped=True),
}
