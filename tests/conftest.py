"""Personas every test module can use, named as in the product docs.

    hr            HR admin, with two-factor authentication set up
    skip_level    Director; manager of `manager`
    manager       Engineering manager of `engineer` and `peer`
    engineer      the person most tests are about
    peer          same manager as `engineer`
    outsider      in another part of the organisation
"""

from __future__ import annotations

import threading
import time

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ladders.selectors.frameworks import shared_cache_emptied
from ladders.templatetags.ladders import kept_rows_clear
from people.stamp import stamped_clear
from people.templatetags.people import site_headers_clear
from tests.ladders import factories as ladder_factories
from tests.people.factories import UserFactory

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _clean_cache():
    # Login rate limits and used TOTP codes live in the cache; published
    # rubrics and what is kept under the stamp are kept per process, and ids
    # (and a rolled-back stamp) come round again between tests.
    cache.clear()
    shared_cache_emptied()
    site_headers_clear()
    kept_rows_clear()
    stamped_clear()
    yield
    cache.clear()
    shared_cache_emptied()
    site_headers_clear()
    kept_rows_clear()
    stamped_clear()


@pytest.fixture
def hr(db):
    user = UserFactory(email="hr@example.com", name="Helen Ross", title="People Partner", is_hr_admin=True)
    TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def skip_level(db):
    return UserFactory(email="director@example.com", name="Daniel Osei", title="Director of Engineering")


@pytest.fixture
def manager(skip_level):
    return UserFactory(email="manager@example.com", name="Marcus Chen", title="Engineering Manager", manager=skip_level)


@pytest.fixture
def engineer(manager):
    return UserFactory(email="engineer@example.com", name="Ada Okafor", title="Senior Engineer", manager=manager)


@pytest.fixture
def peer(manager):
    return UserFactory(email="peer@example.com", name="Sam Rivera", title="Engineer", manager=manager)


@pytest.fixture
def outsider(db):
    boss = UserFactory(email="other-boss@example.com", name="Olu Mensah")
    return UserFactory(email="outsider@example.com", name="Nora Quinn", manager=boss)


def in_thread(work, results: dict, name: str) -> threading.Thread:
    """Run `work` in a thread of its own, with its own database connection; its
    result (or the exception it raised) lands in `results[name]`."""

    def run():
        try:
            results[name] = work()
        except Exception as error:  # the test reads it
            results[name] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def at_once(*works) -> list:
    """Run each of `works` in a thread of its own, all at the same moment; what each returned
    (or raised), in order."""
    start_together = threading.Barrier(len(works), timeout=30)
    results: dict = {}

    def waiting(work):
        def run():
            start_together.wait()
            return work()

        return run

    threads = [in_thread(waiting(work), results, n) for n, work in enumerate(works)]
    for thread in threads:
        thread.join(60)
    return [results[n] for n in range(len(works))]


def page_queries(client: Client, url: str, **kwargs) -> int:
    """Queries one render of a page costs, after a first render warms per-process caches."""
    client.get(url, **kwargs)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return len(captured)


def flashed(response) -> list[str]:
    """The messages a response left for the next page."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def login(user, *, second_factor: bool = True) -> Client:
    """A client signed in as `user`. Someone with TOTP set up is signed in as
    after entering a code (`second_factor=False` leaves that out), as HR
    admins must be."""
    client = Client()
    client.force_login(user)
    if second_factor and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        session = client.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": time.time(), "email": user.email},
            {"method": "mfa", "at": time.time(), "type": "totp"},
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
    return client


@pytest.fixture
def as_user():
    return login


@pytest.fixture
def ft(db):
    """The Financial Times engineering framework, published."""
    return ladder_factories.publish(ladder_factories.ft_document())


@pytest.fixture
def mfa_ready():
    """Mark a user as having TOTP so HR-admin pages are reachable in tests."""

    def activate(user):
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, TOTP_SECRET)
        return user

    return activate
