from .navigation import nav_items
from .notification_counts import unread_count
from .otp import second_factor_required


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    if not getattr(user, "is_verified", lambda: True)() and second_factor_required(user):
        return {"nav_items": []}  # the second factor's pages: nothing to open before the code
    return {
        "nav_items": nav_items(user),
        "user_roles": sorted({m.get_role_display() for m in user.active_memberships}),
        "unread_count": unread_count(user),
    }
