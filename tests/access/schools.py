from schools.models import Role
from tests.factories import StaffFactory

from .base import ALL, DEPT, EDITORS, MUNICIPAL, NAME_READERS, SCHOOL, Page, school_kwargs


def pupil_kwargs(objs):
    return {"school_code": objs["school"].code, "pk": objs["pupil"].pk}


def staff_kwargs(objs):
    return {"school_code": objs["school"].code, "pk": objs["staff"].pk}


def build_objects(own: dict, other: dict) -> None:
    own["staff"] = StaffFactory(school=own["school"])
    other["staff"] = StaffFactory(school=other["school"])


PAGES = {
    "home": Page(ALL, ok=302),
    "health": Page(ALL, public=True, anonymous_status=200),
    "no_role": Page(ALL),
    "login": Page(ALL, ok=302, public=True, anonymous_status=200),
    "logout": Page(ALL, ok=405),  # POST only
    "password_change": Page(ALL),
    "password_change_done": Page(ALL),
    "password_reset": Page(ALL, public=True, anonymous_status=200),
    "password_reset_done": Page(ALL, public=True, anonymous_status=200),
    "password_reset_confirm": Page(
        ALL, kwargs=lambda o: {"uidb64": "MQ", "token": "set-password"}, public=True, anonymous_status=200
    ),
    "password_reset_complete": Page(ALL, public=True, anonymous_status=200),
    "schools:school_list": Page(DEPT | SCHOOL),
    "schools:school_import": Page(MUNICIPAL),
    "schools:audit_list": Page(MUNICIPAL | {Role.DIRECTOR}),
    "schools:notification_list": Page(ALL),
    "schools:people_list": Page(MUNICIPAL | EDITORS),
    "schools:role_grant": Page(MUNICIPAL | EDITORS),
    "schools:school_detail": Page(DEPT | SCHOOL, kwargs=school_kwargs, scoped=True),
    "schools:school_edit": Page(MUNICIPAL | EDITORS, kwargs=school_kwargs, scoped=True),
    "schools:class_list": Page(DEPT | SCHOOL, kwargs=school_kwargs, scoped=True),
    "schools:pupil_list": Page(NAME_READERS, kwargs=school_kwargs, scoped=True),
    "schools:pupil_create": Page(EDITORS, kwargs=school_kwargs, scoped=True),
    "schools:pupil_import": Page(frozenset({Role.SCHOOL_COORDINATOR}), kwargs=school_kwargs, scoped=True),
    "schools:pupil_detail": Page(NAME_READERS, kwargs=pupil_kwargs, scoped=True),
    "schools:pupil_edit": Page(EDITORS, kwargs=pupil_kwargs, scoped=True),
    "schools:staff_list": Page(MUNICIPAL | EDITORS, kwargs=school_kwargs, scoped=True),
    "schools:staff_create": Page(EDITORS, kwargs=school_kwargs, scoped=True),
    "schools:staff_edit": Page(EDITORS, kwargs=staff_kwargs, scoped=True),
    "schools:staff_relatives": Page(EDITORS, kwargs=staff_kwargs, scoped=True, ok=405),  # POST only
}
