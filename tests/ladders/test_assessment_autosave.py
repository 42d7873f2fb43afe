"""Assessments that never lose work: saved as typed, a limit shown, a discard asked for,
the manager started at the person's own level, and each side's level said."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ladders.models import Assessment, Competency, ProficiencyLevel
from ladders.services.assessments import EVIDENCE_MAX_LENGTH
from tests.ladders.factories import assess, document, place, publish


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


def autosave_url(assessment) -> str:
    return reverse("ladders:assessment_autosave", args=[assessment.pk])


def answers(version, evidence: dict[str, str] | None = None, values: dict[str, int] | None = None) -> dict:
    scale = {p.value: p.pk for p in ProficiencyLevel.objects.filter(version=version)}
    data = {"summary": "Half a year of on-call."}
    for competency in Competency.objects.filter(version=version):
        value = (values or {}).get(competency.slug)
        data[f"competency-{competency.pk}"] = str(scale[value]) if value else ""
        data[f"evidence-{competency.pk}"] = (evidence or {}).get(competency.slug, "")
    return data


def test_it_saves_a_draft_as_it_is_typed(as_user, draft, backend):
    client = as_user(draft.author)
    data = answers(backend, {"c0-1": "Wrote the runbook: https://wiki.example.com/runbook"}, {"c0-1": 3})

    response = client.post(autosave_url(draft), data, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert '<p id="save-state" class="save-state save-state--saved"' in response.text
    assert "All changes saved at" in response.text
    assert "<html" not in response.text  # only the state, for htmx to swap in
    rating = draft.ratings.get(competency__slug="c0-1")
    assert rating.evidence == "Wrote the runbook: https://wiki.example.com/runbook"
    assert rating.proficiency.value == 3
    draft.refresh_from_db()
    assert draft.summary == "Half a year of on-call." and draft.is_draft
    # Reloading the page shows what was typed.
    page = client.get(reverse("ladders:assessment", args=[draft.pk])).text
    assert "Wrote the runbook: https://wiki.example.com/runbook</textarea>" in page


def test_it_saves_nothing_when_one_field_is_over_the_limit_and_says_which(as_user, draft, backend):
    data = answers(backend, {"c0-0": "Kept", "c0-2": "x" * (EVIDENCE_MAX_LENGTH + 1)})

    response = as_user(draft.author).post(autosave_url(draft), data, HTTP_HX_REQUEST="true")

    assert response.status_code == 422
    assert "save-state--problem" in response.text
    assert f"Not saved: Evidence for Competency 0.2: Keep this under {EVIDENCE_MAX_LENGTH:,} characters" in response.text
    assert not draft.ratings.exclude(evidence="").exists()
    draft.refresh_from_db()
    assert draft.summary == ""


def test_it_refuses_to_autosave_a_submitted_assessment(as_user, placed, backend):
    done = assess(placed, placed, backend, "l3", values={"c0-0": 2})
    response = as_user(placed).post(autosave_url(done), answers(backend, {"c0-0": "late"}), HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "it can no longer change" in response.text
    assert not done.ratings.filter(evidence="late").exists()


def test_it_lets_only_the_author_autosave(as_user, draft, backend, manager, peer, hr, outsider):
    for user in (manager, peer, hr, outsider):
        response = as_user(user).post(autosave_url(draft), answers(backend, {"c0-0": "mine now"}))
        assert response.status_code == 404, user
    assert not draft.ratings.exclude(evidence="").exists()


def test_it_autosaves_only_on_post(as_user, draft):
    assert as_user(draft.author).get(autosave_url(draft)).status_code == 405


def test_it_shows_a_counter_and_no_browser_limit_that_would_cut_text(as_user, draft):
    page = as_user(draft.author).get(reverse("ladders:assessment", args=[draft.pk])).text
    areas = re.findall(r"<textarea[^>]*>", page)
    assert len(areas) == 4  # three competencies and the overall comment
    assert all("maxlength" not in area and f'data-limit="{EVIDENCE_MAX_LENGTH}"' in area for area in areas)
    assert page.count(f"0 of {EVIDENCE_MAX_LENGTH:,} characters") == 4
    assert 'hx-post="%s"' % autosave_url(draft) in page
    assert "js/autosave" in page


def test_it_asks_before_discarding_a_draft(as_user, draft, backend):
    client = as_user(draft.author)
    client.post(autosave_url(draft), answers(backend, {"c0-0": "Some work"}, {"c0-0": 2}))
    url = reverse("ladders:assessment_discard", args=[draft.pk])

    page = client.get(url)

    assert page.status_code == 200
    assert "Discard this draft?" in page.text
    assert "has answers for 1 competency" in page.text
    assert "This cannot be undone." in page.text
    assert Assessment.objects.filter(pk=draft.pk).exists()
    form_page = client.get(reverse("ladders:assessment", args=[draft.pk])).text
    assert f'href="{url}"' in form_page  # the draft page links to the question, never discards at once

    client.post(url)
    assert not Assessment.objects.filter(pk=draft.pk).exists()


def test_it_shows_the_discard_question_only_to_the_author(as_user, draft, manager, peer):
    for user in (manager, peer):
        assert as_user(user).get(reverse("ladders:assessment_discard", args=[draft.pk])).status_code == 404


def test_a_manager_starts_at_the_level_of_the_latest_self_assessment(as_user, placed, manager, backend):
    assess(placed, placed, backend, "l3", values={"c0-0": 2})
    page = as_user(manager).get(reverse("ladders:person_path", args=[placed.pk])).text
    chosen = re.findall(r'<option value="([^"]+)" selected>([^<]+)</option>', page)
    # Level 2 (where they are) would come first otherwise.
    assert chosen == [("l3", "Level 3 (their latest self-assessment)")]

    # The person's own start form is not preset.
    own = as_user(placed).get(reverse("ladders:my_path")).text
    assert "their latest self-assessment" not in own


def test_side_by_side_says_which_level_each_side_was_against(as_user, placed, manager, backend):
    assess(placed, placed, backend, "l4", values={"c0-0": 3})
    assess(placed, manager, backend, "l3", values={"c0-0": 2})
    page = as_user(manager).get(reverse("ladders:compare", args=[placed.pk])).text
    assert "Self, against Level 4" in page
    assert "Manager, against Level 3" in page
    assert 'data-label="Self (Level 4)"' in page and 'data-label="Manager (Level 3)"' in page


def test_links_in_evidence_are_clickable_and_scripts_are_not(as_user, placed, manager, backend):
    done = assess(
        placed, manager, backend, "l3", values={"c0-0": 2},
        evidence="See https://ci.example.com/run/42 and javascript:alert(1) <script>x</script>",
    )
    page = as_user(manager).get(reverse("ladders:assessment", args=[done.pk])).text
    assert '<a href="https://ci.example.com/run/42" rel="nofollow">https://ci.example.com/run/42</a>' in page
    assert 'href="javascript' not in page
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
