"""The site header is kept per person, and never shows what has changed since."""

import re

from django.test import Client
from django.urls import reverse

from people.models import User
from tests.conftest import login
from tests.people.factories import NotificationFactory, UserFactory

NOTIFICATIONS = reverse("people:notifications")


def header(response) -> str:
    html = response.content.decode()
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def test_a_new_notification_shows_on_the_next_page(engineer):
    client = login(engineer)
    assert "unread" not in header(client.get(NOTIFICATIONS))

    NotificationFactory(recipient=engineer)

    assert "Notifications, 1 unread" in header(client.get(NOTIFICATIONS))


def test_a_new_name_shows_on_the_next_page(engineer):
    client = login(engineer)
    client.get(NOTIFICATIONS)

    User.objects.filter(pk=engineer.pk).update(name="Ada Lovelace")

    assert "Ada Lovelace" in header(client.get(NOTIFICATIONS))


def test_a_first_report_brings_the_team_link(engineer):
    client = login(engineer)
    team = reverse("ladders:team")
    assert team not in header(client.get(NOTIFICATIONS))

    UserFactory(manager=engineer)

    assert f'href="{team}"' in header(client.get(NOTIFICATIONS))


def test_each_person_sees_their_own_header(manager, engineer):
    login(manager).get(NOTIFICATIONS)

    mine = header(login(engineer).get(NOTIFICATIONS))

    assert "Ada Okafor" in mine and "Marcus Chen" not in mine
    assert reverse("ladders:team") not in mine


def test_the_sign_out_token_is_fresh_on_every_page_and_signs_out(engineer):
    client = login(engineer)
    client.handler.enforce_csrf_checks = True
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', header(client.get(NOTIFICATIONS))).group(1)
        for _ in range(2)
    ]
    assert tokens[0] != tokens[1]

    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": tokens[0]})

    assert response.status_code == 302
    assert client.get(NOTIFICATIONS).status_code == 302  # back to sign-in


def test_a_stale_token_of_another_browser_is_not_served(engineer):
    first, second = login(engineer), login(engineer)
    first.get(NOTIFICATIONS)
    second.handler.enforce_csrf_checks = True
    page = header(second.get(NOTIFICATIONS))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = second.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302


def test_search_words_are_escaped_in_the_search_box(engineer):
    client = login(engineer)

    page = header(client.get(reverse("ladders:search"), {"q": '"><script>alert(1)</script>'}))

    assert "<script>" not in page
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page


def test_signed_out_pages_have_no_personal_header(db):
    page = Client().get(reverse("account_login")).content.decode()

    assert "site-user" not in page
