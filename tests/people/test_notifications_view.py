"""The notifications page and marking notifications as read."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from people.models import Notification
from tests.people.factories import NotificationFactory

LIST = reverse("people:notifications")
READ = reverse("people:notifications_read")


def unread(user) -> set[int]:
    return set(Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("pk", flat=True))


# --- The list ----------------------------------------------------------------------


def test_it_lists_ones_own_notifications_newest_first(as_user, engineer):
    now = timezone.now()
    older = NotificationFactory(recipient=engineer, title="Older", created_at=now - datetime.timedelta(days=1))
    newer = NotificationFactory(recipient=engineer, title="Newer", url="/assessments/1/", created_at=now)

    response = as_user(engineer).get(LIST)

    assert response.status_code == 200
    assert list(response.context["page"]) == [newer, older]
    content = response.content.decode()
    assert f'<a href="/people/notifications/{newer.pk}/">Newer</a>' in content  # opens it, marking it read
    assert "Mark all as read" in content


def test_it_hides_other_peoples_notifications(as_user, engineer, peer):
    NotificationFactory(recipient=peer, title="For Sam only")

    response = as_user(engineer).get(LIST)

    assert list(response.context["page"]) == []
    assert "For Sam only" not in response.content.decode()
    assert "Nothing yet." in response.content.decode()


def test_it_offers_mark_all_as_read_only_with_something_unread(as_user, engineer):
    NotificationFactory(recipient=engineer, read_at=timezone.now())

    response = as_user(engineer).get(LIST)

    assert "Mark all as read" not in response.content.decode()


def test_it_shows_25_a_page(as_user, engineer):
    NotificationFactory.create_batch(30, recipient=engineer)
    client = as_user(engineer)

    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})

    assert len(first.context["page"]) == 25
    assert len(second.context["page"]) == 5


@pytest.mark.parametrize(("page", "expected"), [("abc", 1), ("0", 2), ("999", 2), ("-1", 2), ("", 1)])
def test_it_falls_back_to_a_real_page_for_a_bad_page_number(as_user, engineer, page, expected):
    NotificationFactory.create_batch(30, recipient=engineer)

    response = as_user(engineer).get(LIST, {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == expected


def test_it_rejects_other_methods_on_the_list(as_user, engineer):
    NotificationFactory(recipient=engineer)

    assert as_user(engineer).post(LIST).status_code == 405
    assert unread(engineer)


def test_it_sends_anonymous_visitors_to_sign_in_from_the_list(client, db):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={LIST}"


def test_its_list_query_count_does_not_grow_with_notifications(as_user, engineer, peer):
    NotificationFactory.create_batch(3, recipient=engineer)
    NotificationFactory.create_batch(30, recipient=peer)

    with CaptureQueriesContext(connection) as small:
        small_page = as_user(engineer).get(LIST)
    with CaptureQueriesContext(connection) as large:
        large_page = as_user(peer).get(LIST)

    assert len(small_page.context["page"]) == 3
    assert len(large_page.context["page"]) == 25
    assert len(large) == len(small)


# --- Marking as read ---------------------------------------------------------------


def test_it_marks_everything_read_and_goes_back_to_the_list(as_user, engineer):
    NotificationFactory.create_batch(3, recipient=engineer)

    response = as_user(engineer).post(READ)

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert unread(engineer) == set()


def test_it_marks_only_the_notifications_named(as_user, engineer):
    first, second, third = NotificationFactory.create_batch(3, recipient=engineer)

    as_user(engineer).post(READ, {"notification": [str(first.pk), str(third.pk)]})

    assert unread(engineer) == {second.pk}


def test_it_leaves_other_peoples_notifications_untouched(as_user, engineer, peer):
    mine = NotificationFactory(recipient=engineer)
    theirs = NotificationFactory(recipient=peer)

    client = as_user(engineer)
    client.post(READ, {"notification": [str(theirs.pk)]})
    client.post(READ)

    assert unread(peer) == {theirs.pk}
    assert mine.pk not in unread(engineer)


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "²", "١", str(2**70), ""])
def test_it_marks_nothing_read_for_ids_that_are_not_ids(as_user, engineer, value):
    NotificationFactory.create_batch(2, recipient=engineer)
    before = unread(engineer)

    response = as_user(engineer).post(READ, {"notification": [value]})

    assert response.status_code == 302
    # Naming notifications, even badly, never widens into "mark all".
    assert unread(engineer) == before


def test_it_marks_the_good_ids_among_bad_ones(as_user, engineer):
    first, second = NotificationFactory.create_batch(2, recipient=engineer)

    as_user(engineer).post(READ, {"notification": ["abc", str(first.pk), "²"]})

    assert unread(engineer) == {second.pk}


def test_it_rejects_other_methods_on_mark_read(as_user, engineer):
    NotificationFactory(recipient=engineer)

    client = as_user(engineer)
    assert client.get(READ).status_code == 405
    assert client.put(READ).status_code == 405
    assert unread(engineer)


def test_it_sends_anonymous_visitors_to_sign_in_from_mark_read(client, engineer):
    NotificationFactory(recipient=engineer)

    response = client.post(READ)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert unread(engineer)


def test_it_needs_a_csrf_token_to_mark_read(engineer):
    NotificationFactory(recipient=engineer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(engineer)

    assert client.post(READ).status_code == 403
    assert unread(engineer)


def test_its_mark_read_query_count_does_not_grow_with_notifications(as_user, engineer, peer):
    few = NotificationFactory.create_batch(3, recipient=engineer)
    many = NotificationFactory.create_batch(30, recipient=peer)

    with CaptureQueriesContext(connection) as small:
        as_user(engineer).post(READ, {"notification": [str(n.pk) for n in few]})
    with CaptureQueriesContext(connection) as large:
        as_user(peer).post(READ, {"notification": [str(n.pk) for n in many]})

    assert unread(engineer) == set() and unread(peer) == set()
    assert len(large) == len(small)


# --- Opening one ------------------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(as_user, engineer):
    notification = NotificationFactory(recipient=engineer, url="/assessments/7/")
    other = NotificationFactory(recipient=engineer)
    client = as_user(engineer)
    listing = client.get(LIST)
    assert reverse("people:notification_open", args=[notification.pk]).encode() in listing.content
    response = client.get(reverse("people:notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/assessments/7/"
    assert unread(engineer) == {other.pk}


def test_opening_someone_elses_notification_is_not_found(as_user, engineer, peer):
    notification = NotificationFactory(recipient=peer, url="/assessments/7/")
    assert as_user(engineer).get(reverse("people:notification_open", args=[notification.pk])).status_code == 404
    assert unread(peer) == {notification.pk}


@pytest.mark.parametrize("url", ["", "https://example.org/", "//example.org/x", "/\\\\example.org"])
def test_a_notification_never_sends_anyone_off_the_site(as_user, engineer, url):
    notification = NotificationFactory(recipient=engineer, url=url)
    response = as_user(engineer).get(reverse("people:notification_open", args=[notification.pk]))
    assert response["Location"] == LIST
    assert unread(engineer) == set()


def test_opening_a_notification_is_a_get(as_user, engineer):
    notification = NotificationFactory(recipient=engineer, url="/path/")
    assert as_user(engineer).post(reverse("people:notification_open", args=[notification.pk])).status_code == 405
    assert unread(engineer) == {notification.pk}
