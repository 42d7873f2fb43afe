"""Reminders about feedback and its requests, registered with people.reminders."""
