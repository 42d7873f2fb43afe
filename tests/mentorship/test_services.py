"""The mentorship services: each rule, each illegal move, each idempotent repeat."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mentorship import services
from mentorship.models import ActionItem, Proposal, Relationship, Request, Round, Touchpoint
from people.models import Notification
from tests.ladders import factories as ladder_factories
from tests.mentorship import factories
from tests.people.factories import UserFactory


# --- Mentor profiles ---------------------------------------------------------------------


def test_it_validates_offers_backed_by_an_agreed_assessment(world, outsider):
    offers = {o.competency: (o.proficiency, o.validated) for o in world.profile.offers.all()}
    assert offers == {"c0-0": (4, True), "c0-1": (4, True), "c0-2": (4, True)}


def test_it_keeps_a_self_claimed_offer_when_no_agreed_assessment_backs_it(world, peer):
    factories.placed(peer, world.version, "l3")
    profile = factories.mentor(peer, offers={"c0-0": 3})
    (offer,) = profile.offers.all()
    assert (offer.competency, offer.proficiency, offer.validated) == ("c0-0", 3, False)


def test_it_asks_for_a_proficiency_when_nothing_backs_an_offer(world, peer):
    factories.placed(peer, world.version, "l3")
    with pytest.raises(ValidationError) as raised:
        factories.mentor(peer, offers={"c0-0": None})
    assert "Say how far along you are in Competency 0.0" in str(raised.value)


def test_it_refuses_offers_without_a_level(db, peer):
    with pytest.raises(ValidationError, match="level on a published career framework"):
        factories.mentor(peer, offers={"c0-0": 3})


# --- Requests ------------------------------------------------------------------------------


def test_it_records_the_gap_of_each_wanted_competency(world, engineer):
    request = factories.ask(engineer, world.program, competencies=["c0-0", "c0-1"])
    assert {(w.competency, w.assessed, w.target) for w in request.wants.all()} == {("c0-0", 1, 3), ("c0-1", 1, 2)}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"goals": "  "}, "goals", "what you want to get out of it"),
        ({"duration": 99}, "duration", "Choose between 2 and 6 months."),
        ({"competencies": []}, "competencies", "at least one competency"),
        ({"competencies": ["no-such"]}, "competencies", "no-such is not a competency"),
    ],
)
def test_it_rejects_a_bad_request_at_the_field(world, engineer, changes, field, message):
    arguments = {"mentee": engineer, "program": world.program, "goals": "Grow", "competencies": ["c0-0"], "duration": 4}
    arguments.update(changes)
    with pytest.raises(ValidationError) as raised:
        services.request_submit(**arguments)
    assert message in " ".join(raised.value.message_dict[field])
    assert not Request.objects.exists()


def test_it_allows_one_open_request_per_program(world, engineer):
    factories.ask(engineer, world.program)
    with pytest.raises(ValidationError, match="already have an open request"):
        factories.ask(engineer, world.program)


def test_it_keeps_people_out_of_programs_for_other_departments(world, engineer):
    from people.models import Department

    world.program.departments.add(Department.objects.create(name="Sales"))
    with pytest.raises(PermissionDenied):
        factories.ask(engineer, world.program)


# --- Rounds --------------------------------------------------------------------------------


def _round(world, hr, django_capture_on_commit_callbacks) -> Round:
    with django_capture_on_commit_callbacks() as callbacks:
        round = services.round_start(program=world.program, actor=hr)
    assert len(callbacks) == 1  # the matching task, queued once committed
    return services.round_compute(round_id=round.pk)


def test_a_round_proposes_the_best_pair_and_explains_it(world, hr, engineer, outsider, django_capture_on_commit_callbacks):
    factories.ask(engineer, world.program)
    round = _round(world, hr, django_capture_on_commit_callbacks)
    assert round.status == Round.Status.READY and round.progress == 100
    (proposal,) = round.proposals.all()
    assert proposal.mentor == outsider
    assert proposal.explanation.startswith("covers 2 of 2 gaps: Competency 0.0 +2 (validated), Competency 0.1 +1 (validated)")


def test_a_round_runs_once_however_often_its_task_is_delivered(world, hr, engineer, django_capture_on_commit_callbacks):
    factories.ask(engineer, world.program)
    round = _round(world, hr, django_capture_on_commit_callbacks)
    assert services.round_compute(round_id=round.pk) is None
    assert round.proposals.count() == 1


def test_a_round_never_pairs_someone_with_their_manager(world, hr, engineer, manager, outsider, django_capture_on_commit_callbacks):
    factories.mentor(manager)
    world.profile.is_active = False
    world.profile.save()
    factories.ask(engineer, world.program)
    round = _round(world, hr, django_capture_on_commit_callbacks)
    (proposal,) = round.proposals.all()
    assert proposal.mentor is None
    assert proposal.unmatched_reason == "the one who could is in their management chain"


def test_only_hr_runs_reviews_and_publishes_rounds(world, engineer, outsider):
    with pytest.raises(PermissionDenied):
        services.round_start(program=world.program, actor=engineer)


def test_an_override_needs_a_reason_and_an_allowed_mentor(world, hr, engineer, manager, peer, django_capture_on_commit_callbacks):
    factories.ask(engineer, world.program)
    round = _round(world, hr, django_capture_on_commit_callbacks)
    proposal = round.proposals.get()
    with pytest.raises(ValidationError) as raised:
        services.proposal_override(proposal=proposal, actor=hr, mentor=manager, reason="")
    assert set(raised.value.message_dict) == {"reason", "mentor"}
    assert "management chain" in raised.value.message_dict["mentor"][0]
    with pytest.raises(ValidationError, match="does not offer to mentor"):
        services.proposal_override(proposal=proposal, actor=hr, mentor=peer, reason="Knows the codebase")
    proposal.refresh_from_db()
    assert proposal.override_reason == "" and proposal.decision == Proposal.Decision.PENDING


def test_an_override_keeps_whom_the_engine_chose_and_why(world, hr, engineer, outsider, django_capture_on_commit_callbacks):
    other = UserFactory(name="Kai Larsen")
    factories.placed(other, world.version, "l4", rated_by=UserFactory(), value=5)
    factories.mentor(other)
    factories.ask(engineer, world.program)
    round = _round(world, hr, django_capture_on_commit_callbacks)
    proposal = round.proposals.get()
    chosen = outsider if proposal.mentor == other else other
    services.proposal_override(proposal=proposal, actor=hr, mentor=chosen, reason="Same time zone as the team")
    proposal.refresh_from_db()
    assert proposal.mentor == chosen and proposal.proposed_mentor != chosen
    assert proposal.override_reason == "Same time zone as the team"
    assert proposal.decision == Proposal.Decision.APPROVED
    from auditlog.models import LogEntry

    (entry,) = LogEntry.objects.get_for_object(proposal)
    assert proposal.decided_by == hr
    assert entry.changes_dict["override_reason"] == ["", "Same time zone as the team"]


def test_publishing_starts_mentorships_tells_both_and_happens_once(world, hr, engineer, outsider, django_capture_on_commit_callbacks):
    request = factories.ask(engineer, world.program)
    round = _round(world, hr, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="Approve at least one"):
        services.round_publish(round=round, actor=hr)
    assert services.proposals_decide(round=round, actor=hr, proposal_ids=None, approve=True) == 1
    (relationship,) = services.round_publish(round=round, actor=hr).started
    assert (relationship.mentee, relationship.mentor, relationship.status) == (engineer, outsider, Relationship.Status.ACTIVE)
    assert relationship.ratings_before == {"c0-0": 1, "c0-1": 1}
    request.refresh_from_db()
    assert request.status == Request.Status.MATCHED
    assert set(Notification.objects.values_list("recipient", flat=True)) == {engineer.pk, outsider.pk}
    with pytest.raises(ValidationError, match="published"):
        services.round_publish(round=round, actor=hr)
    with pytest.raises(ValidationError, match="published"):
        services.proposals_decide(round=round, actor=hr, proposal_ids=None, approve=False)
    assert Relationship.objects.count() == 1


# --- Self-serve --------------------------------------------------------------------------------


def test_a_mentee_asks_a_suggestion_and_the_mentor_accepts(world, engineer, outsider):
    request = factories.ask(engineer, world.program)
    relationship = services.relationship_ask(request=request, mentor=outsider, actor=engineer)
    assert relationship.status == Relationship.Status.PROPOSED
    with pytest.raises(PermissionDenied):
        services.relationship_accept(relationship=relationship, actor=engineer)
    services.relationship_accept(relationship=relationship, actor=outsider)
    services.relationship_accept(relationship=relationship, actor=outsider)  # a double click changes nothing
    relationship.refresh_from_db()
    assert relationship.status == Relationship.Status.ACTIVE
    assert relationship.ratings_before == {"c0-0": 1, "c0-1": 1}
    assert Notification.objects.filter(recipient=engineer, title__contains="will mentor you").count() == 1


def test_a_decline_needs_a_reason_and_brings_fresh_suggestions(world, engineer, outsider):
    from mentorship.selectors import suggestions_for

    request = factories.ask(engineer, world.program)
    assert [s.mentor for s in suggestions_for(request)] == [outsider]
    relationship = services.relationship_ask(request=request, mentor=outsider, actor=engineer)
    with pytest.raises(ValidationError):
        services.relationship_decline(relationship=relationship, actor=outsider, reason=" ")
    services.relationship_decline(relationship=relationship, actor=outsider, reason="Away all of next month")
    assert suggestions_for(request) == []  # the one who declined is not suggested again
    notice = Notification.objects.get(recipient=engineer)
    assert "Away all of next month" in notice.body and notice.url.endswith("/find/")


def test_a_mentee_cannot_ask_someone_outside_their_suggestions(world, engineer, manager):
    factories.mentor(manager)
    request = factories.ask(engineer, world.program)
    with pytest.raises(ValidationError, match="cannot take you on"):
        services.relationship_ask(request=request, mentor=manager, actor=engineer)


# --- Relationships --------------------------------------------------------------------------------


def test_ending_early_needs_a_reason(world, engineer, outsider):
    relationship = factories.relationship(engineer, outsider, world.program)
    with pytest.raises(ValidationError):
        services.relationship_end(relationship=relationship, actor=engineer, reason="")
    services.relationship_end(relationship=relationship, actor=engineer, reason="Changed teams")
    relationship.refresh_from_db()
    assert relationship.status == Relationship.Status.ENDED and relationship.reason == "Changed teams"


def test_it_completes_mentorships_after_the_end_and_grace_and_records_movement(world, engineer, outsider, manager):
    request = factories.ask(engineer, world.program)
    relationship = factories.relationship(
        engineer, outsider, world.program, request=request, ratings_before={"c0-0": 1, "c0-1": 1},
        starts_on=timezone.localdate() - datetime.timedelta(days=150), ends_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    assert services.relationships_complete_due() == 0  # still in its 14 days of grace
    ladder_factories.submitted(engineer, manager, world.version, "l2", value=2)
    assert services.relationships_complete_due(today=timezone.localdate() + datetime.timedelta(days=5)) == 1
    relationship.refresh_from_db()
    assert relationship.status == Relationship.Status.COMPLETED
    assert relationship.ratings_after == {"c0-0": 2, "c0-1": 2}
    from mentorship.selectors import movement_of

    assert [(m.before, m.after, m.change) for m in movement_of(relationship)] == [(1, 2, 1), (1, 2, 1)]
    assert services.relationships_complete_due(today=timezone.localdate() + datetime.timedelta(days=5)) == 0


# --- Touchpoints --------------------------------------------------------------------------------------


def test_it_allows_one_touchpoint_per_period(world, engineer, outsider):
    relationship = factories.relationship(engineer, outsider, world.program)
    day = timezone.now() + datetime.timedelta(days=1)
    services.touchpoint_log(relationship=relationship, actor=engineer, starts_at=day)
    with pytest.raises(ValidationError) as raised:
        services.touchpoint_log(relationship=relationship, actor=outsider, starts_at=day + datetime.timedelta(hours=2))
    assert "There is already a touchpoint for" in raised.value.message_dict["starts_at"][0]
    assert Touchpoint.objects.count() == 1


def test_the_database_holds_one_touchpoint_per_period(world, engineer, outsider):
    from django.db import IntegrityError, transaction

    relationship = factories.relationship(engineer, outsider, world.program)
    factories.touchpoint(relationship)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.touchpoint(relationship)


def test_only_the_pair_writes_touchpoints_and_actions(world, engineer, outsider, manager, hr):
    relationship = factories.relationship(engineer, outsider, world.program)
    touchpoint = factories.touchpoint(relationship)
    for stranger in (manager, hr):
        with pytest.raises(PermissionDenied):
            services.touchpoint_log(relationship=relationship, actor=stranger, starts_at=timezone.now())
        with pytest.raises(PermissionDenied):
            services.touchpoint_update(touchpoint=touchpoint, actor=stranger, notes="hello")
        with pytest.raises(PermissionDenied):
            services.action_add(touchpoint=touchpoint, actor=stranger, text="x", owner=engineer, due_on=None)


def test_open_actions_carry_over_until_done(world, engineer, outsider):
    from mentorship.selectors import open_actions_before

    relationship = factories.relationship(engineer, outsider, world.program)
    first = factories.touchpoint(relationship, starts_at=timezone.now() - datetime.timedelta(days=35), held=True)
    second = factories.touchpoint(relationship, starts_at=timezone.now() + datetime.timedelta(days=1))
    action = services.action_add(touchpoint=first, actor=outsider, text="Read the design doc", owner=engineer, due_on=None)
    with pytest.raises(ValidationError):
        services.action_add(touchpoint=first, actor=outsider, text="Hmm", owner=UserFactory(), due_on=None)
    assert open_actions_before(second) == [action]
    services.action_mark(action=action, actor=engineer, done=True)
    assert open_actions_before(second) == []
    assert ActionItem.objects.get().done_at is not None


# --- Calendar feed ------------------------------------------------------------------------------------


def test_the_feed_answers_only_to_its_current_token(world, engineer, outsider):
    from mentorship.calendar import feed_for_token

    relationship = factories.relationship(engineer, outsider, world.program)
    factories.touchpoint(relationship, agenda="Talk about the design doc", notes="Private words")
    token = services.calendar_feed_rotate(person=engineer)
    body = feed_for_token(token).decode()
    assert "BEGIN:VEVENT" in body and "Mentorship with" in body and "Talk about the design doc" in body
    assert "Private words" not in body
    new = services.calendar_feed_rotate(person=engineer)
    assert feed_for_token(token) is None and feed_for_token(new) is not None
    services.calendar_feed_revoke(person=engineer)
    assert feed_for_token(new) is None
    assert feed_for_token("") is None


def test_a_round_waits_for_the_safety_net_when_the_broker_is_down(world, hr, engineer, monkeypatch, django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    from mentorship import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.round_run, "delay", broker_down)
    factories.ask(engineer, world.program)
    with django_capture_on_commit_callbacks(execute=True):
        round = services.round_start(program=world.program, actor=hr)  # no error for the person who clicked
    round.refresh_from_db()
    assert round.status == Round.Status.QUEUED
    assert tasks.rounds_queued_run() == 0  # given a moment, in case its task is on its way
    Round.objects.filter(pk=round.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=3))
    assert tasks.rounds_queued_run() == 1
    round.refresh_from_db()
    assert round.status == Round.Status.READY and round.proposals.count() == 1


def test_the_round_task_matches_the_round(world, hr, engineer, django_capture_on_commit_callbacks):
    from mentorship import tasks

    factories.ask(engineer, world.program)
    with django_capture_on_commit_callbacks(execute=False):
        round = services.round_start(program=world.program, actor=hr)
    assert tasks.round_run.apply(args=[round.pk]).get() == round.pk
    assert tasks.round_run.apply(args=[round.pk]).get() is None  # delivered twice, run once


def test_starting_a_round_while_one_runs_gives_back_the_running_one(world, hr, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = services.round_start(program=world.program, actor=hr)
        second = services.round_start(program=world.program, actor=hr)
    assert first == second and Round.objects.count() == 1


# --- Rules as the organisation is now -------------------------------------------------------------


def test_nobody_is_matched_with_someone_below_them(world, hr, manager, engineer, outsider, django_capture_on_commit_callbacks):
    from mentorship.selectors import suggestions_for

    # The engineer reports to the manager and is further along than him in c0-0.
    ladder_factories.submitted(engineer, manager, world.version, "l2", value=5)
    ladder_factories.submitted(manager, manager.manager, world.version, "l4", value=2)
    factories.mentor(engineer, offers={"c0-0": None})
    world.profile.is_active = False
    world.profile.save()
    request = services.request_submit(mentee=manager, program=world.program, goals="Grow", competencies=["c0-0"], duration=4)
    assert suggestions_for(request) == []
    round = _round(world, hr, django_capture_on_commit_callbacks)
    (proposal,) = round.proposals.all()
    assert proposal.mentor is None
    assert proposal.unmatched_reason == "the one who could is in their management chain"


def test_an_override_refuses_a_paused_mentor(world, hr, engineer, outsider, django_capture_on_commit_callbacks):
    other = UserFactory(name="Kai Larsen")
    factories.placed(other, world.version, "l4", rated_by=UserFactory(), value=5)
    factories.mentor(other, paused_until=timezone.localdate() + datetime.timedelta(days=30))
    factories.ask(engineer, world.program)
    round = _round(world, hr, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="paused until"):
        services.proposal_override(proposal=round.proposals.get(), actor=hr, mentor=other, reason="Knows payments")


def test_publishing_leaves_out_a_pair_the_organisation_no_longer_allows(world, hr, engineer, outsider, peer, django_capture_on_commit_callbacks):
    factories.placed(peer, world.version, "l2", rated_by=peer.manager, value=1)
    factories.ask(engineer, world.program)
    factories.ask(peer, world.program)
    round = _round(world, hr, django_capture_on_commit_callbacks)
    services.proposals_decide(round=round, actor=hr, proposal_ids=None, approve=True)
    ladder_factories.reports_to(outsider, engineer)  # since the preview, the mentor reports to the mentee
    published = services.round_publish(round=round, actor=hr)
    assert [(r.mentee, r.mentor) for r in published.started] == [(peer, outsider)]
    ((mentee, mentor, why),) = published.skipped
    assert (mentee, mentor) == (engineer, outsider) and "management chain" in why
    assert Request.objects.get(mentee=engineer).status == Request.Status.OPEN


def test_publishing_takes_over_the_mentees_own_pending_ask(world, hr, engineer, outsider, django_capture_on_commit_callbacks):
    request = factories.ask(engineer, world.program)
    asked = services.relationship_ask(request=request, mentor=outsider, actor=engineer)
    round = _round(world, hr, django_capture_on_commit_callbacks)
    assert round.proposals.get().mentor == outsider
    services.proposals_decide(round=round, actor=hr, proposal_ids=None, approve=True)
    (relationship,) = services.round_publish(round=round, actor=hr).started
    assert relationship.pk == asked.pk and relationship.status == Relationship.Status.ACTIVE
    assert Relationship.objects.count() == 1


def test_a_mentor_cannot_accept_someone_matched_elsewhere(world, hr, engineer, outsider, django_capture_on_commit_callbacks):
    other = UserFactory(name="Kai Larsen")
    factories.placed(other, world.version, "l4", rated_by=UserFactory(), value=4)
    factories.mentor(other)
    request = factories.ask(engineer, world.program)
    asked = services.relationship_ask(request=request, mentor=outsider, actor=engineer)
    round = _round(world, hr, django_capture_on_commit_callbacks)
    proposal = round.proposals.get()
    if proposal.mentor == outsider:
        services.proposal_override(proposal=proposal, actor=hr, mentor=other, reason="Closer time zone")
    services.proposals_decide(round=round, actor=hr, proposal_ids=None, approve=True)
    (relationship,) = services.round_publish(round=round, actor=hr).started
    assert relationship.mentor == other
    asked.refresh_from_db()
    assert asked.status == Relationship.Status.ENDED  # the ask still waiting is closed
    with pytest.raises(ValidationError):
        services.relationship_accept(relationship=asked, actor=outsider)
    assert Relationship.objects.filter(request=request, status=Relationship.Status.ACTIVE).count() == 1


def test_accepting_needs_room_and_no_pause(world, engineer, outsider):
    request = factories.ask(engineer, world.program)
    asked = services.relationship_ask(request=request, mentor=outsider, actor=engineer)
    world.profile.paused_until = timezone.localdate() + datetime.timedelta(days=10)
    world.profile.save()
    with pytest.raises(ValidationError, match="paused until"):
        services.relationship_accept(relationship=asked, actor=outsider)


def test_a_closed_mentorship_is_kept_as_it_was_after_a_month(world, engineer, outsider):
    relationship = factories.relationship(engineer, outsider, world.program, status=Relationship.Status.COMPLETED)
    touchpoint = factories.touchpoint(relationship, starts_at=timezone.now() - datetime.timedelta(days=60), held=True)
    Relationship.objects.filter(pk=relationship.pk).update(closed_at=timezone.now() - datetime.timedelta(days=10))
    relationship.refresh_from_db()
    action = services.action_add(touchpoint=touchpoint, actor=engineer, text="Wrap up", owner=engineer, due_on=None)
    Relationship.objects.filter(pk=relationship.pk).update(closed_at=timezone.now() - datetime.timedelta(days=40))
    touchpoint.relationship.refresh_from_db()
    for change in (
        lambda: services.action_add(touchpoint=touchpoint, actor=engineer, text="Late", owner=engineer, due_on=None),
        lambda: services.action_mark(action=action, actor=engineer, done=True),
        lambda: services.touchpoint_update(touchpoint=touchpoint, actor=engineer, notes="Late"),
    ):
        with pytest.raises(ValidationError, match="closed over a month ago"):
            change()


def test_adding_the_same_action_twice_at_once_adds_it_once(world, engineer, outsider):
    relationship = factories.relationship(engineer, outsider, world.program)
    touchpoint = factories.touchpoint(relationship)
    first = services.action_add(touchpoint=touchpoint, actor=engineer, text="Read it", owner=engineer, due_on=None)
    again = services.action_add(touchpoint=touchpoint, actor=engineer, text="Read it", owner=engineer, due_on=None)
    assert first == again and ActionItem.objects.count() == 1
