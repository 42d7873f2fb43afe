"""Placing people on a ladder: one at a time, from an HRIS export, and from the command line."""

import datetime
import io

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ladders.models import Level, Placement, Track
from ladders.services.frameworks import framework_import
from ladders.services.placements import placement_record, placements_import
from people.csvimport import ImportFailed
from people.models import Notification, User
from tests.ladders.factories import document, place
from tests.people.factories import UserFactory

JAN = datetime.date(2024, 1, 1)
JUL = datetime.date(2024, 7, 1)


def _level(version, code: str) -> Level:
    return Level.objects.get(version=version, code=code)


def _track(version, slug: str) -> Track:
    return Track.objects.get(version=version, slug=slug)


def _standing(person) -> list[tuple[str, str, datetime.date]]:
    return [(p.level.code, p.track.slug, p.effective_date) for p in Placement.objects.filter(person=person)]


# --- one placement -------------------------------------------------------------------


def test_it_records_a_placement_and_tells_the_person(engineer, hr, ft):
    placement = placement_record(
        person=engineer, level=_level(ft, "senior-1"), track=_track(ft, "ic"), effective_date=JAN, actor=hr, note="Annual review"
    )
    assert (placement.level.code, placement.track.slug, placement.recorded_by, placement.note) == (
        "senior-1",
        "ic",
        hr,
        "Annual review",
    )
    notification = Notification.objects.get(recipient=engineer)
    assert notification.title == "Your level is now Senior Engineer 1"
    assert notification.body == "From 1 January 2024, on the Individual Contributor track."


def test_a_second_record_for_the_same_day_replaces_the_first(engineer, hr, ft):
    first = placement_record(person=engineer, level=_level(ft, "engineer"), track=_track(ft, "ic"), effective_date=JAN, actor=hr)
    second = placement_record(person=engineer, level=_level(ft, "senior-1"), track=_track(ft, "pm"), effective_date=JAN, actor=hr)
    assert second.pk == first.pk
    assert _standing(engineer) == [("senior-1", "pm", JAN)]


def test_recording_the_same_placement_again_changes_nothing(engineer, hr, ft):
    args = dict(person=engineer, level=_level(ft, "engineer"), track=_track(ft, "ic"), effective_date=JAN, actor=hr)
    placement_record(**args)
    placement_record(**args)
    assert Placement.objects.count() == 1
    assert Notification.objects.filter(recipient=engineer).count() == 1


def test_a_new_date_adds_to_the_history(engineer, hr, ft):
    placement_record(person=engineer, level=_level(ft, "engineer"), track=_track(ft, "ic"), effective_date=JAN, actor=hr)
    placement_record(person=engineer, level=_level(ft, "senior-1"), track=_track(ft, "ic"), effective_date=JUL, actor=hr)
    assert _standing(engineer) == [("senior-1", "ic", JUL), ("engineer", "ic", JAN)]


def test_it_does_not_notify_without_a_move_or_another_actor(engineer, hr, ft):
    placement_record(person=engineer, level=_level(ft, "engineer"), track=_track(ft, "ic"), effective_date=JAN, actor=engineer)
    placement_record(person=engineer, level=_level(ft, "senior-1"), track=_track(ft, "ic"), effective_date=JUL, actor=None)
    placement_record(person=engineer, level=_level(ft, "senior-1"), track=_track(ft, "pm"), effective_date=JUL, actor=hr)
    placement_record(
        person=engineer, level=_level(ft, "senior-2-pm"), track=_track(ft, "pm"), effective_date=datetime.date(2025, 1, 1), actor=hr, notify=False
    )
    assert not Notification.objects.filter(recipient=engineer).exists()


def test_it_refuses_a_track_the_level_is_not_on(engineer, hr, ft):
    with pytest.raises(ValidationError) as error:
        placement_record(person=engineer, level=_level(ft, "senior-2-ic"), track=_track(ft, "pm"), effective_date=JAN, actor=hr)
    assert "not on the People Manager track" in error.value.message_dict["track"][0]
    assert not Placement.objects.exists()


