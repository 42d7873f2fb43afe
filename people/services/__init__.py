"""Writes about people: saving a person, importing an HRIS export, notifications."""

from .imports import ImportReport, people_import
from .notifications import (
    notification_email_deliver,
    notification_emails_send,
    notification_send,
    notifications_mark_read,
)
from .persons import is_reporting_circle, person_save

__all__ = [
    "ImportReport",
    "is_reporting_circle",
    "notification_email_deliver",
    "notification_emails_send",
    "notification_send",
    "notifications_mark_read",
    "people_import",
    "person_save",
]
