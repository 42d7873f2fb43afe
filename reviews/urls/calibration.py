from django.urls import path

from ..views.calibration import calibration

urlpatterns = [
    path("interviews/calibration/", calibration, name="calibration"),
]
