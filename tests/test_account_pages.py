"""allauth's pages (sign-in, sign-out, passwords, e-mail, two-factor) in Trellis's layout and words."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD, TOTP_SECRET, login
from tests.people.factories import UserFactory
from tests.test_sign_in import current_code, sign_in

DEACTIVATE = "/accounts/2fa/totp/deactivate/"
# What allauth's own templates write and Trellis's never do.
UNSTYLED = ["<strong>Menu:</strong>", "<p><label", ":</label>", "Sign Up</a>"]


def assert_trellis_page(response, heading: str) -> str:
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "· Trellis</title>" in html
    assert 'class="card' in html
    assert re.search(r"<h1>\s*" + re.escape(heading) + r"\s*</h1>", html), heading
    for markup in UNSTYLED:
        assert markup not in html, markup
    return html


def reauthenticated(user) -> Client:
    client = login(user)
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    return client


def with_recovery_codes(user):
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, TOTP_SECRET)
    RecoveryCodes.activate(user)
    return user


# --- Signed out ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/accounts/login/", "Sign in to Trellis"),
        ("/accounts/signup/", "There is no sign-up here"),
        ("/accounts/inactive/", "This account is switched off"),
        ("/accounts/password/reset/", "Reset your password"),
        ("/accounts/password/reset/done/", "Check your e-mail"),
        ("/accounts/password/reset/key/1-not-a-key/", "This link no longer works"),
        ("/accounts/password/reset/key/done/", "Your password is changed"),
        ("/accounts/confirm-email/", "Nothing to confirm"),
        ("/accounts/confirm-email/not-a-key/", "Nothing to confirm"),
    ],
)
def test_it_shows_the_signed_out_pages_in_the_sites_layout(db, url, heading):
    html = assert_trellis_page(Client().get(url), heading)
    assert "entrance__card" in html
    # Every page leads somewhere: back to signing in, or onwards.
    assert 'href="/accounts/login/"' in html or 'href="/accounts/password/reset/"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/password/change/",
        "/accounts/password/set/",
        "/accounts/email/",
        "/accounts/reauthenticate/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
        DEACTIVATE,
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/2fa/recovery-codes/download/",
        "/accounts/2fa/authenticate/",
    ],
)
def test_it_sends_signed_out_visitors_to_sign_in(db, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_says_sign_up_is_closed_and_creates_nobody(db):
    client = Client()
    html = client.get("/accounts/signup/").content.decode()
    assert "Accounts are created by HR" in html
    client.post("/accounts/signup/", {"email": "new@example.com", "password1": "a-long-password-1"})
    assert not UserFactory._meta.model.objects.filter(email="new@example.com").exists()


# --- Signed in ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/accounts/logout/", "Sign out of Trellis?"),
        ("/accounts/password/change/", "Password"),
        ("/accounts/email/", "E-mail"),
        ("/accounts/reauthenticate/", "Confirm it is you"),
        ("/accounts/2fa/", "Two-factor authentication"),
    ],
)
def test_it_shows_the_account_pages_in_the_sites_layout(engineer, url, heading):
    assert_trellis_page(login(engineer).get(url), heading)


def test_it_leads_between_the_account_pages(engineer):
    html = assert_trellis_page(login(engineer).get("/accounts/password/change/"), "Password")
    for url in ("/accounts/password/change/", "/accounts/2fa/", "/accounts/email/"):
        assert f'href="{url}"' in html
    assert 'aria-current="page">Password</a>' in html


def test_it_asks_people_without_a_password_to_set_one(db):
    person = UserFactory(email="sso@example.com")
    person.set_unusable_password()
    person.save()
    client = login(person)
    assert client.get("/accounts/password/change/")["Location"] == "/accounts/password/set/"
    html = assert_trellis_page(client.get("/accounts/password/set/"), "Password")
    assert "single sign-on" in html
    response = client.post("/accounts/password/set/", {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"})
    assert response.status_code == 302
    assert sign_in(Client(), person.email, "a-brand-new-passphrase").status_code == 302


def test_it_shows_the_sign_in_address_and_changes_nothing_there(engineer):
    html = assert_trellis_page(login(engineer).get("/accounts/email/"), "E-mail")
    assert engineer.email in html
    assert "ask HR" in html
    assert "<form" not in html.split('id="main"')[1]


def test_it_lets_someone_who_opened_the_email_page_set_up_two_factor(engineer):
    # Opening the page records an unconfirmed address; Trellis confirms none.
    client = reauthenticated(engineer)
    client.get("/accounts/email/")
    html = assert_trellis_page(client.get("/accounts/2fa/totp/activate/"), "Set up an authenticator app")
    secret = client.session["mfa.totp.secret"]
    assert secret in html
    assert client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)}).status_code == 302
    assert Authenticator.objects.filter(user=engineer, type=Authenticator.Type.TOTP).exists()


def test_it_rejects_a_wrong_authenticator_code_at_the_field(engineer):
    client = reauthenticated(engineer)
    client.get("/accounts/2fa/totp/activate/")
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    html = assert_trellis_page(response, "Set up an authenticator app")
    field = re.search(r'<div class="field field--error">.*?</div>', html, re.S).group(0)
    assert "That code is not right" in field and 'name="code"' in html
    assert not Authenticator.objects.filter(user=engineer, type=Authenticator.Type.TOTP).exists()


def test_it_rejects_a_wrong_current_password_at_the_field(engineer):
    response = login(engineer).post(
        "/accounts/password/change/",
        {"oldpassword": "not it", "password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"},
    )
    html = assert_trellis_page(response, "Password")
    assert re.search(r'field--error">\s*<label for="id_oldpassword">Current password</label>', html)
    assert sign_in(Client(), engineer.email).status_code == 302  # unchanged


def test_it_changes_a_password(engineer):
    client = login(engineer)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"},
        follow=True,
    )
    assert "Your password is changed." in response.content.decode()
    assert sign_in(Client(), engineer.email, "a-brand-new-passphrase").status_code == 302


@pytest.mark.parametrize("url", ["/accounts/password/change/", "/accounts/password/reset/", "/accounts/2fa/"])
def test_it_refuses_other_methods(engineer, url):
    assert login(engineer).delete(url).status_code == 405


def test_it_signs_out_from_the_confirmation_page(engineer):
    client = login(engineer)
    html = assert_trellis_page(client.get("/accounts/logout/"), "Sign out of Trellis?")
    assert 'href="/"' in html  # staying signed in is one click too
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/accounts/password/change/").status_code == 302
    assert client.get("/accounts/logout/").status_code == 302  # nothing to confirm any more


# --- Two-factor ---------------------------------------------------------------------


def test_it_offers_engineers_every_two_factor_page(engineer):
    with_recovery_codes(engineer)
    client = reauthenticated(engineer)
    html = assert_trellis_page(client.get("/accounts/2fa/"), "Two-factor authentication")
    assert f'href="{DEACTIVATE}"' in html
    html = assert_trellis_page(client.get(DEACTIVATE), "Two-factor authentication")
    assert f'action="{DEACTIVATE}"' in html and "Turn it off" in html
    html = assert_trellis_page(client.get("/accounts/2fa/recovery-codes/"), "Recovery codes")
    codes = RecoveryCodes(Authenticator.objects.get(user=engineer, type=Authenticator.Type.RECOVERY_CODES))
    assert all(f"<code>{code}</code>" in html for code in codes.get_unused_codes())
    assert_trellis_page(client.get("/accounts/2fa/recovery-codes/generate/"), "Recovery codes")
    download = client.get("/accounts/2fa/recovery-codes/download/")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/plain")


def test_it_asks_engineers_for_their_code_to_confirm_it_is_them(engineer):
    with_recovery_codes(engineer)
    html = assert_trellis_page(login(engineer).get("/accounts/2fa/reauthenticate/"), "Confirm it is you")
    assert "Use your password instead" in html


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/2fa/",
        DEACTIVATE,
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/2fa/totp/activate/",
    ],
)
def test_it_offers_hr_admins_no_way_to_switch_two_factor_off(hr, url):
    with_recovery_codes(hr)
    response = reauthenticated(hr).get(url, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert f'action="{DEACTIVATE}"' not in html
    assert f'href="{DEACTIVATE}"' not in html
    for words in ("Deactivate", "Turn off", "Turn it off"):
        assert words not in html


def test_it_tells_hr_admins_why_two_factor_stays_on(hr):
    html = assert_trellis_page(reauthenticated(hr).get(DEACTIVATE), "Two-factor authentication")
    assert "HR admins cannot turn two-factor authentication off" in html
    assert 'href="/accounts/2fa/"' in html


def test_it_refuses_an_hr_admins_post_to_switch_two_factor_off(hr):
    response = reauthenticated(hr).post(DEACTIVATE, {})
    html = assert_trellis_page(response, "Two-factor authentication")
    assert "cannot turn two-factor authentication off" in html
    assert Authenticator.objects.filter(user=hr, type=Authenticator.Type.TOTP).exists()


def test_it_lets_engineers_switch_two_factor_off(engineer, mfa_ready):
    mfa_ready(engineer)
    response = reauthenticated(engineer).post(DEACTIVATE, {}, follow=True)
    assert "Two-factor authentication is off." in response.content.decode()
    assert not Authenticator.objects.filter(user=engineer, type=Authenticator.Type.TOTP).exists()


def test_it_asks_for_the_code_at_sign_in_on_a_trellis_page(hr):
    client = Client()
    sign_in(client, hr.email)
    html = assert_trellis_page(client.get("/accounts/2fa/authenticate/"), "Enter your authenticator code")
    assert "recovery codes" in html
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert "That code is not right" in assert_trellis_page(response, "Enter your authenticator code")
    # Going back signs the half-finished session out.
    assert 'action="/accounts/logout/"' in html


def test_it_gives_a_new_hr_admin_a_way_out_of_setting_up_two_factor(db):
    admin = UserFactory(email="new-hr@example.com", is_hr_admin=True)
    client = reauthenticated(admin)
    html = assert_trellis_page(client.get("/accounts/2fa/totp/activate/"), "Set up an authenticator app")
    assert "HR admins can see everyone's records" in html
    assert 'action="/accounts/logout/"' in html
    # The account pages would only lead back here.
    assert 'class="account-nav"' not in html


# --- Resetting a forgotten password ---------------------------------------------------


def test_it_resets_a_password_from_the_emailed_link(engineer):
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": engineer.email})
    assert response["Location"] == "/accounts/password/reset/done/"
    assert_trellis_page(client.get(response["Location"]), "Check your e-mail")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [engineer.email]
    assert message.subject == "[Trellis] Choose a new password"
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", message.body).group(1)

    # The key moves from the address into the session, then the form shows.
    opened = client.get(link)
    assert opened.status_code == 302
    form_url = opened["Location"]
    html = assert_trellis_page(client.get(form_url), "Choose a new password")
    assert engineer.email in html

    mismatch = client.post(form_url, {"password1": "a-brand-new-passphrase", "password2": "another-passphrase"})
    assert 'field--error' in assert_trellis_page(mismatch, "Choose a new password")

    done = client.post(form_url, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"})
    assert done["Location"] == "/accounts/password/reset/key/done/"
    assert_trellis_page(client.get(done["Location"]), "Your password is changed")

    assert sign_in(Client(), engineer.email, "a-brand-new-passphrase").status_code == 302
    assert sign_in(Client(), engineer.email).status_code == 200  # the old one is gone
    assert_trellis_page(Client().get(link, follow=True), "This link no longer works")


def test_it_rejects_a_malformed_address_at_the_field(db):
    response = Client().post("/accounts/password/reset/", {"email": "not an address"})
    html = assert_trellis_page(response, "Reset your password")
    assert re.search(r'field--error">\s*<label for="id_email">Work e-mail</label>', html)
    assert not mail.outbox


def test_it_tells_an_unknown_address_to_ask_hr_not_to_sign_up(db):
    response = Client().post("/accounts/password/reset/", {"email": "stranger@example.com"})
    assert response.status_code == 302  # the same answer as for a known address
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "ask HR" in body
    assert "signup" not in body and "sign up for" not in body
