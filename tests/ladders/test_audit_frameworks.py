"""Who changed a framework, and when: the audit log of imports, edits and publishing."""

from __future__ import annotations

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ladders.models import Expectation, FrameworkVersion
from ladders.services.frameworks import (
    framework_draft_create,
    framework_import,
    framework_version_publish,
)
from tests.ladders.factories import FT_FILE, document, publish

pytestmark = pytest.mark.django_db


def events(obj) -> list[LogEntry]:
    """Entries written by log_event: not field changes, but things that happened."""
    return list(LogEntry.objects.get_for_object(obj).filter(changes__has_key="event").order_by("pk"))


def field_changes(obj, field: str) -> list[LogEntry]:
    updates = LogEntry.objects.get_for_object(obj).filter(action=LogEntry.Action.UPDATE)
    return list(updates.filter(changes__has_key=field).order_by("pk"))


def test_it_logs_who_published_a_version(hr):
    draft = framework_import(document=document()).version
    framework_version_publish(version=draft, actor=hr)
    [entry] = field_changes(draft, "status")
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == hr and entry.actor_email == hr.email
    assert entry.changes["status"] == ["draft", "published"]


def test_it_logs_publishing_only_once(hr):
    draft = framework_import(document=document()).version
    framework_version_publish(version=draft, actor=hr)
    framework_version_publish(version=draft, actor=hr)
    assert len(field_changes(draft, "status")) == 1


def test_it_logs_the_admin_who_published_from_the_list(hr, as_user):
    draft = framework_import(document=document()).version
    as_user(hr).post(
        reverse("admin:ladders_frameworkversion_changelist"), {"action": "publish", "_selected_action": [draft.pk]}
    )
    [entry] = field_changes(draft, "status")
    assert entry.actor == hr


def test_it_logs_an_admin_edit_of_a_draft_expectation(hr, as_user):
    draft = framework_import(document=document()).version
    expectation = Expectation.objects.filter(level__version=draft).first()
    response = as_user(hr).post(
        reverse("admin:ladders_expectation_change", args=[expectation.pk]),
        {
            "competency": expectation.competency_id,
            "level": expectation.level_id,
            "proficiency": expectation.proficiency_id,
            "criteria": "Writes tested code and reviews others' code.",
            "examples": expectation.examples,
            "key": expectation.key,
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    [entry] = field_changes(expectation, "criteria")
    assert entry.actor == hr
    assert entry.changes["criteria"][1] == "Writes tested code and reviews others' code."


def test_it_logs_an_import_as_an_event(hr):
    version = framework_import(document=document(), actor=hr, source_name="backend.yml").version
    [entry] = events(version)
    assert entry.changes["event"] == ["", "Imported a new draft of Backend from backend.yml: its first version"]
    assert entry.actor == hr
    assert entry.additional_data == {
        "source": "backend.yml",
        "counts": {"tracks": 1, "levels": 4, "areas": 1, "competencies": 3, "expectations": 12},
    }


def test_it_logs_an_import_from_the_command_line_without_an_actor():
    call_command("import_framework", str(FT_FILE), stdout=StringIO(), stderr=StringIO())
    version = FrameworkVersion.objects.get(framework__slug="engineering")
    [entry] = events(version)
    assert entry.changes["event"][1] == "Imported a new draft of Engineering from ft-engineering.yml: its first version"
    assert entry.actor is None


def test_it_logs_an_import_from_the_admin_with_the_hr_admin(hr, as_user):
    client = as_user(hr)
    url = reverse("admin:ladders_framework_import")
    before = LogEntry.objects.count()
    preview = client.post(url, {"file": SimpleUploadedFile("ft-engineering.yml", FT_FILE.read_bytes())})
    assert LogEntry.objects.count() == before  # checking a file is not an event
    client.post(url, {"confirm": preview.context["token"]})
    version = FrameworkVersion.objects.get(framework__slug="engineering")
    [entry] = events(version)
    assert entry.changes["event"][1] == "Imported a new draft of Engineering from ft-engineering.yml: its first version"
    assert entry.actor == hr


def test_it_logs_nothing_for_an_unchanged_import(hr):
    version = publish(document())
    before = LogEntry.objects.count()
    assert framework_import(document=document(), actor=hr).unchanged
    assert LogEntry.objects.count() == before
    assert len(events(version)) == 1


def test_it_logs_where_a_new_draft_came_from(hr):
    v1 = publish(document())
    draft = framework_draft_create(framework=v1.framework, actor=hr)
    [entry] = events(draft)
    assert entry.changes["event"] == ["", "Started a new draft of Backend from version 1"]
    assert entry.actor == hr
