from schools.access import Capability as C
from schools.models import Role
from tests.factories import user_with_role

from .base import ALL, Page


def build_objects(own: dict, other: dict) -> None:
    own["person"] = user_with_role(Role.ORGANIZER, school=own["school"], username="person-own")
    other["person"] = user_with_role(Role.ORGANIZER, school=other["school"], username="person-other")


PAGES = {
    # Every signed-in person may set up their own second factor; verification without a device sends to set-up.
    "otp_enrol": Page(ALL),
    "otp_verify": Page(ALL, ok=302),
    "otp_recovery_codes": Page(ALL),
    # The department resets the second factor of people of its municipality.
    "schools:otp_reset": Page(C.RESET_SECOND_FACTOR, kwargs=lambda o: {"user_id": o["person"].pk}),
}