def test_it_refuses_a_track_of_another_framework(engineer, hr, ft):
    other = framework_import(document=document(slug="backend"), publish=True).version
    with pytest.raises(ValidationError) as error:
        placement_record(person=engineer, level=_level(ft, "junior"), track=_track(other, "ic"), effective_date=JAN, actor=hr)
    assert "track" in error.value.message_dict
    assert not Placement.objects.exists()


def test_it_refuses_an_unpublished_version(engineer, hr, ft):
    draft = framework_import(document=document(slug="backend"), publish=False).version
    with pytest.raises(ValidationError) as error:
        placement_record(person=engineer, level=_level(draft, "l1"), track=_track(draft, "ic"), effective_date=JAN, actor=hr)
    assert "published version" in error.value.message_dict["level"][0]
    assert not Placement.objects.exists()


# --- importing from an HRIS export ---------------------------------------------------

HEADER = "email,framework,level,effective_date,track,note\n"


def test_it_imports_placements(engineer, peer, ft):
    report = placements_import(
        source=HEADER
        + "engineer@example.com,engineering,senior-1,2024-01-01,pm,Promoted\n"
        + "Peer@Example.com,Engineering,ENGINEER,2024-01-01,,\n"
    )
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert report.summary() == "2 placements were recorded, 0 were corrected, 0 unchanged."
    assert _standing(engineer) == [("senior-1", "pm", JAN)]
    assert Placement.objects.get(person=engineer).note == "Promoted"
    assert _standing(peer) == [("engineer", "ic", JAN)]


def test_an_import_costs_a_few_bulk_queries_whatever_its_size(ft):
    people = UserFactory.create_batch(300)
    rows = "".join(f"{p.email},engineering,engineer,2024-01-01,,\n{p.email},engineering,junior,2022-01-01,,\n" for p in people)

    with CaptureQueriesContext(connection) as created:
        report = placements_import(source=HEADER + rows)
    with CaptureQueriesContext(connection) as corrected:
        again = placements_import(source=HEADER + rows.replace("engineer,2024", "senior-1,2024"))

    assert report.created == 600 and again.updated == 300
    assert len(created) < 60
    assert len(corrected) < 60
    assert Placement.objects.filter(level__code="senior-1").count() == 300


def test_an_import_leaves_an_audit_entry_per_placement(engineer, hr, ft):
    placements_import(source=HEADER + "engineer@example.com,engineering,engineer,2024-01-01,,\n", actor=hr)
    placements_import(source=HEADER + "engineer@example.com,engineering,senior-1,2024-01-01,,\n", actor=hr)

    placement = Placement.objects.get(person=engineer)
    entries = list(LogEntry.objects.get_for_object(placement).order_by("timestamp", "pk"))
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert all(e.actor == hr for e in entries)
    engineer_level = Level.objects.get(version=placement.level.version, code="engineer")
    assert entries[1].changes_dict["level"] == [str(engineer_level.pk), str(placement.level_id)]


def test_a_dry_run_checks_and_writes_nothing(engineer, ft):
    report = placements_import(source=HEADER + "engineer@example.com,engineering,senior-1,2024-01-01,,\n", dry_run=True)
    assert report.created == 1
    assert report.summary() == "1 placements would be recorded, 0 would be corrected, 0 unchanged."
    assert not Placement.objects.exists()


def test_importing_again_updates_instead_of_duplicating(engineer, peer, ft):
    source = HEADER + "engineer@example.com,engineering,engineer,2024-01-01,,\npeer@example.com,engineering,junior,2024-01-01,,\n"
    placements_import(source=source)
    same = placements_import(source=source)
    assert (same.created, same.updated, same.unchanged) == (0, 0, 2)
    corrected = placements_import(source=source.replace("engineer,2024", "senior-1,2024"))
    assert (corrected.created, corrected.updated, corrected.unchanged) == (0, 1, 1)
    assert _standing(engineer) == [("senior-1", "ic", JAN)]
    assert Placement.objects.count() == 2


