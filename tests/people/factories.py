import factory

from people.models import Department, Notification, User


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A person; the database gives them their reporting path."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")
    title = "Software Engineer"
    timezone = "Europe/London"
    password = factory.django.Password("correct horse battery staple")


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Something happened #{n}")
    body = "Details of what happened."
    url = ""


def admin_change_form(person: User, **changes) -> dict:
    """What the admin's change form for `person` posts, with `changes` made."""
    return {
        "email": person.email,
        "name": person.name,
        "is_active": "on",
        "title": person.title,
        "manager": person.manager_id or "",
        "timezone": person.timezone,
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        **changes,
    }
