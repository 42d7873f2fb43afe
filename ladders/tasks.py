from celery import shared_task

from .services.assessments import assessment_draft_reminders_send


@shared_task(acks_late=True)
def assessment_draft_reminders_dispatch() -> int:
    return assessment_draft_reminders_send()
