"""The HR admin's workbench: importing, publishing, drafting and placing people."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ladders import formats
from ladders.models import Expectation, FrameworkVersion, Level, Placement, Track
from ladders.services.frameworks import framework_draft_create, framework_import
from ladders.services.placements import placement_record
from tests.conftest import page_queries
from tests.ladders.factories import FT_FILE, document, framework_row_counts, publish

FT_BYTES = FT_FILE.read_bytes()
CHANGELIST = "admin:ladders_frameworkversion_changelist"


@pytest.fixture
def admin_client(hr, as_user):
    return as_user(hr)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def upload(name: str = "ft-engineering.yml", content: bytes = FT_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/yaml")


def act(client, action: str, *objects, changelist: str = CHANGELIST):
    return client.post(
        reverse(changelist), {"action": action, "_selected_action": [o.pk for o in objects]}, follow=True
    )


# --- Who gets in -------------------------------------------------------------------------------


def test_it_shows_the_framework_list(admin_client):
    publish(document())
    response = admin_client.get(reverse("admin:ladders_framework_changelist"))
    assert response.status_code == 200
    assert "Backend" in response.text
    assert reverse("admin:ladders_framework_import") in response.text


def test_it_shows_the_import_page(admin_client):
    response = admin_client.get(reverse("admin:ladders_framework_import"))
    assert response.status_code == 200
    assert 'type="file"' in response.text
    assert "Check the file" in response.text


@pytest.mark.parametrize("url", ["admin:index", "admin:ladders_framework_changelist", "admin:ladders_framework_import"])
def test_it_keeps_engineers_out_of_the_admin(as_user, engineer, url):
    response = as_user(engineer).get(reverse(url))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_it_keeps_engineers_from_importing(as_user, engineer):
    response = as_user(engineer).post(reverse("admin:ladders_framework_import"), {"file": upload()})
    assert response.status_code == 302
    assert framework_row_counts()["Framework"] == 0


# --- Import: check, then confirm ----------------------------------------------------------------


def test_it_previews_an_import_and_writes_nothing(admin_client):
    before = framework_row_counts()
    response = admin_client.post(reverse("admin:ladders_framework_import"), {"file": upload(), "publish": "on"})
    assert response.status_code == 200
    assert "Ready to import ft-engineering.yml" in response.text
    assert "Engineering would be published as version 1" in response.text
    assert "72 expectations" in response.text
    assert response.context["token"] in response.text
    assert framework_row_counts() == before


def test_it_imports_once_confirmed(admin_client, hr):
    preview = admin_client.post(reverse("admin:ladders_framework_import"), {"file": upload()})
    response = admin_client.post(reverse("admin:ladders_framework_import"), {"confirm": preview.context["token"]})
    version = FrameworkVersion.objects.get(framework__slug="engineering")
    assert response.status_code == 302
    assert response.url == reverse("admin:ladders_frameworkversion_change", args=[version.pk])
    assert version.is_draft
    assert Expectation.objects.filter(level__version=version).count() == 72
    assert messages_of(response) == [
        "Engineering was imported into draft version 1 (2 tracks, 8 levels, 1 area, 9 competencies, 72 expectations)."
    ]
    # The token is spent: confirming again imports nothing new.
    again = admin_client.post(reverse("admin:ladders_framework_import"), {"confirm": preview.context["token"]})
    assert again.status_code == 400
    assert FrameworkVersion.objects.count() == 1


def test_it_publishes_on_confirm_when_asked(admin_client, hr):
    preview = admin_client.post(reverse("admin:ladders_framework_import"), {"file": upload(), "publish": "on"})
    admin_client.post(reverse("admin:ladders_framework_import"), {"confirm": preview.context["token"]})
    version = FrameworkVersion.objects.get(framework__slug="engineering")
    assert version.status == FrameworkVersion.Status.PUBLISHED
    assert version.published_by == hr


def test_it_ignores_a_wrong_confirmation_token(admin_client):
    admin_client.post(reverse("admin:ladders_framework_import"), {"file": upload()})
    response = admin_client.post(reverse("admin:ladders_framework_import"), {"confirm": "guessed"})
    assert response.status_code == 400
    assert framework_row_counts()["Framework"] == 0


def test_it_shows_the_lines_of_a_broken_file_and_writes_nothing(admin_client):
    text = FT_BYTES.decode()
    lines = text.splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines, start=1) if "proficiency: Working knowledge" in line)
    lines[number - 1] = lines[number - 1].replace("Working knowledge", "Working knowlege")
    before = framework_row_counts()
    response = admin_client.post(
        reverse("admin:ladders_framework_import"), {"file": upload("broken.yml", "".join(lines).encode())}
    )
    assert response.status_code == 400
    assert "broken.yml cannot be imported. Nothing was written." in response.text
    assert f"line {number}, competencies[" in response.text
    assert "Working knowlege" in response.text
    assert 'name="confirm"' not in response.text
    assert framework_row_counts() == before


def test_it_shows_a_yaml_error_with_its_line(admin_client):
    response = admin_client.post(
        reverse("admin:ladders_framework_import"), {"file": upload("bad.yml", b"name: Backend\nlevels: [\n")}
    )
    assert response.status_code == 400
    assert "line 3: not valid YAML" in response.text


def test_it_offers_nothing_to_confirm_when_the_file_equals_the_published_version(admin_client):
    admin_client.post(reverse("admin:ladders_framework_import"), {"file": upload(), "publish": "on"})
    preview = admin_client.post(reverse("admin:ladders_framework_import"), {"file": upload(), "publish": "on"})
    admin_client.post(reverse("admin:ladders_framework_import"), {"confirm": preview.context["token"]})
    before = framework_row_counts()
    response = admin_client.post(reverse("admin:ladders_framework_import"), {"file": upload()})
    assert response.status_code == 200
    assert "same content as the published version v1; nothing to do" in response.text
    assert 'name="confirm"' not in response.text
    assert framework_row_counts() == before


def test_it_shows_the_counts_of_an_import_once(admin_client):
    response = admin_client.post(reverse("admin:ladders_framework_import"), {"file": upload()})
    assert response.status_code == 200
    assert response.text.count("72 expectations") == 1


def test_it_says_importing_the_published_content_would_change_nothing(admin_client):
    publish(formats.parse(FT_BYTES))
    response = admin_client.post(reverse("admin:ladders_framework_import"), {"file": upload()})
    assert response.status_code == 200
    assert "importing it would change nothing" in response.text
    assert "discard" not in response.text


def test_it_says_importing_the_published_content_would_discard_a_differing_draft(admin_client):
    published = publish(formats.parse(FT_BYTES))
    draft = framework_draft_create(framework=published.framework, actor=None)
    Level.objects.filter(version=draft).update(title="Renamed in the draft")
    response = admin_client.post(reverse("admin:ladders_framework_import"), {"file": upload()})
    assert response.status_code == 200
    assert "it would only discard the draft version 2" in response.text
    assert "Discard draft version 2" in response.text
    assert FrameworkVersion.objects.filter(pk=draft.pk).exists()

    confirmed = admin_client.post(reverse("admin:ladders_framework_import"), {"confirm": response.context["token"]})
    assert confirmed.status_code == 302
    assert confirmed.url == reverse("admin:ladders_frameworkversion_change", args=[published.pk])
    assert not FrameworkVersion.objects.filter(pk=draft.pk).exists()
    assert messages_of(confirmed) == [
        "Engineering: same content as the published version v1; the draft v2, which differed, was discarded."
    ]


def test_it_refuses_a_file_over_two_megabytes(admin_client):
    response = admin_client.post(
        reverse("admin:ladders_framework_import"), {"file": upload("huge.yml", b"#" * (2 * 1024 * 1024 + 1))}
    )
    assert response.status_code == 400
    assert "The file is larger than 2 MB" in response.text


def test_it_refuses_a_file_that_is_not_text(admin_client):
    response = admin_client.post(reverse("admin:ladders_framework_import"), {"file": upload("ft.xlsx", b"PK\x03\x04\xff\xfe")})
    assert response.status_code == 400
    assert "byte 0xff is not UTF-8 text" in response.text
    assert framework_row_counts()["Framework"] == 0


def test_it_refuses_an_import_without_a_file(admin_client):
    response = admin_client.post(reverse("admin:ladders_framework_import"), {})
    assert response.status_code == 400
    assert "This field is required." in response.text


# --- Versions ---------------------------------------------------------------------------------


def test_it_publishes_a_draft_from_the_list(admin_client, hr):
    draft = framework_import(document=document()).version
    response = act(admin_client, "publish", draft)
    draft.refresh_from_db()
    assert draft.status == FrameworkVersion.Status.PUBLISHED and draft.published_by == hr
    assert "Backend version 1 is published." in messages_of(response)


def test_it_says_a_published_version_is_already_published(admin_client):
    version = publish(document())
    response = act(admin_client, "publish", version)
    assert f"{version} is already published." in messages_of(response)


def test_it_leaves_a_broken_draft_unpublished_and_says_why(admin_client):
    draft = framework_import(document=document()).version
    Level.objects.create(version=draft, code="orphan", title="Orphan", rung=9)
    response = act(admin_client, "publish", draft)
    draft.refresh_from_db()
    assert draft.is_draft and draft.published_at is None
    assert messages_of(response) == [f"{draft} cannot be published yet: Level orphan is on no track."]
    assert response.status_code == 200


def test_it_starts_a_draft_from_the_framework_list(admin_client):
    v1 = publish(document())
    response = act(admin_client, "start_draft", v1.framework, changelist="admin:ladders_framework_changelist")
    draft = FrameworkVersion.objects.get(framework=v1.framework, status=FrameworkVersion.Status.DRAFT)
    assert draft.number == 2
    assert Expectation.objects.filter(level__version=draft).count() == 12
    assert any("is ready to edit" in m for m in messages_of(response))


def test_it_downloads_a_version_as_yaml(admin_client):
    version = publish(document())
    response = admin_client.post(reverse(CHANGELIST), {"action": "export_yaml", "_selected_action": [version.pk]})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="backend-v1.yml"'
    assert formats.parse(response.content) == document()


def test_it_downloads_a_draft_under_a_draft_name(admin_client):
    v1 = publish(document())
    draft = framework_draft_create(framework=v1.framework, actor=None)
    response = admin_client.post(reverse(CHANGELIST), {"action": "export_yaml", "_selected_action": [draft.pk]})
    assert response["Content-Disposition"] == 'attachment; filename="backend-draft.yml"'


def test_it_downloads_one_version_at_a_time(admin_client):
    v1 = publish(document())
    draft = framework_draft_create(framework=v1.framework, actor=None)
    response = act(admin_client, "export_yaml", v1, draft)
    assert messages_of(response) == ["Choose one version to download."]


def test_it_downloads_the_current_version_from_the_framework_list(admin_client):
    v1 = publish(document())
    response = admin_client.post(
        reverse("admin:ladders_framework_changelist"), {"action": "export_current", "_selected_action": [v1.framework.pk]}
    )
    assert response["Content-Disposition"] == 'attachment; filename="backend-v1.yml"'


def test_it_shows_a_published_version_read_only(admin_client):
    version = publish(document())
    url = reverse("admin:ladders_frameworkversion_change", args=[version.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.text
    assert response.context["has_change_permission"] is False
    refused = admin_client.post(url, {"summary": "Changed after publishing.", "change_notes": ""})
    assert refused.status_code == 403
    version.refresh_from_db()
    assert version.summary == "A framework made for tests."


def test_it_lets_a_draft_be_edited(admin_client):
    draft = framework_import(document=document()).version
    response = admin_client.get(reverse("admin:ladders_frameworkversion_change", args=[draft.pk]))
    assert response.status_code == 200
    assert 'name="_save"' in response.text
    assert response.context["has_change_permission"] is True


def test_it_lists_links_before_who_published(admin_client):
    publish(document())
    response = admin_client.get(reverse(CHANGELIST))
    columns = list(response.context["cl"].list_display)
    assert columns.index("links") < columns.index("published_by")


def test_it_keeps_the_inline_text_areas_of_a_draft_compact(admin_client):
    draft = framework_import(document=document(fork_at=3)).version
    response = admin_client.get(reverse("admin:ladders_frameworkversion_change", args=[draft.pk]))
    assert response.status_code == 200
    for prefix in ("proficiency_levels-0-description", "tracks-0-summary", "areas-0-summary"):
        assert f'<textarea name="{prefix}" cols="30" rows="2"' in response.text
    # Tracks of a level are ticked, not picked from a list box.
    assert 'type="checkbox" name="levels-0-tracks"' in response.text


# --- Publishing a draft from its page -------------------------------------------------------


def publish_url(version: FrameworkVersion) -> str:
    return reverse("admin:ladders_frameworkversion_publish", args=[version.pk])


def broken_draft() -> FrameworkVersion:
    draft = framework_import(document=document()).version
    Level.objects.create(version=draft, code="orphan", title="Orphan", rung=9)
    return draft


def test_it_offers_publishing_on_a_draft_page(admin_client):
    draft = framework_import(document=document()).version
    response = admin_client.get(reverse("admin:ladders_frameworkversion_change", args=[draft.pk]))
    assert publish_url(draft) in response.text


def test_it_offers_no_publishing_on_a_published_version_page(admin_client):
    version = publish(document())
    response = admin_client.get(reverse("admin:ladders_frameworkversion_change", args=[version.pk]))
    assert response.status_code == 200
    assert publish_url(version) not in response.text


def test_it_asks_for_change_notes_before_publishing(admin_client):
    draft = framework_import(document=document()).version
    draft.change_notes = "Levels renamed."
    draft.save()
    response = admin_client.get(publish_url(draft))
    assert response.status_code == 200
    assert 'value="Publish version 1"' in response.text
    assert response.context["form"]["change_notes"].value() == "Levels renamed."
    assert ">\nLevels renamed.</textarea>" in response.text
    draft.refresh_from_db()
    assert draft.is_draft


def test_it_publishes_a_draft_with_its_change_notes(admin_client, hr):
    draft = framework_import(document=document()).version
    response = admin_client.post(publish_url(draft), {"change_notes": "  First version for everyone.  "})
    assert response.status_code == 302
    assert response.url == reverse("admin:ladders_frameworkversion_change", args=[draft.pk])
    assert messages_of(response) == ["Backend version 1 is published."]
    draft.refresh_from_db()
    assert draft.status == FrameworkVersion.Status.PUBLISHED and draft.published_by == hr
    assert draft.change_notes == "First version for everyone."


def test_it_lists_the_problems_of_a_draft_instead_of_a_publish_button(admin_client):
    draft = broken_draft()
    response = admin_client.get(publish_url(draft))
    assert response.status_code == 200
    assert "Level orphan is on no track." in response.text
    assert "Publish version" not in response.text
    assert 'name="change_notes"' not in response.text


def test_it_refuses_to_publish_a_draft_with_problems(admin_client):
    draft = broken_draft()
    response = admin_client.post(publish_url(draft), {"change_notes": "Should not stick."})
    assert response.status_code == 400
    assert "Level orphan is on no track." in response.text
    draft.refresh_from_db()
    assert draft.is_draft and draft.published_at is None
    assert draft.change_notes == ""


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sends_a_published_version_back_to_its_page(admin_client, method):
    version = publish(document())
    response = getattr(admin_client, method)(publish_url(version), {"change_notes": "Rewritten."})
    assert response.status_code == 302
    assert response.url == reverse("admin:ladders_frameworkversion_change", args=[version.pk])
    assert messages_of(response) == [f"{version} is already published."]
    version.refresh_from_db()
    assert version.change_notes == ""


def test_it_keeps_engineers_from_publishing(as_user, engineer):
    draft = framework_import(document=document()).version
    client = as_user(engineer)
    assert client.get(publish_url(draft)).status_code == 302
    response = client.post(publish_url(draft), {"change_notes": "Sneaky."})
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    draft.refresh_from_db()
    assert draft.is_draft and draft.change_notes == ""


def test_it_keeps_staff_without_change_permission_from_publishing(admin_client, settings):
    draft = framework_import(document=document()).version
    settings.HR_ADMIN_APP_LABELS = ["people"]
    assert admin_client.get(publish_url(draft)).status_code == 403
    assert admin_client.post(publish_url(draft), {"change_notes": ""}).status_code == 403
    draft.refresh_from_db()
    assert draft.is_draft


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_it_publishes_only_on_get_and_post(admin_client, method):
    draft = framework_import(document=document()).version
    assert getattr(admin_client, method)(publish_url(draft)).status_code == 405
    draft.refresh_from_db()
    assert draft.is_draft


def test_it_says_an_unknown_version_cannot_be_published(admin_client):
    assert admin_client.get(reverse("admin:ladders_frameworkversion_publish", args=[999999])).status_code == 404


def test_it_refuses_to_change_an_expectation_of_a_published_version(admin_client):
    version = publish(document())
    expectation = Expectation.objects.filter(level__version=version).first()
    url = reverse("admin:ladders_expectation_change", args=[expectation.pk])
    assert 'name="_save"' not in admin_client.get(url).text
    assert admin_client.post(url, {"criteria": "Rewritten."}).status_code == 403
    expectation.refresh_from_db()
    assert expectation.criteria != "Rewritten."


# --- Content of a draft -----------------------------------------------------------------------


def expectation_form(expectation: Expectation, **changes) -> dict:
    data = {
        "competency": expectation.competency_id,
        "level": expectation.level_id,
        "proficiency": expectation.proficiency_id,
        "criteria": expectation.criteria,
        "examples": expectation.examples,
        "key": expectation.key,
        "_save": "Save",
    }
    return {**data, **changes}


def test_it_edits_an_expectation_of_a_draft(admin_client):
    draft = framework_import(document=document()).version
    expectation = Expectation.objects.filter(level__version=draft).first()
    url = reverse("admin:ladders_expectation_change", args=[expectation.pk])
    response = admin_client.post(url, expectation_form(expectation, criteria="Writes tested code.\nReviews code."))
    assert response.status_code == 302
    expectation.refresh_from_db()
    assert expectation.criteria_list == ["Writes tested code.", "Reviews code."]


def test_it_rejects_a_level_of_another_version_for_an_expectation(admin_client):
    draft = framework_import(document=document()).version
    other = framework_import(document=document(slug="frontend")).version
    expectation = Expectation.objects.filter(level__version=draft).first()
    foreign = Level.objects.get(version=other, code="l2")
    url = reverse("admin:ladders_expectation_change", args=[expectation.pk])
    response = admin_client.post(url, expectation_form(expectation, level=foreign.pk))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["level"] == [
        "Choose a level of the same framework version as the competency."
    ]
    expectation.refresh_from_db()
    assert expectation.level.version == draft


def test_it_names_the_version_of_each_choice_for_an_expectation(admin_client):
    draft = framework_import(document=document()).version
    framework_import(document=document(slug="frontend"))
    expectation = Expectation.objects.filter(level__version=draft).first()
    response = admin_client.get(reverse("admin:ladders_expectation_change", args=[expectation.pk]))
    assert response.status_code == 200
    assert ">Level 2 — Backend v1 (draft)</option>" in response.text
    assert ">Level 2 — Frontend v1 (draft)</option>" in response.text
    assert ">Competency 0.0 — Frontend v1 (draft)</option>" in response.text
    assert ">3 · Skilled — Backend v1 (draft)</option>" in response.text


def test_it_names_the_version_of_each_choice_in_the_expectation_inline(admin_client):
    draft = framework_import(document=document()).version
    framework_import(document=document(slug="frontend"))
    competency = draft.competencies.first()
    response = admin_client.get(reverse("admin:ladders_competency_change", args=[competency.pk]))
    assert response.status_code == 200
    assert ">Level 2 — Backend v1 (draft)</option>" in response.text
    assert ">3 · Skilled — Backend v1 (draft)</option>" in response.text
    # Under a competency, only its own version's levels are offered.
    assert "Level 2 — Frontend" not in response.text


def test_it_adds_an_expectation_from_a_level_page(admin_client):
    draft = framework_import(document=document()).version
    level = Level.objects.get(version=draft, code="l2")
    competency = draft.competencies.get(slug="c0-1")
    Expectation.objects.filter(level=level, competency=competency).delete()
    page = admin_client.get(reverse("admin:ladders_level_change", args=[level.pk]))
    assert ">Competency 0.1 — Backend v1 (draft)</option>" in page.text

    existing = list(Expectation.objects.filter(level=level))
    data = {
        "version": draft.pk, "code": "l2", "title": "Level 2", "summary": "", "rung": 2, "position": 0,
        "tracks": [t.pk for t in level.tracks.all()],
        "expectations-TOTAL_FORMS": len(existing) + 1, "expectations-INITIAL_FORMS": len(existing),
        "expectations-MIN_NUM_FORMS": 0, "expectations-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    for n, e in enumerate(existing + [None]):
        data.update({
            f"expectations-{n}-id": e.pk if e else "",
            f"expectations-{n}-level": level.pk,
            f"expectations-{n}-competency": e.competency_id if e else competency.pk,
            f"expectations-{n}-proficiency": e.proficiency_id if e else draft.proficiency_levels.get(value=2).pk,
            f"expectations-{n}-criteria": e.criteria if e else "Pairs with newcomers.",
            f"expectations-{n}-examples": e.examples if e else "",
        })
    response = admin_client.post(reverse("admin:ladders_level_change", args=[level.pk]), data)
    assert response.status_code == 302, response.context["errors"]
    assert Expectation.objects.get(level=level, competency=competency).criteria == "Pairs with newcomers."


def test_the_expectation_page_query_count_does_not_grow_with_the_choices(admin_client):
    draft = framework_import(document=document()).version
    url = reverse("admin:ladders_expectation_change", args=[Expectation.objects.filter(level__version=draft).first().pk])
    few = page_queries(admin_client, url)
    for slug in ("frontend", "data", "design"):
        framework_import(document=document(slug=slug, levels=6))
    assert page_queries(admin_client, url) == few


# --- Placements -------------------------------------------------------------------------------


def placement_form(person, level: Level, track: Track) -> dict:
    return {
        "person": person.pk,
        "level": level.pk,
        "track": track.pk,
        "effective_date": "2025-03-01",
        "note": "Promoted in the spring round.",
        "_save": "Save",
    }


def test_it_records_a_placement_through_the_service(admin_client, hr, engineer):
    version = publish(document(fork_at=3))
    level = Level.objects.get(version=version, code="l3-ic")
    track = Track.objects.get(version=version, slug="ic")
    response = admin_client.post(reverse("admin:ladders_placement_add"), placement_form(engineer, level, track))
    assert response.status_code == 302
    placement = Placement.objects.get(person=engineer)
    assert (placement.level, placement.track, placement.effective_date) == (level, track, datetime.date(2025, 3, 1))
    assert placement.recorded_by == hr
    assert placement.note == "Promoted in the spring round."


def test_it_moves_a_placement_to_a_corrected_date(admin_client, hr, engineer):
    version = publish(document())
    level = Level.objects.get(version=version, code="l2")
    track = Track.objects.get(version=version, slug="ic")
    placement = placement_record(
        person=engineer, level=level, track=track, effective_date=datetime.date(2025, 1, 1), actor=hr
    )
    url = reverse("admin:ladders_placement_change", args=[placement.pk])
    response = admin_client.post(url, placement_form(engineer, level, track))
    assert response.status_code == 302
    assert list(Placement.objects.filter(person=engineer).values_list("effective_date", flat=True)) == [
        datetime.date(2025, 3, 1)
    ]


def test_it_corrects_a_placement_in_place(admin_client, hr, engineer):
    version = publish(document())
    track = Track.objects.get(version=version, slug="ic")
    placement = placement_record(
        person=engineer,
        level=Level.objects.get(version=version, code="l1"),
        track=track,
        effective_date=datetime.date(2025, 3, 1),
        actor=hr,
    )
    level = Level.objects.get(version=version, code="l2")
    response = admin_client.post(
        reverse("admin:ladders_placement_change", args=[placement.pk]), placement_form(engineer, level, track)
    )
    assert response.status_code == 302
    assert list(Placement.objects.filter(person=engineer).values_list("pk", "level__code")) == [(placement.pk, "l2")]


def test_it_refuses_a_track_the_level_is_not_on(admin_client, engineer):
    version = publish(document(fork_at=3))
    level = Level.objects.get(version=version, code="l3-ic")
    track = Track.objects.get(version=version, slug="mgr")
    response = admin_client.post(reverse("admin:ladders_placement_add"), placement_form(engineer, level, track))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["track"] == [
        "Level 3 IC is not on the Manager track of the same version."
    ]
    assert not Placement.objects.exists()


def test_it_refuses_a_track_of_another_version(admin_client, engineer):
    version = publish(document(fork_at=3))
    other = publish(document(slug="frontend", fork_at=3))
    level = Level.objects.get(version=version, code="l1")
    track = Track.objects.get(version=other, slug="ic")
    response = admin_client.post(reverse("admin:ladders_placement_add"), placement_form(engineer, level, track))
    assert response.status_code == 200
    assert "track" in response.context["adminform"].form.errors
    assert not Placement.objects.exists()
