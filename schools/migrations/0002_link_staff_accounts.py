"""Links the accounts of school role holders to their staff record of the same name in the school (one unlinked
namesake only, as the role grant does since), so that they can be appointed and named in the school's order."""

from django.db import migrations

SCHOOL_ROLES = ("school_coordinator", "technical_specialist", "organizer", "expert", "director")


def _norm(value: str) -> str:
    return value.strip().casefold().replace("ё", "е")


def _same_name(staff, user) -> bool:
    same = _norm(staff.last_name) == _norm(user.last_name) and _norm(staff.first_name) == _norm(user.first_name)
    return same and (
        not staff.middle_name or not user.middle_name or _norm(staff.middle_name) == _norm(user.middle_name)
    )


def link(apps, schema_editor):
    Membership = apps.get_model("schools", "Membership")
    Staff = apps.get_model("schools", "Staff")
    pairs = (
        Membership.objects.filter(is_active=True, role__in=SCHOOL_ROLES, school__isnull=False)
        .select_related("user")
        .order_by("school_id", "user_id")
    )
    seen = set()
    for membership in pairs:
        user, school_id = membership.user, membership.school_id
        if (school_id, user.pk) in seen:
            continue
        seen.add((school_id, user.pk))
        if not user.last_name or Staff.objects.filter(school_id=school_id, user=user).exists():
            continue
        namesakes = [
            staff
            for staff in Staff.objects.filter(school_id=school_id, user__isnull=True, is_active=True)
            if _same_name(staff, user)
        ]
        if len(namesakes) == 1:
            Staff.objects.filter(pk=namesakes[0].pk).update(user=user)


class Migration(migrations.Migration):
    dependencies = [("schools", "0001_initial")]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
