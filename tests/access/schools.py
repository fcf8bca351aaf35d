from schools.access import Capability as C
from tests.factories import StaffFactory

from .base import ALL, Page, school_kwargs


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
    "schools:school_list": Page(C.VIEW_SCHOOL),
    "schools:school_import": Page(C.IMPORT_SCHOOLS),
    "schools:audit_list": Page(C.VIEW_AUDIT),
    "schools:notification_list": Page(C.READ_NOTIFICATIONS),
    "schools:people_list": Page(C.MANAGE_PEOPLE),
    "schools:role_grant": Page(C.MANAGE_PEOPLE),
    "schools:school_detail": Page(C.VIEW_SCHOOL, kwargs=school_kwargs, scoped=True),
    "schools:school_edit": Page(C.EDIT_SCHOOL, kwargs=school_kwargs, scoped=True),
    "schools:class_list": Page(C.VIEW_SCHOOL, kwargs=school_kwargs, scoped=True),
    "schools:pupil_list": Page(C.READ_PUPILS, kwargs=school_kwargs, scoped=True),
    "schools:pupil_create": Page(C.EDIT_PUPILS, kwargs=school_kwargs, scoped=True),
    "schools:pupil_import": Page(C.IMPORT_PUPILS, kwargs=school_kwargs, scoped=True),
    "schools:pupil_detail": Page(C.READ_PUPILS, kwargs=pupil_kwargs, scoped=True),
    "schools:pupil_edit": Page(C.EDIT_PUPILS, kwargs=pupil_kwargs, scoped=True),
    "schools:staff_list": Page(C.VIEW_STAFF, kwargs=school_kwargs, scoped=True),
    "schools:staff_create": Page(C.EDIT_STAFF, kwargs=school_kwargs, scoped=True),
    "schools:staff_edit": Page(C.EDIT_STAFF, kwargs=staff_kwargs, scoped=True),
    "schools:staff_relatives": Page(C.EDIT_STAFF, kwargs=staff_kwargs, scoped=True, ok=405),  # POST only
}
