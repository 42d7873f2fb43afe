import functools

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from . import profile, selectors, services


def _wants_part(request) -> bool:
    # A history restore (the back button after htmx changed the address)
    # asks with htmx's header too, and needs the whole page.
    return bool(request.htmx) and not request.htmx.history_restore_request


def _page_or_part(request, template: str, context: dict, *, part: str | None):
    """The whole page, or only its named `part` (for htmx)."""
    response = render(request, f"{template}#{part}" if part else template, context)
    # The same address answers with a page or a part: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


_ID = 987_600_000_123  # stands for the id while the address is reversed


@functools.cache
def _person_address(prefix: str) -> tuple[str, str]:
    head, _, tail = reverse("people:person", args=[_ID]).partition(str(_ID))
    return head, tail


def _addressed(people):
    """`people`, each (and their manager, when read with them) with `address`, their
    page's: reversed once per process rather than once a row, which cost a list of
    fifty people more than reading it."""
    head, tail = _person_address(get_script_prefix())
    for person in people:
        person.address = f"{head}{person.pk}{tail}"
        manager = person._state.fields_cache.get("manager")
        if manager is not None:
            manager.address = f"{head}{manager.pk}{tail}"
    return people


@require_GET
@login_required
def person(request, pk: int):
    person = selectors.person_get_for_user(request.user, pk)
    return render(
        request,
        "people/person.html",
        {
            "person": person,
            "chain": selectors.reporting_chain(person),
            "reports": selectors.direct_reports(person),
            "sections": profile.sections_for(request.user, person),
        },
    )


@require_GET
@login_required
def directory(request):
    """Everyone working here, by name, searched by name, title, team or department."""
    search = selectors.directory_search(request.GET.get("q"))
    people = selectors.people_directory(search.words)
    page = Paginator(people, selectors.DIRECTORY_PAGE).get_page(request.GET.get("page"))
    _addressed(page.object_list)
    context = {
        "search": search,
        "page": page,
        "max_words": selectors.SEARCH_MAX_WORDS,
        "max_characters": selectors.SEARCH_MAX_CHARACTERS,
    }
    return _page_or_part(request, "people/directory.html", context, part="results" if _wants_part(request) else None)


@require_GET
@login_required
def org_chart(request):
    """Who reports to whom, one person and their direct reports at a time.

    From the top of the organisation, or from `?root=`; each report who
    leads people opens their branch in place (htmx asks for the same address
    and gets only the branch) or, without JavaScript, as a page of its own.
    """
    root = selectors.org_root_get(request.GET.get("root"))
    if root is not None and _wants_part(request):
        context = {
            "root": root,
            "reports": _addressed(selectors.org_reports(root, 1)),
            "per_page": selectors.ORG_PAGE,
            "in_place": True,
            "chart_url": reverse("people:org_chart"),
        }
        return _page_or_part(request, "people/org_chart.html", context, part="branch")
    others, more_at_top = [], False
    if root is None:
        tops = selectors.org_tops()
        more_at_top = len(tops) > selectors.ORG_TOPS
        if tops:
            root, others = tops[0], tops[1 : selectors.ORG_TOPS]
    page = Paginator(range((root.direct or 0) if root else 0), selectors.ORG_PAGE).get_page(request.GET.get("page"))
    context = {
        "root": root,
        "chain": selectors.reporting_chain(root) if root else [],
        "page": page,
        "reports": _addressed(selectors.org_reports(root, page.number)) if root and root.direct else [],
        "others": others,
        "more_at_top": more_at_top,
        "per_page": selectors.ORG_PAGE,
        "chart_url": reverse("people:org_chart"),
    }
    return _page_or_part(request, "people/org_chart.html", context, part=None)


@require_GET
@login_required
def notifications(request):
    page = Paginator(selectors.notifications_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "people/notifications.html", {"page": page})


@require_GET
@login_required
def notification_open(request, pk: int):
    """Follow a notification to what it is about, marking it read on the way."""
    notification = selectors.notification_get_for_user(request.user, pk)
    services.notifications_mark_read(user=request.user, notification_ids=[notification.pk])
    target = notification.url
    # Only addresses on this site: a notification never sends anyone elsewhere.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return redirect(target)
    return redirect("people:notifications")


@require_POST
@login_required
def notifications_read(request):
    named = request.POST.getlist("notification")
    # ASCII digits only ("²".isdigit() is true, int("²") fails) and within the
    # range of a database id, so odd input is ignored rather than a 500.
    ids = [int(pk) for pk in named if pk.isascii() and pk.isdigit() and int(pk) < 2**63]
    # Only the signed-in person's own notifications are touched, whatever ids
    # arrive; naming notifications, even badly, never widens into "mark all".
    services.notifications_mark_read(user=request.user, notification_ids=ids if named else None)
    return redirect("people:notifications")
