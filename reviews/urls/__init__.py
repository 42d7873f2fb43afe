"""Every address of reviews, each domain's in a module of its own."""

from . import calibration, cycles, feedback, kits, loops, oneonones, packets, requests, scorecards, team

app_name = "reviews"
urlpatterns = [
    *feedback.urlpatterns,
    *requests.urlpatterns,
    *team.urlpatterns,
    *oneonones.urlpatterns,
    *kits.urlpatterns,
    *loops.urlpatterns,
    *scorecards.urlpatterns,
    *calibration.urlpatterns,
    *cycles.urlpatterns,
    *packets.urlpatterns,
]
