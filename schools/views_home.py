from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from .navigation import start_url


@never_cache
def home(request):
    """Each role lands on its own start page."""
    return redirect(start_url(request.user))
