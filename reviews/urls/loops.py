from django.urls import path

from ..views import loops

urlpatterns = [
    path("interviews/loops/", loops.loop_list, name="loops"),
    path("interviews/loops/new/", loops.loop_new, name="loop_new"),
    path("interviews/loops/<int:pk>/", loops.loop_page, name="loop"),
    path("interviews/loops/<int:pk>/interviews/", loops.interview_new, name="interview_new"),
    path("interviews/loops/<int:pk>/debrief/", loops.debrief, name="debrief"),
    path("interviews/loops/<int:pk>/debrief/open/", loops.debrief_open, name="debrief_open"),
    path("interviews/loops/<int:pk>/decide/", loops.decide, name="loop_decide"),
    path("interviews/candidates/new/", loops.candidate_new, name="candidate_new"),
    path("interviews/candidates/<int:pk>/erase/", loops.candidate_erase_view, name="candidate_erase"),
]
