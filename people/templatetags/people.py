"""The site header, rendered once per person and what it shows, and kept.

Every page shows it, and rendering it cost more than many pages' own
content. What it shows depends only on the person (name, e-mail, staff),
the counts read with them on every request (unread notifications, whether
anyone reports to them), the section of the site and the search words; all
of these make up the key, so a change to any of them renders it afresh.
The sign-out form's CSRF token is put in on every response, freshly masked
as Django does, and never kept.
"""

from __future__ import annotations

import secrets

from django import template
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from config.kept import Kept

from ..context_processors import navigation

register = template.Library()

_KEPT = 4096
_QUERY_KEPT = 100  # longer search words render each time
# Where each response puts its CSRF token, and a kept page its reader's header.
# Random per process, so that no one can type them into a page.
TOKEN = f"\x00csrf-token-{secrets.token_hex(8)}\x00"
HEADER_LATER = f"\x00site-header-{secrets.token_hex(8)}\x00"
_headers: Kept[str] = Kept(_KEPT)


def _section(path: str, nav: dict) -> str:
    if path == nav["my_path"]:
        return "my_path"
    if path.startswith(nav["ladders"]) and not path.startswith(nav["search"]):
        return "ladders"
    if path.startswith(nav["assessments"]):
        return "assessments"
    if path == nav["team"]:
        return "team"
    if path.startswith(nav["feedback"]):
        return "feedback"
    if path.startswith(nav["one_on_ones"]):
        return "one_on_ones"
    if path.startswith(nav["interviews"]):
        return "interviews"
    if path.startswith(nav["reviews"]):
        return "reviews"
    if path.startswith(nav["mentorship"]):
        return "mentorship"
    if path == nav["hr"]:
        return "hr"
    # The directory, the org chart and everyone's page; not one's notifications.
    if path.startswith(nav["people"]) and not path.startswith(nav["notifications"]):
        return "people"
    return ""


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    request = context.get("request")
    nav = context.get("nav")
    if request is None or nav is None:  # a page rendered outside a request
        return ""
    if context.get("site_header_later"):
        # A page kept for every reader (see ladders.views.frameworks): each
        # response puts its reader's header in here.
        return mark_safe(HEADER_LATER)
    html = _header(
        request,
        nav=nav,
        assets=context.get("assets"),
        user=context.get("user"),
        unread=context.get("unread_notifications", 0),
        has_reports=context.get("has_reports", False),
        query=context.get("query") or "",
    )
    # The page's own token (one masking per response), or a fresh one.
    return mark_safe(html.replace(TOKEN, str(context.get("csrf_token") or get_token(request)), 1))


def site_header_html(request, *, query: str = "") -> str:
    """The header for `request`'s reader, with TOKEN where the sign-out form's token goes."""
    facts = navigation(request)
    return _header(
        request,
        nav=facts["nav"],
        assets=facts["assets"],
        user=facts.get("user", request.user),
        unread=facts.get("unread_notifications", 0),
        has_reports=facts.get("has_reports", False),
        query=query,
    )


def _header(request, *, nav, assets, user, unread, has_reports, query) -> str:
    signed_in = user is not None and user.is_authenticated
    values = {"nav": nav, "assets": assets, "query": query, "section": _section(request.path, nav)}
    if not signed_in:
        key = ("anonymous", query, values["section"], nav["home"])
    else:
        # The addresses in `nav` carry the site's prefix: the home address stands for it.
        key = (user.pk, user.name, user.email, user.is_staff, unread, has_reports, query, values["section"], nav["home"])
        values.update(user=user, unread_notifications=unread, has_reports=has_reports, csrf_token=TOKEN)
    html = _headers.get(key)
    if html is None:
        if signed_in:
            values["profile_url"] = reverse("people:person", args=[user.pk])
        html = render_to_string("includes/site_header.html", values)
        if len(query) <= _QUERY_KEPT:
            _headers.put(key, html)
    return html


def site_headers_clear() -> None:
    _headers.clear()
