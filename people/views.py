from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services


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
        },
    )


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