def test_it_keeps_the_current_track_on_a_shared_level(engineer, peer, ft):
    place(engineer, ft, "engineer", track="pm", on=datetime.date(2023, 1, 1))
    placements_import(
        source="email,framework,level,effective_date\n"
        "engineer@example.com,engineering,senior-1,2024-01-01\n"
        "peer@example.com,engineering,senior-1,2024-01-01\n"
    )
    assert _standing(engineer)[0] == ("senior-1", "pm", JAN)
    assert _standing(peer) == [("senior-1", "ic", JAN)]  # nothing to keep: the first track


def test_it_carries_a_track_forward_between_lines_of_one_file(engineer, ft):
    # Lines out of date order on purpose: the later line follows the earlier date's track.
    placements_import(
        source="email,framework,level,effective_date,track\n"
        "engineer@example.com,engineering,senior-1,2024-01-01,\n"
        "engineer@example.com,engineering,engineer,2023-01-01,pm\n"
    )
    assert _standing(engineer) == [("senior-1", "pm", JAN), ("engineer", "pm", datetime.date(2023, 1, 1))]


def test_it_takes_the_only_track_of_a_forked_level(engineer, ft):
    place(engineer, ft, "senior-1", track="ic", on=datetime.date(2023, 1, 1))
    placements_import(source="email,framework,level,effective_date\nengineer@example.com,engineering,senior-2-pm,2024-01-01\n")
    assert _standing(engineer)[0] == ("senior-2-pm", "pm", JAN)


def test_it_accepts_a_track_by_name(engineer, ft):
    placements_import(source=HEADER + "engineer@example.com,engineering,senior-1,2024-01-01,People Manager,\n")
    assert _standing(engineer) == [("senior-1", "pm", JAN)]


def _problems(source: str) -> list[str]:
    with pytest.raises(ImportFailed) as error:
        placements_import(source=source)
    return [str(problem) for problem in error.value.problems]


def test_it_names_the_line_and_column_of_every_problem(engineer, peer, ft):
    problems = _problems(
        HEADER
        + "nobody@example.com,engineering,senior-1,2024-01-01,,\n"  # 2
        + "engineer@example.com,marketing,senior-1,2024-01-01,,\n"  # 3
        + "engineer@example.com,engineering,wizard,2024-01-01,,\n"  # 4
        + "engineer@example.com,engineering,senior-1,2024-13-01,,\n"  # 5
        + "peer@example.com,engineering,senior-2-ic,2024-01-01,pm,\n"  # 6
        + "peer@example.com,engineering,senior-1,2023-01-01,,\n"  # 7
        + "peer@example.com,engineering,engineer,2023-01-01,,\n"  # 8
    )
    assert problems == [
        "line 2, column email: no one with the e-mail nobody@example.com is in Trellis; import people first.",
        "line 3, column framework: no published framework called “marketing”.",
        "line 4, column level: no level “wizard” in Engineering (levels: junior, engineer, senior-1, "
        "senior-2-ic, senior-2-pm, principal-ic, principal-pm, tech-director).",
        "line 5, column effective_date: “2024-13-01” is not a date; write it as YYYY-MM-DD.",
        "line 6, column track: senior-2-ic is not on a track “pm” (it is on ic).",
        "line 8, column effective_date: peer@example.com already has a placement on 2023-01-01 at line 7.",
    ]
    assert not Placement.objects.exists()


def test_it_refuses_a_framework_that_is_only_a_draft(engineer, db):
    framework_import(document=document(slug="backend"), publish=False)
    assert _problems(HEADER + "engineer@example.com,backend,l1,2024-01-01,,\n") == [
        "line 2, column framework: no published framework called “backend”."
    ]


