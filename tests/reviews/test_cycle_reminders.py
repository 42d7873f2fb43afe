"""Review cycle reminders through the one dispatcher: what is still to write (once per person
per phase), the late escalated to their manager, and results released; each exactly once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from people.models import Notification
from people.services import reminders as dispatcher
from people.services import reminders_dispatch
from reviews.models import Nomination, Participant, Phase, Review
from reviews.services.cycle_calibration import calibration_lock, cycle_release
from reviews.services.cycles import Population, cycle_open
from tests.people.factories import UserFactory
from tests.people.rules import Rules

TODAY = timezone.localdate()


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def rules(monkeypatch, db) -> Rules:
    rules = Rules(monkeypatch)
    monkeypatch.setattr(dispatcher, "notification_emails_queue", lambda ids: None)
    return rules


@pytest.fixture
def cycle(hr, manager, engineer, peer, outsider):
    kinds = ["self", "nominations", "peer", "upward", "manager", "calibration"]
    dates = {kind: (day(30 + 7 * n), day(36 + 7 * n)) for n, kind in enumerate(kinds)}
    dates["release"] = (day(90), None)
    return cycle_open(actor=hr, name="H2 reviews", period_start=day(-180), period_end=day(-1),
                      population=Population(emails=f"{engineer.email}\n{peer.email}\n{manager.email}"),
                      phases=dates, upward=True)


def phase_at(cycle, kind: str, opens: int, closes: int) -> None:
    Phase.objects.filter(cycle=cycle, kind=kind).update(opens_on=day(opens), closes_on=day(closes))


def sent(rule: str) -> list[tuple[str, str, str]]:
    return sorted(Notification.objects.filter(rule=rule).values_list("recipient__email", "period", "title"))


def submitted(cycle, author, person, kind: str) -> None:
    participant = Participant.objects.get(cycle=cycle, person=person)
    Review.objects.create(participant=participant, author=author, kind=kind, submitted_at=timezone.now())


def test_it_reminds_each_writer_once_per_phase_near_the_deadline(rules, cycle, engineer, peer, manager):
    rules.keep("reviews.cycle_due")
    phase_at(cycle, "self", -5, 5)
    assert reminders_dispatch() and sent("reviews.cycle_due") == []  # five days to go, the rule says three
    phase_at(cycle, "self", -5, 2)
    submitted(cycle, peer, peer, "self")
    reminders_dispatch()
    reminders_dispatch()
    assert [(e, p) for e, p, _ in sent("reviews.cycle_due")] == [(engineer.email, "self"), (manager.email, "self")]
    title = sent("reviews.cycle_due")[0][2]
    assert title.startswith("H2 reviews: your self review, due ")


def test_it_counts_what_each_owes_in_the_phase(rules, cycle, engineer, peer, manager, outsider):
    rules.keep("reviews.cycle_due")
    ada, sam = (Participant.objects.get(cycle=cycle, person=p) for p in (engineer, peer))
    Nomination.objects.create(participant=ada, peer=outsider, status="approved")
    Nomination.objects.create(participant=sam, peer=outsider, status="approved")
    Nomination.objects.create(participant=sam, peer=engineer, status="proposed")
    phase_at(cycle, "peer", -3, 1)
    phase_at(cycle, "manager", -3, 1)
    phase_at(cycle, "upward", -3, 1)
    UserFactory(is_active=False, manager=manager)  # a leaver owes nothing
    reminders_dispatch()
    titles = {(e, p): t for e, p, t in sent("reviews.cycle_due")}
    assert "2 peer reviews to write" in titles[(outsider.email, "peer")]
    assert (engineer.email, "peer") not in titles  # only proposed
    assert "2 manager reviews to write" in titles[(manager.email, "manager")]
    assert not any(period == "upward" for _, period in titles)  # a rule of their own


def test_upward_reminders_are_their_recipients_alone(rules, as_user, mfa_ready, cycle, hr, engineer, peer, manager):
    """Who is reminded of an upward review says who has not answered: the admin lists none of
    those reminders, not even to an HR admin who is the manager reviewed."""
    rules.keep("reviews.cycle_due", "reviews.cycle_upward_due")
    phase_at(cycle, "upward", -3, 1)
    phase_at(cycle, "self", -3, 1)
    submitted(cycle, engineer, manager, "upward")
    reminders_dispatch()
    reminders_dispatch()
    upward = sent("reviews.cycle_upward_due")
    assert [(e, p) for e, p, _ in upward] == [(peer.email, "upward")]
    assert "an upward review of your manager" in upward[0][2]
    type(manager).objects.filter(pk=manager.pk).update(is_hr_admin=True)
    manager.refresh_from_db()
    mfa_ready(manager)
    for reader in (hr, manager):
        client = as_user(reader)
        listed = client.get("/admin/people/notification/")
        assert listed.status_code == 200
        listed = listed.content.decode()
        assert "reviews.cycle_due" in listed and "cycle_upward" not in listed
        notice = Notification.objects.get(rule="reviews.cycle_upward_due")
        assert client.get(f"/admin/people/notification/{notice.pk}/change/").status_code == 403


def test_it_tells_the_manager_once_who_missed_a_deadline(rules, cycle, engineer, peer, manager, skip_level):
    rules.keep("reviews.cycle_late")
    phase_at(cycle, "self", -10, -2)
    submitted(cycle, peer, peer, "self")
    reminders_dispatch()
    reminders_dispatch()
    assert [(e, p) for e, p, _ in sent("reviews.cycle_late")] == [
        (skip_level.email, "self:late"),  # the manager himself is late
        (manager.email, "self:late"),  # Ada is late; Sam is not
    ]
    title = dict(((e, t) for e, _, t in sent("reviews.cycle_late")))[manager.email]
    assert "1 person reporting to you missed the self review deadline" in title


def test_nothing_is_sent_for_a_phase_closed_early_long_ago_or_a_released_cycle(rules, cycle, hr):
    rules.keep("reviews.cycle_due", "reviews.cycle_late")
    phase_at(cycle, "self", -30, -20)  # beyond the window
    phase_at(cycle, "peer", -3, 1)
    Phase.objects.filter(cycle=cycle, kind="peer").update(closed_early_at=timezone.now())
    reminders_dispatch()
    assert not Notification.objects.exists()


def test_it_tells_each_participant_once_when_results_are_released(rules, cycle, hr, engineer, peer, manager):
    rules.keep("reviews.cycle_released")
    Participant.objects.filter(cycle=cycle).update(rating="meets")
    Participant.objects.filter(cycle=cycle, person=peer).update(removed_at=timezone.now(), removed_reason="Left.")
    phase_at(cycle, "calibration", -3, 3)
    calibration_lock(actor=hr, cycle=cycle)
    reminders_dispatch()
    assert sent("reviews.cycle_released") == []
    cycle_release(actor=hr, cycle=cycle)
    reminders_dispatch()
    reminders_dispatch()
    assert [(e, p) for e, p, _ in sent("reviews.cycle_released")] == sorted(
        [(engineer.email, "released"), (manager.email, "released")]
    )
