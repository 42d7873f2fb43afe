from django.apps import AppConfig


class LaddersConfig(AppConfig):
    name = "ladders"
    verbose_name = "Career frameworks"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

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
