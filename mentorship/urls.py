from django.urls import path, register_converter

from .views import people, programs


class RelationshipAction:
    regex = "accept|decline|pause|resume|end|reflect"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RelationshipAction, "relationship_action")

app_name = "mentorship"
urlpatterns = [
    path("", people.home, name="home"),
    path("mentor/", people.mentor_profile, name="mentor_profile"),
    path("calendar/", people.calendar, name="calendar"),
    path("calendar/<str:token>.ics", people.calendar_feed, name="calendar_feed"),
    path("relationships/<int:pk>/", people.relationship, name="relationship"),
    path(
        "relationships/<int:pk>/<relationship_action:action>/",
        people.relationship_act,
        name="relationship_act",
    ),
    path("relationships/<int:pk>/touchpoints/", people.touchpoint_new, name="touchpoint_new"),
    path("touchpoints/<int:pk>/", people.touchpoint, name="touchpoint"),
    path("touchpoints/<int:pk>/move/", people.touchpoint_move, name="touchpoint_move"),
    path("touchpoints/<int:pk>/cancel/", people.touchpoint_cancel, name="touchpoint_cancel"),
    path("touchpoints/<int:pk>/actions/", people.action_new, name="action_new"),
    path("actions/<int:pk>/", people.action_mark, name="action_mark"),
    path("programs/", programs.programs, name="programs"),
    path("programs/<slug:slug>/", programs.program, name="program"),
    path("programs/<slug:slug>/ask/", people.ask, name="ask"),
    path("programs/<slug:slug>/find/", people.find, name="find"),
    path("programs/<slug:slug>/rounds/", programs.round_new, name="round_new"),
    path("rounds/<int:pk>/", programs.round_page, name="round"),
    path("rounds/<int:pk>/decide/", programs.round_decide, name="round_decide"),
    path("rounds/<int:pk>/publish/", programs.round_publish, name="round_publish"),
    path("rounds/<int:pk>/proposals/<int:proposal_pk>/", programs.proposal_override, name="proposal_override"),
]
