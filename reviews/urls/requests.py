"""Addresses of feedback requests: asking colleagues about yourself or a report, and answering."""

from django.urls import path

from ..views import requests as views

urlpatterns = [
    path("feedback/requests/", views.requests, name="requests"),
    path("feedback/requests/new/", views.request_new, name="request_new"),
    path("feedback/requests/<int:pk>/", views.request_detail, name="request"),
    path("feedback/asks/<int:pk>/", views.ask, name="ask"),
    path("feedback/asks/<int:pk>/decline/", views.ask_decline, name="ask_decline"),
]
