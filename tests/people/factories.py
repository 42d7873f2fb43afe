import factory

from people.models import Department, Notification, User


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a correct reporting path (set after the row has an id)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")
    title = "Software Engineer"
    timezone = "Europe/London"
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def reporting_path(obj, create, extracted, **kwargs):
        if not create:
            return
        prefix = obj.manager.reporting_path if obj.manager_id else "/"
        obj.reporting_path = f"{prefix}{obj.pk}/"
        User.objects.filter(pk=obj.pk).update(reporting_path=obj.reporting_path)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Something happened #{n}")
    body = "Details of what happened."
    url = ""
