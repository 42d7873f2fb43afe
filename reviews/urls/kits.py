from django.urls import path

from ..views import kits

urlpatterns = [
    path("interviews/kits/", kits.kit_list, name="kits"),
    path("interviews/kits/new/", kits.kit_new, name="kit_new"),
    path("interviews/kits/<int:pk>/", kits.kit_page, name="kit"),
    path("interviews/kits/<int:pk>/questions/", kits.kit_questions, name="kit_questions"),
    path("interviews/kits/<int:pk>/scale/", kits.kit_scale, name="kit_scale"),
    path("interviews/kits/<int:pk>/copy/", kits.kit_copy_view, name="kit_copy"),
]
