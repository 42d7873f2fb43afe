from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    name = "mentorship"
    verbose_name = "Mentorship"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from ladders.signals import bench_pages, demo_seeded

        from . import bench, demo, models

        demo_seeded.connect(demo.seed, dispatch_uid="mentorship.demo")
        bench_pages.connect(bench.pages, dispatch_uid="mentorship.bench")

        auditlog.register(models.Program, exclude_fields=["created_at"])
        # An override's reason is its history: who chose whom instead, and why.
        auditlog.register(models.Proposal, include_fields=["mentor", "decision", "override_reason", "decided_by"])
        auditlog.register(models.Round, include_fields=["status", "published_at"])
        # Status and dates only: reasons, reflections and notes stay with the pair.
        auditlog.register(models.Relationship, include_fields=["status", "starts_on", "ends_on"])
        auditlog.register(models.MentorProfile, exclude_fields=["updated_at"])
