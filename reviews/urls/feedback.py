from django.urls import path

from ..views import feedback

urlpatterns = [
    path("feedback/", feedback.timeline, name="timeline"),
    path("feedback/give/", feedback.give, name="give"),
    path("feedback/give/competencies/", feedback.competency_picker, name="competency_picker"),
    path("feedback/people/", feedback.person_search, name="person_search"),
    path("feedback/people/<int:pk>/", feedback.person_feedback, name="person_feedback"),
    path("feedback/<int:pk>/", feedback.feedback_page, name="feedback"),
    path("feedback/<int:pk>/edit/", feedback.feedback_change, name="feedback_edit"),
    path("feedback/<int:pk>/delete/", feedback.feedback_remove, name="feedback_delete"),
    path("feedback/<int:pk>/react/", feedback.feedback_react_view, name="feedback_react"),
    path("feedback/<int:pk>/reply/", feedback.feedback_reply_view, name="feedback_reply"),
]
