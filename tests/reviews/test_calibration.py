"""The interviewer calibration report: the numbers on a worked example, erased candidates still
counted, the page for HR only, in the same queries however much there is.

The worked example (kit on the default scale 1 Strong no … 4 Strong yes, three focus
competencies; each scorecard's ratings listed by value, None a focus skipped):

    Loop 1, decided hire:        Ari yes [3,3,4]   Bea strong yes [4,4,4]   Cy no [2,1,2]
    Loop 2, decided no hire,     Ari no [2,2,-]    Bea yes [3,3,3]          Cy no decision []
            candidate erased:    Dee strong no [1,1,2]
    Loop 3, not decided, debrief opened: Ari strong yes [4,4,4]   Dee yes [3,3,2]   (Cy's draft [1,1,1] ignored)
    Loop 4, still collecting scorecards: Bea no [1,1,1], Dee's draft: not counted at all (HR may
            not read its scorecards yet, so calibration says nothing of it either)

Against the panel (the majority of the others' yes-ish against no-ish, ties compare nothing):
    Ari:  L1 others yes/no tie, L2 others yes/no tie, L3 others yes -> agrees        0 of 1
    Bea:  L1 tie, L2 others no, no -> she said yes: diverges                         1 of 1
    Cy:   L1 others yes, yes -> he said no: diverges; L2 no decision                 1 of 1
    Dee:  L2 others no/yes tie, L3 others yes -> agrees                              0 of 1
Against the decision (hire is yes-ish, no hire no-ish; undecided loops compare nothing):
    Ari 0 of 2, Bea 1 of 2 (yes on the no hire), Cy 1 of 1 (no on the hire), Dee 0 of 1.
No decision: Cy 1 of 2, everyone else 0.
Sorted most divergent first: Cy and Bea both 100% against the panel, Cy more against the
decision (100% to 50%); then Ari and Dee (0%, 0%) by name.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Interview, KitCompetency, Loop, ScalePoint, Scorecard, ScorecardRating
from reviews.selectors.calibration import calibration_report
from reviews.services.interviews import candidate_erase
from tests.conftest import page_queries
from tests.ladders.factories import document, publish
from tests.people.factories import UserFactory
from tests.reviews.interview_factories import kit_for, loop_for

URL = "/interviews/calibration/"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def kit(db):
    return kit_for(publish(document(levels=3, competencies=3)), "l2")


@pytest.fixture
def people(db):
    return {
        name: UserFactory(name=name, email=f"{name.lower()}@example.com")
        for name in ("Ari", "Bea", "Cy", "Dee")
    }


def run_loop(kit, manager, cards, *, decision: str = "", name: str = "Grace Hopper", ago=DAY) -> Loop:
    """A loop with one interview `ago`; `cards` maps an interviewer to (recommendation or
    None for a draft, [scale values or None, one per focus])."""
    loop = loop_for(kit, hiring_manager=manager, name=name, email="")
    interview = Interview.objects.create(loop=loop, stage="technical", starts_at=timezone.now() - ago)
    focus = list(KitCompetency.objects.filter(kit=kit).order_by("position"))
    interview.focus.set(focus)
    points = {p.value: p for p in ScalePoint.objects.filter(kit=kit)}
    for person, (recommendation, values) in cards.items():
        scorecard = Scorecard.objects.create(
            interview=interview,
            interviewer=person,
            recommendation=recommendation or "",
            submitted_at=timezone.now() if recommendation else None,
            takeaways=f"{person.name} on {name}",
        )
        ScorecardRating.objects.bulk_create(
            ScorecardRating(scorecard=scorecard, focus=f, point=points.get(v), evidence="" if v else "Not reached")
            for f, v in zip(focus, values)
        )
    if decision:
        Loop.objects.filter(pk=loop.pk).update(decision=decision, decision_reason="Because", decided_at=timezone.now())
    return loop


@pytest.fixture
def example(kit, people, manager):
    ari, bea, cy, dee = people["Ari"], people["Bea"], people["Cy"], people["Dee"]
    one = run_loop(
        kit, manager,
        {ari: ("yes", [3, 3, 4]), bea: ("strong_yes", [4, 4, 4]), cy: ("no", [2, 1, 2])},
        decision="hire", name="First Person",
    )
    two = run_loop(
        kit, manager,
        {ari: ("no", [2, 2, None]), bea: ("yes", [3, 3, 3]), cy: ("no_decision", []), dee: ("strong_no", [1, 1, 2])},
        decision="no_hire", name="Second Person",
    )
    three = run_loop(
        kit, manager,
        {ari: ("strong_yes", [4, 4, 4]), dee: ("yes", [3, 3, 2]), cy: (None, [1, 1, 1])},
        name="Third Person",
    )
    Loop.objects.filter(pk=three.pk).update(debrief_opened_at=timezone.now())
    run_loop(kit, manager, {bea: ("no", [1, 1, 1]), dee: (None, [])}, name="Fourth Person")
    return one, two, three


def numbers(report) -> list[tuple]:
    return [
        (
            p.name,
            p.submitted,
            dict(sorted(p.distribution.items())),
            p.no_decision,
            (p.panel_diverged, p.panel_compared),
            (p.decision_diverged, p.decision_compared),
        )
        for p in report.interviewers
    ]


WORKED = [
    ("Cy", 2, {1: 1, 2: 2}, 1, (1, 1), (1, 1)),
    ("Bea", 2, {3: 3, 4: 3}, 0, (1, 1), (1, 2)),
    ("Ari", 3, {2: 2, 3: 2, 4: 4}, 0, (0, 1), (0, 2)),
    ("Dee", 2, {1: 2, 2: 2, 3: 2}, 0, (0, 1), (0, 1)),
]


def test_it_computes_the_worked_example(example, hr):
    report = calibration_report(hr, "all")
    assert numbers(report) == WORKED
    assert report.scale == [(1, "Strong no"), (2, "No"), (3, "Yes"), (4, "Strong yes")]
    cy, bea = report.interviewers[0], report.interviewers[1]
    assert cy.no_decision_rate == 0.5
    assert bea.panel_divergence == 1.0 and bea.decision_divergence == 0.5


def test_it_still_counts_an_erased_candidates_scores(example, hr):
    two = example[1]
    candidate_erase(actor=hr, candidate=two.candidate)
    assert numbers(calibration_report(hr, "all")) == WORKED


def test_it_counts_interviews_of_the_period_with_their_whole_panel(kit, people, manager, hr):
    ari, bea, cy = people["Ari"], people["Bea"], people["Cy"]
    # An old loop, and one whose first interview is old but whose second is recent.
    run_loop(kit, manager, {ari: ("no", [2, 2, 2])}, decision="hire", name="Old", ago=400 * DAY)
    loop = run_loop(kit, manager, {bea: ("yes", [3, 3, 3]), cy: ("yes", [3, 3, 3])}, name="Spread", ago=100 * DAY)
    recent = Interview.objects.create(loop=loop, stage="values", starts_at=timezone.now() - DAY)
    Scorecard.objects.create(interview=recent, interviewer=ari, recommendation="no", submitted_at=timezone.now())

    # Last 90 days: Ari's recent scorecard only, compared with the panel of the whole loop.
    assert [(p.name, p.submitted, p.panel_diverged, p.panel_compared) for p in calibration_report(hr, "90d").interviewers] == [
        ("Ari", 1, 1, 1)
    ]
    # Nobody rated anything in the period, yet the kit's whole scale is there to compare against.
    assert [value for value, _ in calibration_report(hr, "90d").scale] == [1, 2, 3, 4]
    year = {p.name: (p.submitted, p.decision_compared) for p in calibration_report(hr, "year").interviewers}
    assert year == {"Ari": (1, 0), "Bea": (1, 0), "Cy": (1, 0)}
    everything = {p.name: (p.submitted, p.decision_diverged) for p in calibration_report(hr, "all").interviewers}
    assert everything == {"Ari": (2, 1), "Bea": (1, 0), "Cy": (1, 0)}


def test_a_loop_counts_once_its_last_scorecard_is_in(example, hr, people):
    fourth = Loop.objects.get(candidate__name="Fourth Person")
    Scorecard.objects.filter(interview__loop=fourth, interviewer=people["Dee"]).update(
        recommendation="yes", submitted_at=timezone.now()
    )
    bea = next(p for p in calibration_report(hr, "all").interviewers if p.name == "Bea")
    # Bea's no against Dee's yes: one more compared and diverging, three more ratings on 1.
    assert (bea.submitted, bea.distribution[1], bea.panel_diverged, bea.panel_compared) == (3, 3, 2, 2)


def test_it_reads_nothing_for_anyone_but_hr(example, manager, engineer):
    assert calibration_report(manager, "all").interviewers == []
    assert calibration_report(engineer, "all").interviewers == []


# --- The page -----------------------------------------------------------------------------


def test_it_has_its_name():
    assert reverse("reviews:calibration") == URL


def test_it_shows_hr_each_interviewer_most_divergent_first(example, hr, as_user):
    response = as_user(hr).get(URL + "?period=all")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1>") == 1
    positions = [html.index(f'<th scope="row">{name}') for name in ("Cy", "Bea", "Ari", "Dee")]
    assert positions == sorted(positions)
    assert "<strong>100%</strong> <span class=\"muted small\">(1 of 1)</span>" in html
    assert "<strong>50%</strong> <span class=\"muted small\">(1 of 2)</span>" in html
    assert '<option value="all" selected>' in html
    # Nobody's words, and no candidate, are on the page.
    assert "First Person" not in html and "Ari on" not in html


def test_it_defaults_to_the_last_12_months(example, hr, as_user):
    response = as_user(hr).get(URL)
    assert response.status_code == 200
    assert '<option value="year" selected>' in response.content.decode()
    assert len(response.context["rows"]) == 4


def test_it_says_when_nothing_was_submitted(hr, as_user):
    response = as_user(hr).get(URL + "?period=90d")
    assert response.status_code == 200
    assert "No scorecards were submitted for interviews of the last 90 days." in response.content.decode()


def test_an_unknown_period_is_refused_at_its_field(example, hr, as_user):
    client = as_user(hr)
    response = client.get(URL + "?period=forever")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="calibration-period-error"' in html and "“forever” is not a period" in html
    assert '<option value="year" selected>' in html
    htmx = client.get(URL + "?period=forever", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 422
    assert "<h1>" in htmx.content.decode() and "<html" not in htmx.content.decode()


@pytest.mark.parametrize("who", ["manager", "engineer", "outsider"])
def test_it_is_not_there_for_anyone_but_hr(example, who, request, as_user):
    assert as_user(request.getfixturevalue(who)).get(URL).status_code == 404


def test_a_former_hr_admin_reads_nothing(example, hr, as_user):
    client = as_user(hr)
    hr.is_hr_admin = False
    hr.save()
    assert client.get(URL).status_code == 404


def test_it_sends_the_anonymous_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_it_only_answers_get(hr, as_user):
    assert as_user(hr).post(URL).status_code == 405


def test_it_reads_in_the_same_queries_with_ten_times_the_interviews(kit, manager, hr, as_user):
    def grow(n: int) -> None:
        panel = [UserFactory() for _ in range(3)]
        for k in range(n):
            run_loop(
                kit, manager,
                {panel[0]: ("yes", [3, 4, 3]), panel[1]: ("no", [2, 2, 1]), panel[2]: ("no_decision", [])},
                decision="hire" if k % 2 else "", name=f"Candidate {k}",
            )

    client = as_user(hr)
    grow(2)
    small = page_queries(client, URL)
    for _ in range(9):
        grow(2)
    assert page_queries(client, URL) == small
