from django.apps import AppConfig


class LaddersConfig(AppConfig):
    name = "ladders"
    verbose_name = "Career frameworks"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from people import profile as person_page

        from . import models
        from .profile import person_level
        from .selectors.frameworks import frameworks_changed

        person_page.register("ladders.level", person_level, order=10)

        # Pages kept from published versions name their framework.
        def framework_changed(sender, **kwargs) -> None:
            transaction.on_commit(frameworks_changed)

        post_save.connect(framework_changed, sender=models.Framework, dispatch_uid="ladders.framework_saved", weak=False)
        post_delete.connect(framework_changed, sender=models.Framework, dispatch_uid="ladders.framework_deleted", weak=False)

        auditlog.register(models.Framework)
        auditlog.register(models.FrameworkVersion)
        auditlog.register(models.ProficiencyLevel)
        auditlog.register(models.Track)
        auditlog.register(models.Level, m2m_fields={"tracks"})
        auditlog.register(models.CompetencyArea)
        auditlog.register(models.Competency)
        auditlog.register(models.Expectation)
        auditlog.register(models.Placement)
        # An assessment's history is its lifecycle: who started it, against
        # which level, when it was submitted. Ratings, evidence and comments
        # are not logged: a draft is private to its author (the log is
        # readable by HR admins), and submitted answers never change.
        auditlog.register(models.Assessment, include_fields=["status", "level", "submitted_at"])
