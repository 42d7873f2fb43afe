from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Feedback, 1:1s, review cycles, promotion packets and interviews: each in modules of
    its own (models/feedback.py, services/feedback.py, …), all against the ladder."""

    name = "reviews"
    verbose_name = "Reviews"
