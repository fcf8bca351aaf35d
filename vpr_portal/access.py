"""Access decided per object: views declare the roles that may use them and read through scoped selectors.

Without any of the declared roles a view answers 403; with the role, an object outside the user's scope
answers 404 (it does not exist for them).
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404


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
