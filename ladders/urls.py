from django.urls import path

from .views import careers, frameworks, hr, team

app_name = "ladders"
urlpatterns = [
    path("ladders/", frameworks.index, name="index"),
    path("ladders/search/", frameworks.search, name="search"),
    path("ladders/<slug:slug>/", frameworks.overview, name="overview"),
    path("ladders/<slug:slug>/grid/", frameworks.grid, name="grid"),
    path("ladders/<slug:slug>/levels/<slug:code>/", frameworks.level, name="level"),
    path("ladders/<slug:slug>/competencies/<slug:competency_slug>/", frameworks.competency, name="competency"),
    path("ladders/<slug:slug>/diff/", frameworks.diff, name="diff"),
    path("ladders/<slug:slug>/export/", frameworks.export, name="export"),
    path("path/", careers.my_path, name="my_path"),
    path("path/<int:pk>/", careers.person_path, name="person_path"),
    path("path/<int:pk>/compare/", careers.compare, name="compare"),
    path("path/<int:pk>/assess/", careers.assessment_new, name="assessment_new"),
    path("assessments/", careers.assessments, name="assessments"),
    path("assessments/<int:pk>/", careers.assessment, name="assessment"),
    path("assessments/<int:pk>/autosave/", careers.assessment_autosave, name="assessment_autosave"),
    path("assessments/<int:pk>/discard/", careers.assessment_discard, name="assessment_discard"),
    path("team/", team.team, name="team"),
    path("team/export.csv", team.team_export, name="team_export"),
    path("hr/", hr.home, name="hr_home"),
]
