"""HR's promotion fairness view: promotion rate, time in level and packet outcomes by group,
with groups under five people shown as nothing at all, on the page and in the CSV."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from ladders.models import Level, Placement
from people.models import User
from reviews.models import Packet
from reviews.selectors.fairness import MIN_GROUP, fairness
from tests.conftest import page_queries
from tests.ladders.factories import document, publish
from tests.people.factories import DepartmentFactory, UserFactory

TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def org(db, hr):
    version = publish(document(levels=3, competencies=1))
    l1, l2 = (Level.objects.get(version=version, code=c) for c in ("l1", "l2"))
    track = l1.tracks.first()
    platform, data = DepartmentFactory(name="Platform"), DepartmentFactory(name="Data")
    people = []
    for n in range(6):  # Platform: six people, two promoted this year
        person = UserFactory(department=platform, start_date=days_ago(900))
        Placement.objects.create(person=person, level=l1, track=track, effective_date=days_ago(800))
        if n < 2:
            Placement.objects.create(person=person, level=l2, track=track, effective_date=days_ago(100))
        people.append(person)
    for n in range(3):  # Data: three people, one promoted: too few to show
        person = UserFactory(department=data, start_date=days_ago(200))
        Placement.objects.create(person=person, level=l1, track=track, effective_date=days_ago(150))
        if n == 0:
            Placement.objects.create(person=person, level=l2, track=track, effective_date=days_ago(30))
    security = DepartmentFactory(name="Security")
    for _ in range(5):  # Security: five people, long at level 1
        person = UserFactory(department=security, start_date=days_ago(2000))
        Placement.objects.create(person=person, level=l1, track=track, effective_date=days_ago(400))
    Packet.objects.create(person=people[0], sponsor=hr, opened_by=hr, target_level=l2, track=track, status="approved",
                          submitted_at=timezone.now(), decided_at=timezone.now(), decision_reason="Ready.",
                          effective_date=days_ago(100))
    return {"platform": platform, "data": data, "version": version}


def test_rates_time_in_level_and_outcomes_with_small_groups_suppressed(org):
    groups, everyone = fairness("department")
    by = {g.label: g for g in groups}
    platform, data = by["Platform"], by["Data"]
    assert (platform.people, platform.rate, platform.outcomes["approved"]) == (6, 33, 1)
    # Two people a hundred days at level 2, four 800 days at level 1.
    assert platform.median_months == round(800 / 30.44, 1)
    assert data.people == 3 < MIN_GROUP and data.suppressed and data.rate is None and data.median_months is None
    assert everyone.people == 14 and everyone.rate == 21
    tenure = {g.label: g for g in fairness("tenure")[0]}
    assert tenure["2 to 4 years"].people == 6 and tenure["Under 1 year"].suppressed


def test_the_page_and_its_csv_show_nothing_of_a_small_group(as_user, org, hr, engineer):
    client = as_user(hr)
    page = client.get(reverse("reviews:promotion_fairness")).content.decode()
    assert "Platform: 33%" in page and "Fewer than 5 people: not shown" in page and "Data: " not in page
    assert f"Platform: {round(800 / 30.44, 1)} months" in page and "Security: " not in page  # the second chart
    rows = list(csv.reader(io.StringIO(client.get(reverse("reviews:promotion_fairness") + "?by=department&format=csv").content.decode())))
    data = next(row for row in rows if row[0] == "Data")
    assert data[1:] == ["fewer than 5", "", "", "", "", ""]
    assert next(row for row in rows if row[0] == "Security")[1:] == ["not shown", "", "", "", "", ""]
    assert next(row for row in rows if row[0] == "Platform")[1:3] == ["6", "33"]
    assert client.get(reverse("reviews:promotion_fairness") + "?by=nonsense").status_code == 200
    for by in ("level", "manager", "tenure"):
        assert client.get(reverse("reviews:promotion_fairness") + f"?by={by}").status_code == 200
    assert as_user(engineer).get(reverse("reviews:promotion_fairness")).status_code == 404


def test_the_page_costs_the_same_with_ten_times_the_people(as_user, org, hr):
    client = as_user(hr)
    url = reverse("reviews:promotion_fairness")
    small = page_queries(client, url)
    l1 = Level.objects.get(version=org["version"], code="l1")
    for _ in range(80):
        person = UserFactory(department=org["platform"])
        Placement.objects.create(person=person, level=l1, track=l1.tracks.first(), effective_date=days_ago(10))
    assert page_queries(client, url) == small


def test_a_small_group_is_not_given_away_by_the_whole_less_the_others(org, hr):
    """Data (three people) is hidden; so is the next smallest group while the hidden ones add up
    to fewer than five, else Everyone less Platform would be Data's figures."""
    by = {g.label: g for g in fairness("department")[0]}
    assert by["Data"].suppressed and not by["Data"].hidden
    assert by["Security"].hidden and by["Security"].rate is None  # five people, the smallest shown
    assert not by["Platform"].suppressed
    # With Security gone, Platform would be Everyone less Data: it is not shown either.
    Placement.objects.filter(person__department__name="Security").delete()
    by = {g.label: g for g in fairness("department")[0]}
    assert by["Platform"].hidden and by["Platform"].rate is None


