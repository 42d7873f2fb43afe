from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules


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

        # Every app's reminder rules, in <app>/reminders.py (see people.reminders).
        autodiscover_modules("reminders")
        post_migrate.connect(reminder_rules_after_migrate, sender=self, dispatch_uid="people.reminder_rules")

        auditlog.register(
            User,
            include_fields=[
                "name", "email", "title", "manager", "department", "team",
                "start_date", "timezone", "is_active", "is_hr_admin", "is_superuser",
            ],
        )


def reminder_rules_after_migrate(sender, apps=global_apps, using="default", **kwargs) -> None:
    """A row for every reminder rule the code registers, so HR see them all in the admin at once."""
    from .reminders import registered

    # `apps` is the migrated state (a flush sends none: then it is today's).
    try:
        ReminderRule = apps.get_model("people", "ReminderRule")
    except LookupError:  # migrated back to before rules existed
        return
    kinds = registered()
    known = set(ReminderRule.objects.using(using).filter(key__in=list(kinds)).values_list("key", flat=True))
    ReminderRule.objects.using(using).bulk_create(
        [ReminderRule(key=key, days=kind.days) for key, kind in kinds.items() if key not in known],
        ignore_conflicts=True,
    )
