"""Reminders of interviews: scorecards overdue, and a hiring manager told when a loop's are all in."""
