from django.urls import path

from ..views import scorecards as views

urlpatterns: list = [
    path("interviews/", views.my_interviews, name="my_interviews"),
    path("interviews/scorecards/<int:pk>/", views.scorecard, name="scorecard"),
    path("interviews/scorecards/<int:pk>/amend/", views.scorecard_amend_page, name="scorecard_amend"),
]
