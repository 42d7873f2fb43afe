from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import audit
        from .models import User

        audit.connect()

        auditlog.register(
            User,
            include_fields=[
                "name", "email", "title", "manager", "department", "team",
                "start_date", "timezone", "is_active", "is_hr_admin", "is_superuser",
            ],
        )
