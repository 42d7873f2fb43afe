"""The signed-in person, loaded on every request in one query compiled once."""

from django.utils import timezone

from people.backends import AuthenticationBackend
from people.models import User
from tests.people.factories import NotificationFactory


def test_it_loads_the_person_as_the_orm_would(engineer):
    User.objects.filter(pk=engineer.pk).update(last_login=timezone.now())

    loaded = AuthenticationBackend().get_user(engineer.pk)

    fresh = User.objects.get(pk=engineer.pk)
    for field in User._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(fresh, field.attname), field.attname
    assert timezone.is_aware(loaded.last_login) and timezone.is_aware(loaded.date_joined)


def test_it_brings_what_the_header_shows(manager, engineer):
    NotificationFactory(recipient=manager)
    NotificationFactory(recipient=manager, read_at=timezone.now())

    loaded = AuthenticationBackend().get_user(manager.pk)

    assert (loaded.unread_notifications, loaded.has_reports) == (1, True)
    assert (AuthenticationBackend().get_user(engineer.pk).has_reports) is False


def test_it_loads_nobody_for_an_unknown_or_odd_id(db):
    assert AuthenticationBackend().get_user(987654) is None
    assert AuthenticationBackend().get_user("x") is None
    assert AuthenticationBackend().get_user(None) is None


def test_it_loads_nobody_who_has_left(engineer):
    User.objects.filter(pk=engineer.pk).update(is_active=False)

    assert AuthenticationBackend().get_user(engineer.pk) is None
