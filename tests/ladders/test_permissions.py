"""Who sees what, page by page, for every persona.

The product rule: everyone signed in reads published frameworks; drafts only
HR admins. A person's path: themselves, anyone above them, HR admins.
Assessments: drafts are their author's alone; submitted ones are seen by
the subject, everyone above the subject, and HR admins. Anyone else gets a
404, so pages do not even confirm that a record exists.
"""

import pytest
from django.urls import reverse

from ladders.models import Assessment
from ladders.selectors.careers import assessments_recent_about, assessments_visible_to
from ladders.services.frameworks import framework_import
from tests.ladders.factories import assess, document, place, publish
from tests.people.factories import UserFactory

PERSONAS = ["engineer", "manager", "skip_level", "hr", "peer", "outsider"]


@pytest.fixture
def people(request):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=4, competencies=3))


# --- framework drafts ----------------------------------------------------------------


@pytest.fixture
def with_draft(backend):
    doc = document(slug="backend", levels=5, competencies=3)
    doc["levels"][4]["title"] = "Level Five, Still a Draft"
    return framework_import(document=doc, publish=False).version


DRAFT_PAGES = [
    ("ladders:overview", ["backend"]),
    ("ladders:level", ["backend", "l5"]),
    ("ladders:competency", ["backend", "c0-0"]),
    ("ladders:diff", ["backend"]),
    ("ladders:export", ["backend"]),
]


@pytest.mark.parametrize("name, args", DRAFT_PAGES)
def test_it_hides_framework_drafts_from_everyone_but_hr(as_user, people, with_draft, name, args):
    url = reverse(name, args=args)
    for persona in ("engineer", "manager", "skip_level", "peer", "outsider"):
        client = as_user(people[persona])
        assert client.get(url, {"v": "draft"}).status_code == 404, persona
        assert client.get(url, {"v": str(with_draft.number)}).status_code == 404, persona


@pytest.mark.parametrize("name, args", DRAFT_PAGES)
def test_hr_previews_framework_drafts(as_user, hr, with_draft, name, args):
    response = as_user(hr).get(reverse(name, args=args), {"v": "draft"})
    assert response.status_code == 200
    if name == "ladders:export":
        assert "Level Five, Still a Draft" in response.text
        assert response["Content-Disposition"] == 'attachment; filename="backend-draft.yml"'
    else:
        assert "You are previewing the <strong>draft</strong> of version 2" in response.text


def test_hr_reads_the_drafts_new_level(as_user, hr, with_draft):
    response = as_user(hr).get(reverse("ladders:level", args=["backend", "l5"]), {"v": "draft"})
    assert "<h1>Level Five, Still a Draft</h1>" in response.text


def test_everyone_reads_the_published_version_while_a_draft_exists(as_user, people, with_draft):
    for persona, user in people.items():
        response = as_user(user).get(reverse("ladders:overview", args=["backend"]))
        assert response.status_code == 200, persona
        assert "Career framework · version 1<" in response.text, persona
        assert "Level Five" not in response.text, persona


def test_only_hr_sees_the_draft_in_the_version_list(as_user, engineer, hr, with_draft):
    url = reverse("ladders:overview", args=["backend"])
    assert [v.number for v in as_user(engineer).get(url).context["versions"]] == [1]
    assert [v.number for v in as_user(hr).get(url).context["versions"]] == [2, 1]


# --- paths ---------------------------------------------------------------------------

PATH_ACCESS = {"engineer": 302, "manager": 200, "skip_level": 200, "hr": 200, "peer": 404, "outsider": 404}


@pytest.mark.parametrize("persona, status", PATH_ACCESS.items())
def test_a_path_is_seen_by_the_person_their_managers_and_hr(as_user, people, backend, persona, status):
    engineer = people["engineer"]
    place(engineer, backend, "l2")
    response = as_user(people[persona]).get(reverse("ladders:person_path", args=[engineer.pk]))
    assert response.status_code == status
    if status == 200:
        assert response.context["person"] == engineer
        assert "Gap to Level 3" in response.text


@pytest.mark.parametrize("persona, status", {**PATH_ACCESS, "engineer": 200}.items())
def test_the_comparison_is_seen_by_the_person_their_managers_and_hr(as_user, people, backend, persona, status):
    engineer = people["engineer"]
    place(engineer, backend, "l2")
    assess(engineer, engineer, backend, "l3")
    response = as_user(people[persona]).get(reverse("ladders:compare", args=[engineer.pk]))
    assert response.status_code == status


def test_a_person_does_not_see_their_managers_path(as_user, engineer, manager):
    assert as_user(engineer).get(reverse("ladders:person_path", args=[manager.pk])).status_code == 404


def test_hr_sees_anyones_path_but_is_not_offered_to_assess(as_user, hr, engineer, backend):
    place(engineer, backend, "l2")
    response = as_user(hr).get(reverse("ladders:person_path", args=[engineer.pk]))
    assert response.status_code == 200
    assert response.context["can_assess"] is False
    assert "Start assessment" not in response.text


