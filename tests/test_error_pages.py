"""Trellis's own pages for what is not found, not allowed, or broken."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path

from config import urls as site_urls
from tests.conftest import login


def broken(request):
    raise RuntimeError("A bug")


def forbidden(request):
    raise PermissionDenied("Only HR runs matching rounds.")


# The site's own addresses too: the pages' header links to them.
urlpatterns = [path("broken/", broken), path("forbidden/", forbidden), *site_urls.urlpatterns]


def test_a_missing_page_is_trellis_s_own(engineer):
    response = login(engineer).get("/no-such-page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "There is nothing here" in content and 'class="site-header"' in content and "Ada Okafor" in content


def test_a_missing_page_for_a_visitor_signed_out(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "There is nothing here" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_a_refusal_says_why(engineer):
    response = login(engineer).get("/forbidden/")
    assert response.status_code == 403
    assert "Only HR runs matching rounds." in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_a_crash_shows_a_calm_page_without_the_error(db):
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    content = response.content.decode()
    assert "Something went wrong on our side" in content and "A bug" not in content
    assert "/static/css/trellis.css" in content or "trellis." in content


def test_a_form_sent_without_its_token_gets_trellis_s_own_page(engineer):
    client = login(engineer)
    client.handler.enforce_csrf_checks = True
    response = client.post("/people/notifications/read/")
    assert response.status_code == 403
    content = response.content.decode()
    assert "That form had expired" in content and "Nothing was saved from it" in content
    assert 'class="site-header"' in content and "CSRF verification failed" not in content
