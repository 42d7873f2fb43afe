"""Reading, filling in, submitting and discarding assessments, and the list of them."""

import datetime
import logging

import pytest
from auditlog.models import LogEntry
from django.db.models import Q
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerError

from ladders.models import Assessment, Competency, ProficiencyLevel
from ladders.services.assessments import EVIDENCE_MAX_LENGTH
from people import tasks as people_tasks
from people.models import Notification, User
from people.services import person_save
from tests.conftest import flashed, page_queries
from tests.ladders.factories import assess, document, place, publish, submitted
from tests.people.factories import UserFactory


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=4, competencies=3))


@pytest.fixture
def placed(engineer, backend):
    place(engineer, backend, "l2")
    return engineer


@pytest.fixture
def draft(placed, backend):
    return assess(placed, placed, backend, "l3", default=None, submit=False)


def _competencies(version) -> dict[str, Competency]:
    return {c.slug: c for c in Competency.objects.filter(version=version)}


def _scale(version) -> dict[int, int]:
    return {p.value: p.pk for p in ProficiencyLevel.objects.filter(version=version)}


def _answers(version, values: dict[str, int | None], evidence: str = "") -> dict[str, str]:
    scale = _scale(version)
    data = {"summary": "A good half year."}
    for slug, competency in _competencies(version).items():
        value = values.get(slug)
        data[f"competency-{competency.pk}"] = str(scale[value]) if value else ""
        data[f"evidence-{competency.pk}"] = evidence
    return data


# --- reading a submitted assessment --------------------------------------------------


def test_it_shows_a_submitted_assessment_with_its_ratings(as_user, placed, manager, backend):
    assessment = assess(placed, manager, backend, "l3", values={"c0-0": 2}, evidence="Ran the Q3 incident review")
    response = as_user(placed).get(reverse("ladders:assessment", args=[assessment.pk]))
    assert response.status_code == 200
    assert response.templates[0].name == "ladders/assessment.html"
    assert "Ada Okafor against Level 3" in response.text
    assert "By Marcus Chen" in response.text
    assert "Ran the Q3 incident review" in response.text
    ratings = {r.competency.slug: r for r in response.context["ratings"]}
    assert ratings["c0-0"].proficiency.value == 2
    assert ratings["c0-0"].expectation.proficiency.value == 3  # what Level 3 expects
    assert response.text.count('<span class="badge badge--lowered">below</span>') == 1
    history = [(row["who"], row["text"]) for row in response.context["history"]]
    assert history == [(manager, "Started a draft against Level 3"), (manager, "Submitted")]


def test_it_keeps_draft_answers_out_of_the_audit_log(as_user, hr, placed, backend):
    draft = assess(placed, placed, backend, "l3", submit=False, evidence="Thinking of leaving")
    logged = LogEntry.objects.filter(
        Q(changes_text__contains="leaving") | Q(changes__icontains="leaving") | Q(object_repr__contains="leaving")
    )
    assert not logged.exists()
    assert not LogEntry.objects.filter(content_type__model="rating").exists()
    assert LogEntry.objects.get_for_object(draft).count() == 1  # started


def test_it_refuses_to_change_a_submitted_assessment(as_user, placed, backend):
    assessment = assess(placed, placed, backend, "l3", default=2)
    data = _answers(backend, {"c0-0": 5, "c0-1": 5, "c0-2": 5})
    response = as_user(placed).post(reverse("ladders:assessment", args=[assessment.pk]), data)
    assert response.status_code == 302
    assert flashed(response) == ["This assessment has been submitted; it can no longer change."]
    assert {r.proficiency.value for r in assessment.ratings.select_related("proficiency")} == {2}


# --- filling in a draft --------------------------------------------------------------


def test_it_shows_the_author_a_form_with_what_the_level_expects(as_user, draft, backend):
    response = as_user(draft.author).get(reverse("ladders:assessment", args=[draft.pk]))
    assert response.status_code == 200
    assert response.templates[0].name == "ladders/assessment_form.html"
    assert "Assess yourself against Level 3" in response.text
    assert "Behaviour 0.3 of area 0" in response.text  # c0-0's criterion at Level 3
    competency = _competencies(backend)["c0-0"]
    assert f'name="competency-{competency.pk}"' in response.text
    assert f'name="evidence-{competency.pk}"' in response.text


