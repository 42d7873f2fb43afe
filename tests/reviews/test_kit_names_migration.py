"""Upgrading to kit names kept apart and one open loop per candidate and kit: kits in use that
shared a name are numbered, and a candidate's open loops for one kit become the oldest one."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from ladders.models import Level
from reviews.models import Interview, Kit, Loop
from tests.ladders.factories import document, publish
from tests.people.factories import UserFactory

BEFORE = [("reviews", "0005_scorecard_revisions")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def old_models():
    return MigrationExecutor(connection).loader.project_state(BEFORE).apps


@pytest.mark.django_db(transaction=True)
def test_upgrading_numbers_shared_kit_names_and_merges_open_loops(manager, engineer, peer):
    version = publish(document())
    level = Level.objects.get(version=version, code="l2")
    track = version.tracks.get(slug="ic")
    try:
        migrate(BEFORE)
        apps = old_models()
        OldKit, OldLoop = apps.get_model("reviews", "Kit"), apps.get_model("reviews", "Loop")
        OldCandidate, OldInterview = apps.get_model("reviews", "Candidate"), apps.get_model("reviews", "Interview")
        start = timezone.now() - datetime.timedelta(days=3)

        def kit(name, days_ago, archived=False):
            return OldKit.objects.create(
                name=name, version_id=version.pk, track_id=track.pk, level_id=level.pk, is_archived=archived,
                created_at=start - datetime.timedelta(days=days_ago),
            )

        first, second, third = kit("Backend", 3), kit("BACKEND", 2), kit("backend", 1)
        kit("Backend", 4, archived=True)
        kit("Backend (2)", 5, archived=True)
        candidate = OldCandidate.objects.create(name="Grace Hopper")

        def loop(days_ago, **fields):
            return OldLoop.objects.create(
                candidate_id=candidate.pk, kit_id=first.pk, target_level_id=level.pk, hiring_manager_id=manager.pk,
                created_at=start - datetime.timedelta(days=days_ago), **fields,
            )

        oldest, twin, empty = loop(3), loop(2), loop(1)
        decided = loop(9, decision="no_hire", decision_reason="Not yet.", decided_at=start, decided_by_id=manager.pk)
        twin.hiring_team.add(peer.pk, manager.pk)
        OldInterview.objects.create(loop_id=twin.pk, stage="technical", starts_at=start)

        migrate(latest())

        names = dict(Kit.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("pk", "name"))
        assert names == {first.pk: "Backend", second.pk: "BACKEND (2)", third.pk: "backend (3)"}
        assert set(Loop.objects.values_list("pk", flat=True)) == {oldest.pk, decided.pk}
        assert Interview.objects.get().loop_id == oldest.pk
        assert list(Loop.objects.get(pk=oldest.pk).hiring_team.all()) == [peer]
    finally:
        migrate(latest())
