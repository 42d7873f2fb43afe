from __future__ import annotations

from dataclasses import dataclass

import pytest

from mentorship.models import MentorProfile, Program
from tests.mentorship import factories


@dataclass
class World:
    """The engineer (l2, rated 1 everywhere by their manager) and the outsider (l4, rated 4),
    who offers to mentor in every competency; one program open to everyone."""

    version: object
    program: Program
    profile: MentorProfile


@pytest.fixture
def world(engineer, manager, outsider, hr) -> World:
    version = factories.framework()
    factories.placed(engineer, version, "l2", rated_by=manager, value=1)
    factories.placed(outsider, version, "l4", rated_by=outsider.manager, value=4)
    factories.placed(manager, version, "l4", rated_by=manager.manager, value=5)
    profile = factories.mentor(outsider)
    return World(version=version, program=factories.program(), profile=profile)
