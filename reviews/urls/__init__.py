"""Every address of reviews, each domain's in a module of its own."""

from . import feedback, oneonones, team

app_name = "reviews"
urlpatterns = [*feedback.urlpatterns, *team.urlpatterns, *oneonones.urlpatterns]
