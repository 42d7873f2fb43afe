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


@require_POST
@login_required
def notifications_read(request):
    ids = [int(pk) for pk in request.POST.getlist("notification") if pk.isdigit()]
    # Only the signed-in person's own notifications are touched, whatever ids arrive.
    services.notifications_mark_read(user=request.user, notification_ids=ids or None)
    return redirect("people:notifications")
