from django.urls import path

from ..views import cycle_calibration, cycle_reviews, cycles

urlpatterns = [
    path("reviews/", cycle_reviews.my_reviews, name="my_reviews"),
    path("reviews/write/<int:pk>/<str:kind>/", cycle_reviews.review_write, name="review_write"),
    path("reviews/write/<int:pk>/<str:kind>/autosave/", cycle_reviews.review_autosave, name="review_autosave"),
    path("reviews/results/<int:pk>/", cycle_reviews.cycle_results, name="cycle_results"),
    path("reviews/nominations/<int:pk>/", cycle_reviews.nominations, name="nominations"),
    path("reviews/nominations/<int:pk>/<int:nomination>/", cycle_reviews.nomination_decide_view, name="nomination_decide"),
    path("reviews/cycles/", cycles.cycle_list, name="cycles"),
    path("reviews/cycles/new/", cycles.cycle_new, name="cycle_new"),
    path("reviews/cycles/<int:pk>/", cycles.cycle_page, name="cycle"),
    path("reviews/cycles/<int:pk>/people/", cycles.cycle_person_add, name="cycle_person_add"),
    path("reviews/cycles/<int:pk>/people/<int:participant>/remove/", cycles.cycle_person_remove, name="cycle_person_remove"),
    path("reviews/cycles/<int:pk>/phases/<int:phase>/extend/", cycles.cycle_phase_extend, name="cycle_phase_extend"),
    path("reviews/cycles/<int:pk>/phases/<int:phase>/close/", cycles.cycle_phase_close, name="cycle_phase_close"),
    path("reviews/cycles/<int:pk>/lock/", cycles.cycle_lock, name="cycle_lock"),
    path("reviews/cycles/<int:pk>/release/", cycles.cycle_release_now, name="cycle_release"),
    path("reviews/cycles/<int:pk>/results.csv", cycles.cycle_export, name="cycle_export"),
    path("reviews/cycles/<int:pk>/team/", cycle_calibration.cycle_team, name="cycle_team"),
    path("reviews/cycles/<int:pk>/calibration/", cycle_calibration.calibration, name="cycle_calibration"),
    path("reviews/cycles/<int:pk>/calibration/<int:participant>/", cycle_calibration.calibration_move, name="cycle_calibration_move"),
    path("reviews/cycles/<int:pk>/people/<int:participant>/", cycle_calibration.cycle_person, name="cycle_person"),
]
