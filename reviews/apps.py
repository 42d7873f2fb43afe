from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Feedback, 1:1s, review cycles, promotion packets and interviews: each in modules of
    its own (models/feedback.py, services/feedback.py, …), all against the ladder."""

    name = "reviews"
    verbose_name = "Reviews"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from ladders.signals import bench_pages, demo_seeded

        from . import bench, demo, demo_cycles, demo_interviews, demo_packets, models, path, profile

        demo_seeded.connect(demo.seed, dispatch_uid="reviews.demo")
        demo_seeded.connect(demo_interviews.seed, dispatch_uid="reviews.demo_interviews")
        demo_seeded.connect(demo_cycles.seed, dispatch_uid="reviews.demo_cycles")
        demo_seeded.connect(demo_packets.seed, dispatch_uid="reviews.demo_packets")
        bench_pages.connect(bench.pages, dispatch_uid="reviews.bench")
        # Feedback on each competency beside its gap, on My path.
        path.register()
        # Give feedback, their feedback and 1:1s with them, on a person's page.
        profile.register()

        # Who gave what kind of feedback to whom, its edits and its deletion; never the
        # words, which HR admins must not read when they are private to a manager chain
        # (earlier versions are kept as FeedbackRevision, read as the feedback is). Nor
        # its project: typed by the giver too, it can say as much.
        auditlog.register(models.Feedback, include_fields=["giver", "subject", "kind", "visibility", "edited_at"])
        auditlog.register(models.FeedbackRequest, include_fields=["requester", "subject", "visibility", "due_on"])
        auditlog.register(models.FeedbackAsk, include_fields=["respondent", "status", "closed_at"])
        # A 1:1's rhythm; what is said in it stays with the two (see AgendaChange).
        auditlog.register(models.Series, include_fields=["organiser", "attendee", "cadence", "minutes", "next_at", "ended_at"])
        # Interviews: decisions, erasures and when each scorecard went in. What a scorecard
        # says is not here: HR admins read the audit log before a loop's scorecards are all
        # in, which independence forbids; nor is anything personal about a candidate.
        auditlog.register(
            models.Loop, include_fields=["hiring_manager", "debrief_opened_at", "decision", "decided_level", "decided_by", "decided_at"]
        )
        auditlog.register(models.Candidate, include_fields=["erased_at"])
        auditlog.register(models.Interview, include_fields=["stage", "starts_at", "minutes"])
        auditlog.register(models.Scorecard, include_fields=["interview", "interviewer", "submitted_at"])
        # Review cycles: HR's changes to a running cycle (who is in, deadlines, phases closed
        # early), calibration's moves and locks, and the release. What reviews say is not here.
        auditlog.register(models.Cycle, include_fields=["name", "period_start", "period_end", "peer_reviews_shared", "calibration_locked_at", "released_at"])
        auditlog.register(models.Phase, include_fields=["opens_on", "closes_on", "closed_early_at"])
        auditlog.register(models.Participant, include_fields=["person", "added_late", "removed_at", "removed_reason", "rating"])
        auditlog.register(models.CalibrationMove)
        auditlog.register(models.Nomination, include_fields=["participant", "peer", "status", "decided_by"])
        auditlog.register(models.Review, include_fields=["participant", "author", "kind", "submitted_at"])
        # Promotion packets: each step, rating and decision with its reason; endorsements
        # asked and answered; that a member voted, and when (how, and why, the packet shows
        # its committee once each has voted: an HR admin on the committee reads this log).
        auditlog.register(
            models.Packet,
            include_fields=[
                "status", "sponsor", "sponsored_at", "target_level", "committee", "submitted_at", "routed_at",
                "decided_by", "decided_at", "decision_reason", "effective_date", "reopened_from",
            ],
        )
        auditlog.register(models.Evidence, include_fields=["packet", "competency", "self_rating", "manager_rating"])
        auditlog.register(models.Endorsement, include_fields=["packet", "endorser", "requested_by", "submitted_at", "declined_at"])
        auditlog.register(models.Vote, include_fields=["packet", "member", "voted_at"])
        auditlog.register(models.Committee, m2m_fields={"members", "departments"})
        # Kits are HR's configuration: every change is history.
        auditlog.register(models.Kit)
        auditlog.register(models.KitCompetency)
        auditlog.register(models.Question, m2m_fields={"competencies"})
        auditlog.register(models.ScalePoint)
