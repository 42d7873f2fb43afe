"""Importing, drafting and publishing frameworks, and what older records keep showing."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError

from ladders import formats
from ladders.models import (
    Assessment,
    Competency,
    Expectation,
    Framework,
    FrameworkVersion,
    Level,
    Track,
)
from ladders.selectors.frameworks import rubric_load, version_export
from ladders.services.assessments import assessment_start
from ladders.services.frameworks import (
    _version_clear,
    framework_draft_create,
    framework_import,
    framework_version_publish,
    version_problems,
)
from tests.ladders.factories import (
    DATA,
    document,
    framework_row_counts,
    ft_document,
    place,
    publish,
)

pytestmark = pytest.mark.django_db


def content(version: FrameworkVersion) -> dict:
    """What a version says, without its change notes."""
    exported = version_export(version)
    exported.pop("change_notes")
    return exported


def reworded(doc: dict, text: str = "Reworded for the next version.") -> dict:
    changed = copy.deepcopy(doc)
    changed["areas"][0]["competencies"][0]["expectations"][0]["criteria"] = [text]
    return changed


# --- Import ----------------------------------------------------------------------------------


def test_it_creates_the_framework_and_a_draft_on_first_import():
    result = framework_import(document=document(), source_name="backend.yml")
    assert result.created_framework and not result.unchanged and not result.published
    framework = Framework.objects.get(slug="backend")
    assert framework.name == "Backend"
    assert list(framework.versions.values_list("number", "status")) == [(1, "draft")]
    assert result.version.framework == framework
    assert result.counts == {"tracks": 1, "levels": 4, "areas": 1, "competencies": 3, "expectations": 12}
    assert result.summary() == "Backend was imported into draft version 1 (1 track, 4 levels, 1 area, 3 competencies, 12 expectations)."


def test_it_publishes_on_import_when_asked(hr):
    result = framework_import(document=document(), actor=hr, publish=True)
    version = FrameworkVersion.objects.get(pk=result.version.pk)
    assert result.published
    assert version.status == FrameworkVersion.Status.PUBLISHED
    assert version.published_at is not None and version.published_by == hr
    assert "was published as version 1" in result.summary()


def test_it_imports_the_ft_framework_into_rows():
    version = publish(ft_document())
    assert version.levels.count() == 8
    assert version.competencies.count() == 9
    assert Expectation.objects.filter(level__version=version).count() == 72
    assert list(version.proficiency_levels.values_list("value", "name")) == [
        (1, "Awareness"), (2, "Foundational"), (3, "Working knowledge"), (4, "Practitioner"), (5, "Expert"),
    ]
    director = version.levels.get(code="tech-director")
    assert sorted(director.tracks.values_list("slug", flat=True)) == ["ic", "pm"]
    assert list(version.levels.get(code="senior-2-pm").tracks.values_list("slug", flat=True)) == ["pm"]
    expectation = Expectation.objects.get(key="fb43098c-588c-421c-b87a-92b0bfd2ad7c")
    assert (expectation.level.code, expectation.competency.slug) == ("junior", "planning-organising")
    technical = Expectation.objects.get(competency__slug="technical", level__code="engineer")
    assert len(technical.criteria_list) == 4


def test_it_changes_nothing_when_the_file_equals_the_published_version():
    version = publish(document())
    before = framework_row_counts()
    again = document()
    again["change_notes"] = "Notes describe a version; they are not its content."
    result = framework_import(document=again)
    assert result.unchanged and not result.created_framework
    assert result.version == version
    assert framework_row_counts() == before
    assert result.summary() == "Backend: same content as the published version v1; nothing to do."


def test_it_says_when_a_differing_draft_is_discarded_by_the_published_content():
    publish(document())
    changed = document(levels=5)
    draft = framework_import(document=changed).version
    result = framework_import(document=document())
    assert result.unchanged
    assert not FrameworkVersion.objects.filter(pk=draft.pk).exists()
    assert result.summary() == (
        "Backend: same content as the published version v1; the draft v2, which differed, was discarded."
    )


def test_it_publishes_with_change_notes_all_or_nothing():
    draft = framework_import(document=document()).version
    published = framework_version_publish(version=draft, actor=None, change_notes="  First version.  ")
    assert (published.status, published.change_notes) == ("published", "First version.")
    again = framework_version_publish(version=published, actor=None, change_notes="Rewritten later")
    assert again.change_notes == "First version."


def test_it_discards_an_untouched_copy_of_the_published_version_without_fuss():
    version = publish(document())
    framework_draft_create(framework=version.framework, actor=None)
    result = framework_import(document=document())
    assert result.unchanged and result.discarded_draft is None
    assert result.summary() == "Backend: same content as the published version v1; nothing to do."
    assert not FrameworkVersion.objects.filter(status="draft").exists()


def test_it_replaces_the_draft_with_changed_content():
    first = framework_import(document=document()).version
    changed = document(competencies=2)
    changed["areas"][0]["competencies"][0]["expectations"][0]["criteria"] = ["Only this now."]
    second = framework_import(document=changed).version
    assert second.pk == first.pk
    assert FrameworkVersion.objects.filter(framework__slug="backend").count() == 1
    assert content(second) == {k: v for k, v in changed.items() if k != "change_notes"}
    assert Competency.objects.filter(version=second).count() == 2


def test_it_puts_changed_content_in_a_new_draft_after_the_published_version():
    v1 = publish(document())
    before = content(v1)
    expectation_pks = set(Expectation.objects.filter(level__version=v1).values_list("pk", flat=True))
    result = framework_import(document=reworded(document()))
    assert result.version.number == 2 and result.version.is_draft
    v1.refresh_from_db()
    assert not v1.is_draft
    assert content(v1) == before
    assert set(Expectation.objects.filter(level__version=v1).values_list("pk", flat=True)) == expectation_pks


def test_it_renames_the_framework_when_the_file_does():
    publish(document())
    renamed = reworded(document())
    renamed["name"] = "Backend Engineering"
    framework_import(document=renamed)
    assert Framework.objects.get(slug="backend").name == "Backend Engineering"


def test_it_writes_nothing_on_a_dry_run(hr):
    before = framework_row_counts()
    result = framework_import(document=ft_document(), actor=hr, publish=True, dry_run=True)
    assert framework_row_counts() == before
    assert result.dry_run and result.created_framework
    assert result.summary().startswith("Engineering would be published as version 1 (2 tracks, 8 levels")


def test_it_writes_nothing_on_a_dry_run_over_an_existing_framework():
    publish(document())
    before = framework_row_counts()
    result = framework_import(document=reworded(document()), dry_run=True)
    assert framework_row_counts() == before
    assert result.summary().startswith("Backend would be imported into draft version 2")


def test_it_logs_the_import_on_the_version(hr):
    version = framework_import(document=document(), actor=hr, source_name="backend.yml").version
    from auditlog.models import LogEntry

    entry = LogEntry.objects.get_for_object(version).filter(changes__has_key="event").get()
    assert entry.changes["event"] == ["", "Imported a new draft of Backend from backend.yml: its first version"]
    assert entry.actor == hr


# --- Round trips ---------------------------------------------------------------------------------


def test_it_exports_the_imported_ft_framework_as_the_same_document():
    ft = ft_document()
    version = publish(ft)
    assert formats.parse(formats.dump(version_export(version))) == ft


def test_it_imports_an_exported_framework_under_another_slug_with_the_same_content():
    original = publish(ft_document())
    text = formats.dump(version_export(original)).replace("slug: engineering\n", "slug: engineering-copy\n", 1)
    copy_version = publish(formats.parse(text))
    assert copy_version.framework.slug == "engineering-copy"
    assert copy_version.framework != original.framework
    assert {**content(copy_version), "slug": "engineering"} == content(original)


def test_it_exports_data_science_byte_for_byte_as_shipped():
    text = (DATA / "data-science.yml").read_text()
    version = publish(formats.parse(text))
    assert formats.dump(version_export(version)) == text


# --- Publishing ------------------------------------------------------------------------------------


def test_it_records_who_published_and_when(hr):
    draft = framework_import(document=document()).version
    published = framework_version_publish(version=draft, actor=hr)
    draft.refresh_from_db()
    assert draft.status == FrameworkVersion.Status.PUBLISHED
    assert draft.published_by == hr and draft.published_at is not None
    assert published.pk == draft.pk


def test_it_publishes_a_version_only_once(hr, manager):
    draft = framework_import(document=document()).version
    first = framework_version_publish(version=draft, actor=hr)
    before = framework_row_counts()
    again = framework_version_publish(version=draft, actor=manager)
    assert (again.published_at, again.published_by) == (first.published_at, hr)
    assert framework_row_counts() == before


def test_it_refuses_to_publish_a_level_on_no_track():
    draft = framework_import(document=document()).version
    Level.objects.create(version=draft, code="orphan", title="Orphan", rung=9)
    with pytest.raises(ValidationError) as error:
        framework_version_publish(version=draft, actor=None)
    assert error.value.messages == ["Level orphan is on no track."]
    draft.refresh_from_db()
    assert draft.is_draft and draft.published_at is None


def test_it_refuses_to_publish_a_competency_with_no_expectations():
    draft = framework_import(document=document()).version
    area = draft.areas.get()
    Competency.objects.create(version=draft, area=area, slug="empty", name="Empty handed", position=9)
    with pytest.raises(ValidationError) as error:
        framework_version_publish(version=draft, actor=None)
    assert error.value.messages == ["Competency Empty handed has no expectation at any level."]
    assert FrameworkVersion.objects.get(pk=draft.pk).is_draft


def test_it_refuses_to_publish_two_levels_on_one_rung_of_a_track():
    draft = framework_import(document=document()).version
    twin = Level.objects.create(version=draft, code="l2-twin", title="Level 2 twin", rung=2)
    twin.tracks.add(Track.objects.get(version=draft, slug="ic"))
    assert version_problems(draft) == ["Track Individual Contributor has both l2 and l2-twin on rung 2."]


def test_it_refuses_to_publish_an_empty_draft():
    framework = Framework.objects.create(slug="empty", name="Empty")
    draft = framework_draft_create(framework=framework, actor=None)
    with pytest.raises(ValidationError) as error:
        framework_version_publish(version=draft, actor=None)
    assert error.value.messages == [
        "The proficiency scale needs at least two points.",
        "Add at least one track.",
        "Add at least one level.",
        "Add at least one competency.",
    ]


# --- New drafts -------------------------------------------------------------------------------------


def test_it_starts_the_next_draft_as_a_copy_of_the_published_version(hr):
    v1 = publish(ft_document())
    draft = framework_draft_create(framework=v1.framework, actor=hr)
    assert (draft.number, draft.status) == (2, FrameworkVersion.Status.DRAFT)
    assert content(draft) == content(v1)
    assert draft.change_notes == ""
    # A copy, not the same rows.
    assert not Expectation.objects.filter(level__version=draft).filter(pk__in=Expectation.objects.filter(level__version=v1)).exists()


def test_it_copies_the_latest_published_version():
    v1 = publish(document())
    v2 = publish(reworded(document()))
    draft = framework_draft_create(framework=v1.framework, actor=None)
    assert draft.number == 3
    assert content(draft) == content(v2) != content(v1)


def test_it_returns_the_draft_that_already_exists():
    v1 = publish(document())
    first = framework_draft_create(framework=v1.framework, actor=None)
    before = framework_row_counts()
    assert framework_draft_create(framework=v1.framework, actor=None) == first
    assert framework_row_counts() == before


def test_it_refuses_to_clear_a_published_version():
    version = publish(document())
    with pytest.raises(ValidationError):
        _version_clear(version)
    assert Expectation.objects.filter(level__version=version).count() == 12


def test_it_refuses_to_clear_a_version_published_since_it_was_read():
    stale = framework_import(document=document()).version
    framework_version_publish(version=FrameworkVersion.objects.get(pk=stale.pk), actor=None)
    assert stale.is_draft  # what the old instance still believes
    with pytest.raises(ValidationError):
        _version_clear(stale)
    assert Expectation.objects.filter(level__version=stale).count() == 12


def test_it_returns_the_published_version_from_an_import_that_publishes():
    result = framework_import(document=document(), publish=True)
    assert result.version.status == FrameworkVersion.Status.PUBLISHED
    assert result.version.published_at is not None


# --- Older records keep what they said -------------------------------------------------------------


def test_it_keeps_v1_content_for_an_assessment_after_v2_is_published(engineer):
    v1 = publish(document())
    level = Level.objects.get(version=v1, code="l1")
    assessment = assessment_start(subject=engineer, author=engineer, kind=Assessment.Kind.SELF, level=level)
    old_criteria = ["Behaviour 0.1 of area 0", "Second behaviour at l1"]

    v2 = publish(reworded(document(), "A new expectation for level 1."))

    assert v2.number == 2 and not v2.is_draft
    assessment.refresh_from_db()
    assert assessment.version == v1 and assessment.level == level
    rubric = rubric_load(assessment.version)
    competency = rubric.competency("c0-0")
    assert rubric.expectation(competency, rubric.level("l1")).criteria_list == old_criteria
    assert Expectation.objects.get(level=assessment.level, competency__slug="c0-0").criteria_list == old_criteria
    # The new version says the new thing.
    assert Expectation.objects.get(level__version=v2, level__code="l1", competency__slug="c0-0").criteria_list == [
        "A new expectation for level 1."
    ]


def test_it_keeps_v1_content_for_a_placement_after_v2_is_published(engineer):
    v1 = publish(document())
    placement = place(engineer, v1, "l1")
    publish(reworded(document(), "Changed in v2."))
    placement.refresh_from_db()
    assert placement.level.version == v1
    assert Expectation.objects.get(level=placement.level, competency__slug="c0-0").criteria_list == [
        "Behaviour 0.1 of area 0",
        "Second behaviour at l1",
    ]
