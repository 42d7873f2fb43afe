"""How allauth is bent to Trellis: no self sign-up, SSO accounts, compulsory 2FA for HR."""

from __future__ import annotations

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.contrib.sessions.middleware import SessionMiddleware
from django.urls import reverse

from people.models import User


def sso_login(claims: dict) -> SocialLogin:
    account = SocialAccount(provider="openid_connect", uid="sub-123", extra_data=claims)
    return SocialLogin(account=account, user=User(), email_addresses=[])


def test_it_offers_no_sign_up_page(client, db):
    response = client.get(reverse("account_signup"))

    assert "account/signup_closed.html" in [template.name for template in response.templates]
    assert not User.objects.exists()


def test_it_refuses_a_sign_up_post(client, db):
    client.post(
        reverse("account_signup"),
        {"email": "intruder@example.com", "password1": "a long enough password", "password2": "a long enough password"},
    )

    assert not User.objects.filter(email="intruder@example.com").exists()


def test_sso_creates_accounts_only_when_configured(rf, settings):
    adapter = get_social_adapter()

    settings.SSO_CREATES_ACCOUNTS = False
    assert not adapter.is_open_for_signup(rf.get("/"), sso_login({}))
    settings.SSO_CREATES_ACCOUNTS = True
    assert adapter.is_open_for_signup(rf.get("/"), sso_login({}))


def test_sso_takes_the_name_from_the_identity_providers_claims(rf, db):
    login = sso_login({"userinfo": {"name": "Ada Okafor"}})

    user = get_social_adapter().populate_user(rf.get("/"), login, {"email": "ada.okafor@example.com"})

    assert user.name == "Ada Okafor"


def test_sso_builds_a_name_from_first_and_last_names(rf, db):
    user = get_social_adapter().populate_user(
        rf.get("/"), sso_login({}), {"email": "ada@example.com", "first_name": "Ada", "last_name": "Okafor"}
    )

    assert user.name == "Ada Okafor"


def test_sso_falls_back_to_the_email_for_a_name(rf, db):
    user = get_social_adapter().populate_user(rf.get("/"), sso_login({}), {"email": "ada@example.com"})

    assert user.name == "ada@example.com"


def test_sso_lower_cases_the_email(rf, db):
    # The HRIS import matches people by lower-cased e-mail; an account the
    # identity provider spelled "Ada.Okafor@Example.com" must be the same person.
    user = get_social_adapter().populate_user(rf.get("/"), sso_login({}), {"email": "Ada.Okafor@Example.COM"})

    assert user.email == "ada.okafor@example.com"


def test_sso_gives_a_new_account_a_reporting_path(rf, db):
    request = rf.get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    login = sso_login({"name": "Ada Okafor"})
    adapter = get_social_adapter()
    adapter.populate_user(request, login, {"email": "ada@example.com"})

    user = adapter.save_user(request, login)

    user.refresh_from_db()
    assert user.name == "Ada Okafor"
    assert user.reporting_path == f"/{user.pk}/"
    assert not user.has_usable_password()


def test_an_hr_admin_cannot_remove_their_totp(hr):
    authenticator = Authenticator.objects.get(user=hr, type=Authenticator.Type.TOTP)

    assert not get_mfa_adapter().can_delete_authenticator(authenticator)


def test_an_engineer_can_remove_their_totp(engineer, mfa_ready):
    mfa_ready(engineer)
    authenticator = Authenticator.objects.get(user=engineer, type=Authenticator.Type.TOTP)

    assert get_mfa_adapter().can_delete_authenticator(authenticator)
