"""Every mentorship page: who may open it, the wrong method, bad input, and constant queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship.models import ActionItem, MentorProfile, Relationship, Request, Round, Touchpoint
from tests.conftest import flashed, login, page_queries
from tests.ladders import factories as ladder_factories
from tests.mentorship import factories
from tests.people.factories import UserFactory


@pytest.fixture
def pair(world, engineer, outsider):
    request = factories.ask(engineer, world.program)
    request.status = Request.Status.MATCHED
    request.save()
    relationship = factories.relationship(engineer, outsider, world.program, request=request, ratings_before={"c0-0": 1, "c0-1": 1})
    touchpoint = factories.touchpoint(relationship, agenda="Design doc review", notes="PRIVATE-NOTES-TEXT")
    ActionItem.objects.create(relationship=relationship, touchpoint=touchpoint, text="PRIVATE-ACTION-TEXT", owner=engineer)
    return relationship


# --- Who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["engineer", "outsider"])
def test_the_pair_reads_their_relationship_and_touchpoint(pair, who, request):
    client = login(request.getfixturevalue(who))
    page = client.get(reverse("mentorship:relationship", args=[pair.pk]))
    assert page.status_code == 200
    assert b"Competency movement" in page.content
    touchpoint = pair.touchpoints.get()
    page = client.get(reverse("mentorship:touchpoint", args=[touchpoint.pk]))
    assert b"PRIVATE-NOTES-TEXT" in page.content and b"PRIVATE-ACTION-TEXT" in page.content


@pytest.mark.parametrize("who", ["manager", "skip_level", "hr", "peer"])
def test_nobody_else_reads_what_the_pair_discusses(pair, who, request):
    client = login(request.getfixturevalue(who))
    touchpoint = pair.touchpoints.get()
    action = touchpoint.actions.get()
    assert client.get(reverse("mentorship:relationship", args=[pair.pk])).status_code == 404
    assert client.get(reverse("mentorship:touchpoint", args=[touchpoint.pk])).status_code == 404
    assert client.post(reverse("mentorship:touchpoint", args=[touchpoint.pk]), {"notes": "x"}).status_code == 404
    assert client.post(reverse("mentorship:action_new", args=[touchpoint.pk]), {"text": "x"}).status_code == 404
    assert client.post(reverse("mentorship:action_mark", args=[action.pk]), {"done": "1"}).status_code == 404
    assert client.post(reverse("mentorship:relationship_act", args=[pair.pk, "end"]), {"reason": "x"}).status_code == 404
    for url in (reverse("mentorship:home"), reverse("mentorship:programs") if who == "hr" else reverse("mentorship:home")):
        assert b"PRIVATE" not in client.get(url).content
    touchpoint.refresh_from_db()
    assert touchpoint.notes == "PRIVATE-NOTES-TEXT"
    assert ActionItem.objects.filter(done_at=None).count() == 1


def test_a_manager_sees_that_a_report_has_a_mentor_and_nothing_more(pair, manager, outsider):
    page = login(manager).get(reverse("mentorship:home"))
    assert b"My reports with a mentor" in page.content
    assert outsider.name.encode() in page.content
    assert b"PRIVATE" not in page.content and b"Design doc review" not in page.content


def test_hr_sees_participation_and_dates_never_notes(pair, hr):
    page = login(hr).get(reverse("mentorship:program", args=[pair.program.slug]))
    assert page.status_code == 200
    assert b"Touchpoints held against due" in page.content
    assert b"PRIVATE" not in page.content and b"Design doc review" not in page.content
    admin = login(hr).get(reverse("admin:mentorship_relationship_change", args=[pair.pk]))
    assert admin.status_code == 200 and b"PRIVATE" not in admin.content and b"reflection" not in admin.content


@pytest.mark.parametrize("who", ["engineer", "manager", "outsider"])
def test_only_hr_opens_programs_and_rounds(world, who, request, hr):
    client = login(request.getfixturevalue(who))
    round = Round.objects.create(program=world.program, status=Round.Status.READY)
    for url in (
        reverse("mentorship:programs"),
        reverse("mentorship:program", args=[world.program.slug]),
        reverse("mentorship:round", args=[round.pk]),
    ):
        assert client.get(url).status_code in (403, 404)
    assert client.post(reverse("mentorship:round_new", args=[world.program.slug])).status_code == 404
    assert client.post(reverse("mentorship:round_publish", args=[round.pk])).status_code == 404
    assert client.post(reverse("mentorship:proposal_override", args=[round.pk, 1]), {"reason": "x"}).status_code == 404
    assert not Round.objects.exclude(pk=round.pk).exists()


def test_signed_out_visitors_are_sent_to_sign_in(pair, client):
    for url in (reverse("mentorship:home"), reverse("mentorship:relationship", args=[pair.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Wrong methods -------------------------------------------------------------------------------------


def test_it_refuses_the_wrong_method(pair, engineer):
    client = login(engineer)
    touchpoint = pair.touchpoints.get()
    assert client.post(reverse("mentorship:home")).status_code == 405
    assert client.post(reverse("mentorship:relationship", args=[pair.pk])).status_code == 405
    assert client.get(reverse("mentorship:relationship_act", args=[pair.pk, "end"])).status_code == 405
    assert client.get(reverse("mentorship:touchpoint_new", args=[pair.pk])).status_code == 405
    assert client.get(reverse("mentorship:action_new", args=[touchpoint.pk])).status_code == 405
    assert client.put(reverse("mentorship:touchpoint", args=[touchpoint.pk])).status_code == 405


# --- Forms and bad input ----------------------------------------------------------------------------------


def test_an_engineer_asks_for_a_mentor_with_their_gaps_prefilled(world, engineer, outsider):
    client = login(engineer)
    page = client.get(reverse("mentorship:ask", args=[world.program.slug]))
    assert page.status_code == 200
    form = page.context["form"]
    # Largest gap to the next level first.
    assert form["competencies"].initial == ["c0-0", "c0-2", "c0-1"]
    response = client.post(
        reverse("mentorship:ask", args=[world.program.slug]),
        {"goals": "Lead a design", "competencies": ["c0-0"], "duration": 4},
    )
    assert response.status_code == 302 and response["Location"].endswith("/find/")
    find = client.get(response["Location"])
    assert outsider.name.encode() in find.content
    assert b"Covers 1 of 1 gap" in find.content


def test_a_bad_request_is_refused_at_the_field(world, engineer):
    response = login(engineer).post(
        reverse("mentorship:ask", args=[world.program.slug]), {"goals": "", "competencies": ["nope"], "duration": 40}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"goals", "competencies", "duration"}
    assert not Request.objects.exists()


def test_asking_a_mentor_from_the_find_page(world, engineer, outsider):
    factories.ask(engineer, world.program)
    client = login(engineer)
    url = reverse("mentorship:find", args=[world.program.slug])
    assert client.post(url, {"mentor": "not-a-number"}).status_code == 302
    assert not Relationship.objects.exists()
    response = client.post(url, {"mentor": outsider.pk})
    relationship = Relationship.objects.get()
    assert response["Location"] == relationship.get_absolute_url()
    answer = login(outsider).post(reverse("mentorship:relationship_act", args=[relationship.pk, "decline"]), {"reason": ""})
    assert answer.status_code == 400 and "reason" in answer.context["reason_form"].errors
    answer = login(outsider).post(reverse("mentorship:relationship_act", args=[relationship.pk, "accept"]))
    assert answer.status_code == 302
    relationship.refresh_from_db()
    assert relationship.status == Relationship.Status.ACTIVE


def test_the_mentee_cannot_accept_their_own_request(world, engineer, outsider):
    request = factories.ask(engineer, world.program)
    relationship = factories.relationship(engineer, outsider, world.program, request=request, status=Relationship.Status.PROPOSED)
    response = login(engineer).post(reverse("mentorship:relationship_act", args=[relationship.pk, "accept"]))
    assert response.status_code == 403
    relationship.refresh_from_db()
    assert relationship.status == Relationship.Status.PROPOSED


def test_a_mentor_profile_needs_a_proficiency_for_a_self_claimed_offer(world, peer):
    factories.placed(peer, world.version, "l3")
    client = login(peer)
    response = client.post(reverse("mentorship:mentor_profile"), {"is_active": "on", "capacity": 2, "offer-c0-0": "on"})
    assert response.status_code == 400
    assert "level-c0-0" in response.context["form"].errors
    assert not MentorProfile.objects.filter(person=peer).exists()
    response = client.post(reverse("mentorship:mentor_profile"), {"is_active": "on", "capacity": 2, "offer-c0-0": "on", "level-c0-0": 3})
    assert response.status_code == 302
    assert MentorProfile.objects.get(person=peer).offers.get().validated is False


def test_a_touchpoint_in_a_taken_period_is_refused_at_the_field(pair, engineer):
    taken = pair.touchpoints.get().starts_at
    response = login(engineer).post(
        reverse("mentorship:touchpoint_new", args=[pair.pk]),
        {"starts_at": timezone.localtime(taken + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "minutes": 45},
    )
    assert response.status_code == 400
    assert "already a touchpoint" in response.context["touchpoint_form"].errors["starts_at"][0]
    bad = login(engineer).post(reverse("mentorship:touchpoint_new", args=[pair.pk]), {"starts_at": "tomorrow", "minutes": 5})
    assert bad.status_code == 400 and set(bad.context["touchpoint_form"].errors) == {"starts_at", "minutes"}
    assert Touchpoint.objects.count() == 1


def test_notes_save_with_htmx_and_say_so(pair, engineer):
    touchpoint = pair.touchpoints.get()
    client = login(engineer)
    early = client.post(reverse("mentorship:touchpoint", args=[touchpoint.pk]), {"notes": "x", "held": "on"}, HTTP_HX_REQUEST="true")
    assert early.status_code == 400 and b"It has not happened yet" in early.content
    Touchpoint.objects.filter(pk=touchpoint.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    response = client.post(reverse("mentorship:touchpoint", args=[touchpoint.pk]), {"agenda": "A", "notes": "We met", "held": "on"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content.decode().startswith("Saved ")  # the saved line alone
    touchpoint.refresh_from_db()
    assert (touchpoint.notes, touchpoint.held) == ("We met", True)
    too_long = client.post(reverse("mentorship:touchpoint", args=[touchpoint.pk]), {"notes": "x" * 20001}, HTTP_HX_REQUEST="true")
    assert too_long.status_code == 400 and b"Not saved" in too_long.content and too_long["HX-Retarget"] == "#notes"
    touchpoint.refresh_from_db()
    assert touchpoint.notes == "We met"


def test_actions_are_added_and_ticked(pair, engineer, outsider):
    touchpoint = pair.touchpoints.get()
    client = login(outsider)
    response = client.post(reverse("mentorship:action_new", args=[touchpoint.pk]), {"text": "Read chapter 3", "owner": engineer.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"Read chapter 3" in response.content
    bad = client.post(reverse("mentorship:action_new", args=[touchpoint.pk]), {"text": "", "owner": 999999}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    action = ActionItem.objects.get(text="Read chapter 3")
    assert client.post(reverse("mentorship:action_mark", args=[action.pk]), {"done": "1"}, HTTP_HX_REQUEST="true").status_code == 200
    action.refresh_from_db()
    assert action.done_at is not None


def test_hr_creates_a_program_with_errors_at_the_field(hr):
    client = login(hr)
    bad = client.post(reverse("mentorship:programs"), {"name": "X", "slug": "x", "starts_on": "2026-05-01", "ends_on": "2026-01-01", "cadence": 1, "duration_min": 5, "duration_default": 4, "duration_max": 6, "grace_days": 14, "weight_gap": 1, "weight_domain": 0.2, "weight_style": 0.1, "weight_timezone": 0.2, "self_claimed": 0.5})
    assert bad.status_code == 400
    assert {"ends_on", "duration_default"} <= set(bad.context["form"].errors)
    good = client.post(reverse("mentorship:programs"), {"name": "Spring", "slug": "spring", "starts_on": "2026-05-01", "ends_on": "2027-01-01", "cadence": 1, "is_open": "on", "duration_min": 2, "duration_default": 4, "duration_max": 6, "grace_days": 14, "weight_gap": 1, "weight_domain": 0.2, "weight_style": 0.1, "weight_timezone": 0.2, "self_claimed": 0.5})
    assert good.status_code == 302 and good["Location"] == reverse("mentorship:program", args=["spring"])


def test_hr_runs_previews_overrides_and_publishes_a_round(world, hr, engineer, outsider, django_capture_on_commit_callbacks):
    factories.ask(engineer, world.program)
    client = login(hr)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("mentorship:round_new", args=[world.program.slug]))
    round = Round.objects.get()
    assert response["Location"] == round.get_absolute_url()
    progress = client.get(round.get_absolute_url() + "?progress=1", HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 1s"' in progress.content
    from mentorship.services import round_compute

    round_compute(round_id=round.pk)
    page = client.get(round.get_absolute_url())
    assert b"covers 2 of 2 gaps" in page.content
    proposal = round.proposals.get()
    url = reverse("mentorship:proposal_override", args=[round.pk, proposal.pk])
    assert client.get(url).status_code == 200
    missing = client.post(url, {"mentor": outsider.pk, "reason": ""})
    assert missing.status_code == 400 and "reason" in missing.context["form"].errors
    client.post(reverse("mentorship:round_decide", args=[round.pk]), {"all": "1"})
    response = client.post(reverse("mentorship:round_publish", args=[round.pk]))
    assert response.status_code == 302
    assert "Published: 1 mentorship started" in flashed(response)[-1]
    assert Relationship.objects.get().mentor == outsider


def test_the_calendar_page_rotates_and_revokes(world, engineer, client):
    page = login(engineer)
    response = page.post(reverse("mentorship:calendar"), {"action": "rotate"})
    url = response.context["feed_url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = client.get(reverse("mentorship:calendar_feed", args=[token]))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert client.get(reverse("mentorship:calendar_feed", args=["wrong-token"])).status_code == 404
    page.post(reverse("mentorship:calendar"), {"action": "revoke"})
    assert client.get(reverse("mentorship:calendar_feed", args=[token])).status_code == 404


# --- Constant queries ---------------------------------------------------------------------------------------


# --- Constant queries ---------------------------------------------------------------------------------------


def _grow(world, times: int, hr) -> None:
    """`times` more mentorships, touchpoints, actions, mentors and requests around the same people."""
    boss = UserFactory()
    for n in range(times):
        mentee, mentor = UserFactory(manager=boss), UserFactory()
        factories.placed(mentee, world.version, "l2", rated_by=boss, value=1)
        factories.placed(mentor, world.version, "l4", rated_by=UserFactory(), value=4)
        factories.mentor(mentor)
        request = factories.ask(mentee, world.program)
        relation = factories.relationship(mentee, mentor, world.program, request=request)
        touchpoint = factories.touchpoint(relation, held=True, starts_at=timezone.now() - datetime.timedelta(days=3))
        ActionItem.objects.create(relationship=relation, touchpoint=touchpoint, text="x", owner=mentee)


def test_pages_cost_the_same_queries_with_ten_times_the_data(world, pair, hr, engineer, outsider, manager):
    from mentorship.services import round_compute

    touchpoint = pair.touchpoints.get()
    for n in range(3):
        later = factories.touchpoint(pair, starts_at=timezone.now() + datetime.timedelta(days=40 * (n + 1)))
        ActionItem.objects.create(relationship=pair, touchpoint=later, text=f"later {n}", owner=engineer)

    def measure() -> list[int]:
        # A fresh round over every open request: its page lists them all.
        round = round_compute(round_id=Round.objects.create(program=pair.program).pk)
        pages = [
            (engineer, reverse("mentorship:home")),
            (engineer, reverse("mentorship:relationship", args=[pair.pk])),
            (engineer, reverse("mentorship:touchpoint", args=[touchpoint.pk])),
            (engineer, reverse("mentorship:calendar")),
            (outsider, reverse("mentorship:mentor_profile")),
            (manager, reverse("mentorship:home")),
            (hr, reverse("mentorship:programs")),
            (hr, reverse("mentorship:program", args=[pair.program.slug])),
            (hr, reverse("mentorship:round", args=[round.pk])),
            (hr, reverse("mentorship:proposal_override", args=[round.pk, round.proposals.order_by("pk").first().pk])),
        ]
        names = ["home", "relationship", "touchpoint", "calendar", "mentor profile", "manager's home", "programs", "program", "round", "override"]
        return {name: page_queries(login(user), url) for name, (user, url) in zip(names, pages, strict=True)}

    _grow(world, 3)
    small = measure()
    _grow(world, 27)
    large = measure()
    assert small == large
    assert max(large.values()) <= 12, large


def _grow(world, times: int) -> None:
    """`times` more mentorships (with touchpoints and actions), mentors and open requests."""
    boss = UserFactory()
    for n in range(times):
        mentee, mentor, asker = UserFactory(manager=boss), UserFactory(), UserFactory(manager=boss)
        factories.placed(mentee, world.version, "l2", rated_by=boss, value=1)
        factories.placed(asker, world.version, "l2", rated_by=boss, value=1)
        factories.placed(mentor, world.version, "l4", rated_by=UserFactory(), value=4)
        factories.mentor(mentor)
        factories.ask(asker, world.program)
        relation = factories.relationship(mentee, mentor, world.program)
        touchpoint = factories.touchpoint(relation, held=True, starts_at=timezone.now() - datetime.timedelta(days=3))
        ActionItem.objects.create(relationship=relation, touchpoint=touchpoint, text="x", owner=mentee)


def test_hr_cannot_read_or_delete_what_the_pair_wrote_in_the_admin(pair, hr, engineer):
    from mentorship.services import relationship_end
    from people.models import Notification

    relationship_end(relationship=pair, actor=engineer, reason="PRIVATE-REASON")
    client = login(hr)
    listing = client.get(reverse("admin:people_notification_changelist"))
    assert listing.status_code == 200 and b"PRIVATE" not in listing.content
    # Nor can it be found by what it says.
    assert client.get(reverse("admin:people_notification_changelist") + "?q=PRIVATE").context["cl"].result_count == 0
    notice = Notification.objects.get(rule="mentorship.ended")
    assert client.get(reverse("admin:people_notification_change", args=[notice.pk])).status_code == 403
    assert client.get(reverse("admin:mentorship_relationship_delete", args=[pair.pk])).status_code == 403
    program_delete = client.get(reverse("admin:mentorship_program_delete", args=[pair.program.pk]))
    assert program_delete.status_code == 403
    history = client.get(reverse("admin:mentorship_relationship_change", args=[pair.pk]))
    assert b"PRIVATE" not in history.content


def test_a_manager_does_not_see_whom_a_report_asked(world, engineer, outsider, manager):
    request = factories.ask(engineer, world.program)
    from mentorship.services import relationship_ask

    relationship_ask(request=request, mentor=outsider, actor=engineer)
    page = login(manager).get(reverse("mentorship:home"))
    assert outsider.name.encode() not in page.content


def test_odd_numbers_in_a_round_decision_are_ignored(world, hr):
    round = Round.objects.create(program=world.program, status=Round.Status.READY)
    response = login(hr).post(reverse("mentorship:round_decide", args=[round.pk]), {"proposal": ["²", "x"]})
    assert response.status_code == 302
    assert "Tick the proposals" in flashed(response)[-1]


def test_a_refused_action_says_why(world, engineer, outsider):
    relationship = factories.relationship(engineer, outsider, world.program, status=Relationship.Status.DECLINED)
    response = login(outsider).post(reverse("mentorship:relationship_act", args=[relationship.pk, "accept"]))
    assert response.status_code == 400
    assert b"already been answered" in response.content


def test_notes_saved_over_by_the_other_side_are_not_lost(pair, engineer, outsider):
    from mentorship.services import touchpoint_version

    touchpoint = pair.touchpoints.get()
    opened = touchpoint_version(touchpoint)
    url = reverse("mentorship:touchpoint", args=[touchpoint.pk])
    first = login(engineer).post(url, {"notes": "Ada's line", "version": opened}, HTTP_HX_REQUEST="true")
    assert first.status_code == 200 and b'hx-swap-oob="true"' in first.content  # the form learns the new version
    stale = login(outsider).post(url, {"notes": "Wei's line", "version": opened}, HTTP_HX_REQUEST="true")
    assert stale.status_code == 400 and b"The other side has saved this touchpoint" in stale.content
    touchpoint.refresh_from_db()
    assert touchpoint.notes == "Ada's line"


def test_a_touchpoint_is_moved_or_called_off(pair, engineer):
    touchpoint = pair.touchpoints.get()
    client = login(engineer)
    later = timezone.localtime(touchpoint.starts_at) + datetime.timedelta(days=1)
    moved = client.post(reverse("mentorship:touchpoint_move", args=[touchpoint.pk]), {"starts_at": later.strftime("%Y-%m-%dT%H:%M"), "minutes": 30})
    assert moved.status_code == 302
    touchpoint.refresh_from_db()
    assert touchpoint.minutes == 30
    bad = client.post(reverse("mentorship:touchpoint_move", args=[touchpoint.pk]), {"starts_at": "2001-01-01T10:00", "minutes": 30})
    assert bad.status_code == 400 and "Choose a day between" in bad.context["move_form"].errors["starts_at"][0]
    refused = client.post(reverse("mentorship:touchpoint_cancel", args=[touchpoint.pk]))  # it has an action item
    assert "move it to another day instead" in flashed(refused)[-1]
    touchpoint.actions.all().delete()
    Touchpoint.objects.filter(pk=touchpoint.pk).update(notes="")
    assert client.post(reverse("mentorship:touchpoint_cancel", args=[touchpoint.pk])).status_code == 302
    assert not Touchpoint.objects.exists()


def test_someone_with_a_mentor_is_not_offered_the_form_again(pair, engineer):
    page = login(engineer).get(reverse("mentorship:ask", args=[pair.program.slug]))
    assert b"is your mentor in this program" in page.content and b"Ask for a mentor</button>" not in page.content
