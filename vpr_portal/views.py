import logging

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def no_role(request):
    return render(request, "no_role.html")


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


@login_not_required
@never_cache
def health(request):
    """Liveness for the load balancer: the database must answer; a cache outage is reported, not fatal."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    try:
        cache.set("health", "ok", 5)
        cache_ok = cache.get("health") == "ok"
    except Exception:  # the web keeps working while Redis is down
        logger.warning("cache unavailable", exc_info=True)
        cache_ok = False
    return JsonResponse({"database": "ok", "cache": "ok" if cache_ok else "unavailable"})


@login_not_required
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def server_error(request):
    return render(request, "500.html", status=500)
