"""Review cycles against their edge cases: an HR admin reviewed in their own cycle, upward
reviews leaving no trace, a locked calibration, a second manager, wrong years and phases."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from people.models import Notification
from people.services import reminders as dispatcher
from people.services import reminders_dispatch
from reviews.models import Cycle, Nomination, Participant, Phase, Review
from reviews.selectors.cycles import reviews_visible_to
from reviews.services.cycle_calibration import rating_move
from reviews.services.cycle_reviews import review_save, review_start, review_submit
from reviews.services.cycles import Population, cycle_open, participant_add, phase_extend
from tests.conftest import at_once
from tests.people.factories import UserFactory
from tests.people.rules import Rules


def day(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def url(name: str, *args) -> str:
    return reverse(f"reviews:{name}", args=args)


@pytest.fixture
def cycle(hr, manager, engineer, peer, skip_level):
    kinds = ["self", "nominations", "peer", "upward", "manager"]
    dates = {kind: (day(-40 + 7 * n), day(-34 + 7 * n)) for n, kind in enumerate(kinds)}
    dates["calibration"] = (day(-1), day(6))
    dates["release"] = (day(10), None)
    cycle = cycle_open(actor=hr, name="H2", period_start=day(-220), period_end=day(-41),
                       population=Population(everyone=True), phases=dates, upward=True)
    cycle.participants.update(rating="meets")
    return cycle


def of(cycle, person) -> Participant:
    return Participant.objects.select_related("cycle").get(cycle=cycle, person=person)


def test_an_hr_admin_reviewed_in_their_cycle_reads_nothing_of_their_own_results(as_user, cycle, hr, skip_level):
    hr.manager = skip_level
    hr.save()
    mine = of(cycle, hr)
    review = Review.objects.create(participant=mine, author=skip_level, kind="manager", overall="below", submitted_at=timezone.now())
    review.answers.create(section=cycle.sections.first(), text="Helen's words from Daniel")
    rating_move(actor=skip_level, participant=mine, rating="below", reason="Helen's rating moved by Daniel")
    client = as_user(hr)
    dashboard = client.get(url("cycle", cycle.pk) + "?q=helen").content.decode()
    assert "yours, after the release" in dashboard and "Below expectations" not in dashboard
    calibration = client.get(url("cycle_calibration", cycle.pk)).content.decode()
    assert "<th scope=\"row\">Helen Ross" not in calibration and "Helen&#x27;s" not in calibration
    rows = list(csv.reader(io.StringIO(b"".join(client.get(url("cycle_export", cycle.pk)).streaming_content).decode())))
    own = next(row for row in rows if row[1] == hr.email)
    assert own[5:8] == ["", "", ""]
    log = client.get(reverse("admin:auditlog_logentry_changelist")).content.decode()
    assert "Helen&#x27;s rating moved by Daniel" not in log and "Helen Ross in H2" not in log
    assert not reviews_visible_to(hr).filter(pk=review.pk).exists()
    # After the release she reads her manager review, as any participant; never a peer review unless shared.
    peer_review = Review.objects.create(participant=mine, author=UserFactory(), kind="peer", submitted_at=timezone.now())
    Cycle.objects.filter(pk=cycle.pk).update(calibration_locked_at=timezone.now(), released_at=timezone.now())
    readable = set(reviews_visible_to(hr).values_list("pk", flat=True))
    assert review.pk in readable and peer_review.pk not in readable


def test_upward_reviews_leave_no_audit_entry_and_no_count(as_user, cycle, hr, manager, engineer, monkeypatch):
    Phase.objects.filter(cycle=cycle, kind="upward").update(opens_on=day(-1), closes_on=day(3))
    Phase.objects.filter(cycle=cycle, kind="calibration").update(opens_on=day(5), closes_on=day(6))
    upward = review_start(actor=engineer, participant=of(cycle, manager), kind="upward")
    review_save(actor=engineer, review=upward, answers={s.pk: "Fine." for s in cycle.sections.all()})
    review_submit(actor=engineer, review=upward)
    assert not LogEntry.objects.get_for_object(upward).exists()
    dashboard = as_user(hr).get(url("cycle", cycle.pk)).content.decode()
    assert "Upward reviews" in dashboard and "1 of" not in dashboard
    # After its deadline, nobody is told who did not answer.
    Phase.objects.filter(cycle=cycle, kind="upward").update(opens_on=day(-10), closes_on=day(-2))
    rules = Rules(monkeypatch)
    rules.keep("reviews.cycle_late")
    monkeypatch.setattr(dispatcher, "notification_emails_queue", lambda ids: None)
    reminders_dispatch()
    assert not Notification.objects.filter(rule="reviews.cycle_late", period__startswith="upward").exists()


def test_a_locked_cycle_takes_no_review_and_nobody_new(cycle, hr, engineer, outsider):
    Phase.objects.filter(cycle=cycle, kind="self").update(opens_on=day(-1), closes_on=day(0))
    review = review_start(actor=engineer, participant=of(cycle, engineer), kind="self")
    Cycle.objects.filter(pk=cycle.pk).update(calibration_locked_at=timezone.now())
    with pytest.raises(ValidationError) as caught:
        review_save(actor=engineer, review=review, answers={})
    assert caught.value.messages == ["Calibration is locked: the cycle's reviews no longer change."]
    Participant.objects.filter(cycle=cycle, person=outsider).delete()
    with pytest.raises(ValidationError) as caught:
        participant_add(actor=hr, cycle=Cycle.objects.get(pk=cycle.pk), person=outsider)
    assert "Calibration is locked" in caught.value.message_dict["person"][0]


def test_a_new_manager_does_not_write_a_second_manager_review(cycle, manager, skip_level, engineer):
    Phase.objects.filter(cycle=cycle, kind="manager").update(opens_on=day(-1), closes_on=day(0))
    Review.objects.create(participant=of(cycle, engineer), author=manager, kind="manager", overall="meets", submitted_at=timezone.now())
    engineer.manager = skip_level
    engineer.save()
    with pytest.raises(ValidationError) as caught:
        review_start(actor=skip_level, participant=of(cycle, engineer), kind="manager")
    assert caught.value.messages == ["Marcus Chen has submitted the manager review already."]


def test_a_decision_that_is_neither_approve_nor_decline_changes_nothing(as_user, cycle, engineer, peer, manager):
    Phase.objects.filter(cycle=cycle, kind="nominations").update(opens_on=day(-1), closes_on=day(0))
    Phase.objects.filter(cycle=cycle, kind="calibration").update(opens_on=day(5), closes_on=day(6))
    row = Nomination.objects.create(participant=of(cycle, engineer), peer=peer)
    response = as_user(manager).post(url("nomination_decide", of(cycle, engineer).pk, row.pk), {"decision": "maybe"}, follow=True)
    assert "Choose to approve or decline." in response.content.decode()
    assert Nomination.objects.get(pk=row.pk).status == "proposed"


def test_years_far_off_and_writing_past_calibration_are_refused_at_the_field(hr, engineer, cycle):
    kinds = ["self", "nominations", "peer", "manager"]
    dates = {kind: (day(7 * n), day(7 * n + 6)) for n, kind in enumerate(kinds)}
    dates["calibration"] = (day(20), day(30))  # manager reviews still running then
    dates["release"] = (day(40), None)
    with pytest.raises(ValidationError) as caught:
        cycle_open(actor=hr, name="Far", period_start=day(-180), period_end=datetime.date(9999, 12, 31),
                   population=Population(everyone=True), phases=dates)
    errors = caught.value.message_dict
    assert errors["period_end"] == ["Choose a day within ten years of today: check the year."]
    assert errors["manager_closes_on"][0].startswith("Manager reviews closes before calibration opens")
    peer_phase = Phase.objects.select_related("cycle").get(cycle=cycle, kind="peer")
    with pytest.raises(ValidationError) as caught:
        phase_extend(actor=hr, phase=peer_phase, closes_on=day(2))
    assert "closes before that" in caught.value.message_dict["closes_on"][0]


def test_after_the_lock_nobody_leaves_and_the_new_manager_reads_the_review_already_in(as_user, cycle, hr, manager, skip_level, engineer):
    from reviews.services.cycles import participant_remove

    Phase.objects.filter(cycle=cycle, kind="manager").update(opens_on=day(-1), closes_on=day(0))
    Phase.objects.filter(cycle=cycle, kind="calibration").update(opens_on=day(2), closes_on=day(6))
    done = Review.objects.create(participant=of(cycle, engineer), author=manager, kind="manager", overall="meets",
                                 submitted_at=timezone.now())
    done.answers.create(section=cycle.sections.first(), text="Marcus's words on Ada")
    engineer.manager = skip_level
    engineer.save()
    page = as_user(skip_level).get(url("review_write", of(cycle, engineer).pk, "manager")).content.decode()
    assert "Marcus Chen submitted the manager review" in page and "Marcus&#x27;s words on Ada" in page
    assert "data-autosave" not in page
    # No upward review where the cycle has none.
    Phase.objects.filter(cycle=cycle, kind="upward").delete()
    assert as_user(engineer).get(url("review_write", of(cycle, skip_level).pk, "upward")).status_code == 404
    Cycle.objects.filter(pk=cycle.pk).update(calibration_locked_at=timezone.now())
    with pytest.raises(ValidationError) as caught:
        participant_remove(actor=hr, participant=of(cycle, engineer), reason="Left")
    assert "Calibration is locked" in caught.value.message_dict["reason"][0]


def test_calibration_shows_each_moves_reason_and_who_moved_it(as_user, cycle, hr, manager, engineer):
    rating_move(actor=manager, participant=of(cycle, engineer), rating="above", reason="Carried the launch for two teams.")
    page = as_user(hr).get(url("cycle_calibration", cycle.pk)).content.decode()
    assert "Moved 1×" in page and "Carried the launch for two teams." in page and "by Marcus Chen" in page


def test_a_nul_character_is_refused_or_dropped_never_a_500(as_user, cycle, hr, engineer):
    """PostgreSQL stores no NUL character: the filters and search drop it, a move's reason is
    refused at its field."""
    client = as_user(hr)
    assert client.get(url("cycle", cycle.pk) + "?q=ad%00a").status_code == 200
    for query in ("?manager=mar%00cus", "?level=Senior%00"):
        assert client.get(url("cycle_calibration", cycle.pk) + query).status_code == 200
    move = url("cycle_calibration_move", cycle.pk, of(cycle, engineer).pk)
    response = client.post(move, {"rating": "above", "reason": "Carried\x00 the launch"})
    assert response.status_code == 400 and "Null characters are not allowed." in response.content.decode()
    assert Participant.objects.get(pk=of(cycle, engineer).pk).rating == "meets"


def test_a_deadline_extended_into_another_decade_is_refused_at_the_field(cycle, hr):
    calibration = Phase.objects.select_related("cycle").get(cycle=cycle, kind="calibration")
    for far in (datetime.date(9999, 12, 31), day(3700)):
        with pytest.raises(ValidationError) as caught:
            phase_extend(actor=hr, phase=calibration, closes_on=far)
        assert caught.value.message_dict["closes_on"] == ["Choose a day within ten years of today: check the year."]
    assert Phase.objects.get(cycle=cycle, kind="release").opens_on == day(10)


def test_submitting_twice_from_the_page_changes_nothing_and_says_so(as_user, cycle, engineer):
    Phase.objects.filter(cycle=cycle, kind="self").update(opens_on=day(-1), closes_on=day(0))
    Phase.objects.filter(cycle=cycle, kind="calibration").update(opens_on=day(5), closes_on=day(6))
    mine = of(cycle, engineer)
    review = Review.objects.create(participant=mine, author=engineer, kind="self", submitted_at=timezone.now())
    response = as_user(engineer).post(url("review_write", mine.pk, "self"), {"submit": "1"}, follow=True)
    assert response.status_code == 200 and "Self review was submitted already. It is locked." in response.content.decode()
    assert Review.objects.get(pk=review.pk).submitted_at == review.submitted_at


def test_the_dashboard_lists_people_taken_out_last_on_every_database(as_user, cycle, hr, engineer):
    from reviews.services.cycles import participant_remove

    Phase.objects.filter(cycle=cycle, kind="calibration").update(opens_on=day(5), closes_on=day(6))
    participant_remove(actor=hr, participant=of(cycle, engineer), reason="Moved to another company.")
    names = [row.person.name for row in as_user(hr).get(url("cycle", cycle.pk)).context["people"]]
    assert names[-1] == engineer.name and names[:-1] == sorted(names[:-1])


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_move_and_a_removal_at_once_take_their_locks_in_one_order(hr, manager, engineer, peer, skip_level):
    """A manager moving a rating while HR take the same person out: one waits for the other,
    neither fails: both take the cycle first, then the row, so neither deadlocks."""
    from reviews.services.cycles import participant_remove

    kinds = ["self", "nominations", "peer", "manager"]
    dates = {kind: (day(-40 + 7 * n), day(-34 + 7 * n)) for n, kind in enumerate(kinds)}
    dates["calibration"], dates["release"] = (day(-1), day(6)), (day(10), None)
    people = [UserFactory(manager=manager) for _ in range(8)]
    cycle = cycle_open(actor=hr, name="Race", period_start=day(-220), period_end=day(-41),
                       population=Population(emails="\n".join(p.email for p in people)), phases=dates)
    cycle.participants.update(rating="meets")
    for person in people:
        row = of(cycle, person)
        results = at_once(
            lambda: rating_move(actor=manager, participant=row, rating="above", reason="Led the launch."),
            lambda: participant_remove(actor=hr, participant=row, reason="Left the company."),
        )
        assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, ValidationError)], results


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_someone_added_twice_at_once_is_added_once(hr, manager, engineer, outsider):
    dates = {kind: (day(-40 + 7 * n), day(-34 + 7 * n)) for n, kind in enumerate(["self", "nominations", "peer", "manager"])}
    dates["calibration"], dates["release"] = (day(-1), day(6)), (day(10), None)
    cycle = cycle_open(actor=hr, name="Late", period_start=day(-220), period_end=day(-41),
                       population=Population(emails=engineer.email), phases=dates)
    results = at_once(*[lambda: participant_add(actor=hr, cycle=cycle, person=outsider).pk] * 2)
    assert len([r for r in results if isinstance(r, int)]) == 1, results
    refused = next(r for r in results if not isinstance(r, int))
    assert refused.message_dict["person"] == [f"{outsider.name} is already in this cycle."]
    assert Participant.objects.filter(cycle=cycle, person=outsider).count() == 1


def test_upward_reviews_once_closed_do_not_reopen(cycle, hr):
    """HR may have read the answers together once closed: reopened, a late answer read again
    would be one person's."""
    upward = Phase.objects.select_related("cycle").get(cycle=cycle, kind="upward")  # closed by its date
    with pytest.raises(ValidationError) as caught:
        phase_extend(actor=hr, phase=upward, closes_on=day(-2))
    assert "Upward reviews have closed" in caught.value.message_dict["closes_on"][0]
    Phase.objects.filter(pk=upward.pk).update(opens_on=day(-3), closes_on=day(-2))
    Phase.objects.filter(cycle=cycle, kind="calibration").update(opens_on=day(5), closes_on=day(6))
    Phase.objects.filter(pk=upward.pk).update(closes_on=day(1))
    assert phase_extend(actor=hr, phase=Phase.objects.get(pk=upward.pk), closes_on=day(2)).closes_on == day(2)  # still open
    Phase.objects.filter(pk=upward.pk).update(closed_early_at=timezone.now())
    with pytest.raises(ValidationError):
        phase_extend(actor=hr, phase=Phase.objects.get(pk=upward.pk), closes_on=day(3))


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_decline_and_the_peers_submission_at_once_never_leave_both(hr, manager, engineer, peer):
    from reviews.services.cycle_reviews import nomination_decide

    dates = {kind: (day(-1), day(5)) for kind in ["self", "nominations", "peer", "manager"]}
    dates["calibration"], dates["release"] = (day(6), day(7)), (day(10), None)
    cycle = cycle_open(actor=hr, name="Side by side", period_start=day(-220), period_end=day(-41),
                       population=Population(emails=engineer.email), phases=dates)
    mine = of(cycle, engineer)
    for n in range(6):
        person = UserFactory()
        nomination = Nomination.objects.create(participant=mine, peer=person, status="approved")
        review = review_start(actor=person, participant=mine, kind="peer")
        review_save(actor=person, review=review, answers={s.pk: "Seen it." for s in cycle.sections.all()})
        results = at_once(
            lambda: review_submit(actor=person, review=review),
            lambda: nomination_decide(actor=manager, nomination=nomination, approve=False),
        )
        assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, ValidationError)], results
        declined = Nomination.objects.get(pk=nomination.pk).status == "declined"
        submitted = Review.objects.get(pk=review.pk).submitted_at is not None
        assert declined != submitted, (n, results)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_submit_clicked_twice_at_once_goes_in_once_and_says_so(hr, engineer):
    from tests.conftest import login

    dates = {kind: (day(-1), day(5)) for kind in ["self", "nominations", "peer", "manager"]}
    dates["calibration"], dates["release"] = (day(6), day(7)), (day(10), None)
    cycle = cycle_open(actor=hr, name="Twice", period_start=day(-220), period_end=day(-41),
                       population=Population(emails=engineer.email), phases=dates)
    mine = of(cycle, engineer)
    data = {f"answer-{s.pk}": "Shipped it." for s in cycle.sections.all()} | {"submit": "1"}
    address = url("review_write", mine.pk, "self")
    clients = [login(engineer), login(engineer)]
    results = at_once(*[lambda c=c: c.post(address, data) for c in clients])
    assert [r.status_code for r in results] == [302, 302], results
    assert Review.objects.get(participant=mine, kind="self").submitted_at is not None
