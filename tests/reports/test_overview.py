"""The department's overview counts this academic year's classes and the pupils studying now."""

import pytest

from reports.selectors import municipality_overview
from schools.models import current_academic_year
from tests.factories import PupilFactory, SchoolClassFactory


@pytest.mark.django_db
def test_the_overview_counts_only_this_years_classes_and_studying_pupils(school, department_user):
    this_year = SchoolClassFactory(school=school, grade=5, letter="А")
    SchoolClassFactory(school=school, grade=4, letter="А", academic_year=current_academic_year() - 1)
    PupilFactory(school=school, school_class=this_year)
    PupilFactory(school=school, school_class=this_year, is_active=False)
    overview = municipality_overview(department_user)
    row = next(s for s in overview["schools"] if s.pk == school.pk)
    assert (row.class_count, row.pupil_count) == (1, 1)
    assert (overview["class_total"], overview["pupil_total"]) == (1, 1)
