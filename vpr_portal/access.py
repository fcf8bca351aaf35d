"""Access decided per object: views declare the capability they need and read through scoped selectors.

Without the capability a view answers 403; with it, an object outside the user's scope answers 404 (it does
not exist for them). Which role holds which capability, and where, is the business of the app that owns
roles (schools.access); this module stays free of any app and only fixes the order of the checks.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404


class CapabilityRequiredMixin:
    """403 unless `has_capability(user)`; then `resolve_scope()` looks up the objects the URL's shape names
    (a school, a campaign …) among those in the user's scope and `resolve()` the objects below it (a room, a
    document …) through scoped selectors — both answer 404 for what the user may not see.

    `has_capability` and `resolve_scope` are plugged in by the resolvers of the URL shapes; a view only
    declares `capability` and, when its URL names more objects, `resolve()`.
    """

    capability = None

    def has_capability(self, user) -> bool:
        raise NotImplementedError("a resolver mixin decides who holds the capability")

    def resolve_scope(self, **kwargs) -> None:
        """The objects of the URL's shape, looked up within the user's scope."""

    def resolve(self, **kwargs) -> None:
        """Objects named by the URL below its shape; 404 when they are outside the scope."""

    def check_access(self, user, **kwargs) -> None:
        """The checks of a request, also for a background job that rebuilds the view without one: the
        resolvers read the user as `self.viewer`."""
        self.viewer = user
        if self.capability is None or not user.is_authenticated or not self.has_capability(user):
            raise PermissionDenied
        self.resolve_scope(**kwargs)
        self.resolve(**kwargs)

    def dispatch(self, request, *args, **kwargs):
        self.check_access(request.user, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class RoleRequiredMixin:
    """Answers 403 unless the user holds one of `allowed_roles` (in any organisation)."""

    allowed_roles: Iterable[str] = ()

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed_roles:
            raise PermissionDenied
        if not request.user.is_authenticated or not request.user.has_role(*self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class SchoolScopedMixin(RoleRequiredMixin):
    """A page about one school (`school_code` in the URL), open to the roles held in that school.

    Department roles reach every school of their department when they are among `allowed_roles`.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.has_role(*self.allowed_roles):
            raise PermissionDenied
        from schools.selectors import schools_visible_to

        self.school = get_object_or_404(
            schools_visible_to(request.user, roles=self.allowed_roles), code=kwargs["school_code"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["school"] = self.school
        return context


def get_scoped_or_404(queryset, **lookup):
    """Fetches from an already scoped queryset: what the user may not see does not exist for them."""
    try:
        return get_object_or_404(queryset, **lookup)
    except (ValueError, TypeError) as exc:  # a malformed id in the URL
        raise Http404 from exc
