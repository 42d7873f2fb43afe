"""Reading review cycles, always through what the reader may see now.

- A draft review is read by its author alone.
- A submitted self, peer or manager review is read by its author, by everyone above the
  participant in the reporting line today, and by HR admins.
- The participant reads, once the cycle's results are released: their own self review,
  the manager review, their overall rating, and the peer reviews if the cycle shares them.
  Nothing of their results before the release.
- Upward reviews are never read one by one except by their author. The manager they are
  about (and HR) read them only in aggregate, and only with UPWARD_MIN responses or more;
  with fewer, not even how many there are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from people.models import User

from ..models import Cycle, Nomination, Participant, Phase, Review, ReviewAnswer, ReviewRating
from ..services.cycles import phase_state

UPWARD_MIN = 3


def _active(viewer: User) -> bool:
    return bool(viewer.is_authenticated and viewer.is_active)


def _above(viewer: User) -> Q:
    """Participants below `viewer` in the reporting line today."""
    if not viewer.reporting_path:
        return Q(pk__in=[])
    return Q(participant__person__reporting_path__below=viewer.reporting_path)


def reviews_visible_to(viewer: User) -> QuerySet[Review]:
    """Every review `viewer` may read, one by one (never another's upward review)."""
    if not _active(viewer):
        return Review.objects.none()
    mine = Q(author=viewer)
    read = Q(submitted_at__isnull=False) & ~Q(kind=Review.Kind.UPWARD)
    others = _above(viewer)
    if viewer.sees_everyone:
        others = Q()
    released_to_subject = Q(participant__person=viewer, participant__cycle__released_at__isnull=False) & (
        Q(kind__in=[Review.Kind.SELF, Review.Kind.MANAGER])
        | Q(kind=Review.Kind.PEER, participant__cycle__peer_reviews_shared=True)
    )
    # About themselves, nobody reads more than the subject does, whatever else they are (HR included).
    about_me = Q(participant__person=viewer)
    return Review.objects.filter(mine | (read & ((others & ~about_me) | released_to_subject)))


def review_get_for_user(viewer: User, pk: int) -> Review:
    review = (
        reviews_visible_to(viewer)
        .select_related("participant__cycle", "participant__person", "participant__level", "author", "proposed_level")
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    return review


def results_visible(viewer: User, participant: Participant) -> bool:
    """Whether `viewer` reads `participant`'s overall rating: HR and the managers above them
    at any time; the participant once released."""
    if not _active(viewer):
        return False
    if viewer.pk == participant.person_id:
        return participant.cycle.released_at is not None
    return viewer.sees_everyone or viewer.manages(participant.person)


# --- Upward reviews, in aggregate -----------------------------------------------------------------


@dataclass(frozen=True)
class UpwardSummary:
    """What the reports of a manager said, together: how many answered, how their ratings
    spread per competency, and the written answers per section in no order of authorship."""

    responses: int
    ratings: dict[int, Counter]
    answers: dict[int, list[str]]


def upward_summary(viewer: User, participant: Participant) -> UpwardSummary | None:
    """The aggregate of the submitted upward reviews of `participant`, for the participant
    themselves (once released) or HR (once upward reviews have closed: read while answers
    still came in, two visits apart would show what one report said and when); None for
    anyone else, and for everyone when fewer than UPWARD_MIN reports answered. At most four
    queries."""
    if not _active(viewer):
        return None
    released = participant.cycle.released_at is not None
    hr = viewer.sees_everyone and viewer.pk != participant.person_id
    own = viewer.pk == participant.person_id and released
    if not (hr or own):
        return None
    if hr and not released:
        phase = Phase.objects.filter(cycle_id=participant.cycle_id, kind=Phase.Kind.UPWARD).first()
        if phase is None or phase_state(phase) != "closed":
            return None
    submitted = Review.objects.filter(participant=participant, kind=Review.Kind.UPWARD, submitted_at__isnull=False)
    responses = submitted.count()
    if responses < UPWARD_MIN:
        return None
    ratings: dict[int, Counter] = {}
    for competency, rating in ReviewRating.objects.filter(review__in=submitted).exclude(rating="").values_list(
        "competency_id", "rating"
    ):
        ratings.setdefault(competency, Counter())[rating] += 1
    answers: dict[int, list[str]] = {}
    for section, text in ReviewAnswer.objects.filter(review__in=submitted).exclude(text="").values_list("section_id", "text"):
        answers.setdefault(section, []).append(text)
    # Sorted by their words: neither the authors' order nor when they wrote shows.
    return UpwardSummary(responses, ratings, {section: sorted(texts) for section, texts in answers.items()})


# --- Cycles -------------------------------------------------------------------------------------


def cycles_for_hr(viewer: User) -> QuerySet[Cycle]:
    if not (_active(viewer) and viewer.sees_everyone):
        return Cycle.objects.none()
    return Cycle.objects.all()


def cycle_get_for_hr(viewer: User, pk: int) -> Cycle:
    cycle = cycles_for_hr(viewer).filter(pk=pk).first()
    if cycle is None:
        raise Http404("No such cycle.")
    return cycle


def participation_of(viewer: User) -> QuerySet[Participant]:
    """The viewer's own places in cycles (not taken out), newest cycle first."""
    if not _active(viewer):
        return Participant.objects.none()
    return (
        Participant.objects.filter(person=viewer, removed_at=None)
        .select_related("cycle", "level")
        .order_by("-cycle__period_end", "-cycle_id")
    )


# --- What someone has to do in cycles ------------------------------------------------------------


@dataclass
class Task:
    """One review someone writes (or wrote) in a running cycle."""

    cycle: Cycle
    participant: Participant
    kind: str
    phase: object
    state: str  # the phase's: upcoming, open, closed
    review: Review | None

    @property
    def status(self) -> str:
        if self.review is not None and self.review.submitted_at:
            return "submitted"
        return "draft" if self.review is not None else "not started"


def my_tasks(viewer: User) -> dict:
    """The viewer's reviews to write in cycles not yet released (their self review, peer
    reviews they were approved for, upward reviews of their manager, manager reviews of
    their reports), their nominations, and their released results. A constant number of
    queries."""
    if not _active(viewer):
        return {"tasks": [], "nominations": [], "released": [], "teams": []}
    running = Participant.objects.filter(removed_at=None, cycle__released_at=None).select_related("cycle", "person")
    own = list(running.filter(person=viewer))
    peers = list(running.filter(nominations__peer=viewer, nominations__status=Nomination.Status.APPROVED).exclude(person=viewer))
    upward = list(running.filter(person_id=viewer.manager_id, cycle__phases__kind=Phase.Kind.UPWARD)) if viewer.manager_id else []
    reports = list(running.filter(person__manager=viewer, person__is_active=True))
    cycles = {p.cycle_id for p in own + peers + upward + reports}
    phases = {(ph.cycle_id, ph.kind): ph for ph in Phase.objects.filter(cycle_id__in=cycles)}
    written = {
        (r.participant_id, r.kind): r
        for r in Review.objects.filter(author=viewer, participant__cycle_id__in=cycles).only(
            "pk", "participant_id", "kind", "submitted_at"
        )
    }
    tasks = []
    for kind, rows in (
        (Review.Kind.SELF, own), (Review.Kind.PEER, peers), (Review.Kind.UPWARD, upward), (Review.Kind.MANAGER, reports)
    ):
        for participant in rows:
            phase = phases.get((participant.cycle_id, kind))
            if phase is None:
                continue
            tasks.append(Task(participant.cycle, participant, kind, phase, phase_state(phase), written.get((participant.pk, kind))))
    tasks.sort(key=lambda t: (t.state != "open", t.phase.closes_on, t.participant.person.name))
    nominations = {cycle_id: phase for (cycle_id, kind), phase in phases.items() if kind == Phase.Kind.NOMINATIONS}
    released = list(
        Participant.objects.filter(person=viewer, removed_at=None, cycle__released_at__isnull=False)
        .select_related("cycle").order_by("-cycle__released_at")[:10]
    )
    proposed = dict(
        Nomination.objects.filter(participant__in=[p.pk for p in reports], status=Nomination.Status.PROPOSED)
        .values("participant").annotate(n=Count("pk")).values_list("participant", "n")
    ) if reports else {}
    return {
        "tasks": tasks,
        "nominations": [
            (p, nominations[p.cycle_id], phase_state(nominations[p.cycle_id]), proposed.get(p.pk, 0))
            for p in own + reports
            if p.cycle_id in nominations and phase_state(nominations[p.cycle_id]) != "closed"
        ],
        "released": released,
        # Every running cycle with someone below the viewer in it: their team status and
        # calibration, for a director whose own reports are not reviewed too.
        "teams": list(
            Cycle.objects.filter(
                released_at=None, participants__removed_at=None,
                participants__person__reporting_path__below=viewer.reporting_path,
            ).distinct().order_by("-period_end", "pk")
        ) if viewer.reporting_path else [],
    }


def participants_page(
    rows: QuerySet, number, *, per_page: int, related: tuple[str, ...] = (), order: tuple[str, ...] = ("person__name", "pk")
) -> tuple[Page, list[Participant]]:
    """One page of the participants `rows`, in `order`: the page and its participants with
    `related` read along. Paged over ids alone, then the page's rows read whole in one query:
    sorting a whole population's rows with their people, managers and levels joined costs
    three times as much at 10,000 people. Two queries, as a plain page."""
    page = Paginator(rows.order_by(*order).values_list("pk", flat=True), per_page).get_page(number)
    shown = Participant.objects.filter(pk__in=page.object_list).select_related(*related).order_by(*order)
    return page, list(shown)
