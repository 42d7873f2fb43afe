"""Reminders of 1:1s, registered with people.reminders."""
