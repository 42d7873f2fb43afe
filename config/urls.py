from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.http import require_safe

from ladders.views.careers import home

# The admin signs in through allauth, so rate limits and two-factor
# authentication apply there too.
admin.site.login = secure_admin_login(admin.site.login)


@require_safe
def favicon(request):
    # Browsers ask for /favicon.ico on pages that name no icon, the admin's
    # among them. Not permanent: in production the file's address carries a
    # content hash, which a cached permanent redirect would pin.
    return redirect(static("img/trellis.svg"))


urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("people/", include("people.urls")),
    path("mentorship/", include("mentorship.urls")),
    path("", include("reviews.urls")),
    path("", include("ladders.urls")),
]
