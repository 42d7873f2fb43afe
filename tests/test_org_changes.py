"""Access follows the organisation as it is now, not as it was when a record was made.

Records are written, then the organisation changes — a new manager, a
leaver, someone made HR admin and back — and every ladders and people page
is asked again. A record made while someone managed a person grants them
nothing once the line has moved.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from ladders.models import Assessment, Rating
from ladders.services.frameworks import framework_import
from people.models import User
from people.services import person_save
from tests.ladders.factories import assess, document, place, publish, reports_to

SECRET = "Said in confidence after the move"


@pytest.fixture
def backend(db):
    version = publish(document(slug="backend", levels=4, competencies=3))
    framework_import(document=document(slug="backend", levels=5, competencies=3), publish=False)
    return version


@pytest.fixture
def records(engineer, manager, backend):
    place(engineer, backend, "l2")
    return {
        "self_submitted": assess(engineer, engineer, backend, "l2"),
        "manager_submitted": assess(engineer, manager, backend, "l2"),
        "manager_draft": assess(engineer, manager, backend, "l3", submit=False),
        "self_draft": assess(engineer, engineer, backend, "l3", submit=False),
    }


@pytest.fixture
def new_boss(outsider):
    return outsider.manager


def pages(engineer: User, records: dict) -> dict[str, tuple[str, str, dict]]:
    """Every page of ladders and people, as (method, url, data), about `engineer`."""
    draft = records["manager_draft"]
    return {
        "ladders:index": ("get", reverse("ladders:index"), {}),
        "ladders:search": ("get", reverse("ladders:search") + "?q=Competency", {}),
        "ladders:overview": ("get", reverse("ladders:overview", args=["backend"]) + "?v=draft", {}),
        "ladders:grid": ("get", reverse("ladders:grid", args=["backend"]) + "?v=draft", {}),
        "ladders:hr_home": ("get", reverse("ladders:hr_home"), {}),
        "ladders:level": ("get", reverse("ladders:level", args=["backend", "l5"]) + "?v=draft", {}),
        "ladders:competency": ("get", reverse("ladders:competency", args=["backend", "c0-0"]) + "?v=draft", {}),
        "ladders:diff": ("get", reverse("ladders:diff", args=["backend"]) + "?v=draft", {}),
        "ladders:export": ("get", reverse("ladders:export", args=["backend"]) + "?v=draft", {}),
        "ladders:my_path": ("get", reverse("ladders:my_path"), {}),
        "ladders:person_path": ("get", reverse("ladders:person_path", args=[engineer.pk]), {}),
        "ladders:compare": ("get", reverse("ladders:compare", args=[engineer.pk]), {}),
        "ladders:assessment_new": ("post", reverse("ladders:assessment_new", args=[engineer.pk]), {"level": "l3"}),
        "ladders:assessments": ("get", reverse("ladders:assessments"), {}),
        "ladders:assessment": ("get", reverse("ladders:assessment", args=[draft.pk]), {}),
        "ladders:assessment_discard": ("post", reverse("ladders:assessment_discard", args=[draft.pk]), {}),
        "ladders:assessment_autosave": ("post", reverse("ladders:assessment_autosave", args=[draft.pk]), {"summary": "x"}),
        "ladders:team": ("get", reverse("ladders:team"), {}),
        "ladders:team_export": ("get", reverse("ladders:team_export"), {}),
        "people:person": ("get", reverse("people:person", args=[engineer.pk]), {}),
        "people:directory": ("get", reverse("people:directory") + "?q=" + engineer.name.split()[0], {}),
        "people:org_chart": ("get", reverse("people:org_chart") + f"?root={engineer.pk}", {}),
        "people:notifications": ("get", reverse("people:notifications"), {}),
        "people:notifications_read": ("post", reverse("people:notifications_read"), {}),
        # Told when the manager's assessment went in: the engineer's own, whoever manages them.
        "people:notification_open": (
            "get", reverse("people:notification_open", args=[engineer.notifications.order_by("pk").first().pk]), {}
        ),
    }


def ask(client, page: tuple[str, str, dict]):
    method, url, data = page
    return getattr(client, method)(url, data)


def test_the_matrix_covers_every_ladders_and_people_page(engineer, records):
    named = {
        f"{namespace}:{name}"
        for namespace in ("ladders", "people")
        for name in get_resolver().namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str)
    }
    assert named == set(pages(engineer, records))


def submitted_after_the_move(engineer, backend) -> Assessment:
    later = assess(engineer, engineer, backend, "l3", values={"c0-0": 1}, evidence=SECRET)
    return later


# --- A new manager ---------------------------------------------------------------------------

#                        former manager / skip-level   new manager
AFTER_A_MOVE = {
    "ladders:person_path": (404, 200),
    "ladders:compare": (404, 200),
    "ladders:assessment_new": (404, 302),
    "ladders:assessment": (404, 404),  # the former manager's draft
    "ladders:assessment_discard": (404, 404),
    "ladders:assessment_autosave": (404, 404),
}


@pytest.mark.parametrize("page", AFTER_A_MOVE)
def test_after_a_move_only_the_new_line_reaches_the_person(
    as_user, engineer, manager, skip_level, new_boss, records, backend, page
):
    reports_to(engineer, new_boss)
    submitted_after_the_move(engineer, backend)
    before, after = AFTER_A_MOVE[page]
    request = pages(engineer, records)[page]

    assert ask(as_user(manager), request).status_code == before
    assert ask(as_user(skip_level), request).status_code == before
    assert ask(as_user(new_boss), request).status_code == after


def test_a_former_manager_no_longer_reads_the_persons_new_self_assessment(
    as_user, engineer, manager, new_boss, records, backend
):
    reports_to(engineer, new_boss)
    later = submitted_after_the_move(engineer, backend)
    client = as_user(manager)

    draft_page = client.get(reverse("ladders:assessment", args=[records["manager_draft"].pk]))
    assert draft_page.status_code == 404
    assert SECRET not in draft_page.text
    for record in [*records.values(), later]:
        response = client.get(reverse("ladders:assessment", args=[record.pk]))
        assert response.status_code == 404, record
    assert ask(client, pages(engineer, records)["ladders:compare"]).status_code == 404


def test_a_former_manager_can_neither_save_nor_discard_the_old_draft(as_user, engineer, manager, new_boss, records, backend):
    draft = records["manager_draft"]
    answers = list(Rating.objects.filter(assessment=draft).values_list("proficiency_id", "evidence"))
    reports_to(engineer, new_boss)
    client = as_user(manager)
    competency = Rating.objects.filter(assessment=draft).first().competency_id

    saved = client.post(
        reverse("ladders:assessment", args=[draft.pk]),
        {"summary": "late", f"competency-{competency}": "", f"evidence-{competency}": "late"},
    )
    discarded = client.post(reverse("ladders:assessment_discard", args=[draft.pk]))

    assert (saved.status_code, discarded.status_code) == (404, 404)
    assert list(Rating.objects.filter(assessment=draft).values_list("proficiency_id", "evidence")) == answers
    assert Assessment.objects.filter(pk=draft.pk, summary="").exists()


def test_lists_and_the_team_follow_the_move(as_user, engineer, manager, skip_level, new_boss, records, backend):
    reports_to(engineer, new_boss)
    later = submitted_after_the_move(engineer, backend)
    about_engineer = {a.pk for a in Assessment.objects.filter(subject=engineer)}

    for former in (manager, skip_level):
        client = as_user(former)
        listed = client.get(reverse("ladders:assessments")).context
        seen = {a.pk for section in ("about_me", "written", "team_page") for a in listed[section]}
        assert not seen & about_engineer, former
        team = client.get(reverse("ladders:team")).context
        assert engineer not in [row["person"] for row in team["rows"]], former

    client = as_user(new_boss)
    listed = client.get(reverse("ladders:assessments")).context
    seen = {a.pk for a in listed["team_page"]}
    assert seen == {records["self_submitted"].pk, records["manager_submitted"].pk, later.pk}
    assert engineer in [row["person"] for row in client.get(reverse("ladders:team")).context["rows"]]


def test_the_person_keeps_everything_of_their_own(as_user, engineer, new_boss, records, backend):
    reports_to(engineer, new_boss)
    client = as_user(engineer)

    for which in ("self_submitted", "manager_submitted", "self_draft"):
        assert client.get(reverse("ladders:assessment", args=[records[which].pk])).status_code == 200, which
    assert client.get(reverse("ladders:assessment", args=[records["manager_draft"].pk])).status_code == 404
    assert client.get(reverse("ladders:my_path")).status_code == 200


def test_moving_back_restores_the_former_managers_draft(as_user, engineer, manager, new_boss, records):
    reports_to(engineer, new_boss)
    reports_to(engineer, manager)

    assert as_user(manager).get(reverse("ladders:assessment", args=[records["manager_draft"].pk])).status_code == 200


def test_a_manager_moved_elsewhere_loses_the_whole_tree(as_user, engineer, manager, skip_level, new_boss, records):
    # The manager moves, taking the team along: the old skip-level loses them all.
    reports_to(manager, new_boss)

    assert ask(as_user(skip_level), pages(engineer, records)["ladders:person_path"]).status_code == 404
    assert ask(as_user(new_boss), pages(engineer, records)["ladders:person_path"]).status_code == 200
    assert ask(as_user(manager), pages(engineer, records)["ladders:person_path"]).status_code == 200


# --- A leaver --------------------------------------------------------------------------------


def leaves(person: User) -> None:
    person.is_active = False
    person_save(person=person)


@pytest.mark.parametrize(
    "page", ["ladders:my_path", "ladders:assessments", "people:notifications", "people:notification_open", "ladders:index"]
)
def test_a_leavers_session_stops_working(as_user, engineer, records, page):
    client = as_user(engineer)
    leaves(engineer)

    response = ask(client, pages(engineer, records)[page])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


#                            manager, skip-level    HR
FOR_A_LEAVER = {
    "ladders:person_path": (404, 404),
    "ladders:compare": (404, 404),
    "ladders:assessment_new": (404, 404),
    "ladders:assessment": (404, 404),  # the manager's draft
    "ladders:assessment_discard": (404, 404),
    "ladders:assessment_autosave": (404, 404),
    "people:person": (404, 200),
    "people:org_chart": (404, 404),  # nobody's chart starts from someone who has left
}


@pytest.mark.parametrize("page", FOR_A_LEAVER)
def test_a_leavers_records_are_hrs_business(as_user, engineer, manager, skip_level, hr, records, page):
    leaves(engineer)
    line, for_hr = FOR_A_LEAVER[page]
    request = pages(engineer, records)[page]

    assert ask(as_user(manager), request).status_code == line
    assert ask(as_user(skip_level), request).status_code == line
    assert ask(as_user(hr), request).status_code == for_hr


def test_hr_still_reads_a_leavers_submitted_assessments(as_user, engineer, manager, hr, records):
    leaves(engineer)

    for which in ("self_submitted", "manager_submitted"):
        url = reverse("ladders:assessment", args=[records[which].pk])
        assert as_user(hr).get(url).status_code == 200
        assert as_user(manager).get(url).status_code == 404


def test_a_leaver_drops_out_of_the_managers_lists(as_user, engineer, manager, records):
    leaves(engineer)
    client = as_user(manager)

    listed = client.get(reverse("ladders:assessments")).context
    assert not {a.subject_id for section in ("written", "team_page") for a in listed[section]} & {engineer.pk}
    assert engineer not in [row["person"] for row in client.get(reverse("ladders:team")).context["rows"]]


# --- Made HR admin, and back -----------------------------------------------------------------

#                        as a peer   as HR admin   back as a peer
PROMOTION = {
    "ladders:overview": (404, 200, 404),
    "ladders:grid": (404, 200, 404),
    "ladders:hr_home": (404, 200, 404),
    "ladders:level": (404, 200, 404),
    "ladders:competency": (404, 200, 404),
    "ladders:diff": (404, 200, 404),
    "ladders:export": (404, 200, 404),
    "ladders:person_path": (404, 200, 404),
    "ladders:compare": (404, 200, 404),
    "ladders:assessment_new": (404, 404, 404),
    "ladders:assessment": (404, 404, 404),  # a draft stays its author's
    "ladders:team_export": (404, 200, 404),  # no reports: HR exports everyone
    "people:person": (200, 200, 200),
    "people:directory": (200, 200, 200),
    "people:org_chart": (200, 200, 200),
}


@pytest.mark.parametrize("page", PROMOTION)
def test_hr_rights_come_and_go_with_the_role_in_the_same_session(as_user, engineer, peer, records, mfa_ready, page):
    mfa_ready(peer)
    client = as_user(peer)
    request = pages(engineer, records)[page]
    seen = [ask(client, request).status_code]

    peer.is_hr_admin = True
    peer.save()
    seen.append(ask(client, request).status_code)

    peer.is_hr_admin = False
    peer.save()
    seen.append(ask(client, request).status_code)

    assert tuple(seen) == PROMOTION[page]


def test_submitted_assessments_are_readable_only_while_hr(as_user, engineer, peer, records, mfa_ready):
    mfa_ready(peer)
    client = as_user(peer)
    url = reverse("ladders:assessment", args=[records["manager_submitted"].pk])
    assert client.get(url).status_code == 404

    peer.is_hr_admin = True
    peer.save()
    assert client.get(url).status_code == 200
    assert client.get("/admin/").status_code == 200

    peer.is_hr_admin = False
    peer.save()
    assert client.get(url).status_code == 404
    assert client.get("/admin/").status_code == 302


def test_someone_made_hr_admin_without_totp_must_set_it_up_first(as_user, engineer, peer, records):
    client = as_user(peer)
    peer.is_hr_admin = True
    peer.save()

    response = ask(client, pages(engineer, records)["ladders:person_path"])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