def test_the_kept_figures_follow_start_dates_placements_and_decisions(as_user, org, hr):
    """Kept per process under the stamp: a start date, a new level or a packet's decision
    changes what the next visit shows."""
    client = as_user(hr)
    url = reverse("reviews:promotion_fairness")
    assert "2 to 4 years: 33%" in client.get(url + "?by=tenure").content.decode()  # Platform: six, two promoted
    newcomer = UserFactory(department=org["platform"], start_date=days_ago(1000))
    l1 = Level.objects.get(version=org["version"], code="l1")
    Placement.objects.create(person=newcomer, level=l1, track=l1.tracks.first(), effective_date=days_ago(500))
    assert "2 to 4 years: 29%" in client.get(url + "?by=tenure").content.decode()
    User.objects.filter(pk=newcomer.pk).update(start_date=days_ago(3000))
    page = client.get(url + "?by=tenure").content.decode()
    # Six in each now: the tie goes to the label, and "2 to 4 years" is the one hidden.
    assert "4 years or more: 0%" in page and "2 to 4 years: " not in page
    packet = Packet.objects.get()
    Packet.objects.filter(pk=packet.pk).update(status="declined")
    page = client.get(url + "?by=department").content.decode()
    assert "0 · 1 · 0" in page


def test_a_page_of_groups_at_a_time_and_everything_in_the_csv(as_user, org, hr, manager):
    l1 = Level.objects.get(version=org["version"], code="l1")
    for n in range(55):  # fifty-five managers of a report each: every group too small
        boss = UserFactory(name=f"Boss {n:02}")
        person = UserFactory(manager=boss)
        Placement.objects.create(person=person, level=l1, track=l1.tracks.first(), effective_date=days_ago(10))
    client = as_user(hr)
    url = reverse("reviews:promotion_fairness") + "?by=manager"
    first = client.get(url).content.decode()
    assert "Page 1 of 2" in first and "Next" in first
    assert "Boss 54" in client.get(url + "&page=2").content.decode() or "Boss 54" in first
    rows = list(csv.reader(io.StringIO(client.get(url + "&format=csv").content.decode())))
    assert sum(1 for row in rows if row[0].startswith("Boss ")) == 55


def test_a_company_under_five_shows_nothing_at_all(as_user, db, hr):
    version = publish(document(levels=2, competencies=1))
    l1 = Level.objects.get(version=version, code="l1")
    for _ in range(3):
        Placement.objects.create(person=UserFactory(), level=l1, track=l1.tracks.first(), effective_date=days_ago(10))
    page = as_user(hr).get(reverse("reviews:promotion_fairness")).content.decode()
    assert "Everyone: " not in page and page.count("Fewer than 5 people: not shown") >= 2
