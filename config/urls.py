from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from ladders.views.careers import home

# The admin signs in through allauth, so rate limits and two-factor
# authentication apply there too.
admin.site.login = secure_admin_login(admin.site.login)


urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("people/", include("people.urls")),
    path("", include("ladders.urls")),
]
