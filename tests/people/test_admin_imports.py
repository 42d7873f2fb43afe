"""Importing people in the admin: upload, check (every change and every problem), then confirm."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from people.admin_imports import ADMIN_CSV_MAX_BYTES
from people.models import Department, User
from tests.conftest import flashed, login

URL = reverse("admin:people_user_import")

GOOD = (
    "email,name,title,manager_email,department\n"
    "new.person@example.com,New Person,Engineer,manager@example.com,Platform\n"
    "engineer@example.com,Ada Okafor,Staff Engineer,manager@example.com,\n"
    "peer@example.com,Sam Rivera,Engineer,manager@example.com,\n"
)


def csv_file(text: str, name: str = "hris.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def client(hr, as_user, engineer, peer):
    return as_user(hr)


def check(client, text: str = GOOD, name: str = "hris.csv"):
    return client.post(URL, {"file": csv_file(text, name)})


def test_it_offers_the_import_on_the_people_list(client):
    response = client.get(reverse("admin:people_user_changelist"))
    assert response.status_code == 200
    assert f'href="{URL}"' in response.text
    assert "Import people" in response.text


def test_it_shows_the_upload_form(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'type="file"' in response.text
    assert "email, name (required)" in response.text
    assert "Check the file" in response.text


def test_it_previews_what_would_change_and_writes_nothing(client, engineer):
    before = LogEntry.objects.count()
    response = check(client)
    assert response.status_code == 200
    assert "Ready to import hris.csv" in response.text
    report = response.context["report"]
    assert report.created == ["new.person@example.com"]
    assert report.updated == ["engineer@example.com"]
    assert report.unchanged == ["peer@example.com"]
    # What changes, in words, at its line.
    [change] = report.changed_people
    assert change.line == 3
    assert ("title", "Senior Engineer", "Staff Engineer") in change.fields
    assert "Senior Engineer" in response.text and "Staff Engineer" in response.text
    assert "Platform" in response.text  # the new department
    assert 'name="confirm"' in response.text
    engineer.refresh_from_db()
    assert engineer.title == "Senior Engineer"
    assert not User.objects.filter(email="new.person@example.com").exists()
    assert not Department.objects.exists()
    assert LogEntry.objects.count() == before


def test_it_imports_what_was_checked_once_confirmed(client, engineer, hr):
    token = check(client).context["token"]
    response = client.post(URL, {"confirm": token})
    assert response.status_code == 302
    assert response.url == reverse("admin:people_user_changelist")
    assert flashed(response) == ["hris.csv: 1 were created, 1 were updated, 1 unchanged."]
    engineer.refresh_from_db()
    assert engineer.title == "Staff Engineer"
    new = User.objects.get(email="new.person@example.com")
    assert new.department.name == "Platform" and new.manager.email == "manager@example.com"
    # The audit names the HR admin who confirmed.
    assert LogEntry.objects.get_for_object(engineer).latest("pk").actor == hr


def test_it_imports_a_checked_file_only_once(client):
    token = check(client).context["token"]
    client.post(URL, {"confirm": token})
    again = client.post(URL, {"confirm": token})
    assert again.status_code == 400
    assert "no longer the current one" in again.text
    assert User.objects.filter(email="new.person@example.com").count() == 1


def test_it_shows_every_problem_of_a_bad_file_with_its_line_and_writes_nothing(client, engineer):
    text = (
        "email,name,manager_email,start_date,timezone\n"
        "not-an-address,Someone,,,\n"
        "engineer@example.com,,,2021-02-30,\n"
        "new@example.com,New,nobody@example.com,,Mars/Olympus\n"
        "new@example.com,Again,,,\n"
    )
    before = (User.objects.count(), LogEntry.objects.count())
    response = check(client, text, "bad.csv")
    assert response.status_code == 400
    assert "bad.csv cannot be imported: 6 problems. Nothing was written." in response.text
    where = [(p.line, p.column) for p in response.context["problems"]]
    assert where == [(2, "email"), (3, "name"), (3, "start_date"), (4, "timezone"), (4, "manager_email"), (5, "email")]
    assert "line 4, column manager_email" in response.text
    assert "nobody@example.com" in response.text
    assert 'name="confirm"' not in response.text
    assert (User.objects.count(), LogEntry.objects.count()) == before
    engineer.refresh_from_db()
    assert engineer.name == "Ada Okafor"


def test_it_tells_a_reporting_loop_with_the_other_problems(client):
    text = (
        "email,name,manager_email\n"
        "engineer@example.com,Ada Okafor,peer@example.com\n"
        "peer@example.com,Sam Rivera,engineer@example.com\n"
        "broken,Nobody,\n"
    )
    response = check(client, text)
    assert response.status_code == 400
    messages = [str(p) for p in response.context["problems"]]
    assert any("reporting line loops" in m for m in messages)
    assert any(m.startswith("line 4, column email") for m in messages)


def test_it_refuses_to_confirm_a_check_replaced_by_another_file(client, engineer):
    first = check(client).context["token"]
    # Another tab checks a different file: the first check is no longer the one to confirm.
    check(client, "email,name,title\nengineer@example.com,Ada Okafor,Principal Engineer\n")
    response = client.post(URL, {"confirm": first})
    assert response.status_code == 400
    assert "no longer the current one" in response.text
    engineer.refresh_from_db()
    assert engineer.title == "Senior Engineer"
    assert not User.objects.filter(email="new.person@example.com").exists()


def test_it_refuses_a_checked_file_that_changed_where_it_was_kept(client, engineer):
    token = check(client).context["token"]
    cache.set(f"trellis:csv-import:{token}", b"email,name,title\nengineer@example.com,Ada Okafor,CEO\n")
    response = client.post(URL, {"confirm": token})
    assert response.status_code == 400
    assert "no longer kept" in response.text
    engineer.refresh_from_db()
    assert engineer.title == "Senior Engineer"


def test_it_checks_again_instead_of_importing_when_people_changed_since_the_check(client, engineer):
    token = check(client).context["token"]
    # Meanwhile someone else gives Ada the new title: the file would now change less.
    User.objects.filter(pk=engineer.pk).update(title="Staff Engineer")
    response = client.post(URL, {"confirm": token})
    assert response.status_code == 409
    assert "Trellis changed after your check" in response.text
    assert response.context["report"].updated == []
    assert not User.objects.filter(email="new.person@example.com").exists()
    # The new check can be confirmed.
    confirmed = client.post(URL, {"confirm": response.context["token"]})
    assert confirmed.status_code == 302
    assert User.objects.filter(email="new.person@example.com").exists()


def test_it_offers_nothing_to_confirm_when_nothing_would_change(client):
    response = check(client, "email,name\nengineer@example.com,Ada Okafor\n")
    assert response.status_code == 200
    assert "Nothing to import from hris.csv" in response.text
    assert 'name="confirm"' not in response.text


def test_it_refuses_a_file_over_the_admin_limit(client):
    big = "email,name\n" + "x" * ADMIN_CSV_MAX_BYTES
    response = check(client, big)
    assert response.status_code == 400
    assert "The file is larger than 4 MB" in response.text


def test_it_asks_for_a_file(client):
    response = client.post(URL, {})
    assert response.status_code == 400
    assert "This field is required" in response.text


def test_it_names_a_byte_that_is_not_utf8(client):
    response = client.post(URL, {"file": SimpleUploadedFile("x.csv", b"email,name\nada@example.com,Ad\xe9\n")})
    assert response.status_code == 400
    assert "line 2" in response.text and "not UTF-8" in response.text


def test_it_keeps_engineers_out(as_user, engineer):
    response = as_user(engineer).post(URL, {"file": csv_file(GOOD)})
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert not User.objects.filter(email="new.person@example.com").exists()


def test_it_keeps_an_hr_admin_without_a_second_factor_out(hr, as_user):
    response = as_user(hr, second_factor=False).get(URL)
    assert response.status_code in (302, 403)
    assert "Import people" not in response.text


def test_it_refuses_other_methods(client):
    assert client.put(URL).status_code == 405


def test_it_needs_the_csrf_token(hr, engineer, peer):
    strict = login(hr)
    strict.handler.enforce_csrf_checks = True
    response = strict.post(URL, {"file": csv_file(GOOD)})
    assert response.status_code == 403
    assert not User.objects.filter(email="new.person@example.com").exists()
