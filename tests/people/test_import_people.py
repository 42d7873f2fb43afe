"""Importing people from an HRIS export: `people_import` and `manage.py import_people`."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.csvimport import ImportFailed
from people.models import Department, Team, User, known_timezones
from people.services import people_import
from tests.people.factories import UserFactory


def csv(*lines: str) -> str:
    return "\n".join(lines) + "\n"


ORG = csv(
    "email,name,title,manager_email,department,team,start_date,timezone",
    "director@example.com,Daniel Osei,Director of Engineering,,Engineering,,2019-04-01,Europe/London",
    "manager@example.com,Marcus Chen,Engineering Manager,director@example.com,Engineering,Payments,2020-01-06,Europe/Berlin",
    "engineer@example.com,Ada Okafor,Senior Engineer,manager@example.com,Engineering,Payments,2021-03-15,America/New_York",
)


def failure(source) -> ImportFailed:
    with pytest.raises(ImportFailed) as failed:
        people_import(source=source)
    return failed.value


def where(failed: ImportFailed) -> list[tuple[int | None, str | None]]:
    return [(problem.line, problem.column) for problem in failed.problems]


# --- Happy path --------------------------------------------------------------


def test_it_creates_everyone_in_the_file(db):
    report = people_import(source=ORG)

    assert report.created == ["director@example.com", "manager@example.com", "engineer@example.com"]
    assert report.updated == [] and report.unchanged == []
    director = User.objects.get(email="director@example.com")
    manager = User.objects.get(email="manager@example.com")
    engineer = User.objects.get(email="engineer@example.com")
    assert engineer.name == "Ada Okafor"
    assert engineer.title == "Senior Engineer"
    assert engineer.manager == manager
    assert manager.manager == director
    assert director.manager is None
    assert engineer.department.name == "Engineering"
    assert engineer.team.name == "Payments"
    assert engineer.team.department == engineer.department
    assert director.team is None
    assert engineer.start_date == datetime.date(2021, 3, 15)
    assert engineer.timezone == "America/New_York"
    assert engineer.reporting_path == f"/{director.pk}/{manager.pk}/{engineer.pk}/"
    # Accounts come from the HRIS: people sign in through SSO or a password reset.
    assert not engineer.has_usable_password()


def test_it_creates_each_department_and_team_once(db):
    people_import(source=ORG)

    assert list(Department.objects.values_list("name", flat=True)) == ["Engineering"]
    assert list(Team.objects.values_list("name", flat=True)) == ["Payments"]


def test_it_reuses_departments_and_teams_whatever_their_case(db):
    engineering = Department.objects.create(name="Engineering")
    payments = Team.objects.create(department=engineering, name="Payments")

    people_import(source=csv("email,name,department,team", "ada@example.com,Ada,ENGINEERING,payments"))

    ada = User.objects.get(email="ada@example.com")
    assert (ada.department, ada.team) == (engineering, payments)
    assert Department.objects.count() == 1 and Team.objects.count() == 1


def test_it_accepts_a_manager_who_appears_later_in_the_file(db):
    people_import(
        source=csv(
            "email,name,manager_email",
            "engineer@example.com,Ada Okafor,manager@example.com",
            "manager@example.com,Marcus Chen,",
        )
    )

    engineer = User.objects.get(email="engineer@example.com")
    assert engineer.manager.email == "manager@example.com"
    assert engineer.reporting_path == f"/{engineer.manager.pk}/{engineer.pk}/"


def test_it_accepts_a_manager_already_in_trellis(manager):
    people_import(source=csv("email,name,manager_email", "new@example.com,Nia Adams,manager@example.com"))

    new = User.objects.get(email="new@example.com")
    assert new.manager == manager
    assert new.reporting_path == f"{manager.reporting_path}{new.pk}/"


def test_it_matches_people_and_managers_whatever_the_case(engineer, manager):
    report = people_import(
        source=csv("email,name,manager_email", "Engineer@Example.COM,Ada Okafor,MANAGER@example.com")
    )

    assert report.unchanged == ["engineer@example.com"]
    assert User.objects.filter(email__iexact="engineer@example.com").count() == 1


def test_it_ignores_columns_it_does_not_know(db):
    people_import(source=csv("Employee ID,email,name,Salary", "E-17,ada@example.com,Ada Okafor,100000"))

    assert User.objects.get(email="ada@example.com").name == "Ada Okafor"


def test_it_understands_header_aliases(manager):
    people_import(
        source=csv(
            "E-mail,Full Name,Job Title,Manager Email,Start Date,Time Zone",
            "ada@example.com,Ada Okafor,Engineer,manager@example.com,2022-02-01,Asia/Tokyo",
        )
    )

    ada = User.objects.get(email="ada@example.com")
    assert (ada.name, ada.title, ada.manager, ada.start_date, ada.timezone) == (
        "Ada Okafor",
        "Engineer",
        manager,
        datetime.date(2022, 2, 1),
        "Asia/Tokyo",
    )


@pytest.mark.parametrize("header", ["Manager", "manager_e-mail", "MANAGER EMAIL", " manager-email "])
def test_it_understands_other_spellings_of_the_manager_column(manager, header):
    people_import(source=csv(f"email,name,{header}", "ada@example.com,Ada Okafor,manager@example.com"))

    assert User.objects.get(email="ada@example.com").manager == manager


def test_it_reads_bytes_with_a_utf8_bom(db):
    # Excel's "CSV UTF-8" puts a byte-order mark before the first header.
    source = io.BytesIO("email,name\nzoe@example.com,Zoë Ørsted\n".encode("utf-8-sig"))

    people_import(source=source)

    assert User.objects.get(email="zoe@example.com").name == "Zoë Ørsted"


def test_it_reads_text_with_a_bom(db):
    people_import(source="\ufeffemail,name\nzoe@example.com,Zoë Ørsted\n")

    assert User.objects.get(email="zoe@example.com").name == "Zoë Ørsted"


def test_it_skips_blank_lines_but_counts_them(db):
    failed = failure(csv("email,name", "ada@example.com,Ada", "", ",,", "not-an-email,Bob"))

    assert where(failed) == [(5, "email")]


def test_it_defaults_an_empty_time_zone_to_utc(db):
    people_import(source=csv("email,name,timezone", "ada@example.com,Ada,"))

    assert User.objects.get(email="ada@example.com").timezone == "UTC"


def test_it_names_the_actor_on_the_audit_log(hr):
    people_import(source=csv("email,name", "ada@example.com,Ada"), actor=hr)

    ada = User.objects.get(email="ada@example.com")
    entry = LogEntry.objects.get_for_object(ada).get()
    assert entry.actor == hr


# --- Re-importing --------------------------------------------------------------


def test_it_updates_on_reimport(db):
    people_import(source=ORG)
    ids = dict(User.objects.values_list("email", "pk"))

    report = people_import(source=ORG.replace("Senior Engineer", "Staff Engineer"))

    assert User.objects.count() == 3
    assert dict(User.objects.values_list("email", "pk")) == ids
    assert User.objects.get(email="engineer@example.com").title == "Staff Engineer"
    assert report.created == []
    assert report.updated == ["engineer@example.com"]
    assert report.unchanged == ["director@example.com", "manager@example.com"]


def test_it_changes_nothing_when_the_same_file_is_imported_again(db):
    people_import(source=ORG)

    report = people_import(source=ORG)

    assert report.unchanged == ["director@example.com", "manager@example.com", "engineer@example.com"]
    assert report.summary() == "0 were created, 0 were updated, 3 unchanged."


def test_it_counts_a_new_manager_as_an_update(engineer, peer, skip_level):
    report = people_import(source=csv("email,name,manager_email", "engineer@example.com,Ada Okafor,peer@example.com"))

    engineer.refresh_from_db()
    assert engineer.manager == peer
    assert engineer.reporting_path == f"{peer.reporting_path}{engineer.pk}/"
    assert report.updated == ["engineer@example.com"]


def test_it_moves_the_whole_subtree_with_a_new_manager(engineer, peer, manager, outsider):
    people_import(source=csv("email,name,manager_email", "manager@example.com,Marcus Chen,outsider@example.com"))

    for person in (manager, engineer, peer):
        person.refresh_from_db()
    assert manager.reporting_path == f"{outsider.reporting_path}{manager.pk}/"
    assert engineer.reporting_path == f"{manager.reporting_path}{engineer.pk}/"
    assert peer.reporting_path == f"{manager.reporting_path}{peer.pk}/"


def test_it_accepts_a_file_that_reverses_a_reporting_line(engineer, manager, skip_level):
    # Read alone, "director reports to engineer" is a loop with what is in
    # Trellis; the same file also takes the engineer's manager away.
    people_import(
        source=csv(
            "email,name,manager_email",
            "director@example.com,Daniel Osei,engineer@example.com",
            "engineer@example.com,Ada Okafor,",
        )
    )

    skip_level.refresh_from_db()
    manager.refresh_from_db()
    assert skip_level.reporting_path == f"/{engineer.pk}/{skip_level.pk}/"
    assert manager.reporting_path == f"/{engineer.pk}/{skip_level.pk}/{manager.pk}/"


def test_it_leaves_a_field_alone_when_its_column_is_absent(engineer, manager):
    department = Department.objects.create(name="Engineering")
    User.objects.filter(pk=engineer.pk).update(
        department=department, start_date=datetime.date(2020, 5, 1), timezone="Asia/Tokyo"
    )

    report = people_import(source=csv("email,name", "engineer@example.com,Ada Okafor"))

    engineer.refresh_from_db()
    assert engineer.title == "Senior Engineer"
    assert engineer.manager == manager
    assert engineer.department == department
    assert engineer.start_date == datetime.date(2020, 5, 1)
    assert engineer.timezone == "Asia/Tokyo"
    assert report.unchanged == ["engineer@example.com"]


def test_it_clears_a_field_when_its_column_is_present_but_empty(engineer, manager):
    people_import(
        source=csv(
            "email,name,title,manager_email,department,team,start_date",
            "engineer@example.com,Ada Okafor,,,,,",
        )
    )

    engineer.refresh_from_db()
    assert engineer.title == ""
    assert engineer.manager is None
    assert engineer.department is None
    assert engineer.team is None
    assert engineer.start_date is None
    assert engineer.reporting_path == f"/{engineer.pk}/"


def test_it_drops_a_team_that_is_not_in_the_new_department(engineer):
    engineering = Department.objects.create(name="Engineering")
    payments = Team.objects.create(department=engineering, name="Payments")
    User.objects.filter(pk=engineer.pk).update(department=engineering, team=payments)

    people_import(source=csv("email,name,department", "engineer@example.com,Ada Okafor,Sales"))

    engineer.refresh_from_db()
    assert engineer.department.name == "Sales"
    assert engineer.team is None
    engineer.full_clean()


def test_it_keeps_the_team_when_the_department_stays(engineer):
    engineering = Department.objects.create(name="Engineering")
    payments = Team.objects.create(department=engineering, name="Payments")
    User.objects.filter(pk=engineer.pk).update(department=engineering, team=payments)

    people_import(source=csv("email,name,department", "engineer@example.com,Ada Okafor,engineering"))

    engineer.refresh_from_db()
    assert engineer.team == payments


def test_it_keeps_people_who_are_not_in_the_file(engineer, outsider):
    people_import(source=csv("email,name", "engineer@example.com,Ada Okafor"))

    outsider.refresh_from_db()
    assert outsider.is_active


# --- Dry runs ----------------------------------------------------------------


def test_it_writes_nothing_on_a_dry_run(db):
    UserFactory(email="engineer@example.com", name="Ada Okafor", title="Senior Engineer")
    before = list(User.objects.order_by("pk").values())

    report = people_import(
        source=ORG.replace("Senior Engineer", "Staff Engineer"),
        dry_run=True,
    )

    assert list(User.objects.order_by("pk").values()) == before
    assert not Department.objects.exists()
    assert not Team.objects.exists()
    assert report.created == ["director@example.com", "manager@example.com"]
    assert report.updated == ["engineer@example.com"]
    assert report.summary() == "2 would be created, 1 would be updated, 0 unchanged."


def test_it_checks_the_file_on_a_dry_run(db):
    with pytest.raises(ImportFailed):
        people_import(source=csv("email,name", "not-an-email,Ada"), dry_run=True)


# --- Problems: every one names its line and column ----------------------------


def test_it_rejects_a_file_without_a_required_column(db):
    failed = failure(csv("email,title", "ada@example.com,Engineer"))

    assert where(failed) == [(1, "name")]
    assert "missing" in failed.problems[0].message


def test_it_rejects_a_column_given_twice(db):
    failed = failure(csv("email,name,Manager Email,manager", "ada@example.com,Ada,,"))

    assert where(failed) == [(1, "manager_email")]


def test_it_rejects_a_bad_email(db):
    failed = failure(csv("email,name", "ada@example.com,Ada", "bob(at)example.com,Bob"))

    assert where(failed) == [(3, "email")]
    assert "bob(at)example.com" in failed.problems[0].message


def test_it_rejects_an_email_too_long_to_store(db):
    # Valid by Django's validator (up to 320 characters), too long for the column.
    failed = failure(csv("email,name", f"{'a' * 250}@example.com,Ada"))

    assert where(failed) == [(2, "email")]
    assert "254" in failed.problems[0].message


def test_it_rejects_department_and_team_names_too_long_to_store(db):
    failed = failure(
        csv("email,name,department,team", f"ada@example.com,Ada,{'D' * 121},", f"bob@example.com,Bob,Sales,{'T' * 121}")
    )

    assert where(failed) == [(2, "department"), (3, "team")]


def test_it_rejects_a_missing_email(db):
    failed = failure(csv("email,name", ",Ada"))

    assert where(failed) == [(2, "email")]


def test_it_rejects_a_missing_name(db):
    failed = failure(csv("email,name", "ada@example.com,  "))

    assert where(failed) == [(2, "name")]


def test_it_rejects_a_name_that_is_too_long(db):
    failed = failure(csv("email,name", f"ada@example.com,{'A' * 151}"))

    assert where(failed) == [(2, "name")]


def test_it_rejects_an_email_twice_in_the_file(db):
    failed = failure(csv("email,name", "ada@example.com,Ada", "bob@example.com,Bob", "ADA@example.com,Ada Again"))

    assert where(failed) == [(4, "email")]
    assert "line 2" in failed.problems[0].message


def test_it_rejects_unknown_manager(db):
    failed = failure(csv("email,name,manager_email", "ada@example.com,Ada,", "bob@example.com,Bob,nobody@example.com"))

    assert where(failed) == [(3, "manager_email")]
    assert "nobody@example.com" in failed.problems[0].message


def test_it_rejects_a_self_manager(db):
    failed = failure(csv("email,name,manager_email", "ada@example.com,Ada,ADA@example.com"))

    assert where(failed) == [(2, "manager_email")]
    assert "own manager" in failed.problems[0].message


@pytest.mark.parametrize("value", ["15/03/2021", "2021-02-30", "yesterday"])
def test_it_rejects_a_bad_date(db, value):
    failed = failure(csv("email,name,start_date", "ada@example.com,Ada,2021-03-15", f"bob@example.com,Bob,{value}"))

    assert where(failed) == [(3, "start_date")]
    assert "YYYY-MM-DD" in failed.problems[0].message


def test_it_rejects_a_bad_timezone(db):
    failed = failure(csv("email,name,timezone", "ada@example.com,Ada,Mars/Olympus"))

    assert where(failed) == [(2, "timezone")]
    assert "Mars/Olympus" in failed.problems[0].message


def test_it_rejects_a_team_without_a_department(db):
    failed = failure(csv("email,name,department,team", "ada@example.com,Ada,,Payments"))

    assert where(failed) == [(2, "team")]


def test_it_rejects_a_reporting_loop_across_rows(db):
    failed = failure(
        csv(
            "email,name,manager_email",
            "top@example.com,Top,",
            "ada@example.com,Ada,bob@example.com",
            "bob@example.com,Bob,cy@example.com",
            "cy@example.com,Cy,ada@example.com",
        )
    )

    # One loop, reported once, at the first line that is part of it.
    assert where(failed) == [(3, "manager_email")]
    assert "ada@example.com → bob@example.com → cy@example.com → ada@example.com" in failed.problems[0].message


def test_it_rejects_a_reporting_loop_against_existing_people(engineer, manager, skip_level):
    failed = failure(
        csv(
            "email,name,manager_email",
            "new@example.com,Nia Adams,",
            "director@example.com,Daniel Osei,engineer@example.com",
        )
    )

    assert where(failed) == [(3, "manager_email")]
    assert "loops" in failed.problems[0].message
    skip_level.refresh_from_db()
    assert skip_level.manager is None


def test_it_reports_every_problem_at_once(db):
    failed = failure(
        csv(
            "email,name,start_date,timezone",
            "not-an-email,Ada,2021-01-01,UTC",
            "bob@example.com,Bob,someday,Nowhere/City",
            "cy@example.com,,2021-01-01,UTC",
        )
    )

    assert where(failed) == [(2, "email"), (3, "start_date"), (3, "timezone"), (4, "name")]


def test_it_describes_a_problem_with_line_and_column(db):
    failed = failure(csv("email,name,manager_email", "ada@example.com,Ada,nobody@example.com"))

    assert str(failed.problems[0]).startswith("line 2, column manager_email: ")


def test_it_writes_nothing_when_a_later_line_is_wrong(engineer):
    failed = failure(
        csv(
            "email,name,title",
            "one@example.com,One,Engineer",
            "two@example.com,Two,Engineer",
            "engineer@example.com,Ada Okafor,Principal Engineer",
            "four(at)example.com,Four,Engineer",
        )
    )

    assert where(failed) == [(5, "email")]
    assert not User.objects.filter(email__in=["one@example.com", "two@example.com"]).exists()
    engineer.refresh_from_db()
    assert engineer.title == "Senior Engineer"


def test_it_rejects_an_empty_file(db):
    failed = failure(io.BytesIO(b""))

    assert "empty" in failed.problems[0].message


def test_it_rejects_a_header_without_rows(db):
    failed = failure(csv("email,name", "", " , "))

    assert "no rows" in failed.problems[0].message


def test_it_rejects_a_line_it_cannot_read(db):
    failed = failure(csv("email,name", "ada@example.com,Ada", f'bob@example.com,"{"B" * 200_000}"'))

    assert where(failed) == [(3, None)]
    assert "unreadable" in failed.problems[0].message


def test_it_rejects_a_file_that_is_not_utf8(db):
    failed = failure(io.BytesIO("email,name\nzoe@example.com,Zoë\n".encode("latin-1")))

    assert "UTF-8" in failed.problems[0].message


# --- manage.py import_people --------------------------------------------------


@pytest.fixture
def run(tmp_path):
    def run(content: str | bytes, *args: str) -> tuple[str, str]:
        path = tmp_path / "people.csv"
        if isinstance(content, str):
            content = content.encode()
        path.write_bytes(content)
        out, err = io.StringIO(), io.StringIO()
        call_command("import_people", str(path), *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    return run


def test_the_command_imports_a_file(db, run):
    out, _ = run(ORG)

    assert "3 were created, 0 were updated, 0 unchanged." in out
    assert User.objects.get(email="engineer@example.com").manager.email == "manager@example.com"


def test_the_command_writes_nothing_on_a_dry_run(db, run):
    out, _ = run(ORG, "--dry-run")

    assert "Dry run: 3 would be created" in out
    assert not User.objects.exists()
    assert not Department.objects.exists()


def test_the_command_updates_on_reimport(db, run):
    run(ORG)

    out, _ = run(ORG.replace("Marcus Chen", "Marcus Chen-Okafor"))

    assert "0 were created, 1 were updated, 2 unchanged." in out
    assert User.objects.count() == 3


def test_the_command_reads_excel_csv_with_a_bom(db, run):
    run("email,name\r\nzoe@example.com,Zoë Ørsted\r\n".encode("utf-8-sig"))

    assert User.objects.get(email="zoe@example.com").name == "Zoë Ørsted"


def test_the_command_writes_nothing_when_a_line_is_wrong(db, run):
    with pytest.raises(CommandError) as error:
        run(
            csv(
                "email,name,manager_email",
                "ada@example.com,Ada,",
                "bob@example.com,Bob,ada@example.com",
                "cy@example.com,Cy,ada@example.com",
                "dee@example.com,Dee,nobody@example.com",
            )
        )

    assert "1 problem(s) found; nothing was imported." in str(error.value)
    assert not User.objects.exists()


def test_the_command_prints_each_problem_to_stderr(db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(csv("email,name,start_date", "ada@example.com,Ada,31/12/2020", "bad,Bob,"))
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_people", str(path), stdout=io.StringIO(), stderr=err)

    lines = err.getvalue().splitlines()
    assert lines[0].startswith(f"{path}: line 2, column start_date: ")
    assert lines[1].startswith(f"{path}: line 3, column email: ")


def test_the_command_reports_a_missing_column(db, run):
    with pytest.raises(CommandError):
        run(csv("mail,name", "ada@example.com,Ada"))


def test_the_command_reports_an_empty_file(db, run):
    with pytest.raises(CommandError) as error:
        run(b"")

    assert "nothing was imported" in str(error.value)


def test_the_command_reports_a_missing_file(db, tmp_path):
    missing = tmp_path / "nope.csv"

    with pytest.raises(CommandError) as error:
        call_command("import_people", str(missing))

    assert str(missing) in str(error.value)


def test_the_command_needs_a_file(db):
    with pytest.raises(CommandError):
        call_command("import_people")


def test_the_dry_run_of_the_command_reports_problems_too(engineer, run):
    with pytest.raises(CommandError):
        run(csv("email,name,manager_email", "director@example.com,Daniel Osei,engineer@example.com"), "--dry-run")

    assert User.objects.get(email="director@example.com").manager is None


def test_the_command_keeps_existing_people_when_a_later_line_is_wrong(engineer, run):
    with pytest.raises(CommandError):
        run(
            csv(
                "email,name,title",
                "one@example.com,One,Engineer",
                "two@example.com,Two,Engineer",
                "engineer@example.com,Ada Okafor,Principal Engineer",
                "four@example.com,Four," + "T" * 151,
            )
        )

    assert User.objects.filter(email__endswith="@example.com").count() == 3
    engineer.refresh_from_db()
    assert engineer.title == "Senior Engineer"


# --- At company size: work that does not grow per row -------------------------


def org_file(reports: int, *, manager: str = "boss@example.com", title: str = "Engineer") -> str:
    lines = ["email,name,title,manager_email,department,team,start_date,timezone"]
    lines.append(f"{manager},Boss,Director,,Engineering,,2019-01-01,Europe/London")
    for n in range(reports):
        lead = f"lead{n % 5}@example.com"
        if n < 5:
            lines.append(f"{lead},Lead {n},Lead,{manager},Engineering,Team {n},2020-01-01,Europe/Berlin")
        else:
            lines.append(f"person{n}@example.com,Person {n},{title},{lead},Engineering,Team {n % 5},2021-01-01,Asia/Tokyo")
    return csv(*lines)


def queries_to_import(text: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        people_import(source=text, **kwargs)
    return len(captured)


def test_it_reads_the_time_zone_database_once_per_process(db, monkeypatch):
    known_timezones.cache_clear()
    calls = []
    real = zoneinfo.available_timezones
    monkeypatch.setattr(zoneinfo, "available_timezones", lambda: calls.append(1) or real())

    people_import(source=org_file(200))
    people_import(source=org_file(200, title="Senior Engineer"))

    assert len(calls) <= 1


@pytest.mark.parametrize("dry_run", [False, True])
def test_its_queries_do_not_grow_row_by_row(db, dry_run):
    # Bulk statements only: several hundred rows cost a few dozen queries at most.
    assert queries_to_import(org_file(400), dry_run=dry_run) < 40


def test_a_reimport_that_changes_everyone_stays_in_bulk(db):
    people_import(source=org_file(400))
    moved = org_file(400, title="Senior Engineer").replace(",lead1@example.com,", ",lead2@example.com,")

    assert queries_to_import(moved) < 40
    assert User.objects.filter(title="Senior Engineer").count() == 395
    lead2 = User.objects.get(email="lead2@example.com")
    # Lead 1's 79 people move to lead 2, who had 79.
    assert User.objects.filter(manager=lead2).count() == 158
    for person in User.objects.filter(manager=lead2):
        assert person.reporting_path == f"{lead2.reporting_path}{person.pk}/"


def test_the_dry_run_reports_what_the_import_then_does(engineer, manager, skip_level):
    text = csv(
        "email,name,title,manager_email,department,team",
        "new@example.com,Nia Adams,Engineer,engineer@example.com,Engineering,Payments",
        "engineer@example.com,Ada Okafor,Staff Engineer,director@example.com,Engineering,Payments",
        "manager@example.com,Marcus Chen,Head of Payments,director@example.com,,",
        f"director@example.com,{skip_level.name},{skip_level.title},,,",
    )

    dry = people_import(source=text, dry_run=True)
    real = people_import(source=text)

    assert (dry.created, dry.updated, dry.unchanged) == (real.created, real.updated, real.unchanged)
    assert real.created == ["new@example.com"]
    assert real.updated == ["engineer@example.com", "manager@example.com"]
    assert real.unchanged == ["director@example.com"]


def test_it_leaves_an_audit_entry_per_person_as_a_save_would(hr, engineer, manager, peer):
    people_import(
        source=csv(
            "email,name,title,manager_email",
            "new@example.com,Nia Adams,Engineer,engineer@example.com",
            "engineer@example.com,Ada Okafor,Staff Engineer,peer@example.com",
        ),
        actor=hr,
    )

    nia = User.objects.get(email="new@example.com")
    created = LogEntry.objects.get_for_object(nia).get()
    assert created.action == LogEntry.Action.CREATE
    assert created.actor == hr
    assert created.changes_dict["email"] == ["None", "new@example.com"]
    assert created.changes_dict["manager"] == ["None", str(engineer.pk)]
    updated = LogEntry.objects.get_for_object(engineer).latest("timestamp")
    assert updated.action == LogEntry.Action.UPDATE
    assert updated.changes_dict == {
        "title": ["Senior Engineer", "Staff Engineer"],
        "manager": [str(manager.pk), str(peer.pk)],
    }


def test_it_moves_people_top_down_so_a_reorganisation_never_looks_like_a_loop(db):
    # Today: top → a → b → c → d. The file turns it upside down below top.
    people_import(
        source=csv(
            "email,name,manager_email",
            "top@example.com,Top,",
            "a@example.com,A,top@example.com",
            "b@example.com,B,a@example.com",
            "c@example.com,C,b@example.com",
            "d@example.com,D,c@example.com",
        )
    )

    people_import(
        source=csv(
            "email,name,manager_email",
            "a@example.com,A,c@example.com",
            "c@example.com,C,d@example.com",
            "d@example.com,D,top@example.com",
        )
    )

    ids = dict(User.objects.values_list("email", "pk"))
    chain = ["top", "d", "c", "a", "b"]
    assert User.objects.get(email="b@example.com").reporting_path == "/" + "".join(
        f"{ids[f'{name}@example.com']}/" for name in chain
    )
