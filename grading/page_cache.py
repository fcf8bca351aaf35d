"""Cached rendered region pages: the department's result pages answered from a rendered copy while nothing they
show has changed.

A page is rendered once as a shell: the whole page but the signed-in user's parts of base.html (the navbar's
user part, `_nav.html`, and the messages), which are left as marks. Every request renders those two parts for
its own user and puts them into the shell, so a message or a name is never kept; a form's CSRF token is rendered
as a mark and the request's own token put in its place.

The shell is cached with grading.cache.cached (fails open when the cache is down, never stores inside a
transaction), under a key that makes it exact: the view's parts (the results stamps of every assessment the page
shows, the department's thresholds version when it shows signals, the objects of the URL as they were read),
the path with its query string (page, search, filters), the viewer's scope, the language and the time zone.
A new import, a threshold change, a rename of the URL's objects gives a new key: the next request renders again.

The scope is the viewer's active memberships (role, department, school): what a department's person may see
and do follows from them alone, so two users with the same memberships share a page and users whose scopes
differ never do. Only viewers whose every role is a department's (schools.access.SCOPES) are served from the
cache: a school's people read pupils' names on some of these pages, and those are never cached.
"""

import re

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from schools.access import SCOPES, Scope
from schools.context_processors import navigation

from .cache import cached

NAV_MARK = "<!--page-shell:nav-->"
MESSAGES_MARK = "<!--page-shell:messages-->"
CSRF_MARK = "page-shell-csrf-token-7f3a9c"  # what a form's {% csrf_token %} holds in the shell
OTHER_TOKEN = re.compile(rf'name="csrfmiddlewaretoken" value="(?!{CSRF_MARK}")')
TIMEOUT = 24 * 3600  # bounds memory only (searches make new entries); the key decides what is current


class PageShell:
    """What base.html puts where the user's parts go when a page is rendered as a shell."""

    nav = mark_safe(NAV_MARK)
    messages = mark_safe(MESSAGES_MARK)


def page_scope(user) -> str | None:
    """The viewer's memberships as a key part, or None when the page is not to be cached for them (not signed in,
    or a role that is not a department's)."""
    if not user.is_authenticated:
        return None
    memberships = user.active_memberships
    if not memberships or any(SCOPES.get(m.role) != Scope.DEPARTMENT for m in memberships):
        return None
    return ",".join(sorted(f"{m.role}/{m.department_id or 0}/{m.school_id or 0}" for m in memberships))


_no_messages: str | None = None  # the messages' part when there are none (the same for every request)


def messages_part(request) -> str:
    """The request's messages rendered (and so marked shown); without messages, the empty part rendered once."""
    global _no_messages
    storage = get_messages(request)
    if len(storage):
        return render_to_string("partials/messages.html", {"messages": storage})
    if _no_messages is None:
        _no_messages = render_to_string("partials/messages.html", {"messages": []})
    return _no_messages


NAV_KEPT = 5000  # navbars kept by a process (cleared past that)
_navs: dict[tuple, str] = {}


def nav_part(request) -> str:
    """The navbar's user part for this request, rendered once per process for everything it shows: the
    navigation's values (items, roles, unread count: schools.context_processors.navigation), the user's name,
    the path (the active item), the language and the URL prefix. With the CSRF token as a mark (user_parts puts
    the request's own token in its place)."""
    user = request.user
    values = navigation(request)
    key = (
        user.pk,
        user.full_name,
        user.username,
        tuple((str(item.label), item.url) for item in values.get("nav_items", ())),
        tuple(values.get("user_roles", ())),
        values.get("unread_count"),
        request.path,
        translation.get_language(),
        get_script_prefix(),
    )
    nav = _navs.get(key)
    if nav is None:
        nav = render_to_string("_nav.html", {"csrf_token": CSRF_MARK}, request=request)
        if OTHER_TOKEN.search(nav):  # a request's token would be kept for others
            raise ValueError("_nav.html holds a CSRF token of its own")
        if len(_navs) >= NAV_KEPT:
            _navs.clear()
        _navs[key] = nav
    return nav


def user_parts(request, shell: str) -> str:
    """The shell with this request's user parts: the navbar's user part and the messages."""
    nav = nav_part(request)
    messages = messages_part(request)
    body = shell.replace(NAV_MARK, nav, 1).replace(MESSAGES_MARK, messages, 1)
    return body.replace(CSRF_MARK, get_token(request)) if CSRF_MARK in body else body


class CachedPageMixin:
    """For a TemplateView whose page is the same for everyone of a scope: the view's `page_key()` gives its key
    parts (the stamps and versions of what it shows, what it shows of the URL's objects; None: not cached this
    time). Access is checked before (dispatch): a page outside the viewer's scope is 404 before any cache is
    read."""

    def get(self, request, *args, **kwargs):
        scope = page_scope(request.user)
        view_parts = self.page_key() if scope is not None else None
        if view_parts is None:
            return super().get(request, *args, **kwargs)
        key = (
            *view_parts,
            request.get_full_path(),
            scope,
            translation.get_language(),
            timezone.get_current_timezone_name(),
        )
        name = f"page:{request.resolver_match.view_name}"
        shell = cached(name, key, lambda: self.render_shell(request, *args, **kwargs), timeout=TIMEOUT)
        return HttpResponse(user_parts(request, shell))

    def render_shell(self, request, *args, **kwargs) -> str:
        """The page as the view renders it (its own `get`), with the user's parts and a form's token as marks."""
        response = super().get(request, *args, **kwargs)
        # a form's token is put in for each request (user_parts)
        response.context_data = {**response.context_data, "page_shell": PageShell(), "csrf_token": CSRF_MARK}
        shell = response.render().content.decode()
        if OTHER_TOKEN.search(shell):  # a token rendered around the mark would be kept for everyone
            raise ValueError(f"{self.request.resolver_match.view_name}: the page holds a CSRF token of its own")
        return shell
