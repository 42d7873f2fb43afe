"""Signing in: e-mail and password, no sign-up, resets, rate limits, TOTP, single sign-on."""

import re
import urllib.parse

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core import mail
from django.test import Client, override_settings

from people.models import User
from tests.conftest import PASSWORD, TOTP_SECRET, login
from tests.identity_provider import IdentityProvider
from tests.people.factories import UserFactory


def current_code(secret: str = TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_it_signs_in_with_email_and_password_in_any_case(engineer):
    client = Client()
    response = sign_in(client, "Engineer@Example.com")
    assert response.status_code == 302
    assert client.get("/path/").context["user"] == engineer


def test_it_rejects_a_wrong_password_at_the_form(engineer):
    client = Client()
    response = sign_in(client, engineer.email, "not the password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get("/path/").status_code == 302


def test_it_has_no_public_sign_up(db):
    client = Client()
    response = client.get("/accounts/signup/")
    assert "Sign Up Closed" in response.content.decode()
    client.post("/accounts/signup/", {"email": "new@example.com", "password1": "a-long-password-1", "password2": "a-long-password-1"})
    assert not User.objects.filter(email="new@example.com").exists()


def test_it_resets_a_forgotten_password_by_email(engineer):
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": engineer.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    response = client.post(action, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"})
    assert response.status_code == 302
    assert sign_in(Client(), engineer.email, "a-brand-new-passphrase").status_code == 302


def test_it_stops_guessing_after_five_failed_attempts(engineer):
    client = Client()
    for _ in range(5):
        sign_in(client, engineer.email, "guess")
    response = sign_in(client, engineer.email)  # even the right password is refused for now
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/path/").status_code == 302


def test_it_asks_hr_admins_for_their_authenticator_code(hr):
    client = Client()
    response = sign_in(client, hr.email)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302  # not signed in yet
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert client.post("/accounts/2fa/authenticate/", {"code": current_code()}).status_code == 302
    assert client.get("/admin/").status_code == 200


# Transactional, so that what allauth does once the set-up commits happens
# inside the request, as it does in production.
@pytest.mark.django_db(transaction=True)
def test_it_makes_an_hr_admin_set_up_two_factor_before_anything_else():
    admin = UserFactory(email="new-hr@example.com", is_hr_admin=True)
    client = Client()
    assert sign_in(client, admin.email).status_code == 302
    response = client.get("/ladders/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    assert client.get("/admin/").status_code == 302

    # Changing sign-in methods asks for the password again, even just after signing in.
    page = client.get("/accounts/2fa/totp/activate/")
    assert page["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    activated = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists()
    # Setting it up meant entering a code: this session has passed the second factor.
    assert client.get("/ladders/").status_code == 200


def test_it_lets_anyone_use_two_factor_authentication(engineer):
    client = Client()
    sign_in(client, engineer.email)
    assert client.get("/ladders/").status_code == 200  # not forced on engineers
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


def _deactivate_totp(user) -> Client:
    client = login(user)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    return client.post("/accounts/2fa/totp/deactivate/", {})


def test_it_does_not_let_hr_admins_switch_two_factor_off(hr):
    response = _deactivate_totp(hr)
    assert response.status_code == 200
    assert "cannot" in response.content.decode().lower()
    assert Authenticator.objects.filter(user=hr, type=Authenticator.Type.TOTP).exists()


def test_it_lets_engineers_switch_two_factor_off(engineer, mfa_ready):
    mfa_ready(engineer)
    response = _deactivate_totp(engineer)
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=engineer, type=Authenticator.Type.TOTP).exists()


def test_it_sends_the_admin_login_through_the_site_sign_in(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_keeps_engineers_out_of_the_admin(engineer):
    client = Client()
    client.force_login(engineer)
    assert client.get("/admin/").status_code in (302, 403)


def test_it_signs_out_only_by_post(engineer):
    client = Client()
    client.force_login(engineer)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/path/").status_code == 302


# --- Single sign-on ---------------------------------------------------------------


def _sso(client: Client, provider: IdentityProvider):
    """Start at Trellis, 'sign in' at the provider, come back with a code."""
    start = client.post("/accounts/oidc/corp/login/")
    assert start.status_code == 302
    authorize = urllib.parse.urlparse(start["Location"])
    assert authorize.path == "/authorize"
    query = dict(urllib.parse.parse_qsl(authorize.query))
    assert query["client_id"] == provider.client_id
    assert query["code_challenge_method"] == "S256"
    provider.nonce = query.get("nonce")
    callback = urllib.parse.urlparse(query["redirect_uri"]).path
    return client.get(callback, {"code": "code-1", "state": query["state"]})


@pytest.mark.django_db
def test_it_signs_in_an_existing_person_through_the_identity_provider(engineer):
    with IdentityProvider(email=engineer.email, name=engineer.name) as provider:
        with override_settings(SOCIALACCOUNT_PROVIDERS=provider.settings()):
            client = Client()
            assert "Continue with Corp SSO" in client.get("/accounts/login/").content.decode()
            response = _sso(client, provider)
    assert response.status_code == 302, response.content.decode()[:500]
    assert provider.token_requests and provider.token_requests[0]["code_verifier"]
    assert client.get("/path/").context["user"] == engineer


@pytest.mark.django_db
def test_it_does_not_create_accounts_through_sso_unless_told_to(db):
    with IdentityProvider(email="stranger@example.com", name="A Stranger") as provider:
        with override_settings(SOCIALACCOUNT_PROVIDERS=provider.settings(), SSO_CREATES_ACCOUNTS=False):
            client = Client()
            response = _sso(client, provider)
    assert not User.objects.filter(email="stranger@example.com").exists()
    assert client.get("/path/").status_code == 302
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_it_creates_the_account_on_first_sso_sign_in_when_allowed(db):
    with IdentityProvider(email="New.Joiner@Example.com", name="New Joiner") as provider:
        with override_settings(SOCIALACCOUNT_PROVIDERS=provider.settings(), SSO_CREATES_ACCOUNTS=True):
            client = Client()
            _sso(client, provider)
    person = User.objects.get(email="new.joiner@example.com")
    assert person.name == "New Joiner"
    assert person.reporting_path == f"/{person.pk}/"
    assert not person.has_usable_password()
    assert client.get("/path/").context["user"] == person


def test_an_hr_admin_is_not_offered_to_switch_two_factor_off(hr, engineer, mfa_ready):
    page = login(hr).get("/accounts/2fa/").content.decode()
    assert "HR admins keep two-factor authentication on" in page and "/accounts/2fa/totp/deactivate/" not in page
    mfa_ready(engineer)
    assert "/accounts/2fa/totp/deactivate/" in login(engineer).get("/accounts/2fa/").content.decode()
