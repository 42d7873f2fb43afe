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
        auditlog.register(models.Assessment, exclude_fields=["updated_at", "reminded_at"])
        auditlog.register(models.Rating)
