from django.urls import path

from ..views import oneonones as views

urlpatterns: list = [
    path("one-on-ones/", views.series_list, name="series_list"),
    path("one-on-ones/new/", views.series_new, name="series_new"),
    path("one-on-ones/<int:pk>/", views.series, name="series"),
    path("one-on-ones/<int:pk>/edit/", views.series_edit, name="series_edit"),
    path("one-on-ones/<int:pk>/end/", views.series_end, name="series_end"),
    path("one-on-ones/meetings/<int:pk>/", views.meeting, name="meeting"),
    path("one-on-ones/meetings/<int:pk>/points/", views.point_add, name="point_add"),
    path("one-on-ones/meetings/<int:pk>/actions/", views.action_add, name="action_add"),
    path("one-on-ones/meetings/<int:pk>/note/", views.note, name="note"),
    path("one-on-ones/points/<int:pk>/", views.point, name="point"),
    path("one-on-ones/actions/<int:pk>/", views.action, name="action"),
]
