"""Compulsory two-factor authentication for HR admins, and each person's time zone."""

from __future__ import annotations

import datetime
import zoneinfo
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from people.middleware import TimezoneMiddleware
from people.models import Notification
from tests.conftest import PASSWORD
from tests.people.factories import NotificationFactory, UserFactory
from tests.test_sign_in import current_code

ACTIVATE_TOTP = reverse("mfa_activate_totp")
REAUTHENTICATE = reverse("mfa_reauthenticate")


def sent_to_totp_setup(response, next_url: str) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path == ACTIVATE_TOTP and parse_qs(location.query) == {"next": [next_url]}


@pytest.fixture
def hr_without_totp(db):
    return UserFactory(email="new-hr@example.com", is_hr_admin=True)


# --- Two-factor authentication for HR admins ---------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/people/notifications/", "/admin/", "/admin/people/user/", "/ladders/"],
)
def test_it_sends_an_hr_admin_without_totp_to_set_it_up(as_user, hr_without_totp, path):
    assert sent_to_totp_setup(as_user(hr_without_totp).get(path), path)


def test_it_sends_a_superuser_without_totp_to_set_it_up(as_user, engineer):
    admin = UserFactory(is_superuser=True)

    assert sent_to_totp_setup(as_user(admin).get(engineer.get_absolute_url()), engineer.get_absolute_url())


def test_it_keeps_the_whole_address_to_come_back_to(as_user, hr_without_totp):
    response = as_user(hr_without_totp).get("/people/notifications/?page=2&sort=new")

    assert sent_to_totp_setup(response, "/people/notifications/?page=2&sort=new")


def test_it_stops_an_hr_admin_without_totp_from_changing_anything(as_user, hr_without_totp):
    notification = NotificationFactory(recipient=hr_without_totp)

    response = as_user(hr_without_totp).post(reverse("people:notifications_read"))

    assert sent_to_totp_setup(response, reverse("people:notifications_read"))
    notification.refresh_from_db()
    assert notification.read_at is None


