"""HR's review cycle pages: the list, opening a cycle, the dashboard and its changes, the export."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Cycle, Participant, Phase, Review
from reviews.services.cycles import Population, cycle_open
from tests.conftest import page_queries
from tests.ladders.factories import document, place, publish
from tests.people.factories import DepartmentFactory, UserFactory

TODAY = timezone.localdate()


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def url(name: str, *args) -> str:
    return reverse(f"reviews:{name}", args=args)


def phases(start: int = -3) -> dict:
    kinds = ["self", "nominations", "peer", "manager", "calibration"]
    dates = {kind: (day(start + 7 * n), day(start + 7 * n + 6)) for n, kind in enumerate(kinds)}
    dates["release"] = (day(start + 40), None)
    return dates


@pytest.fixture
def cycle(hr, manager, engineer, peer):
    place(engineer, publish(document(levels=3, competencies=2)), "l2")
    return cycle_open(actor=hr, name="2026 H2 reviews", period_start=day(-180), period_end=day(-1),
                      population=Population(everyone=True), phases=phases())


def form_data(**changes) -> dict:
    data = {"name": "2027 H1 reviews", "period_start": day(-180).isoformat(), "period_end": day(-1).isoformat(),
            "everyone": "on", "section_title_1": "Strengths", "section_prompt_1": "What went well?"}
    for kind, (opens, closes) in phases(7).items():
        data[f"{kind}_opens_on"] = opens.isoformat()
        if closes:
            data[f"{kind}_closes_on"] = closes.isoformat()
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_hr_open_a_cycle_from_the_form(as_user, hr, manager, engineer):
    client = as_user(hr)
    page = client.get(url("cycle_new")).content.decode()
    assert "Strengths" in page and "Growth" in page and 'type="date"' in page
    response = client.post(url("cycle_new"), form_data())
    cycle = Cycle.objects.get(name="2027 H1 reviews")
    assert response.status_code == 302 and response["Location"] == url("cycle", cycle.pk)
    assert cycle.participants.count() == 4 and [s.title for s in cycle.sections.all()] == ["Strengths"]
    page = client.get(url("cycle", cycle.pk)).content.decode()
    assert "2027 H1 reviews" in page and "Self review" in page and "Upcoming" in page


def test_the_form_says_what_is_wrong_at_each_field_and_opens_nothing(as_user, hr, engineer):
    response = as_user(hr).post(url("cycle_new"), form_data(
        name="", everyone=None, emails="ghost@example.com", period_end="2020-13-01", peer_opens_on=day(-30).isoformat(),
        section_title_1="",
    ))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["name"] == ["Name the cycle, e.g. “2026 H2 reviews”."]
    assert errors["period_end"] == ["Enter a valid date."]
    assert "line 1: nobody working here has the address ghost@example.com" in errors["emails"][0]
    assert errors["peer_opens_on"][0].startswith("Peer reviews opens on or after peer nominations")
    assert errors["sections"] == ["Section 1: give it a title."]
    page = response.content.decode()
    assert page.count('class="errorlist') >= 4 and "ghost@example.com" in page
    assert not Cycle.objects.exists()


def test_hr_see_progress_by_department_and_manager_and_who_is_late(as_user, hr, cycle, engineer, peer, manager):
    platform = DepartmentFactory(name="Platform")
    type(engineer).objects.filter(pk__in=[engineer.pk, peer.pk]).update(department=platform)
    Phase.objects.filter(cycle=cycle, kind="self").update(opens_on=day(-10), closes_on=day(-2))
    Review.objects.create(participant=Participant.objects.get(cycle=cycle, person=peer), author=peer, kind="self",
                          submitted_at=timezone.now())
    page = as_user(hr).get(url("cycle", cycle.pk)).content.decode()
    assert "Platform" in page and "50%" in page  # one of the two self reviews
    assert f'{engineer.name}</a>: self review' in page and f'{peer.name}</a>: self review' not in page
    assert "Marcus Chen" in page


def test_hr_add_someone_late_and_take_someone_out_with_a_reason(as_user, hr, cycle, engineer, outsider):
    client = as_user(hr)
    Participant.objects.filter(cycle=cycle, person=outsider).delete()
    response = client.post(url("cycle_person_add", cycle.pk), {"email": "nobody@example.com"})
    assert response.status_code == 400
    assert response.context["add_form"].errors["email"] == ["Give the e-mail address of someone who works here."]
    response = client.post(url("cycle_person_add", cycle.pk), {"email": outsider.email.upper()})
    assert response.status_code == 302 and Participant.objects.get(cycle=cycle, person=outsider).added_late
    response = client.post(url("cycle_person_add", cycle.pk), {"email": outsider.email})
    assert response.context["add_form"].errors["email"] == ["Nora Quinn is already in this cycle."]

    row = Participant.objects.get(cycle=cycle, person=engineer)
    remove = url("cycle_person_remove", cycle.pk, row.pk)
    assert "Take Ada Okafor out" in client.get(remove).content.decode()
    response = client.post(remove, {"reason": ""})
    assert response.status_code == 400 and "Say why" in response.context["form"].errors["reason"][0]
    assert client.post(remove, {"reason": "Moved to the founding team."}).status_code == 302
    row.refresh_from_db()
    assert row.removed_reason == "Moved to the founding team."
    page = client.get(url("cycle", cycle.pk) + "?q=ada").content.decode()
    assert "taken out" in page and "Moved to the founding team." in page


def test_hr_extend_a_deadline_and_close_a_phase_early(as_user, hr, cycle):
    client = as_user(hr)
    self_review = cycle.phases.get(kind="self")
    response = client.post(url("cycle_phase_extend", cycle.pk, self_review.pk), {"closes_on": self_review.closes_on.isoformat()})
    assert response.status_code == 400 and "after the current deadline" in response.content.decode()
    later = self_review.closes_on + datetime.timedelta(days=4)
    assert client.post(url("cycle_phase_extend", cycle.pk, self_review.pk), {"closes_on": later.isoformat()}).status_code == 302
    assert Phase.objects.get(pk=self_review.pk).closes_on == later
    client.post(url("cycle_phase_close", cycle.pk, self_review.pk))
    assert Phase.objects.get(pk=self_review.pk).closed_early_at is not None
    response = client.post(url("cycle_phase_close", cycle.pk, self_review.pk), follow=True)
    assert "only an open phase closes early" in response.content.decode()


def test_no_release_before_the_lock_and_the_lock_wants_ratings(as_user, hr, cycle):
    client = as_user(hr)
    response = client.post(url("cycle_release", cycle.pk), follow=True)
    assert "Lock calibration before releasing the results." in response.content.decode()
    response = client.post(url("cycle_lock", cycle.pk), follow=True)
    assert "Calibration has not opened yet" in response.content.decode()
    assert Cycle.objects.get(pk=cycle.pk).released_at is None


def test_the_export_has_a_row_per_participant_and_no_formulas(as_user, hr, cycle, engineer):
    type(engineer).objects.filter(pk=engineer.pk).update(name="=HYPERLINK(1)")
    Participant.objects.filter(cycle=cycle, person=engineer).update(rating="above")
    response = as_user(hr).get(url("cycle_export", cycle.pk))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:2] == ["name", "email"] and len(rows) == 1 + cycle.participants.count()
    ada = next(row for row in rows if row[1] == engineer.email)
    assert ada[0] == "'=HYPERLINK(1)" and ada[6] == "Above expectations" and ada[3] == "Marcus Chen"


@pytest.mark.parametrize("name", ["cycles", "cycle_new"])
def test_the_hr_pages_are_hidden_from_everyone_else(as_user, client, cycle, manager, engineer, name):
    assert client.get(url(name)).status_code == 302
    for person in (manager, engineer):
        assert as_user(person).get(url(name)).status_code == 404
    for target in ("cycle", "cycle_export"):
        assert as_user(manager).get(url(target, cycle.pk)).status_code == 404


def test_the_dashboard_costs_the_same_queries_for_many_more_people(as_user, hr, cycle):
    client = as_user(hr)
    small = page_queries(client, url("cycle", cycle.pk))
    version = publish(document(slug="more", levels=2, competencies=1))
    for n in range(40):
        person = UserFactory(department=DepartmentFactory(name=f"Dept {n % 5}") if n < 5 else None, manager=UserFactory())
        place(person, version, "l1")
    big = cycle_open(actor=hr, name="Bigger", period_start=day(-180), period_end=day(-1),
                     population=Population(everyone=True), phases=phases())
    assert page_queries(client, url("cycle", big.pk)) == small
    assert page_queries(client, url("cycles")) <= 6


def test_the_dashboard_kept_between_visits_follows_every_change(as_user, hr, cycle, engineer, peer, manager, skip_level):
    client = as_user(hr)
    Phase.objects.filter(cycle=cycle, kind="self").update(opens_on=day(-10), closes_on=day(-2))
    assert f'{engineer.name}</a>: self review' in client.get(url("cycle", cycle.pk)).content.decode()
    Review.objects.create(participant=Participant.objects.get(cycle=cycle, person=engineer), author=engineer, kind="self",
                          submitted_at=timezone.now())
    page = client.get(url("cycle", cycle.pk)).content.decode()
    assert f'{engineer.name}</a>: self review' not in page
    # An org change shows at once too: Sam's row names his new manager.
    Phase.objects.filter(cycle=cycle, kind="self").update(closes_on=day(-3))
    peer.manager = skip_level
    peer.save()
    page = as_user(hr).get(url("cycle", cycle.pk)).content.decode()
    assert f'{peer.name}</a>: self review <span class="muted small">(manager Daniel Osei)' in page
