"""Access decided per object: views declare the capability they need and read through scoped selectors.

Without the capability a view answers 403; with it, an object outside the user's scope answers 404 (it does
not exist for them). Which role holds which capability, and where, is the business of the app that owns
roles (schools.access); this module stays free of any app and only fixes the order of the checks.
"""

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


def get_scoped_or_404(queryset, **lookup):
    """Fetches from an already scoped queryset: what the user may not see does not exist for them."""
    try:
        return get_object_or_404(queryset, **lookup)
    except (ValueError, TypeError) as exc:  # a malformed id in the URL
        raise Http404 from exc
