from django.urls import path

from ..views import team

urlpatterns = [
    path("feedback/team/", team.team, name="team"),
]
