"""The Django admin is HR's: permissions from the HR admin flag, and the people pages."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.audit import acting_as
from people.models import Department, User
from tests.people.factories import NotificationFactory, UserFactory

PEOPLE = reverse("admin:people_user_changelist")


def change_url(person: User) -> str:
    return reverse("admin:people_user_change", args=[person.pk])


def change_form(person: User, **changes) -> dict:
    """What the admin's change form posts back for `person`, with `changes`."""
    data = {
        "email": person.email,
        "name": person.name,
        "is_active": "on" if person.is_active else "",
        "is_hr_admin": "on" if person.is_hr_admin else "",
        "title": person.title,
        "manager": person.manager_id or "",
        "department": person.department_id or "",
        "team": person.team_id or "",
        "start_date": person.start_date or "",
        "timezone": person.timezone,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


# --- Permissions: HRAdminBackend and is_staff -------------------------------------------


@pytest.mark.parametrize(
    "perm",
    ["people.change_user", "people.add_department", "people.view_notification", "ladders.change_framework", "ladders.add_level"],
)
def test_an_hr_admin_may_change_people_and_ladders(hr, perm):
    assert hr.has_perm(perm)


@pytest.mark.parametrize(
    "perm",
    ["sessions.delete_session", "auth.change_permission", "mfa.delete_authenticator", "account.change_emailaddress", "socialaccount.add_socialapp"],
)
def test_an_hr_admin_may_not_touch_other_apps(hr, perm):
    assert not hr.has_perm(perm)


def test_an_hr_admin_sees_only_trellis_apps_in_the_admin(hr):
    assert hr.has_module_perms("people")
    assert hr.has_module_perms("ladders")
    assert not hr.has_module_perms("sessions")
    assert not hr.has_module_perms("mfa")


def test_an_engineer_has_no_admin_permissions(engineer):
    assert not engineer.has_perm("people.change_user")
    assert not engineer.has_module_perms("people")


def test_an_hr_admin_who_has_left_has_no_permissions(db):
    former = UserFactory(is_hr_admin=True, is_active=False)

    assert not former.has_perm("people.change_user")
    assert not former.has_module_perms("people")


def test_a_superuser_keeps_every_permission(db):
    admin = UserFactory(is_superuser=True)

    assert admin.has_perm("sessions.delete_session")
    assert admin.has_module_perms("auth")


def test_only_hr_admins_and_superusers_are_staff(hr, engineer):
    assert hr.is_staff
    assert UserFactory(is_superuser=True).is_staff
    assert not engineer.is_staff
    assert not UserFactory(is_hr_admin=True, is_active=False).is_staff
    assert not UserFactory(is_superuser=True, is_active=False).is_staff


# --- Who gets in -----------------------------------------------------------------------------


def test_an_engineer_is_kept_out_of_the_admin(as_user, engineer):
    client = as_user(engineer)

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.get(response["Location"]).status_code == 403
    assert client.get(PEOPLE).status_code == 302
    assert client.get(change_url(engineer)).status_code == 302


def test_an_engineer_cannot_change_anyone_through_the_admin(as_user, engineer, peer):
    as_user(engineer).post(change_url(engineer), change_form(engineer, manager=peer.pk))

    engineer.refresh_from_db()
    assert engineer.manager != peer


def test_an_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_an_hr_admin_sees_the_admin_home(as_user, hr):
    response = as_user(hr).get("/admin/")

    assert response.status_code == 200
    apps = {app["app_label"] for app in response.context["app_list"]}
    assert "people" in apps
    assert "sessions" not in apps


# --- The people pages ---------------------------------------------------------------------------


def test_an_hr_admin_can_open_the_people_list(as_user, hr, engineer, outsider):
    response = as_user(hr).get(PEOPLE)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Ada Okafor" in content and "Nora Quinn" in content


def test_an_hr_admin_can_search_people(as_user, hr, engineer, outsider):
    response = as_user(hr).get(PEOPLE, {"q": "okafor"})

    assert list(response.context["cl"].result_list) == [engineer]


def test_the_people_list_query_count_does_not_grow_with_people(as_user, hr):
    engineering = Department.objects.create(name="Engineering")

    def organisation(size: int) -> None:
        boss = UserFactory(department=engineering)
        UserFactory.create_batch(size, manager=boss, department=engineering)

    client = as_user(hr)
    organisation(5)
    with CaptureQueriesContext(connection) as small:
        assert client.get(PEOPLE).status_code == 200
    organisation(50)
    with CaptureQueriesContext(connection) as large:
        response = client.get(PEOPLE)

    assert response.context["cl"].result_count == 1 + 6 + 51
    assert len(large) == len(small)


def test_an_hr_admin_can_change_a_persons_manager(as_user, hr, manager, engineer, peer, outsider):
    response = as_user(hr).post(change_url(manager), change_form(manager, manager=outsider.pk))

    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.manager == outsider
    # The whole team moves with their manager.
    engineer.refresh_from_db()
    peer.refresh_from_db()
    assert engineer.reporting_path == f"{outsider.reporting_path}{manager.pk}/{engineer.pk}/"
    assert peer.reporting_path == f"{outsider.reporting_path}{manager.pk}/{peer.pk}/"


def test_an_hr_admin_cannot_make_a_reporting_circle(as_user, hr, skip_level, manager, engineer):
    response = as_user(hr).post(change_url(skip_level), change_form(skip_level, manager=engineer.pk))

    assert response.status_code == 200
    assert "circle" in response.context["adminform"].form.errors["manager"][0]
    skip_level.refresh_from_db()
    assert skip_level.manager is None


def test_an_hr_admin_cannot_make_someone_their_own_manager(as_user, hr, engineer):
    response = as_user(hr).post(change_url(engineer), change_form(engineer, manager=engineer.pk))

    assert response.status_code == 200
    assert "own manager" in response.context["adminform"].form.errors["manager"][0]


def test_an_hr_admin_cannot_set_an_unknown_time_zone(as_user, hr, engineer):
    response = as_user(hr).post(change_url(engineer), change_form(engineer, timezone="Mars/Olympus"))

    assert response.status_code == 200
    assert "timezone" in response.context["adminform"].form.errors
    engineer.refresh_from_db()
    assert engineer.timezone == "Europe/London"


def test_an_hr_admin_cannot_make_a_superuser(as_user, hr, engineer):
    as_user(hr).post(change_url(engineer), change_form(engineer, is_superuser="on", title="Principal"))

    engineer.refresh_from_db()
    assert engineer.title == "Principal"
    assert not engineer.is_superuser


def test_an_hr_admin_cannot_change_a_superuser(as_user, hr):
    root = UserFactory(email="root@example.com", is_superuser=True, title="Administrator")

    response = as_user(hr).post(change_url(root), change_form(root, email="hr-owned@example.com", title="Changed"))

    assert response.status_code == 403
    root.refresh_from_db()
    assert (root.email, root.title) == ("root@example.com", "Administrator")
    assert as_user(hr).get(change_url(root)).status_code == 200  # still visible, read-only


def test_an_hr_admin_can_add_a_person(as_user, hr, manager):
    response = as_user(hr).post(
        reverse("admin:people_user_add"),
        {"email": "New.Person@Example.com", "name": "Nia Adams", "usable_password": "false"},
    )

    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.com")
    assert person.reporting_path == f"/{person.pk}/"
    assert not person.has_usable_password()


def test_an_hr_admin_cannot_add_someone_twice(as_user, hr, engineer):
    response = as_user(hr).post(
        reverse("admin:people_user_add"),
        {"email": "ENGINEER@example.com", "name": "Ada Again", "usable_password": "false"},
    )

    assert response.status_code == 200
    assert User.objects.filter(email__iexact="engineer@example.com").count() == 1


def test_nobody_writes_notifications_in_the_admin(as_user, hr, engineer):
    notification = NotificationFactory(recipient=engineer)
    client = as_user(hr)

    assert client.get(reverse("admin:people_notification_add")).status_code == 403
    # A list alone: no page of its own, whose number would count the private ones between.
    for pk in (notification.pk, notification.pk + 1000):
        assert client.get(reverse("admin:people_notification_change", args=[pk])).status_code == 403
        assert client.get(reverse("admin:people_notification_history", args=[pk])).status_code == 403
    listing = client.get(reverse("admin:people_notification_changelist"))
    assert listing.status_code == 200 and engineer.name in listing.text
    assert f"Notification {notification.pk}" not in listing.text


# --- The audit log -------------------------------------------------------------------------------

AUDIT_LOG = reverse("admin:auditlog_logentry_changelist")


def retitle(person: User, title: str, *, by: User) -> None:
    with acting_as(by):
        person.title = title
        person.save()


def test_an_hr_admin_finds_audit_entries_by_the_actors_name(as_user, hr, manager, engineer):
    retitle(engineer, "Staff Engineer", by=manager)
    retitle(engineer, "Principal Engineer", by=hr)

    response = as_user(hr).get(AUDIT_LOG, {"q": "Marcus"})

    assert response.status_code == 200
    found = {(entry.actor, entry.object_repr) for entry in response.context["cl"].result_list}
    assert (manager, "Ada Okafor") in found
    assert (hr, "Ada Okafor") not in found


def test_an_hr_admin_finds_audit_entries_by_the_actors_email(as_user, hr, manager, engineer):
    retitle(engineer, "Staff Engineer", by=manager)
    retitle(engineer, "Principal Engineer", by=hr)

    response = as_user(hr).get(AUDIT_LOG, {"q": "manager@example"})

    assert response.status_code == 200
    found = {(entry.actor, entry.object_repr) for entry in response.context["cl"].result_list}
    assert (manager, "Ada Okafor") in found
    assert not any(actor == hr for actor, _ in found)


def test_an_hr_admin_searches_the_audit_log_by_what_changed(as_user, hr, manager, engineer):
    retitle(engineer, "Draft Wrangler", by=manager)

    response = as_user(hr).get(AUDIT_LOG, {"q": "draft"})

    assert response.status_code == 200
    assert [entry.object_repr for entry in response.context["cl"].result_list] == [str(engineer)]


def test_an_audit_search_that_matches_nothing_shows_an_empty_list(as_user, hr, manager, engineer):
    retitle(engineer, "Staff Engineer", by=manager)

    response = as_user(hr).get(AUDIT_LOG, {"q": "%' OR 1=1 --"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_an_engineer_cannot_search_the_audit_log(as_user, engineer, manager):
    retitle(engineer, "Staff Engineer", by=manager)

    response = as_user(engineer).get(AUDIT_LOG, {"q": "Marcus"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_nobody_writes_the_audit_log_in_the_admin(as_user, hr, manager, engineer):
    retitle(engineer, "Staff Engineer", by=manager)
    entry = LogEntry.objects.get(actor=manager)

    assert as_user(hr).post(reverse("admin:auditlog_logentry_change", args=[entry.pk]), {}).status_code == 403


# --- The site icon -----------------------------------------------------------------------------


def test_the_site_icon_is_served_for_favicon_ico(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/img/trellis.svg"


def test_the_site_icon_address_answers_only_reads(client, db):
    assert client.head("/favicon.ico").status_code == 302
    assert client.post("/favicon.ico").status_code == 405
