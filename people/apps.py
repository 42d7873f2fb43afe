from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added
        from auditlog.registry import auditlog

        from . import audit
        from .middleware import second_factor_set_up
        from .models import User

        audit.connect()
        authenticator_added.connect(second_factor_set_up, dispatch_uid="trellis_second_factor_set_up")

        auditlog.register(
            User,
            include_fields=[
                "name", "email", "title", "manager", "department", "team",
                "start_date", "timezone", "is_active", "is_hr_admin", "is_superuser",
            ],
        )
