"""The second factor (TOTP with recovery codes, django-otp) of the accounts that read a municipality or pupils'
names: who must have it, enrolment, recovery codes, the department's reset, and the middleware enforcing it."""

from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import Capability, roles_with
from .models import NAME_READING_ROLES, Department, Membership, Role, School, User
from .services import audit_record

# Roles whose accounts read a whole municipality or pupils' names.
SECOND_FACTOR_ROLES = frozenset(
    {Role.DEPARTMENT_STAFF, Role.MUNICIPAL_COORDINATOR, Role.DEPARTMENT_REPRESENTATIVE} | NAME_READING_ROLES
)
RECOVERY_CODES = 10
TOTP_NAME = "totp"
RECOVERY_NAME = "recovery"


def second_factor_required(user: User) -> bool:
    """Whether the portal requires the user's second factor (OTP_REQUIRED on and a role that reads names)."""
    return bool(settings.OTP_REQUIRED) and user.is_authenticated and user.has_role(*SECOND_FACTOR_ROLES)


def has_second_factor(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator being enrolled (made once, kept across reloads of the page)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirms an enrolment when the code from the app is right: the previous authenticator is replaced and
    fresh recovery codes are returned (to show once). None when the code is wrong."""
    if not device.verify_token(token.strip()):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_generate(user=device.user)
    school, department = organisation_of(device.user)
    audit_record(
        actor=device.user,
        action="second_factor.enrolled",
        target=device.user,
        target_label=device.user.username,
        school=school,
        department=department,
    )
    return codes


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """Ten new one-time recovery codes; the old ones stop working. Only their use is stored by django-otp."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    school, department = organisation_of(user)
    audit_record(
        actor=user,
        action="second_factor.recovery_codes_issued",
        target=user,
        target_label=user.username,
        school=school,
        department=department,
    )
    return codes


def organisation_of(user: User, *, department_ids: set[int] | None = None) -> tuple[School | None, Department | None]:
    """The school and department whose journals record the user's second factor: a school user's school (and its
    department), a department user's department. A role that needs the factor and an active membership come
    first; `department_ids` keeps to one municipality (the resetter's)."""
    memberships = Membership.objects.filter(user=user).select_related("school__department", "department")
    if department_ids is not None:
        memberships = memberships.filter(
            Q(department_id__in=department_ids) | Q(school__department_id__in=department_ids)
        )
    membership = min(
        memberships, key=lambda m: (m.role not in SECOND_FACTOR_ROLES, not m.is_active, m.pk), default=None
    )
    if membership is None:
        return None, None
    if membership.school_id:
        return membership.school, membership.school.department
    return None, membership.department


def verify_second_factor(*, user: User, token: str):
    """The confirmed device (authenticator or recovery code) that accepts the token, or None. A recovery
    code is spent by this."""
    token = token.strip().replace(" ", "").lower()
    for device in devices_for_user(user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return device
    return None


def users_resettable_by(actor: User) -> QuerySet[User]:
    """Accounts of the actor's municipality (its department and schools) whose second factor they may reset."""
    department_ids = actor.department_ids_with_role(*roles_with(Capability.RESET_SECOND_FACTOR))
    if not department_ids:
        return User.objects.none()
    return User.objects.filter(
        Q(memberships__department_id__in=department_ids) | Q(memberships__school__department_id__in=department_ids)
    ).distinct()


@transaction.atomic
def second_factor_reset(*, user: User, actor: User) -> None:
    """Removes the user's authenticator and recovery codes (a lost phone): they enrol again at next log-in."""
    removed = sum(
        model.objects.filter(user=user).delete()[1].get(model._meta.label, 0) for model in (TOTPDevice, StaticDevice)
    )
    department_ids = actor.department_ids_with_role(*roles_with(Capability.RESET_SECOND_FACTOR))
    school, department = organisation_of(user, department_ids=department_ids)
    if department is None:  # the person holds no role in the actor's municipality any more
        department = Department.objects.filter(pk__in=department_ids).order_by("pk").first()
    audit_record(
        actor=actor,
        action="second_factor.reset",
        target=user,
        target_label=user.username,
        school=school,
        department=department,
        after={"devices": removed},
    )


def qr_svg(data: str) -> str:
    """An SVG QR code of `data`, drawn on the server (no image library, nothing sent anywhere)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


EXEMPT_URL_NAMES = ("login", "logout", "otp_enrol", "otp_verify", "health")


class SecondFactorMiddleware:
    """With OTP_REQUIRED, an account that reads names opens nothing before its second factor: without a
    confirmed device it goes to enrolment, with one to verification (after django_otp's OTPMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.OTP_REQUIRED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path_info.startswith(settings.STATIC_URL)
            and request.path_info not in {reverse(name) for name in EXEMPT_URL_NAMES}
            and second_factor_required(user)
        ):
            target = "otp_verify" if has_second_factor(user) else "otp_enrol"
            return redirect("{}?{}".format(reverse(target), urlencode({"next": request.get_full_path()})))
        return self.get_response(request)
