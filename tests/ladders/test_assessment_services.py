"""Assessment services: start, save, submit, discard, remind; and which one is agreed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ladders.models import Assessment, Competency, Level, ProficiencyLevel
from ladders.selectors.careers import gap_rows, latest_submitted, ratings_by_slug
from ladders.selectors.frameworks import rubric_load
from ladders.services.assessments import (
    EVIDENCE_MAX_LENGTH,
    assessment_discard,
    assessment_save,
    assessment_start,
    assessment_submit,
)
from ladders.services.frameworks import framework_import
from people.models import Notification, ReminderRule
from people.services import person_save, reminders_dispatch
from people.tasks import reminders_dispatch as reminders_dispatch_task
from tests.ladders.factories import assess, document, publish, reports_to
from tests.people.rules import Rules

SELF, MANAGER = Assessment.Kind.SELF, Assessment.Kind.MANAGER


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=4, competencies=3))


def _level(version, code: str) -> Level:
    return Level.objects.get(version=version, code=code)


def _ids(version) -> tuple[dict[str, int], dict[int, int]]:
    competencies = {c.slug: c.pk for c in Competency.objects.filter(version=version)}
    scale = {p.value: p.pk for p in ProficiencyLevel.objects.filter(version=version)}
    return competencies, scale


def _values(assessment: Assessment) -> dict[str, tuple[int | None, str]]:
    return {
        r.competency.slug: (r.proficiency.value if r.proficiency else None, r.evidence)
        for r in assessment.ratings.select_related("competency", "proficiency")
    }


# --- start ---------------------------------------------------------------------------


def test_it_starts_a_draft_with_a_blank_rating_per_competency(engineer, backend):
    draft = assessment_start(subject=engineer, author=engineer, kind=SELF, level=_level(backend, "l3"))
    assert (draft.status, draft.version, draft.level.code) == ("draft", backend, "l3")
    assert _values(draft) == {"c0-0": (None, ""), "c0-1": (None, ""), "c0-2": (None, "")}


def test_it_returns_the_open_draft_instead_of_starting_another(engineer, backend):
    first = assessment_start(subject=engineer, author=engineer, kind=SELF, level=_level(backend, "l2"))
    again = assessment_start(subject=engineer, author=engineer, kind=SELF, level=_level(backend, "l3"))
    assert again.pk == first.pk
    assert again.level.code == "l3"  # moved to the level asked for
    assert Assessment.objects.count() == 1


def test_the_database_holds_one_draft_per_author_subject_and_kind(engineer, manager, backend):
    level = _level(backend, "l2")
    assessment_start(subject=engineer, author=engineer, kind=SELF, level=level)
    assessment_start(subject=engineer, author=manager, kind=MANAGER, level=level)  # another author: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(subject=engineer, author=engineer, kind=SELF, version=backend, level=level)


def test_it_starts_from_the_authors_previous_submitted_assessment(engineer, manager, skip_level, backend):
    assess(engineer, manager, backend, "l2", values={"c0-0": 2, "c0-1": 4, "c0-2": 1}, evidence="Mentored two")
    reports_to(engineer, skip_level)  # a spell under another manager…
    assess(engineer, skip_level, backend, "l2", default=5, evidence="Another manager's view")
    reports_to(engineer, manager)  # …and back
    draft = assessment_start(subject=engineer, author=manager, kind=MANAGER, level=_level(backend, "l3"))
    assert _values(draft) == {
        "c0-0": (2, "Mentored two"),
        "c0-1": (4, "Mentored two"),
        "c0-2": (1, "Mentored two"),
    }


def test_it_starts_a_self_assessment_blank_even_after_a_manager_assessment(engineer, manager, backend):
    assess(engineer, manager, backend, "l2", default=4)
    draft = assessment_start(subject=engineer, author=engineer, kind=SELF, level=_level(backend, "l3"))
    assert {value for value, _ in _values(draft).values()} == {None}


def test_it_carries_previous_answers_into_a_newer_version_by_slug(engineer, backend):
    assess(engineer, engineer, backend, "l2", values={"c0-0": 4, "c0-1": 1, "c0-2": 2})
    doc = document(slug="backend", levels=4, competencies=3)
    doc["levels"][0]["title"] = "Level One, Revised"
    v2 = publish(doc)
    draft = assessment_start(subject=engineer, author=engineer, kind=SELF, level=_level(v2, "l3"))
    assert draft.version == v2
    assert {slug: value for slug, (value, _) in _values(draft).items()} == {"c0-0": 4, "c0-1": 1, "c0-2": 2}
    assert {r.proficiency.version_id for r in draft.ratings.select_related("proficiency")} == {v2.pk}


@pytest.mark.parametrize(
    "author, kind",
    [("peer", MANAGER), ("outsider", MANAGER), ("hr", MANAGER), ("manager", SELF), ("engineer", MANAGER)],
)
def test_it_lets_only_the_person_or_someone_above_them_start(engineer, backend, request, author, kind):
    with pytest.raises(PermissionDenied):
        assessment_start(
            subject=engineer, author=request.getfixturevalue(author), kind=kind, level=_level(backend, "l2")
        )
    assert not Assessment.objects.exists()


def test_a_skip_level_manager_does_not_write_the_manager_assessment(engineer, skip_level, backend):
    with pytest.raises(PermissionDenied, match="own manager"):
        assessment_start(subject=engineer, author=skip_level, kind=MANAGER, level=_level(backend, "l2"))
    assert not Assessment.objects.exists()


def test_it_refuses_a_draft_framework_version(engineer, backend):
    doc = document(slug="backend", levels=5, competencies=3)
    draft_version = framework_import(document=doc, publish=False).version
    with pytest.raises(ValidationError, match="published framework version"):
        assessment_start(subject=engineer, author=engineer, kind=SELF, level=_level(draft_version, "l5"))
    assert not Assessment.objects.exists()


# --- save ----------------------------------------------------------------------------


@pytest.fixture
def draft(engineer, backend):
    return assessment_start(subject=engineer, author=engineer, kind=SELF, level=_level(backend, "l3"))


def test_it_saves_ratings_evidence_and_summary(draft, backend):
    competencies, scale = _ids(backend)
    assessment_save(
        assessment=draft,
        author=draft.author,
        summary="  Overall fine.  ",
        ratings={competencies["c0-0"]: (scale[3], "  Led the incident review \n"), competencies["c0-1"]: (None, "")},
    )
    draft.refresh_from_db()
    assert draft.summary == "Overall fine."
    assert _values(draft) == {"c0-0": (3, "Led the incident review"), "c0-1": (None, ""), "c0-2": (None, "")}


def test_it_refuses_a_proficiency_of_another_version(draft, backend, ft):
    competencies, _ = _ids(backend)
    foreign = ProficiencyLevel.objects.filter(version=ft).first()
    with pytest.raises(ValidationError) as error:
        assessment_save(
            assessment=draft, author=draft.author, summary="", ratings={competencies["c0-1"]: (foreign.pk, "")}
        )
    assert list(error.value.message_dict) == [f"competency-{competencies['c0-1']}"]
    assert _values(draft)["c0-1"] == (None, "")


def test_it_refuses_evidence_over_the_limit_and_saves_nothing(draft, backend):
    competencies, scale = _ids(backend)
    with pytest.raises(ValidationError) as error:
        assessment_save(
            assessment=draft,
            author=draft.author,
            summary="",
            ratings={
                competencies["c0-0"]: (scale[2], "fine"),
                competencies["c0-2"]: (scale[2], "x" * (EVIDENCE_MAX_LENGTH + 1)),
            },
        )
    assert list(error.value.message_dict) == [f"evidence-{competencies['c0-2']}"]
    assert _values(draft)["c0-0"] == (None, "")


def test_it_refuses_a_competency_of_another_version(draft, ft):
    stranger = Competency.objects.filter(version=ft).first()
    with pytest.raises(ValidationError) as error:
        assessment_save(assessment=draft, author=draft.author, summary="", ratings={stranger.pk: (None, "")})
    assert list(error.value.message_dict) == [f"competency-{stranger.pk}"]


def test_only_the_author_saves(draft, manager):
    with pytest.raises(PermissionDenied):
        assessment_save(assessment=draft, author=manager, summary="hijack", ratings={})
    draft.refresh_from_db()
    assert draft.summary == ""


def test_it_refuses_to_change_a_submitted_assessment(engineer, backend):
    submitted = assess(engineer, engineer, backend, "l2", default=2)
    with pytest.raises(ValidationError):
        assessment_save(assessment=submitted, author=engineer, summary="rewrite history", ratings={})
    submitted.refresh_from_db()
    assert submitted.summary == ""


# --- submit --------------------------------------------------------------------------


def _fill(draft, value: int = 3) -> None:
    competencies, scale = _ids(draft.version)
    assessment_save(
        assessment=draft, author=draft.author, summary="", ratings={pk: (scale[value], "") for pk in competencies.values()}
    )


def test_submitting_a_self_assessment_notifies_the_manager(draft, manager, engineer):
    _fill(draft)
    submitted = assessment_submit(assessment=draft, author=engineer)
    assert submitted.status == "submitted" and submitted.submitted_at is not None
    notification = Notification.objects.get()
    assert notification.recipient == manager
    assert notification.title == "Ada Okafor submitted a self-assessment"
    assert notification.url == f"/assessments/{draft.pk}/"


def test_submitting_a_manager_assessment_notifies_the_person(engineer, manager, backend):
    draft = assessment_start(subject=engineer, author=manager, kind=MANAGER, level=_level(backend, "l2"))
    _fill(draft)
    assessment_submit(assessment=draft, author=manager)
    notification = Notification.objects.get()
    assert notification.recipient == engineer
    assert notification.title == "Marcus Chen submitted an assessment of you"


def test_submitting_twice_changes_nothing_and_notifies_once(draft, engineer):
    _fill(draft)
    first = assessment_submit(assessment=draft, author=engineer)
    second = assessment_submit(assessment=draft, author=engineer)
    assert second.submitted_at == first.submitted_at
    assert Notification.objects.count() == 1


def test_it_names_every_unrated_competency_and_submits_nothing(draft, engineer, backend):
    competencies, scale = _ids(backend)
    assessment_save(assessment=draft, author=engineer, summary="", ratings={competencies["c0-0"]: (scale[2], "")})
    with pytest.raises(ValidationError) as error:
        assessment_submit(assessment=draft, author=engineer)
    assert error.value.message_dict == {
        f"competency-{competencies['c0-1']}": ["Rate Competency 0.1 before submitting."],
        f"competency-{competencies['c0-2']}": ["Rate Competency 0.2 before submitting."],
    }
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.submitted_at is None
    assert not Notification.objects.exists()


def test_only_the_author_submits(draft, manager):
    _fill(draft)
    with pytest.raises(PermissionDenied):
        assessment_submit(assessment=draft, author=manager)
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_manager_who_no_longer_manages_the_person_cannot_submit(engineer, manager, outsider, backend):
    draft = assessment_start(subject=engineer, author=manager, kind=MANAGER, level=_level(backend, "l2"))
    _fill(draft)
    engineer.manager = outsider.manager
    person_save(person=engineer)
    with pytest.raises(PermissionDenied):
        assessment_submit(assessment=draft, author=manager)
    draft.refresh_from_db()
    assert draft.is_draft


# --- the agreed assessment and the gap -----------------------------------------------


def test_the_latest_submitted_manager_assessment_is_the_agreed_one(engineer, manager, skip_level, backend):
    assess(engineer, manager, backend, "l3", default=2)
    reports_to(engineer, skip_level)  # a new manager's assessment supersedes the old one
    later = assess(engineer, skip_level, backend, "l3", values={"c0-0": 1, "c0-1": 3, "c0-2": 5})
    assess(engineer, engineer, backend, "l3", default=5)
    reports_to(engineer, manager)
    assess(engineer, manager, backend, "l3", default=1, submit=False)
    agreed = latest_submitted(engineer, MANAGER, backend.framework_id)
    assert agreed == later
    rubric = rubric_load(backend)
    rows = gap_rows(rubric, rubric.level("l2"), rubric.level("l3"), ratings_by_slug(agreed))
    # Level 3 requires 3, 2, 3: the gap is required minus assessed.
    assert [(r["assessed"], r["target"], r["gap"]) for r in rows] == [(1, 3, 2), (3, 2, -1), (5, 3, -2)]


# --- discard -------------------------------------------------------------------------


def test_it_discards_a_draft_with_its_ratings(draft, engineer):
    assessment_discard(assessment=draft, author=engineer)
    assert not Assessment.objects.exists()


def test_it_keeps_submitted_assessments_and_other_peoples_drafts(draft, engineer, manager, backend):
    with pytest.raises(PermissionDenied):
        assessment_discard(assessment=draft, author=manager)
    submitted = assess(engineer, manager, backend, "l2")
    with pytest.raises(ValidationError):
        assessment_discard(assessment=submitted, author=manager)
    assert Assessment.objects.count() == 2


# --- reminders (the rule "ladders.assessment_draft") --------------------------------

DRAFTS = "ladders.assessment_draft"


@pytest.fixture
def draft_rule(monkeypatch):
    """Only this rule is dispatched, whatever other apps register."""
    Rules(monkeypatch).keep(DRAFTS)


def _age(assessment: Assessment, days: int) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now() - datetime.timedelta(days=days))


def remind(now: datetime.datetime | None = None) -> int:
    """Dispatch the reminders due at `now`; how many drafts were reminded."""
    (run,) = reminders_dispatch(now=now)
    assert run.key == DRAFTS and not run.error, run
    return len(run.created)


def test_it_reminds_a_stale_draft_once_even_when_run_twice(draft_rule, draft, engineer):
    _age(draft, 8)
    assert remind() == 1
    assert remind() == 0
    notification = Notification.objects.get()
    assert notification.recipient == engineer
    assert notification.title == "Finish your self-assessment"
    assert notification.url == f"/assessments/{draft.pk}/"
    assert (notification.rule, notification.subject) == (DRAFTS, f"ladders.assessment:{draft.pk}")


def test_it_reminds_again_only_after_the_draft_changes(draft_rule, draft, engineer):
    _age(draft, 8)
    remind()
    assessment_save(assessment=draft, author=engineer, summary="picked it up again", ratings={})
    assert remind() == 0  # just changed: not stale
    later = timezone.now() + datetime.timedelta(days=8)
    assert remind(now=later) == 1
    assert remind(now=later) == 0
    assert Notification.objects.filter(recipient=engineer).count() == 2


def test_it_leaves_fresh_drafts_submitted_ones_and_departed_authors_alone(
    draft_rule, draft, engineer, manager, peer, backend
):
    submitted = assess(peer, peer, backend, "l2")
    _age(submitted, 30)
    departed = assessment_start(subject=engineer, author=manager, kind=MANAGER, level=_level(backend, "l2"))
    _age(departed, 30)
    manager.is_active = False
    manager.save(update_fields=["is_active"])
    assert remind() == 0
    assert not Notification.objects.filter(title__startswith="Finish").exists()


def test_the_reminder_names_whom_a_manager_assessment_is_about(draft_rule, engineer, manager, backend):
    draft = assessment_start(subject=engineer, author=manager, kind=MANAGER, level=_level(backend, "l2"))
    _age(draft, 10)
    assert reminders_dispatch_task() == 1
    assert Notification.objects.get(recipient=manager).title == "Finish your assessment of Ada Okafor"


def test_it_does_not_remind_a_manager_of_a_draft_about_someone_who_moved_on(
    draft_rule, engineer, manager, outsider, backend
):
    draft = assessment_start(subject=engineer, author=manager, kind=MANAGER, level=_level(backend, "l2"))
    _age(draft, 10)
    reports_to(engineer, outsider)

    assert remind() == 0

    reports_to(engineer, manager)
    assert remind() == 1


def test_it_waits_as_many_days_as_hr_set(draft_rule, draft, settings):
    assert settings.ASSESSMENT_DRAFT_REMINDER_DAYS == 7
    _age(draft, 8)
    ReminderRule.objects.update_or_create(key=DRAFTS, defaults={"days": 10})

    assert remind() == 0
    assert remind(now=timezone.now() + datetime.timedelta(days=2, minutes=1)) == 1


def test_it_reminds_nobody_while_hr_have_switched_it_off(draft_rule, draft):
    _age(draft, 8)
    ReminderRule.objects.update_or_create(key=DRAFTS, defaults={"days": 7, "enabled": False})

    (run,) = reminders_dispatch()

    assert not run.enabled and run.created == []
    assert not Notification.objects.exists()
