import zoneinfo
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.core.internal.httpkit import get_client_ip
from allauth.mfa.models import Authenticator
from auditlog.cid import set_cid
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from .audit import request_context


class TimezoneMiddleware:
    """Show times in each person's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.timezone:
            timezone.activate(zoneinfo.ZoneInfo(user.timezone))
        else:
            timezone.deactivate()
        return self.get_response(request)


def session_used_second_factor(request, user) -> bool:
    """True when this session, not merely this account, passed a second factor."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


class RequireMFAMiddleware:
    """HR admins see everyone's data: every one of their sessions must have passed TOTP.

    An HR admin without an authenticator is sent to set one up; one whose
    session was opened without the second factor (any sign-in route that
    skipped it, or someone made HR admin while signed in) is asked for a
    code before anything else. allauth records each factor a session used.
    Until then the session reaches only the pages that lead there and
    signing out, not the rest of /accounts/: recovery codes, for one, would
    otherwise be a password away.
    """

    always_open = ("/static/", "/healthz", "/favicon.ico")
    on_the_way = {
        # Setting TOTP up asks for the password first.
        False: {"mfa_activate_totp", "account_reauthenticate", "account_logout"},
        True: {"mfa_reauthenticate", "account_logout"},
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or not user.sees_everyone
            or request.path.startswith(self.always_open)
            or session_used_second_factor(request, user)
        ):
            return self.get_response(request)
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            name = None
        if name in self.on_the_way[has_totp]:
            return self.get_response(request)
        # Encoded, so a query string of the page asked for stays inside `next`.
        next_query = urlencode({"next": request.get_full_path()})
        destination = "mfa_reauthenticate" if has_totp else "mfa_activate_totp"
        return redirect(f"{reverse(destination)}?{next_query}")


def second_factor_set_up(sender, request, user, authenticator, **kwargs) -> None:
    """Setting up TOTP means entering a code from it: this session has used the second factor."""
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


class AuditContextMiddleware:
    """Names the signed-in person and the client's address on audit-log entries.

    In place of auditlog's middleware, which connected a signal receiver on
    every request and took the first X-Forwarded-For entry (which the client
    writes) and X-Forwarded-Port (a negative number made every audited write
    fail). Here the address is the one TRELLIS_TRUSTED_PROXIES says to trust,
    no port is recorded, and both are worked out only if an entry is written.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        set_cid(request)

        def actor():
            user = getattr(request, "user", None)
            return user if user is not None and user.is_authenticated else None

        def remote_addr():
            return None if settings.AUDITLOG_DISABLE_REMOTE_ADDR else client_address(request)

        with request_context(actor=actor, remote_addr=remote_addr):
            return self.get_response(request)


def client_address(request) -> str | None:
    """The client's address as the trusted proxies report it (see TRELLIS_TRUSTED_PROXIES).

    A request with fewer X-Forwarded-For entries than trusted proxies did not
    come through them all; it is counted against the connection's address.
    """
    try:
        return get_client_ip(request)
    except ImproperlyConfigured:
        return request.META.get("REMOTE_ADDR")
