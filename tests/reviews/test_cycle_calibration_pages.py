"""The team status and calibration pages: managers see the people below them, HR everyone;
ratings side by side, filtered and charted, moved with a reason at the row."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import CalibrationMove, Participant, Phase, Review
from reviews.services.cycles import Population, cycle_open
from tests.conftest import page_queries
from tests.people.factories import DepartmentFactory, UserFactory

TODAY = timezone.localdate()


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def url(name: str, *args) -> str:
    return reverse(f"reviews:{name}", args=args)


@pytest.fixture
def cycle(hr, manager, engineer, peer, outsider, skip_level):
    kinds = ["self", "nominations", "peer", "manager", "calibration"]
    dates = {kind: (day(-40 + 7 * n), day(-34 + 7 * n)) for n, kind in enumerate(kinds)}
    dates["calibration"] = (day(-1), day(6))
    dates["release"] = (day(10), None)
    cycle = cycle_open(actor=hr, name="H2", period_start=day(-220), period_end=day(-41),
                       population=Population(everyone=True), phases=dates)
    cycle.participants.update(rating="meets")
    Review.objects.create(participant=cycle.participants.get(person=engineer), author=manager, kind="manager",
                          overall="above", submitted_at=timezone.now())
    return cycle


def test_a_manager_sees_their_tree_and_hr_everyone(as_user, cycle, manager, engineer, peer, outsider, hr, skip_level):
    page = as_user(manager).get(url("cycle_calibration", cycle.pk)).content.decode()
    assert engineer.name in page and peer.name in page and outsider.name not in page
    assert "Above expectations" in page  # the proposal beside the rating
    page = as_user(hr).get(url("cycle_calibration", cycle.pk)).content.decode()
    assert outsider.name in page and engineer.name in page
    page = as_user(skip_level).get(url("cycle_team", cycle.pk)).content.decode()
    assert engineer.name in page and manager.name in page and outsider.name not in page
    for person in (engineer, outsider):
        assert as_user(person).get(url("cycle_calibration", cycle.pk)).status_code == 404
        assert as_user(person).get(url("cycle_team", cycle.pk)).status_code == 404


def test_a_move_needs_a_reason_said_at_the_row(as_user, cycle, manager, engineer):
    row = cycle.participants.get(person=engineer)
    move = url("cycle_calibration_move", cycle.pk, row.pk)
    response = as_user(manager).post(move, {"rating": "above", "reason": ""})
    assert response.status_code == 400
    assert "Say why the rating moves" in response.content.decode() and 'aria-invalid="true"' in response.content.decode()
    response = as_user(manager).post(move + "?level=", {"rating": "above", "reason": "Carried the launch."})
    assert response.status_code == 302
    assert CalibrationMove.objects.get().before == "meets" and Participant.objects.get(pk=row.pk).rating == "above"
    own = cycle.participants.get(person=manager)
    assert as_user(manager).post(url("cycle_calibration_move", cycle.pk, own.pk), {"rating": "above", "reason": "Me"}).status_code == 404


def test_filters_and_the_chart(as_user, cycle, hr, engineer, peer):
    data = DepartmentFactory(name="Data")
    type(engineer).objects.filter(pk=engineer.pk).update(department=data)
    Participant.objects.filter(cycle=cycle, person=engineer).update(rating="above")
    page = as_user(hr).get(url("cycle_calibration", cycle.pk) + f"?department={data.pk}").content.decode()
    assert engineer.name in page and peer.name not in page
    assert "Above expectations: 1" in page and "Meets expectations: 0" in page
    assert as_user(hr).get(url("cycle_calibration", cycle.pk) + "?department=x&manager=99999999999999999999").status_code == 200
    page = as_user(hr).get(url("cycle_calibration", cycle.pk) + "?manager=marcus").content.decode()
    assert engineer.name in page and peer.name in page and "Nora Quinn</a>" not in page


def test_nothing_moves_once_locked_or_outside_calibration(as_user, cycle, hr, engineer):
    Phase.objects.filter(cycle=cycle, kind="calibration").update(opens_on=day(2), closes_on=day(6))
    page = as_user(hr).get(url("cycle_calibration", cycle.pk)).content.decode()
    assert "Move</button>" not in page
    response = as_user(hr).post(url("cycle_calibration_move", cycle.pk, cycle.participants.get(person=engineer).pk),
                                {"rating": "above", "reason": "Early"})
    assert response.status_code == 400 and "Calibration is not open" in response.content.decode()


def test_the_pages_cost_the_same_queries_for_more_people(as_user, cycle, hr, manager):
    client = as_user(hr)
    small = (page_queries(client, url("cycle_calibration", cycle.pk)), page_queries(as_user(manager), url("cycle_team", cycle.pk)))
    for n in range(30):
        UserFactory(manager=manager if n % 2 else UserFactory(), department=DepartmentFactory(name=f"D{n % 4}") if n < 4 else None)
    bigger = cycle_open(actor=hr, name="Bigger", period_start=day(-220), period_end=day(-41), population=Population(everyone=True),
                        phases={k: (day(-1), day(0)) for k in ("self", "nominations", "peer", "manager")}
                           | {"calibration": (day(1), day(6)), "release": (day(9), None)})
    big = (page_queries(client, url("cycle_calibration", bigger.pk)), page_queries(as_user(manager), url("cycle_team", bigger.pk)))
    assert small == big


def test_those_who_calibrate_read_a_persons_reviews(as_user, cycle, hr, manager, skip_level, engineer, peer, outsider):
    ada = cycle.participants.get(person=engineer)
    self_review = Review.objects.create(participant=ada, author=engineer, kind="self", submitted_at=timezone.now())
    self_review.answers.create(section=cycle.sections.first(), text="Ada on Ada")
    draft = Review.objects.create(participant=ada, author=peer, kind="peer")
    draft.answers.create(section=cycle.sections.first(), text="Sam's unfinished draft")
    address = url("cycle_person", cycle.pk, ada.pk)
    for person in (manager, skip_level, hr):
        page = as_user(person).get(address).content.decode()
        assert "Ada on Ada" in page and "Sam&#x27;s unfinished draft" not in page and "Above expectations" in page
    for person in (engineer, peer, outsider):
        assert as_user(person).get(address).status_code == 404
    assert address in as_user(manager).get(url("cycle_calibration", cycle.pk)).content.decode()


@pytest.mark.parametrize("name", ["cycle_calibration", "cycle_team", "cycle"])
def test_pages_run_through_everyone_by_name(monkeypatch, as_user, cycle, hr, name):
    """Each page shows its people by name, a page at a time, each of them once, with the
    same number of queries on every page."""
    from reviews.views import cycle_calibration, cycles

    monkeypatch.setattr(cycle_calibration, "PAGE_SIZE", 2)
    monkeypatch.setattr(cycles, "PAGE_SIZE", 2)
    late = [UserFactory(name=f"Zed {n}") for n in range(3)]
    Participant.objects.bulk_create([Participant(cycle=cycle, person=person) for person in late])
    # HR calibrate and follow everyone but themselves; the dashboard lists everyone.
    everyone = Participant.objects.filter(cycle=cycle).select_related("person")
    expected = sorted(p.person.name for p in everyone if p.person != hr or name == "cycle")
    client = as_user(hr)
    seen, queries = [], set()
    for number in range(1, (len(expected) + 1) // 2 + 1):
        address = url(name, cycle.pk) + f"?page={number}"
        page = client.get(address)
        assert page.status_code == 200
        rows = page.context["people"] if name != "cycle_team" else [row[0] for row in page.context["rows"]]
        seen += [(row["row"] if isinstance(row, dict) else row).person.name for row in rows]
        queries.add(page_queries(client, address))
    assert seen == expected
    assert len(queries) == 1


def test_team_status_kept_between_visits_follows_every_change(as_user, cycle, manager, skip_level, engineer, peer):
    """A manager's team status is kept per manager between visits, and a review submitted or
    a change of reporting line shows on the next one."""
    client = as_user(manager)
    page = client.get(url("cycle_team", cycle.pk)).content.decode()
    assert "The 2 people below you" in page and f"<li>{engineer.name}: self review" in page
    # The director's own view is kept apart from the manager's.
    assert "The 3 people below you" in as_user(skip_level).get(url("cycle_team", cycle.pk)).content.decode()
    Review.objects.create(participant=cycle.participants.get(person=engineer), author=engineer, kind="self",
                          submitted_at=timezone.now())
    page = client.get(url("cycle_team", cycle.pk)).content.decode()
    assert f"<li>{engineer.name}: self review" not in page
    peer.manager = skip_level
    peer.save()
    page = as_user(manager).get(url("cycle_team", cycle.pk)).content.decode()
    assert "The 1 person below you" in page and peer.name not in page


def test_a_director_finds_the_team_pages_of_a_cycle_reviewing_someone_further_down(as_user, hr, skip_level, manager, engineer, outsider):
    """Daniel's own report (Marcus) is not reviewed, Ada two levels down is: My reviews links
    him to the cycle's team status and calibration; someone with nobody below in it gets none."""
    dates = {kind: (day(-40 + 7 * n), day(-34 + 7 * n)) for n, kind in enumerate(["self", "nominations", "peer", "manager"])}
    dates["calibration"], dates["release"] = (day(-1), day(6)), (day(10), None)
    cycle = cycle_open(actor=hr, name="Ada only", period_start=day(-220), period_end=day(-41),
                       population=Population(emails=engineer.email), phases=dates)
    page = as_user(skip_level).get(url("my_reviews")).content.decode()
    assert url("cycle_team", cycle.pk) in page and url("cycle_calibration", cycle.pk) in page
    assert url("cycle_team", cycle.pk) not in as_user(outsider).get(url("my_reviews")).content.decode()
    assert as_user(skip_level).get(url("cycle_team", cycle.pk)).status_code == 200