# --- assessments ---------------------------------------------------------------------


@pytest.fixture
def record(people, backend):
    """One of each: Ada's self-assessment and Marcus's assessment of her, submitted and draft,
    and Marcus's own submitted self-assessment."""
    engineer, manager = people["engineer"], people["manager"]
    return {
        "self_submitted": assess(engineer, engineer, backend, "l2"),
        "self_draft": assess(engineer, engineer, backend, "l3", submit=False),
        "manager_submitted": assess(engineer, manager, backend, "l2"),
        "manager_draft": assess(engineer, manager, backend, "l3", submit=False),
        "managers_own": assess(manager, manager, backend, "l3"),
    }


#                       engineer manager skip   hr     peer   outsider
ACCESS = {
    "self_submitted": (200, 200, 200, 200, 404, 404),
    "self_draft": (200, 404, 404, 404, 404, 404),
    "manager_submitted": (200, 200, 200, 200, 404, 404),
    "manager_draft": (404, 200, 404, 404, 404, 404),
    "managers_own": (404, 200, 200, 200, 404, 404),
}


@pytest.mark.parametrize("which", ACCESS)
def test_an_assessment_is_seen_only_by_those_the_rule_allows(as_user, people, record, which):
    url = reverse("ladders:assessment", args=[record[which].pk])
    seen = tuple(as_user(people[persona]).get(url).status_code for persona in PERSONAS)
    assert seen == ACCESS[which]


def test_the_list_shows_exactly_the_assessments_one_may_see(as_user, people, record):
    for index, persona in enumerate(PERSONAS):
        client = as_user(people[persona])
        response = client.get(reverse("ladders:assessments"))
        sections = ("about_me", "written", "team_page")
        listed = {a.pk for section in sections for a in response.context[section]}
        # Teams below are a click away, one at a time.
        for lead in response.context["sub_teams"]:
            below = client.get(reverse("ladders:assessments"), {"under": lead.pk})
            listed |= {a.pk for a in below.context["team_page"]}
        allowed = {record[which].pk for which, access in ACCESS.items() if access[index] == 200}
        assert listed == allowed, persona
        assert set(assessments_visible_to(people[persona]).values_list("pk", flat=True)) == allowed, persona


def test_the_latest_about_a_person_are_exactly_the_submitted_ones_one_may_see(people, record):
    # What the side-by-side page offers to pick from, for every persona about every person.
    for viewer in people.values():
        for person in people.values():
            recent = {a.pk for a in assessments_recent_about(viewer, person)}
            allowed = set(
                assessments_visible_to(viewer)
                .filter(subject=person, status=Assessment.Status.SUBMITTED)
                .values_list("pk", flat=True)
            )
            assert recent == allowed, (viewer.email, person.email)


def test_it_hides_a_peers_assessment(as_user, engineer, peer, backend):
    theirs = assess(peer, peer, backend, "l2")
    assert as_user(engineer).get(reverse("ladders:assessment", args=[theirs.pk])).status_code == 404
    assert as_user(engineer).get(reverse("ladders:compare", args=[peer.pk])).status_code == 404


def test_a_manager_sees_submitted_assessments_deep_in_the_tree(as_user, skip_level, engineer, backend):
    deep = UserFactory(manager=engineer)
    theirs = assess(deep, deep, backend, "l1")
    assert skip_level.manages(deep)
    assert as_user(skip_level).get(reverse("ladders:assessment", args=[theirs.pk])).status_code == 200


# --- starting an assessment ----------------------------------------------------------

START = {
    "engineer": Assessment.Kind.SELF,
    "manager": Assessment.Kind.MANAGER,
    "skip_level": None,  # reads the path; only the person's own manager assesses
    "hr": None,
    "peer": None,
    "outsider": None,
}


@pytest.mark.parametrize("persona, kind", START.items())
def test_only_the_person_and_their_manager_start_an_assessment(as_user, people, backend, persona, kind):
    engineer = people["engineer"]
    place(engineer, backend, "l2")
    response = as_user(people[persona]).post(reverse("ladders:assessment_new", args=[engineer.pk]), {"level": "l3"})
    if kind is None:
        assert response.status_code == 404
        assert not Assessment.objects.exists()
    else:
        draft = Assessment.objects.get()
        assert response["Location"] == reverse("ladders:assessment", args=[draft.pk])
        assert (draft.kind, draft.author, draft.subject) == (kind, people[persona], engineer)


def test_an_hr_admin_who_is_a_manager_assesses_their_own_reports(as_user, hr, backend):
    report = UserFactory(manager=hr)
    place(report, backend, "l1")
    response = as_user(hr).post(reverse("ladders:assessment_new", args=[report.pk]), {"level": "l1"})
    assert response.status_code == 302
    assert Assessment.objects.get().kind == Assessment.Kind.MANAGER
