"""Login rate limits and the audit log behind proxies: per client, never per proxy.

With TRELLIS_TRUSTED_PROXIES=N, the client is the address N hops from the
right of X-Forwarded-For; with 0 (no proxy), X-Forwarded-For is ignored
because anyone can send it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from auditlog.models import LogEntry
from django.test import Client, override_settings

from people.models import User
from tests.conftest import PASSWORD
from tests.people.factories import admin_change_form

PROXY = "10.0.0.2"


def sign_in(client: Client, email: str, password: str, **headers):
    return client.post("/accounts/login/", {"login": email, "password": password}, **headers)


def signed_in(client: Client) -> bool:
    return client.get("/people/notifications/").status_code == 200


def exhaust_the_address_limit(**headers) -> None:
    # Ten failures for ten different accounts: only the per-address limit counts them.
    for n in range(10):
        sign_in(Client(), f"nobody{n}@example.com", "guess", **headers)


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_one_clients_failures_do_not_lock_out_another(engineer):
    exhaust_the_address_limit(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")

    locked, other = Client(), Client()
    refused = sign_in(locked, engineer.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    sign_in(other, engineer.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert "Too many failed login attempts" in refused.text
    assert not signed_in(locked)
    assert signed_in(other)


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_a_forged_entry_does_not_escape_the_limit(engineer):
    exhaust_the_address_limit(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")

    # The client sends its own X-Forwarded-For; the proxy appends the real address.
    client = Client()
    response = sign_in(
        client, engineer.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5"
    )

    assert "Too many failed login attempts" in response.text
    assert not signed_in(client)


def test_without_a_proxy_x_forwarded_for_is_ignored(engineer):
    # Changing the header from request to request must not reset the count.
    for n in range(10):
        sign_in(Client(), f"nobody{n}@example.com", "guess", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    client = Client()
    response = sign_in(client, engineer.email, PASSWORD, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.99")

    assert "Too many failed login attempts" in response.text
    assert not signed_in(client)


def test_without_a_proxy_each_connection_address_has_its_own_limit(engineer):
    exhaust_the_address_limit(REMOTE_ADDR="203.0.113.5")

    client = Client()
    sign_in(client, engineer.email, PASSWORD, REMOTE_ADDR="198.51.100.7")

    assert signed_in(client)


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_a_request_that_skipped_a_proxy_counts_against_the_connection(engineer):
    client = Client()
    response = sign_in(client, engineer.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("trusted, expected", [(0, PROXY), (1, "203.0.113.5")])
def test_the_audit_log_records_the_client_address(as_user, hr, engineer, trusted, expected):
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=trusted):
        response = as_user(hr).post(
            f"/admin/people/user/{engineer.pk}/change/",
            admin_change_form(engineer, name="Ada Okafor-Reid"),
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5",
        )

    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(User.objects.get(pk=engineer.pk)).latest("timestamp")
    assert entry.remote_addr == expected


@pytest.mark.parametrize("value, ok", [("0", True), ("2", True), ("-1", False), ("two", False)])
def test_the_setting_is_read_from_the_environment_and_checked(value, ok):
    env = {**os.environ, "TRELLIS_TRUSTED_PROXIES": value, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"],
        env=env, capture_output=True, text=True,
    )
    if ok:
        assert result.stdout.strip() == value
    else:
        assert result.returncode != 0


@pytest.mark.parametrize("port", ["31337", "-1", "99999999999"])
def test_the_audit_log_ignores_a_forwarded_port_anyone_can_send(as_user, hr, engineer, port):
    response = as_user(hr).post(
        f"/admin/people/user/{engineer.pk}/change/",
        admin_change_form(engineer, name="Ada Okafor-Reid"),
        HTTP_X_FORWARDED_PORT=port,
    )

    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(User.objects.get(pk=engineer.pk)).latest("timestamp")
    assert entry.remote_port is None