def test_it_writes_nothing_when_one_line_is_wrong(engineer, peer, ft):
    _problems(HEADER + "engineer@example.com,engineering,senior-1,2024-01-01,,\npeer@example.com,engineering,wizard,2024-01-01,,\n")
    assert not Placement.objects.exists()


def test_it_reports_missing_columns(engineer, ft):
    assert _problems("email,level\nengineer@example.com,senior-1\n") == [
        "line 1, column framework: this column is missing from the header.",
        "line 1, column effective_date: this column is missing from the header.",
    ]


# --- the command ---------------------------------------------------------------------


def _run(command: str, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_a_file(engineer, peer, ft, tmp_path):
    path = tmp_path / "placements.csv"
    path.write_text(HEADER + "engineer@example.com,engineering,senior-1,2024-01-01,,\npeer@example.com,engineering,junior,2024-01-01,,\n")
    out, _ = _run("import_placements", str(path))
    assert "2 placements were recorded, 0 were corrected, 0 unchanged." in out
    assert Placement.objects.count() == 2
    again, _ = _run("import_placements", str(path))
    assert "0 placements were recorded, 0 were corrected, 2 unchanged." in again
    assert Placement.objects.count() == 2


def test_the_command_has_a_dry_run(engineer, ft, tmp_path):
    path = tmp_path / "placements.csv"
    path.write_text(HEADER + "engineer@example.com,engineering,senior-1,2024-01-01,,\n")
    out, _ = _run("import_placements", str(path), "--dry-run")
    assert "Dry run: 1 placements would be recorded, 0 would be corrected, 0 unchanged." in out
    assert not Placement.objects.exists()


def test_the_command_lists_the_problems_and_writes_nothing(engineer, ft, tmp_path):
    path = tmp_path / "placements.csv"
    path.write_text(HEADER + "engineer@example.com,engineering,senior-1,2024-01-01,,\nengineer@example.com,engineering,wizard,2024-02-01,,\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"1 problem\(s\) found; nothing was imported."):
        call_command("import_placements", str(path), stdout=io.StringIO(), stderr=err)
    assert f"{path}: line 3, column level: no level “wizard” in Engineering" in err.getvalue()
    assert not Placement.objects.exists()


def test_the_command_reports_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_placements", str(tmp_path / "missing.csv"))


def test_one_hris_export_feeds_both_people_and_placements(ft, tmp_path):
    path = tmp_path / "hris.csv"
    path.write_text(
        "Email,Name,Title,Manager Email,Department,Start Date,Framework,Level,Track,Effective Date,Cost Centre\n"
        "boss@example.com,Bea Boss,Director,,Engineering,2019-05-01,engineering,principal-pm,,2023-04-01,CC1\n"
        "dev@example.com,Dev One,Senior Engineer,boss@example.com,Engineering,2021-09-01,engineering,senior-1,pm,2024-04-01,CC1\n"
        "new@example.com,New Hire,Engineer,boss@example.com,Engineering,2024-06-01,engineering,engineer,,2024-06-01,CC2\n",
        encoding="utf-8",
    )
    out, _ = _run("import_people", str(path))
    assert "3 were created" in out
    dev = User.objects.get(email="dev@example.com")
    assert (dev.name, dev.title, dev.manager.email) == ("Dev One", "Senior Engineer", "boss@example.com")

    out, _ = _run("import_placements", str(path))
    assert "3 placements were recorded" in out
    assert _standing(dev) == [("senior-1", "pm", datetime.date(2024, 4, 1))]
    assert _standing(User.objects.get(email="boss@example.com")) == [("principal-pm", "pm", datetime.date(2023, 4, 1))]
    assert _standing(User.objects.get(email="new@example.com")) == [("engineer", "ic", datetime.date(2024, 6, 1))]
