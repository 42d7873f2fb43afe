"""The team feedback page (reviews:team) and the weekly reminder about reports gone quiet."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from people.models import Notification, ReminderRule
from people.services.reminders import reminders_dispatch
from reviews.models import Feedback
from reviews.path import address
from reviews.selectors.team import buckets
from reviews.services.feedback import feedback_give
from tests.conftest import page_queries
from tests.ladders.factories import reports_to
from tests.people.factories import UserFactory
from tests.people.rules import Rules

TEAM = reverse("reviews:team")


def give(giver, subject, *, kind="praise", visibility="shared", days_ago: float = 0) -> Feedback:
    feedback = feedback_give(giver=giver, subject=subject, kind=kind, visibility=visibility, body="Ran the retro well.")
    if days_ago:
        when = timezone.now() - datetime.timedelta(days=days_ago)
        Feedback.objects.filter(pk=feedback.pk).update(created_at=when, editable_until=when)
    return feedback


def flows(response) -> dict[str, object]:
    return {flow.person.name: flow for flow in response.context["flows"]}


def counted(flow) -> list[tuple[int, int]]:
    return [(count.praise, count.growth) for count in flow.counts]


def ask_url(about, *ask) -> str:
    return address("reviews:request_new", "/feedback/requests/new/", query={"about": about.pk, "ask": [p.pk for p in ask]})


# --- the page ------------------------------------------------------------------------------


def test_it_shows_each_direct_reports_feedback_per_week(as_user, manager, engineer, peer, outsider):
    give(peer, engineer, kind="praise")
    give(outsider, engineer, kind="growth", visibility="private")
    give(peer, engineer, kind="growth", days_ago=8)
    give(engineer, peer, days_ago=20)

    response = as_user(manager).get(TEAM)

    assert response.status_code == 200
    shown = flows(response)
    assert set(shown) == {"Ada Okafor", "Sam Rivera"}
    ada = shown["Ada Okafor"]
    assert len(ada.counts) == 12
    assert counted(ada)[-1] == (1, 1)  # this week, private included
    assert counted(ada)[-2][1] + counted(ada)[-3][1] == 1  # 8 days ago: last week, or the one before on a Monday
    assert (ada.praise, ada.growth, ada.quiet) == (1, 2, False)
    assert timezone.now() - ada.last_at < datetime.timedelta(minutes=5)
    html = response.content.decode()
    assert "Everyone here has received feedback in the last 30 days." in html
    assert "(today) · 3 in 12 weeks: 1 praise, 2 growth" in html
    assert "days ago) · 1 in 12 weeks: 1 praise, 0 growth" in html
    assert "each of your 2 direct reports received per week, over the last 12 weeks" in html
    # The chart and the numbers it draws, for those who cannot see it.
    assert html.count('<svg class="flow-chart"') == 2
    assert "<caption class=\"visually-hidden\">Feedback Ada Okafor received per week</caption>" in html


def test_the_buckets_are_the_weeks_or_months_the_database_truncates_to(as_user, manager, engineer, peer):
    give(peer, engineer, days_ago=0)
    give(peer, engineer, days_ago=40)
    give(peer, engineer, days_ago=400)  # before the six months

    response = as_user(manager).get(TEAM + "?by=month")

    ada = flows(response)["Ada Okafor"]
    starts = [count.bucket.start for count in ada.counts]
    assert starts == [b.start for b in buckets("month")] and len(starts) == 6
    forty = timezone.localdate(timezone.now() - datetime.timedelta(days=40)).replace(day=1)
    expected = [(1 if start in (forty, starts[-1]) else 0, 0) for start in starts]
    assert counted(ada) == expected
    assert ada.last_at is not None
    assert "Numbers per month" in response.content.decode()


def test_it_flags_those_with_no_feedback_in_30_days_first_with_a_nudge(as_user, manager, engineer, peer, outsider):
    give(peer, engineer, days_ago=31)
    give(engineer, peer, days_ago=2)
    third = UserFactory(name="Zoe Adams", manager=manager)

    response = as_user(manager).get(TEAM)

    assert [f.person.name for f in response.context["flows"]] == ["Ada Okafor", "Zoe Adams", "Sam Rivera"]
    shown = flows(response)
    assert shown["Ada Okafor"].quiet and shown["Zoe Adams"].quiet and not shown["Sam Rivera"].quiet
    assert shown["Zoe Adams"].last_at is None
    html = response.content.decode()
    assert "2 people have received no feedback in 30 days." in html
    assert f'<a href="#report-{engineer.pk}">Ada Okafor</a>' in html
    # Ask Ada's teammates (never Ada), and give her some.
    assert shown["Ada Okafor"].nudges == {
        "give": address("reviews:give", "/feedback/give/", query={"to": engineer.pk}),
        "ask": ask_url(engineer, peer, third),
    }
    assert "Ask colleagues for feedback about Ada</a>" in html
    assert shown["Sam Rivera"].nudges == {}


def test_it_asks_at_most_five_teammates(as_user, manager, engineer, peer):
    give(engineer, peer)
    others = [UserFactory(name=f"Teammate {n}", manager=manager) for n in range(7)]
    for other in others:
        give(peer, other)

    ask = flows(as_user(manager).get(TEAM))["Ada Okafor"].nudges["ask"]

    assert len(re.findall(r"ask=\d+", ask)) == 5
    assert f"ask={engineer.pk}" not in ask and f"about={engineer.pk}" in ask


def test_the_whole_tree_nudges_only_direct_reports_to_ask(as_user, skip_level, manager, engineer, peer):
    give(engineer, peer)

    response = as_user(skip_level).get(TEAM + "?scope=all")

    shown = flows(response)
    assert set(shown) == {"Marcus Chen", "Ada Okafor", "Sam Rivera"}
    assert "ask" in shown["Marcus Chen"].nudges
    assert set(shown["Ada Okafor"].nudges) == {"give"}
    assert "reports to Marcus Chen" in response.content.decode()
    # Directly, only the manager.
    assert set(flows(as_user(skip_level).get(TEAM))) == {"Marcus Chen"}


def test_it_leaves_out_reports_who_left(as_user, manager, engineer, peer):
    peer.is_active = False
    peer.save()

    assert set(flows(as_user(manager).get(TEAM))) == {"Ada Okafor"}


def test_it_renders_only_the_flow_for_htmx(as_user, manager, engineer):
    response = as_user(manager).get(TEAM + "?by=month", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="team-feedback"')
    assert "<html" not in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?by=fortnight", "by", "Feedback is counted per week or per month, not “fortnight”. Showing weeks."),
        ("?scope=everyone", "scope", "“everyone” is not a choice: your direct reports, or everyone below you. Showing your direct reports."),
    ],
)
def test_it_shows_the_default_with_a_message_at_the_field_for_a_value_it_does_not_know(
    as_user, manager, engineer, query, field, message
):
    response = as_user(manager).get(TEAM + query)

    assert response.status_code == 200
    assert (response.context["by"], response.context["scope"]) == ("week", "direct")
    assert f'<span class="errorlist" id="flow-{field}-error">{message}</span>' in response.content.decode()


def test_a_bad_page_number_shows_a_page(as_user, manager, engineer):
    assert as_user(manager).get(TEAM + "?page=zz").status_code == 200
    assert as_user(manager).get(TEAM + "?page=99").status_code == 200


# --- who may read it -----------------------------------------------------------------------


def test_it_is_not_found_for_someone_nobody_reports_to(as_user, engineer, hr):
    assert as_user(engineer).get(TEAM).status_code == 404
    assert as_user(engineer).get(TEAM + "?scope=all").status_code == 404
    assert as_user(hr).get(TEAM).status_code == 404


def test_a_former_manager_sees_nothing_of_a_report_who_moved(as_user, manager, engineer, peer, outsider):
    give(outsider, engineer, visibility="private")
    reports_to(engineer, outsider.manager)

    shown = flows(as_user(manager).get(TEAM + "?scope=all"))
    assert set(shown) == {"Sam Rivera"}

    reports_to(peer, outsider.manager)
    assert as_user(manager).get(TEAM).status_code == 404


def test_it_counts_private_feedback_for_the_manager_line(as_user, manager, engineer, peer):
    give(peer, engineer, visibility="private")
    give(peer, engineer, visibility="shared")
    assert flows(as_user(manager).get(TEAM))["Ada Okafor"].total == 2


def test_it_refuses_anything_but_get(as_user, manager, engineer):
    assert as_user(manager).post(TEAM).status_code == 405


def test_it_sends_anonymous_visitors_to_sign_in(client, manager, engineer):
    response = client.get(TEAM)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_costs_the_same_queries_for_ten_times_the_team(as_user, db):
    def world(size: int, pieces: int):
        boss = UserFactory()
        team = [UserFactory(manager=boss) for _ in range(size)]
        colleague = UserFactory()
        now = timezone.now()
        Feedback.objects.bulk_create(
            Feedback(
                giver=colleague,
                subject=team[n % size],
                kind="growth" if n % 2 else "praise",
                visibility="private" if n % 3 else "shared",
                body="Noted.",
                created_at=now - datetime.timedelta(days=n % 100),
                editable_until=now,
            )
            for n in range(pieces)
        )
        return boss

    small, large = world(3, 6), world(30, 60)
    for query in ("", "?by=month", "?scope=all"):
        assert page_queries(as_user(small), TEAM + query) == page_queries(as_user(large), TEAM + query), query


# --- the weekly reminder -------------------------------------------------------------------


@pytest.fixture
def rules(monkeypatch, db) -> Rules:
    rules = Rules(monkeypatch)
    rules.keep("reviews.team_quiet")
    return rules


def reminders(recipient) -> list[Notification]:
    return list(Notification.objects.filter(rule="reviews.team_quiet", recipient=recipient).order_by("pk"))


def test_it_reminds_a_manager_once_a_week_of_reports_with_no_feedback(rules, manager, engineer, peer, skip_level):
    give(peer, engineer, days_ago=45)
    give(engineer, peer, days_ago=1)

    reminders_dispatch()
    reminders_dispatch()

    sent = reminders(manager)
    assert [(n.title, n.url) for n in sent] == [("1 of your reports has had no feedback in 30 days", TEAM)]
    # Marcus has had none either: his own manager hears of him.
    assert [n.title for n in reminders(skip_level)] == ["1 of your reports has had no feedback in 30 days"]
    year, week, _ = timezone.localdate().isocalendar()
    assert sent[0].period == f"{year}-W{week:02d}"

    reminders_dispatch(now=timezone.now() + datetime.timedelta(days=7))
    assert len(reminders(manager)) == 2


def test_it_counts_every_quiet_report_in_one_reminder(rules, manager, engineer, peer):
    reminders_dispatch()

    assert [n.title for n in reminders(manager)] == ["2 of your reports have had no feedback in 30 days"]


def test_it_says_nothing_when_every_report_has_had_feedback(rules, manager, engineer, peer):
    give(peer, engineer, visibility="private", days_ago=29)
    give(engineer, peer, days_ago=3)
    peer_left = UserFactory(manager=manager, is_active=False)  # left: not counted
    assert peer_left.pk

    reminders_dispatch()

    assert reminders(manager) == []


def test_it_takes_the_days_hr_set(rules, manager, engineer, peer):
    give(peer, engineer, days_ago=10)
    give(engineer, peer, days_ago=1)
    reminders_dispatch()
    assert reminders(manager) == []

    ReminderRule.objects.filter(key="reviews.team_quiet").update(days=7)
    reminders_dispatch(now=timezone.now() + datetime.timedelta(days=7))

    assert [n.title for n in reminders(manager)] == ["2 of your reports have had no feedback in 7 days"]