def test_it_saves_a_draft(as_user, draft, backend):
    data = _answers(backend, {"c0-0": 3, "c0-1": 2}, evidence="Shipped the billing rewrite")
    response = as_user(draft.author).post(reverse("ladders:assessment", args=[draft.pk]), {**data, "save": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("ladders:assessment", args=[draft.pk])
    assert flashed(response) == ["Draft saved."]
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.summary == "A good half year."
    saved = {r.competency.slug: (r.proficiency and r.proficiency.value, r.evidence) for r in draft.ratings.select_related("competency", "proficiency")}
    assert saved == {
        "c0-0": (3, "Shipped the billing rewrite"),
        "c0-1": (2, "Shipped the billing rewrite"),
        "c0-2": (None, "Shipped the billing rewrite"),
    }


def test_it_submits_a_complete_draft(as_user, draft, manager, backend):
    data = _answers(backend, {"c0-0": 3, "c0-1": 2, "c0-2": 4})
    response = as_user(draft.author).post(reverse("ladders:assessment", args=[draft.pk]), {**data, "submit": "1"})
    assert response.status_code == 302
    assert flashed(response) == ["Submitted. It is now part of the record."]
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.submitted_at is not None
    assert Notification.objects.filter(recipient=manager, title="Ada Okafor submitted a self-assessment").count() == 1
    # Once submitted, the author reads it like everyone else.
    page = as_user(draft.author).get(reverse("ladders:assessment", args=[draft.pk]))
    assert page.templates[0].name == "ladders/assessment.html"


@pytest.mark.django_db(transaction=True)
def test_it_submits_even_when_the_broker_is_down(as_user, draft, manager, backend, monkeypatch, caplog):
    # Committed for real, so the e-mail is queued inside the request, as in production.
    def down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(people_tasks.notification_email_send, "delay", down)
    data = _answers(backend, {"c0-0": 3, "c0-1": 2, "c0-2": 4})

    with caplog.at_level(logging.ERROR):
        response = as_user(draft.author).post(reverse("ladders:assessment", args=[draft.pk]), {**data, "submit": "1"})

    assert response.status_code == 302
    notification = Notification.objects.get(recipient=manager)
    assert notification.email_sent_at is None  # the safety net sends it later
    assert f"Could not queue the e-mail of notification {notification.pk}" in caplog.text


def test_it_refuses_a_proficiency_from_outside_the_scale(as_user, draft, backend, ft):
    competency = _competencies(backend)["c0-1"]
    data = _answers(backend, {"c0-0": 3})
    foreign = ProficiencyLevel.objects.filter(version=ft).first()
    data[f"competency-{competency.pk}"] = str(foreign.pk)
    response = as_user(draft.author).post(reverse("ladders:assessment", args=[draft.pk]), {**data, "save": "1"})
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [f"competency-{competency.pk}"]
    assert "Select a valid choice" in form.errors[f"competency-{competency.pk}"][0]
    assert "1 competency needs attention" in response.text
    assert f'<a href="#competency-{competency.pk}">Competency 0.1</a>' in response.text
    assert f'<section class="rate rate--error" id="competency-{competency.pk}">' in response.text
    assert response.text.count("rate--error") == 1
    assert not draft.ratings.exclude(proficiency=None).exists()


def test_it_refuses_evidence_that_is_too_long(as_user, draft, backend):
    competency = _competencies(backend)["c0-2"]
    data = _answers(backend, {"c0-0": 3})
    data[f"evidence-{competency.pk}"] = "x" * (EVIDENCE_MAX_LENGTH + 1)
    response = as_user(draft.author).post(reverse("ladders:assessment", args=[draft.pk]), {**data, "save": "1"})
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [f"evidence-{competency.pk}"]
    assert f"Keep this under {EVIDENCE_MAX_LENGTH:,} characters: it has {EVIDENCE_MAX_LENGTH + 1}" in form.errors[
        f"evidence-{competency.pk}"
    ][0]
    assert f'<section class="rate rate--error" id="competency-{competency.pk}">' in response.text
    assert not draft.ratings.exclude(evidence="").exists()


def test_it_names_the_unrated_competencies_and_submits_nothing(as_user, draft, manager, backend):
    competencies = _competencies(backend)
    data = _answers(backend, {"c0-0": 3})
    response = as_user(draft.author).post(reverse("ladders:assessment", args=[draft.pk]), {**data, "submit": "1"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors[f"competency-{competencies['c0-1'].pk}"] == ["Rate Competency 0.1 before submitting."]
    assert errors[f"competency-{competencies['c0-2'].pk}"] == ["Rate Competency 0.2 before submitting."]
    assert f"competency-{competencies['c0-0'].pk}" not in errors
    assert "Rate Competency 0.1 before submitting." in response.text
    assert response.text.count("rate--error") == 2
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.submitted_at is None
    # What was filled in is kept as the draft.
    assert draft.ratings.get(competency=competencies["c0-0"]).proficiency.value == 3
    assert not Notification.objects.filter(recipient=manager).exists()


def test_it_hides_a_draft_from_everyone_but_its_author(as_user, draft, manager, skip_level, hr, peer):
    url = reverse("ladders:assessment", args=[draft.pk])
    for viewer in (manager, skip_level, hr, peer):
        assert as_user(viewer).get(url).status_code == 404, viewer
        assert as_user(viewer).post(url, {"summary": "mine now"}).status_code == 404, viewer
    draft.refresh_from_db()
    assert draft.summary == ""


def test_it_404s_for_an_unknown_assessment(as_user, engineer):
    assert as_user(engineer).get(reverse("ladders:assessment", args=[999999])).status_code == 404


def test_it_refuses_other_methods_on_an_assessment(as_user, draft):
    client = as_user(draft.author)
    url = reverse("ladders:assessment", args=[draft.pk])
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405
    assert Assessment.objects.filter(pk=draft.pk).exists()


# --- discarding a draft --------------------------------------------------------------


def test_it_discards_a_draft(as_user, draft):
    response = as_user(draft.author).post(reverse("ladders:assessment_discard", args=[draft.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("ladders:my_path")
    assert flashed(response) == ["Draft discarded."]
    assert not Assessment.objects.filter(pk=draft.pk).exists()


def test_a_manager_discarding_returns_to_the_reports_path(as_user, placed, manager, backend):
    theirs = assess(placed, manager, backend, "l3", submit=False)
    response = as_user(manager).post(reverse("ladders:assessment_discard", args=[theirs.pk]))
    assert response["Location"] == reverse("ladders:person_path", args=[placed.pk])
    assert not Assessment.objects.filter(pk=theirs.pk).exists()


def test_it_keeps_a_submitted_assessment(as_user, placed, manager, backend):
    kept = assess(placed, manager, backend, "l3")
    for user in (manager, placed):
        response = as_user(user).post(reverse("ladders:assessment_discard", args=[kept.pk]))
        assert response.status_code == 404
    assert Assessment.objects.filter(pk=kept.pk).exists()


def test_it_lets_no_one_else_discard_a_draft(as_user, draft, manager, peer, hr):
    for user in (manager, peer, hr):
        assert as_user(user).post(reverse("ladders:assessment_discard", args=[draft.pk])).status_code == 404
    assert Assessment.objects.filter(pk=draft.pk).exists()


def test_it_404s_when_discarding_an_unknown_assessment(as_user, engineer):
    assert as_user(engineer).post(reverse("ladders:assessment_discard", args=[999999])).status_code == 404


def test_it_only_asks_on_get_and_refuses_other_methods(as_user, draft):
    client = as_user(draft.author)
    assert client.get(reverse("ladders:assessment_discard", args=[draft.pk])).status_code == 200
    assert client.put(reverse("ladders:assessment_discard", args=[draft.pk])).status_code == 405
    assert Assessment.objects.filter(pk=draft.pk).exists()


# --- the list ------------------------------------------------------------------------


def test_it_lists_my_assessments(as_user, placed, manager, peer, backend):
    own_draft = assess(placed, placed, backend, "l3", submit=False)
    about_me = assess(placed, manager, backend, "l2")
    # Neither the manager's draft about them nor a peer's own is theirs to list.
    assess(placed, manager, backend, "l3", submit=False)
    place(peer, backend, "l2")
    assess(peer, peer, backend, "l2")
    response = as_user(placed).get(reverse("ladders:assessments"))
    assert response.status_code == 200
    assert {a.pk for a in response.context["about_me"]} == {own_draft.pk, about_me.pk}
    assert list(response.context["written"]) == []
    assert response.context["team_page"].paginator.count == 0
    assert "My team's" not in response.text


def test_it_lists_the_direct_reports_assessments_and_opens_the_teams_below(as_user, placed, manager, skip_level, peer, backend):
    own = assess(placed, placed, backend, "l3")
    assess(peer, peer, backend, "l3", submit=False)
    mine = assess(placed, manager, backend, "l3")
    managers_own = assess(manager, manager, backend, "l3")
    client = as_user(skip_level)
    response = client.get(reverse("ladders:assessments"))
    assert {a.pk for a in response.context["team_page"]} == {managers_own.pk}
    assert "My direct reports'" in response.text
    assert [lead.pk for lead in response.context["sub_teams"]] == [manager.pk]
    assert f'<a href="?under={manager.pk}">Marcus Chen\'s team</a>' in response.text

    below = client.get(reverse("ladders:assessments"), {"under": manager.pk})
    assert {a.pk for a in below.context["team_page"]} == {own.pk, mine.pk}
    assert "Marcus Chen's direct reports'" in below.text and "Ada Okafor" in below.text

    as_manager = as_user(manager).get(reverse("ladders:assessments"))
    assert [a.pk for a in as_manager.context["written"]] == [mine.pk]
    assert [a.pk for a in as_manager.context["team_page"]] == [own.pk]
    assert as_manager.context["sub_teams"] == []


@pytest.mark.parametrize("who", ["peer", "outsider", "engineer"])
def test_it_opens_no_teams_assessments_outside_ones_own_line(as_user, request, manager, skip_level, who):
    person = request.getfixturevalue(who)
    for under in (manager.pk, skip_level.pk, "x"):
        assert as_user(person).get(reverse("ladders:assessments"), {"under": under}).status_code == 404


def test_it_heads_everyones_assessments_for_hr(as_user, hr, placed, backend):
    assess(placed, placed, backend, "l3")
    response = as_user(hr).get(reverse("ladders:assessments"))
    assert "Everyone's" in response.text and "My direct reports'" not in response.text


def test_it_pages_the_teams_assessments(as_user, manager, backend):
    for _ in range(27):
        person = UserFactory(manager=manager)
        place(person, backend, "l1")
        assess(person, person, backend, "l2", default=1)
    client = as_user(manager)
    first = client.get(reverse("ladders:assessments"))
    assert len(first.context["team_page"]) == 25
    assert "Page 1 of 2" in first.text
    second = client.get(reverse("ladders:assessments"), {"page": 2})
    assert len(second.context["team_page"]) == 2
    # A page that does not exist shows the nearest one rather than an error.
    assert client.get(reverse("ladders:assessments"), {"page": "99"}).context["team_page"].number == 2
    assert client.get(reverse("ladders:assessments"), {"page": "abc"}).context["team_page"].number == 1


def test_it_refuses_to_post_to_the_list(as_user, engineer):
    assert as_user(engineer).post(reverse("ladders:assessments")).status_code == 405


def test_it_sends_anonymous_visitors_to_sign_in(client, draft):
    for method, url in [
        ("get", reverse("ladders:assessments")),
        ("get", reverse("ladders:assessment", args=[draft.pk])),
        ("post", reverse("ladders:assessment", args=[draft.pk])),
        ("post", reverse("ladders:assessment_discard", args=[draft.pk])),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    assert Assessment.objects.filter(pk=draft.pk, status="draft").exists()


# --- query counts --------------------------------------------------------------------


def test_an_assessment_costs_the_same_queries_for_a_larger_framework(as_user, db):
    pages = []
    for slug, size in (("small", dict(levels=4, competencies=3)), ("large", dict(levels=40, competencies=10, areas=3))):
        version = publish(document(slug=slug, **size))
        boss = UserFactory()
        person = UserFactory(manager=boss)
        place(person, version, "l2")
        final = assess(person, boss, version, "l3", evidence="Because")
        draft = assess(person, person, version, "l3", submit=False)
        pages.append(
            (
                page_queries(as_user(person), reverse("ladders:assessment", args=[final.pk])),
                page_queries(as_user(person), reverse("ladders:assessment", args=[draft.pk])),
            )
        )
    small, large = pages
    assert small[0] == large[0], "submitted assessment"
    assert small[1] == large[1], "assessment form"


def test_the_list_costs_the_same_queries_for_more_assessments(as_user, backend):
    counts = []
    for people in (2, 20):
        boss = UserFactory()
        for _ in range(people):
            person = UserFactory(manager=boss)
            place(person, backend, "l2")
            submitted(person, person, backend, "l2")
            submitted(person, boss, backend, "l3")
        assess(person, boss, backend, "l3", submit=False)
        counts.append(page_queries(as_user(boss), reverse("ladders:assessments")))
    assert counts[0] == counts[1]


def test_a_draft_is_closed_to_its_author_once_the_person_reports_elsewhere(as_user, manager, outsider, placed, backend):
    draft = assess(placed, manager, backend, "l2", submit=False)
    answers = list(draft.ratings.values_list("proficiency__value", "evidence"))
    placed.manager = outsider
    person_save(person=placed)
    response = as_user(manager).post(
        reverse("ladders:assessment", args=[draft.pk]),
        {**_answers(backend, {"c0-0": 1, "c0-1": 1, "c0-2": 1}), "submit": "1"},
    )
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.is_draft
    assert list(draft.ratings.values_list("proficiency__value", "evidence")) == answers


def test_it_points_out_a_draft_left_on_an_older_version(as_user, placed, backend):
    old = assess(placed, placed, backend, "l2", submit=False)
    changed = document(slug="backend", levels=5, competencies=3)
    newer = publish(changed)
    place(placed, newer, "l3", on=datetime.date(2025, 1, 1))
    response = as_user(placed).post(reverse("ladders:assessment_new", args=[placed.pk]), {"level": "l3"})
    assert response["Location"] == reverse("ladders:assessment", args=[old.pk])
    assert any("already have a draft against version 1" in m for m in flashed(response))


def test_it_offers_not_yet_and_says_where_answers_started(as_user, placed, backend):
    assess(placed, placed, backend, "l2", default=2, evidence="Last time")
    draft = assess(placed, placed, backend, "l3", default=None, submit=False)
    page = as_user(placed).get(reverse("ladders:assessment", args=[draft.pk]))
    assert "Your answers start from your self-assessment of" in page.text
    assert page.text.count(">Not yet</label>") + page.text.count(" Not yet</label>") == 3


def test_it_shows_the_manager_the_persons_own_view(as_user, placed, manager, backend):
    assess(placed, placed, backend, "l2", values={"c0-0": 4}, default=2, evidence="I led the migration")
    draft = assess(placed, manager, backend, "l2", submit=False)
    page = as_user(manager).get(reverse("ladders:assessment", args=[draft.pk]))
    assert "Ada's own view:" in page.text
    assert "I led the migration" in page.text
    assert "what they did" in page.text



def test_a_list_page_past_the_end_shows_the_last_page_with_the_right_total(manager, backend):
    from ladders.selectors import careers as selectors

    for _ in range(27):
        person = UserFactory(manager=manager)
        place(person, backend, "l1")
        assess(person, manager, backend, "l1", default=1)
        assess(person, person, backend, "l2", default=1)
    manager = User.objects.get(pk=manager.pk)  # with the reporting path the database gave him

    for asked, shown, rows in ((1, 1, 25), (2, 2, 2), (7, 2, 2)):
        count, number, listed = selectors.assessments_written_by(manager, asked)
        assert (count, number, len(listed)) == (27, shown, rows)
        count, number, listed = selectors.assessments_listed(manager, manager, asked)
        assert (count, number, len(listed)) == (27, shown, rows)
    nobody = UserFactory()
    assert selectors.assessments_written_by(nobody, 1) == (0, 1, [])
    assert selectors.assessments_written_by(nobody, 3) == (0, 1, [])
