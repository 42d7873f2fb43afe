"""The site's URLs plus two bare views, for `make bench-http` (config.settings.bench).

The bare views return "Hello, World!" through the whole middleware stack:
the page throughput of the site is reported as a share of theirs, measured
in the same run on the same server. The signed-in one also loads the
session and the person, so the table shows what signing in costs.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from .urls import urlpatterns as site


@require_GET
def hello(request):
    return HttpResponse("Hello, World!", content_type="text/plain")


@require_GET
@login_required
def hello_signed_in(request):
    return HttpResponse(f"Hello, {request.user.get_short_name()}!", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/hello-signed-in/", hello_signed_in),
    *site,
]
