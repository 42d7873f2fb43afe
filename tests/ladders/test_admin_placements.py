"""Placements in the admin: the CSV import (check, then confirm) and the levels the form offers."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ladders.admin import PlacementForm
from ladders.models import Level, Placement
from ladders.services.frameworks import framework_draft_create, framework_import
from tests.conftest import flashed
from tests.ladders.factories import document, place, publish

URL = reverse("admin:ladders_placement_import")


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=4))


@pytest.fixture
def client(hr, as_user, engineer, peer, backend):
    return as_user(hr)


def csv_file(text: str, name: str = "levels.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


GOOD = (
    "email,framework,level,effective_date,note\n"
    "engineer@example.com,backend,l3,2024-04-01,Promoted\n"
    "peer@example.com,Backend,l2,2024-04-01,\n"
)


def test_it_offers_the_import_on_the_placement_list(client):
    response = client.get(reverse("admin:ladders_placement_changelist"))
    assert response.status_code == 200
    assert f'href="{URL}"' in response.text


def test_it_previews_the_placements_and_writes_nothing(client, engineer, backend):
    place(engineer, backend, "l2", on=datetime.date(2024, 4, 1))
    response = client.post(URL, {"file": csv_file(GOOD)})
    assert response.status_code == 200
    report = response.context["report"]
    assert [(p.line, p.email, p.level) for p in report.recorded] == [(3, "peer@example.com", "Level 2 (l2)")]
    assert [(p.line, p.was, p.level) for p in report.corrected] == [(2, "Level 2 (l2)", "Level 3 (l3)")]
    assert "Corrected placements" in response.text and "Promoted" in response.text
    assert Placement.objects.count() == 1
    assert Placement.objects.get().level.code == "l2"


def test_it_records_the_placements_once_confirmed(client, engineer, peer, hr):
    token = client.post(URL, {"file": csv_file(GOOD)}).context["token"]
    response = client.post(URL, {"confirm": token})
    assert response.status_code == 302
    assert response.url == reverse("admin:ladders_placement_changelist")
    assert flashed(response) == ["levels.csv: 2 placements were recorded, 0 were corrected, 0 unchanged."]
    placements = {p.person: p for p in Placement.objects.select_related("level")}
    assert placements[engineer].level.code == "l3" and placements[engineer].recorded_by == hr
    assert placements[peer].level.code == "l2"


def test_it_shows_every_problem_and_writes_nothing(client):
    text = (
        "email,framework,level,effective_date,track\n"
        "nobody@example.com,backend,l2,2024-04-01,\n"
        "engineer@example.com,frontend,l2,2024-04-01,\n"
        "peer@example.com,backend,l9,1 April 2024,\n"
        "engineer@example.com,backend,l2,2024-05-01,mgr\n"
    )
    response = client.post(URL, {"file": csv_file(text, "bad.csv")})
    assert response.status_code == 400
    assert "bad.csv cannot be imported: 5 problems. Nothing was written." in response.text
    assert [(p.line, p.column) for p in response.context["problems"]] == [
        (2, "email"),
        (3, "framework"),
        (4, "effective_date"),
        (4, "level"),
        (5, "track"),
    ]
    assert "line 4, column level" in response.text
    assert Placement.objects.count() == 0


def test_it_refuses_to_confirm_after_another_file_was_checked(client):
    first = client.post(URL, {"file": csv_file(GOOD)}).context["token"]
    client.post(URL, {"file": csv_file("email,framework,level,effective_date\npeer@example.com,backend,l4,2024-06-01\n")})
    response = client.post(URL, {"confirm": first})
    assert response.status_code == 400
    assert Placement.objects.count() == 0


def test_it_checks_again_when_placements_changed_since_the_check(client, engineer, backend):
    token = client.post(URL, {"file": csv_file(GOOD)}).context["token"]
    place(engineer, backend, "l1", on=datetime.date(2024, 4, 1))
    response = client.post(URL, {"confirm": token})
    assert response.status_code == 409
    assert Placement.objects.get(person=engineer).level.code == "l1"
    assert [p.was for p in response.context["report"].corrected] == ["Level 1 (l1)"]


def test_it_keeps_engineers_out(as_user, engineer, backend):
    response = as_user(engineer).post(URL, {"file": csv_file(GOOD)})
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert Placement.objects.count() == 0


def test_it_refuses_other_methods(client):
    assert client.delete(URL).status_code == 405


# --- The placement form -------------------------------------------------------------------------


def test_it_offers_only_levels_of_current_published_versions(backend):
    old_levels = set(Level.objects.filter(version=backend))
    reworded = document(slug="backend", levels=5)
    reworded["summary"] = "Version two."
    v2 = framework_import(document=reworded, publish=True).version
    draft = framework_draft_create(framework=v2.framework, actor=None)
    other = publish(document(slug="data", levels=2))

    offered = set(PlacementForm().fields["level"].queryset)

    assert offered == set(Level.objects.filter(version__in=[v2, other]))
    assert not offered & old_levels
    assert not offered & set(Level.objects.filter(version=draft))
    labels = [PlacementForm().fields["level"].label_from_instance(level) for level in offered]
    assert "Level 5 (l5) — Backend v2" in labels


def test_it_keeps_the_level_of_a_placement_on_an_older_version(engineer, backend):
    placement = place(engineer, backend, "l2")
    framework_import(document=document(slug="backend", levels=5), publish=True)
    form = PlacementForm(instance=placement)
    assert placement.level in form.fields["level"].queryset
    assert placement.track in form.fields["track"].queryset


def test_the_add_page_offers_only_current_levels(client, backend):
    v2 = framework_import(document=document(slug="backend", levels=5), publish=True).version
    response = client.get(reverse("admin:ladders_placement_add"))
    assert response.status_code == 200
    assert "Backend v2" in response.text
    assert "Backend v1" not in response.text
    assert set(response.context["adminform"].form.fields["level"].queryset) == set(v2.levels.all())
