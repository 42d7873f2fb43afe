from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied

from .middleware import client_address


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts come from the HRIS import, the admin or single sign-on.
        return False

    def get_client_ip(self, request) -> str:
        # Behind the proxies TRELLIS_TRUSTED_PROXIES counts: the login rate
        # limits are per client, not per proxy.
        ip = client_address(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return settings.SSO_CREATES_ACCOUNTS

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        claims = sociallogin.account.extra_data or {}
        claims = claims.get("userinfo") or claims.get("id_token") or claims
        user.name = (
            claims.get("name")
            or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
            or user.email
        )
        return user


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "HR admins cannot turn two-factor authentication off: it guards everyone's records."
        ),
        "incorrect_code": "That code is not right. Enter the newest code your authenticator app shows for Trellis.",
    }

    def can_delete_authenticator(self, authenticator) -> bool:
        # Two-factor authentication is compulsory for HR admins.
        return not authenticator.user.sees_everyone
