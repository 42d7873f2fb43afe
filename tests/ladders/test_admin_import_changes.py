"""The framework import's check: what changes against the published version, every problem at once."""

from __future__ import annotations

import copy

import pytest
import yaml
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ladders import formats
from ladders.models import FrameworkVersion
from ladders.selectors.changes import document_changes
from ladders.services.frameworks import framework_import
from tests.ladders.factories import document, framework_row_counts, publish

URL = reverse("admin:ladders_framework_import")


def changed(doc: dict) -> dict:
    """The test framework with one of each kind of change."""
    doc = copy.deepcopy(doc)
    doc["levels"].append({"code": "l5", "title": "Level 5", "summary": "", "rung": 5, "tracks": ["ic"]})
    doc["levels"][0]["title"] = "Apprentice"
    competencies = doc["areas"][0]["competencies"]
    competencies[0]["expectations"][1]["criteria"][0] = "Behaviour 0.2 of area 0 reviewed by a peer"
    competencies[1]["expectations"][2]["proficiency"] = "Shaping"
    competencies[2]["expectations"][0]["proficiency"] = "Learning"
    competencies[2]["expectations"][1]["proficiency"] = "Learning"
    del competencies[2]["expectations"][3]
    competencies.append({"slug": "c0-new", "name": "Security", "summary": "", "expectations": [
        {"level": "l1", "proficiency": "Learning", "criteria": ["Knows the basics"], "examples": [], "key": ""},
    ]})
    return doc


def upload(doc: dict, name: str = "backend.yml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, formats.dump(doc).encode(), content_type="application/yaml")


@pytest.fixture
def client(hr, as_user):
    return as_user(hr)


def test_it_lists_what_a_file_changes_against_the_published_version(db):
    before = document()
    changes = document_changes(before, changed(before), against=1)
    kinds = {(c.what, c.kind, c.name) for c in changes.changes}
    assert ("level", "added", "Level 5 (l5)") in kinds
    assert ("level", "changed", "Apprentice (l1)") in kinds
    assert ("competency", "added", "Security") in kinds
    assert ("expectation", "reworded", "Competency 0.0 at Level 2") in kinds
    assert ("expectation", "raised", "Competency 0.1 at Level 3") in kinds
    assert ("expectation", "removed", "Competency 0.2 at Level 4") in kinds
    # Competency 0.2 at Level 1 was already Learning; at Level 2 it is lowered.
    assert ("expectation", "lowered", "Competency 0.2 at Level 2") in kinds
    assert ("expectation", "lowered", "Competency 0.2 at Level 1") not in kinds
    [reworded] = [c for c in changes.changes if c.kind == "reworded"]
    [row] = reworded.criteria
    assert row["kind"] == "reworded"
    assert ("added", "reviewed by a peer") in row["pieces"]
    [raised] = [c for c in changes.changes if c.kind == "raised"]
    assert raised.details == ["Applying → Shaping"]
    [level] = [c for c in changes.changes if c.what == "level" and c.kind == "changed"]
    assert level.details == ["renamed from Level 1"]
    assert changes.summary() == (
        "1 level added, 1 level changed, 1 competency added, 1 expectation added, 1 expectation removed, "
        "1 expectation raised, 1 expectation lowered, 1 expectation reworded"
    )


def test_it_says_nothing_changes_for_the_same_document(db):
    assert document_changes(document(), document(), against=1).summary() == "no changes"


def test_the_check_page_shows_added_removed_reworded_and_raised(client):
    v1 = publish(document())
    response = client.post(URL, {"file": upload(changed(document()))})
    assert response.status_code == 200
    text = response.text
    assert "What changes against the published version 1" in text
    assert "Level 5 (l5)" in text
    assert "Security" in text
    assert '<ins class="words">reviewed by a peer</ins>' in text
    assert "Applying → Shaping" in text
    for kind in ("added", "removed", "raised", "lowered", "reworded"):
        assert f"trellis-change--{kind}" in text
    # Checking writes nothing.
    assert FrameworkVersion.objects.filter(framework=v1.framework).count() == 1


def test_the_check_page_of_a_first_version_says_there_is_nothing_to_compare(client):
    response = client.post(URL, {"file": upload(document())})
    assert response.status_code == 200
    assert "first version: there is nothing to compare it with" in response.text


def test_it_shows_every_problem_of_a_bad_file_in_one_round(client):
    doc = formats.dump(document())
    data = yaml.safe_load(doc)
    data["levels"][1]["code"] = data["levels"][0]["code"]  # a duplicate (found by the reference check)
    data["levels"][2]["rung"] = "three"  # not a number (found by the schema)
    data["areas"][0]["competencies"][0]["expectations"][0]["proficiency"] = "Wizard"  # not on the scale
    before = framework_row_counts()
    response = client.post(URL, {"file": SimpleUploadedFile("bad.yml", yaml.safe_dump(data, sort_keys=False).encode())})
    assert response.status_code == 400
    problems = response.context["problems"]
    assert len(problems) >= 3
    text = " ".join(problems)
    assert "levels[1].code: level code 'l1' is used twice" in text
    assert "levels[2].rung" in text
    assert "'Wizard' is not on the scale" in text
    assert all(p.startswith("line ") for p in problems)
    assert f"bad.yml cannot be imported: {len(problems)} problems. Nothing was written." in response.text
    assert framework_row_counts() == before


def test_it_checks_again_when_the_framework_changed_since_the_check(client):
    publish(document())
    token = client.post(URL, {"file": upload(changed(document()))}).context["token"]
    # Someone publishes a version 2 meanwhile: the check compared against version 1.
    framework_import(document=changed(document()), publish=True)
    response = client.post(URL, {"confirm": token})
    assert response.status_code == 409
    assert "The framework changed after your check" in response.text
    assert FrameworkVersion.objects.count() == 2


# --- The audit entry of an import ---------------------------------------------------------------


def test_a_re_import_is_one_audit_entry_that_says_what_changed(hr):
    v1 = publish(document())
    draft = framework_import(document=document(), actor=hr).version  # unchanged: no draft
    assert draft == v1
    first = framework_import(document=changed(document()), actor=hr, source_name="backend.yml").version
    before = LogEntry.objects.count()
    again = changed(document())
    again["levels"][1]["title"] = "Journeyman"
    framework_import(document=again, actor=hr, source_name="backend.yml")
    entries = list(LogEntry.objects.order_by("pk")[before:])
    assert len(entries) == 1
    [entry] = entries
    assert entry.object_id == first.pk
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes["event"][1] == (
        "Imported backend.yml into the draft v2 of Backend, replacing its content: against v1, "
        "1 level added, 2 levels changed, 1 competency added, 1 expectation added, 1 expectation removed, "
        "1 expectation raised, 1 expectation lowered, 1 expectation reworded"
    )
    assert entry.actor == hr


def test_a_new_draft_from_a_file_reads_as_one_change(hr):
    publish(document())
    before = LogEntry.objects.count()
    framework_import(document=changed(document()), actor=hr, source_name="engineering.yml")
    entries = list(LogEntry.objects.order_by("pk")[before:])
    [entry] = entries
    assert entry.changes["event"][1].startswith("Imported a new draft of Backend from engineering.yml: against v1, ")
    assert "1 level added" in entry.changes["event"][1]
