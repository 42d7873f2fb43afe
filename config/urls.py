from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET

from ladders.views.careers import home

# The admin signs in through allauth, so rate limits and two-factor
# authentication apply there too.
admin.site.login = secure_admin_login(admin.site.login)


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("people/", include("people.urls")),
    path("", include("ladders.urls")),
]
