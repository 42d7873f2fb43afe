"""Every address of reviews, each domain's in a module of its own."""

from . import feedback, oneonones, requests, team

app_name = "reviews"
urlpatterns = [*feedback.urlpatterns, *requests.urlpatterns, *team.urlpatterns, *oneonones.urlpatterns]
