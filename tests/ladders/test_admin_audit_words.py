"""The audit log reads as sentences that name things: never an id, never "None"."""

from __future__ import annotations

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from ladders.services.frameworks import framework_import, framework_version_publish
from ladders.services.placements import placement_record
from people.audit import describe_entries
from tests.conftest import page_queries
from tests.ladders.factories import document, publish


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=4))


def sentences(obj) -> list[str]:
    return [e.sentence for e in describe_entries(LogEntry.objects.get_for_object(obj).order_by("pk"))]


def level(version, code):
    return version.levels.get(code=code)


def test_it_says_who_published_which_version(hr, backend):
    draft = framework_import(document=document(slug="backend", levels=5), actor=hr).version
    framework_version_publish(version=draft, actor=hr)
    assert sentences(draft)[-1] == "Published Backend v2"


def test_it_says_how_a_level_changed(hr, engineer, backend):
    track = backend.tracks.get()
    placement_record(person=engineer, level=level(backend, "l2"), track=track, effective_date=datetime.date(2023, 1, 1), actor=hr)
    later = placement_record(
        person=engineer, level=level(backend, "l3"), track=track, effective_date=datetime.date(2024, 4, 1), actor=hr
    )
    assert sentences(later) == ["Changed Ada Okafor’s level to Level 3 (from Level 2)"]


def test_it_says_where_someone_was_first_placed(hr, engineer, backend):
    first = placement_record(
        person=engineer, level=level(backend, "l2"), track=backend.tracks.get(), effective_date=datetime.date(2023, 1, 1), actor=hr
    )
    assert sentences(first) == ["Placed Ada Okafor at Level 2"]


def test_it_says_how_a_correction_changed_the_level(hr, engineer, backend):
    track = backend.tracks.get()
    day = datetime.date(2024, 4, 1)
    placement = placement_record(person=engineer, level=level(backend, "l2"), track=track, effective_date=day, actor=hr)
    placement_record(person=engineer, level=level(backend, "l4"), track=track, effective_date=day, actor=hr)
    assert sentences(placement)[-1] == "Changed Ada Okafor’s level to Level 4 (from Level 2)"


def test_it_names_a_new_manager_and_the_old_one(hr, engineer, manager, skip_level):
    engineer.manager = skip_level
    engineer.save()
    [*_, last] = describe_entries(LogEntry.objects.get_for_object(engineer).order_by("pk"))
    assert last.sentence == "Changed Ada Okafor’s manager to Daniel Osei (from Marcus Chen)"
    assert ("manager", "Marcus Chen", "Daniel Osei") in last.rows


def test_it_never_shows_none_or_an_id(hr, engineer, backend):
    placement_record(
        person=engineer, level=level(backend, "l2"), track=backend.tracks.get(), effective_date=datetime.date(2023, 1, 1), actor=hr
    )
    entries = describe_entries(LogEntry.objects.all())
    assert entries
    for entry in entries:
        shown = [entry.sentence, *[v for row in entry.rows for v in row]]
        assert not any(text in ("None", "") or re.fullmatch(r"\d+", text) for text in shown), (entry.sentence, entry.rows)
        assert "ladders." not in " ".join(shown)


def test_the_audit_log_list_shows_sentences(hr, as_user, engineer, backend):
    draft = framework_import(document=document(slug="backend", levels=5), actor=hr).version
    v2 = framework_version_publish(version=draft, actor=hr)
    placement_record(
        person=engineer, level=level(v2, "l5"), track=v2.tracks.get(), effective_date=datetime.date(2024, 1, 1), actor=hr
    )
    response = as_user(hr).get(reverse("admin:auditlog_logentry_changelist"))
    assert response.status_code == 200
    assert "Published Backend v2" in response.text
    assert "Placed Ada Okafor at Level 5" in response.text
    assert "Imported a new draft of Backend" in response.text


def test_an_objects_audit_log_page_shows_sentences(hr, as_user, engineer, manager, skip_level):
    engineer.manager = skip_level
    engineer.save()
    response = as_user(hr).get(reverse("admin:people_user_auditlog", args=[engineer.pk]))
    assert response.status_code == 200
    assert "Changed Ada Okafor’s manager to Daniel Osei (from Marcus Chen)" in response.text


def test_an_entrys_page_shows_its_changes_by_name(hr, as_user, engineer, manager, skip_level):
    engineer.manager = skip_level
    engineer.save()
    entry = LogEntry.objects.get_for_object(engineer).latest("pk")
    response = as_user(hr).get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))
    assert response.status_code == 200
    assert "<td>Marcus Chen</td><td>Daniel Osei</td>" in response.text


def test_the_audit_log_list_keeps_its_queries_as_entries_grow(hr, as_user, engineer, backend):
    client = as_user(hr)
    url = reverse("admin:auditlog_logentry_changelist")
    track = backend.tracks.get()

    def place_on(day: int) -> None:
        placement_record(
            person=engineer, level=level(backend, f"l{1 + day % 4}"), track=track,
            effective_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=day), actor=hr,
        )

    for day in range(3):
        place_on(day)
    few = page_queries(client, url)
    for day in range(3, 40):
        place_on(day)
    assert page_queries(client, url) == few
