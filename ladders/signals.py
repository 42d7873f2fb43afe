"""Signals other apps listen to."""

from django.dispatch import Signal

# Sent by `seed_demo` after the organisation, levels and assessments are in,
# inside its transaction and with the audit log off, so that apps built on
# ladders add their own demo data. Arguments: personas (handle → User, e.g.
# "engineer", "manager", "hr"), random (a seeded random.Random), stdout.
demo_seeded = Signal()

# Sent by `benchmark_pages` and `benchmark_http` to collect the pages of apps
# built on ladders. Receivers return a list of (persona, label, address),
# persona being a demo handle ("engineer", "manager", "hr" …).
bench_pages = Signal()