def test_it_lets_an_hr_admin_without_totp_reach_the_setup_page(as_user, hr_without_totp):
    client = as_user(hr_without_totp)

    # allauth asks for the password again first; that page is let through too.
    response = client.get(ACTIVATE_TOTP, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert client.get("/healthz").status_code == 200


def test_it_lets_an_hr_admin_with_totp_through(as_user, hr):
    client = as_user(hr)

    assert client.get("/people/notifications/").status_code == 200
    assert client.get("/admin/").status_code == 200


def sent_to_enter_a_code(response, next_url: str) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path == REAUTHENTICATE and parse_qs(location.query) == {"next": [next_url]}


@pytest.mark.parametrize("path", ["/", "/people/notifications/", "/admin/", "/admin/people/user/", "/ladders/"])
def test_it_asks_for_a_code_when_this_session_has_not_passed_totp(as_user, hr, path):
    # The account has TOTP, but this session was opened without it.
    client = as_user(hr, second_factor=False)

    assert sent_to_enter_a_code(client.get(path), path)


def test_it_lets_the_session_through_once_a_code_is_entered(as_user, hr):
    client = as_user(hr, second_factor=False)
    assert client.get("/admin/").status_code == 302

    response = client.post(f"{REAUTHENTICATE}?next=/admin/", {"code": current_code()})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_it_refuses_a_wrong_code(as_user, hr):
    client = as_user(hr, second_factor=False)

    response = client.post(f"{REAUTHENTICATE}?next=/admin/", {"code": "000000"})

    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_totp_set_up_elsewhere_does_not_open_this_session(as_user, hr_without_totp, mfa_ready):
    client = as_user(hr_without_totp)
    assert sent_to_totp_setup(client.get("/people/notifications/"), "/people/notifications/")

    mfa_ready(hr_without_totp)

    assert sent_to_enter_a_code(client.get("/people/notifications/"), "/people/notifications/")


def test_someone_made_hr_admin_while_signed_in_is_stopped_at_once(as_user, engineer, mfa_ready):
    mfa_ready(engineer)
    client = as_user(engineer, second_factor=False)
    assert client.get("/people/notifications/").status_code == 200

    engineer.is_hr_admin = True
    engineer.save()

    assert sent_to_enter_a_code(client.get("/people/notifications/"), "/people/notifications/")


@pytest.mark.parametrize("persona", ["engineer", "manager", "skip_level", "outsider"])
def test_it_never_sends_ordinary_people_to_totp_setup(as_user, request, persona):
    person = request.getfixturevalue(persona)
    client = as_user(person)

    for path in ["/people/notifications/", person.get_absolute_url()]:
        response = client.get(path)
        assert response.status_code == 200, path


def test_it_never_sends_ordinary_people_to_totp_setup_from_the_admin(as_user, engineer):
    response = as_user(engineer).get("/admin/")

    assert response.status_code == 302
    assert not response["Location"].startswith(ACTIVATE_TOTP)


def test_it_does_not_stop_someone_who_was_hr_and_has_left(as_user, db):
    # An inactive person cannot sign in at all; the session stops working.
    former = UserFactory(is_hr_admin=True, is_active=False)

    response = as_user(former).get("/people/notifications/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Time zones ------------------------------------------------------------------------


NOON_UTC = datetime.datetime(2024, 1, 15, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("Asia/Tokyo", "15 Jan 2024, 21:00"), ("America/New_York", "15 Jan 2024, 07:00"), ("UTC", "15 Jan 2024, 12:00")],
)
def test_it_shows_times_in_the_persons_own_time_zone(as_user, engineer, zone, shown):
    engineer.timezone = zone
    engineer.save()
    NotificationFactory(recipient=engineer, created_at=NOON_UTC)

    response = as_user(engineer).get(reverse("people:notifications"))

    assert shown in response.content.decode()


def test_it_switches_zones_between_people(as_user, engineer, peer):
    engineer.timezone = "Asia/Tokyo"
    engineer.save()
    peer.timezone = "Europe/London"
    peer.save()
    NotificationFactory(recipient=engineer, created_at=NOON_UTC)
    NotificationFactory(recipient=peer, created_at=NOON_UTC)

    assert "21:00" in as_user(engineer).get(reverse("people:notifications")).content.decode()
    assert "12:00" in as_user(peer).get(reverse("people:notifications")).content.decode()
    assert Notification.objects.count() == 2


def test_it_uses_the_site_zone_for_anonymous_visitors(rf):
    timezone.activate(zoneinfo.ZoneInfo("Asia/Tokyo"))
    request = rf.get("/")
    request.user = AnonymousUser()
    middleware = TimezoneMiddleware(lambda request: HttpResponse(timezone.get_current_timezone_name()))

    try:
        response = middleware(request)
    finally:
        timezone.deactivate()

    assert response.content.decode() == settings.TIME_ZONE


def test_the_code_page_tells_an_hr_admin_why_and_offers_no_password_instead(as_user, hr):
    response = as_user(hr, second_factor=False).get(f"{REAUTHENTICATE}?next=/team/")

    assert response.status_code == 200
    assert "<h1>Enter your authenticator code</h1>" in response.text
    assert "each session" in response.text
    assert "Use your password" not in response.text


@pytest.mark.parametrize(
    "name",
    ["mfa_view_recovery_codes", "mfa_generate_recovery_codes", "mfa_index", "account_email", "account_change_password"],
)
def test_a_session_without_the_code_reaches_no_other_account_page(as_user, hr, name):
    # Recovery codes are a password away on these pages; a code from them
    # would open the session without the authenticator.
    RecoveryCodes.activate(hr)
    client = as_user(hr, second_factor=False)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.get(reverse(name))

    assert sent_to_enter_a_code(response, reverse(name))


def test_a_session_without_the_code_can_sign_out(as_user, hr):
    client = as_user(hr, second_factor=False)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert client.get("/people/notifications/")["Location"].startswith(reverse("account_login"))
