"""Reminders for managers about their team's feedback, registered with people.reminders."""
