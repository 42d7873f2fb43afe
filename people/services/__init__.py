"""Writes about people: saving a person, importing an HRIS export, notifications and reminders."""

from .imports import ImportReport, people_import
from .notifications import (
    notification_email_deliver,
    notification_emails_send,
    notification_send,
    notifications_mark_read,
)
from .persons import is_reporting_circle, person_save
from .reminders import RuleRun, reminder_rules_sync, reminders_dispatch

__all__ = [
    "ImportReport",
    "RuleRun",
    "is_reporting_circle",
    "notification_email_deliver",
    "notification_emails_send",
    "notification_send",
    "notifications_mark_read",
    "people_import",
    "person_save",
    "reminder_rules_sync",
    "reminders_dispatch",
]
