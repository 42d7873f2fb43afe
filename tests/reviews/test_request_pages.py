"""Pages of feedback requests: the list, asking, reading a request, answering and declining."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ladders.models import Competency
from people.models import Notification
from reviews.models import Feedback, FeedbackAsk, FeedbackRequest
from reviews.services.requests import feedback_request_answer, feedback_request_create, feedback_request_decline
from tests.conftest import flashed, login, page_queries
from tests.ladders.factories import document, place, publish, reports_to
from tests.people.factories import UserFactory

PRIVATE_QUESTION = "Is Ada ready to lead the payments team?"
SHARED_QUESTION = "How did I run the checkout migration?"


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=3, competencies=2, areas=2))


@pytest.fixture
def placed(engineer, backend):
    place(engineer, backend, "l2")
    return engineer


def due(days: int = 7) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def make(requester, subject, respondents, **changes) -> FeedbackRequest:
    values = {
        "respondent_ids": [r.pk for r in respondents],
        "visibility": "shared",
        "due_on": due(),
        "question": SHARED_QUESTION,
        **changes,
    }
    return feedback_request_create(requester=requester, subject=subject, **values)


@pytest.fixture
def shared(placed, peer, outsider, backend):
    tag = Competency.objects.get(version=backend, slug="c0-0")
    return make(placed, placed, [peer, outsider], competency_ids=[tag.pk], project="Checkout")


@pytest.fixture
def private(manager, placed, peer):
    return make(manager, placed, [peer], visibility="private", question=PRIVATE_QUESTION)


def ask_of(request: FeedbackRequest, person) -> FeedbackAsk:
    return request.asks.get(respondent=person)


def text(response) -> str:
    return response.content.decode()


# --- The list ---------------------------------------------------------------------------


def test_it_lists_what_i_asked_with_each_colleagues_status(shared, placed, peer, outsider):
    feedback_request_answer(ask=ask_of(shared, peer), respondent=peer, kind="praise", body="Calm and clear.")
    feedback_request_decline(ask=ask_of(shared, outsider), respondent=outsider)
    page = text(login(placed).get(reverse("reviews:requests")))
    assert SHARED_QUESTION in page and "About you" in page
    assert "Sam Rivera: <span class=\"badge badge--submitted\">Answered</span>" in page
    assert "Nora Quinn: <span class=\"badge\">Declined</span>" in page
    assert 'aria-current="page">Requests</a>' in page


def test_it_lists_what_i_was_asked_open_first_and_marks_the_overdue(shared, private, peer, manager, placed):
    late = make(manager, placed, [peer], question="Late one", due_on=timezone.localdate())
    FeedbackRequest.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=2))
    feedback_request_answer(ask=ask_of(shared, peer), respondent=peer, kind="praise", body="Calm and clear.")
    response = login(peer).get(reverse("reviews:requests"))
    asks = list(response.context["asked"])
    assert [a.request_id for a in asks] == [late.pk, private.pk, shared.pk]
    page = text(response)
    assert "Overdue" in page
    assert reverse("reviews:ask_decline", args=[ask_of(private, peer).pk]) in page
    assert reverse("reviews:ask_decline", args=[ask_of(shared, peer).pk]) not in page  # answered


def test_it_never_shows_the_subject_a_private_request_not_even_as_a_count(shared, private, placed):
    response = login(placed).get(reverse("reviews:requests"))
    assert response.context["mine"].paginator.count == 1
    assert [r.pk for r in response.context["mine"]] == [shared.pk]
    assert PRIVATE_QUESTION not in text(response)


def test_a_manager_sees_requests_about_their_reports(shared, private, manager, placed):
    response = login(manager).get(reverse("reviews:requests"))
    assert {r.pk for r in response.context["mine"]} == {shared.pk, private.pk}
    page = text(response)
    assert f"{reverse('reviews:request_new')}?about={placed.pk}" in page
    assert "About Ada Okafor" in page


def test_a_former_manager_sees_nothing_of_their_old_report(shared, private, manager, placed, outsider):
    reports_to(placed, outsider.manager)
    response = login(manager).get(reverse("reviews:requests"))
    assert response.context["mine"].paginator.count == 0
    assert PRIVATE_QUESTION not in text(response)


def test_the_list_answers_get_only_and_signed_in(db, engineer):
    response = login(engineer).post(reverse("reviews:requests"))
    assert response.status_code == 405
    from django.test import Client

    response = Client().get(reverse("reviews:requests"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Asking -----------------------------------------------------------------------------


def test_it_offers_a_form_about_myself_with_shared_answers_only(placed):
    response = login(placed).get(reverse("reviews:request_new"))
    assert response.status_code == 200
    page = text(response)
    assert 'name="visibility" value="shared"' in page and 'value="private"' not in page
    assert "You will read the answers, and so will your manager chain and HR." in page
    assert f'value="{due().isoformat()}"' in page  # a week ahead
    assert page.count('name="competencies"') == 4  # two areas of two
    assert 'hx-get="/feedback/people/"' in page and f'"exclude": "{placed.pk}"' in page


def test_a_manager_asks_about_a_report_with_both_visibilities_explained(manager, placed):
    response = login(manager).get(reverse("reviews:request_new"), {"about": placed.pk})
    assert response.status_code == 200
    page = text(response)
    assert "Ask for feedback about Ada Okafor" in page
    assert "Only Ada&#x27;s manager chain will read the answers. Ada will never see this request" in page
    assert "Ada will read the answers, and so will Ada&#x27;s manager chain and HR." in page


def test_it_says_when_there_is_no_competency_to_name(manager, engineer):
    page = text(login(manager).get(reverse("reviews:request_new"), {"about": engineer.pk}))
    assert 'name="competencies"' not in page
    assert "Ada has no level on a career framework yet" in page


@pytest.mark.parametrize("about", ["peer", "skip_level", "outsider", "nonsense"])
def test_nobody_asks_about_someone_who_does_not_report_to_them(request, engineer, peer, skip_level, outsider, about):
    value = "abc" if about == "nonsense" else request.getfixturevalue(about).pk
    assert login(engineer).get(reverse("reviews:request_new"), {"about": value}).status_code == 404
    assert login(engineer).post(f"{reverse('reviews:request_new')}?about={value}", {}).status_code == 404


def test_a_former_manager_cannot_ask_about_their_old_report(manager, placed, outsider):
    reports_to(placed, outsider.manager)
    assert login(manager).get(reverse("reviews:request_new"), {"about": placed.pk}).status_code == 404
    # A skip-level asks through the manager, not directly.
    assert login(outsider.manager.manager or outsider.manager).get(reverse("reviews:request_new"), {"about": placed.pk}).status_code == 200


def test_it_prefills_colleagues_from_the_link_leaving_out_the_subject_and_leavers(manager, placed, peer, outsider):
    leaver = UserFactory(is_active=False, name="Gone Person")
    url = f"{reverse('reviews:request_new')}?about={placed.pk}&ask={peer.pk}&ask={outsider.pk}&ask={placed.pk}&ask={leaver.pk}&ask=x"
    page = text(login(manager).get(url))
    assert f'name="respondents" value="{peer.pk}" checked' in page
    assert f'name="respondents" value="{outsider.pk}" checked' in page
    assert f'value="{placed.pk}" checked' not in page and "Gone Person" not in page


def test_it_ticks_the_competency_my_path_links_with(placed, backend):
    tag = Competency.objects.get(version=backend, slug="c1-1")
    page = text(login(placed).get(reverse("reviews:request_new"), {"competency": [tag.slug, "unknown"]}))
    assert f'value="{tag.pk}" checked' in page and page.count(" checked>") == 2  # and the one visibility


def test_it_asks_colleagues_named_by_address_and_by_search(placed, peer, outsider, backend):
    tag = Competency.objects.get(version=backend, slug="c1-0")
    response = login(placed).post(
        reverse("reviews:request_new"),
        {
            "respondents": [peer.pk],
            "respondent_emails": f"  {outsider.email.upper()},\n{peer.email}\n",
            "question": "How was my design review?",
            "project": "Checkout",
            "competencies": [tag.pk],
            "visibility": "shared",
            "due_on": due(10).isoformat(),
        },
    )
    request = FeedbackRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reviews:request", args=[request.pk])
    assert flashed(response) == ["Asked 2 colleagues; they have been told, and will be reminded before it is due."]
    assert [a.respondent for a in request.asks.all()] == [peer, outsider]
    assert (request.requester, request.subject, request.project, request.due_on) == (placed, placed, "Checkout", due(10))
    assert list(request.competencies.all()) == [tag]
    assert Notification.objects.filter(rule="reviews.feedback_asked").count() == 2


def test_a_manager_asks_privately_about_a_report(manager, placed, peer):
    response = login(manager).post(
        f"{reverse('reviews:request_new')}?about={placed.pk}",
        {"respondent_emails": peer.email, "question": PRIVATE_QUESTION, "visibility": "private", "due_on": due().isoformat()},
    )
    assert response.status_code == 302
    request = FeedbackRequest.objects.get()
    assert (request.subject, request.visibility) == (placed, "private")
    assert not Notification.objects.filter(recipient=placed).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"respondent_emails": "nobody@example.com, peer@example.com"}, "respondent_emails", "Nobody here has the address nobody@example.com."),
        ({"respondent_emails": "left@example.com"}, "respondent_emails", "left@example.com (Lee Left) no longer works here."),
        ({"respondent_emails": ""}, "respondents", "Name at least one colleague to ask."),
        ({"respondent_emails": "engineer@example.com"}, "respondents", "Ada is who the feedback is about: ask others."),
        ({"visibility": "private"}, "visibility", "Answers to a request about yourself are shared with you"),
        ({"due_on": "yesterday"}, "due_on", "Enter a date, e.g. 2026-03-14."),
        ({"due_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}, "due_on", "Choose a due date from today on."),
        ({"question": ""}, "question", "Say what you would like feedback on"),
        ({"respondents": ["x"]}, "respondents", "Choose colleagues from the search."),
        ({"respondents": [999999]}, "respondents", "Choose colleagues who work here."),
        ({"competencies": [999999]}, "competencies", "Select a valid choice."),
    ],
)
def test_it_refuses_bad_input_at_the_field_and_writes_nothing(placed, peer, changes, field, message):
    UserFactory(email="left@example.com", name="Lee Left", is_active=False)
    data = {"respondent_emails": peer.email, "question": SHARED_QUESTION, "visibility": "shared", "due_on": due().isoformat(), **changes}
    response = login(placed).post(reverse("reviews:request_new"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert any(e.startswith(message) for e in errors[field]), errors[field]
    assert message.split(":")[0].replace("'", "&#x27;")[:30] in text(response)
    assert not FeedbackRequest.objects.exists() and not FeedbackAsk.objects.exists()
    assert not Notification.objects.exists()


def test_the_asking_page_answers_get_and_post_only_signed_in(db, engineer):
    assert login(engineer).put(reverse("reviews:request_new")).status_code == 405
    from django.test import Client

    response = Client().post(reverse("reviews:request_new"), {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not FeedbackRequest.objects.exists()


# --- A request --------------------------------------------------------------------------


def test_the_requester_reads_the_request_statuses_and_answers(shared, placed, peer, outsider, backend):
    feedback_request_answer(ask=ask_of(shared, peer), respondent=peer, kind="praise", body="Calm and clear.")
    feedback_request_decline(ask=ask_of(shared, outsider), respondent=outsider, reason="Not on that project.")
    response = login(placed).get(reverse("reviews:request", args=[shared.pk]))
    assert response.status_code == 200
    page = text(response)
    tag = Competency.objects.get(version=backend, slug="c0-0")
    assert SHARED_QUESTION in page and "Checkout" in page and f"<li>{tag.name}</li>" in page
    assert "Calm and clear." in page
    assert "Not on that project." in page  # the requester reads why
    assert "You will read the answers, and so will your manager chain and HR." in page


def test_hr_and_the_manager_chain_read_a_shared_request(shared, peer, hr, manager, skip_level):
    feedback_request_answer(ask=ask_of(shared, peer), respondent=peer, kind="praise", body="Calm and clear.")
    for reader in (hr, manager, skip_level):
        response = login(reader).get(reverse("reviews:request", args=[shared.pk]))
        assert response.status_code == 200, reader
        assert "Calm and clear." in text(response)


def test_a_private_request_is_read_by_the_manager_chain_only(private, placed, peer, manager, skip_level, hr, outsider):
    feedback_request_answer(ask=ask_of(private, peer), respondent=peer, kind="growth", body="Plans could come sooner.")
    url = reverse("reviews:request", args=[private.pk])
    for reader in (manager, skip_level):
        response = login(reader).get(url)
        assert response.status_code == 200 and "Plans could come sooner." in text(response)
    for stranger in (placed, hr, outsider):
        assert login(stranger).get(url).status_code == 404, stranger


def test_a_colleague_asked_is_sent_to_their_ask(shared, peer):
    response = login(peer).get(reverse("reviews:request", args=[shared.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:ask", args=[ask_of(shared, peer).pk])


def test_a_former_manager_reads_nothing_of_what_they_asked(private, manager, placed, outsider):
    reports_to(placed, outsider.manager)
    assert login(manager).get(reverse("reviews:request", args=[private.pk])).status_code == 404


def test_a_request_page_answers_get_only(shared, placed):
    assert login(placed).post(reverse("reviews:request", args=[shared.pk])).status_code == 405


# --- Answering and declining ------------------------------------------------------------


def test_the_colleague_asked_sees_the_request_and_who_will_read_the_answer(shared, private, peer, backend):
    response = login(peer).get(reverse("reviews:ask", args=[ask_of(shared, peer).pk]))
    page = text(response)
    assert response.status_code == 200
    assert "Ada Okafor asks for feedback about themselves" in page
    assert "Your answer will be shared with Ada, Ada&#x27;s manager chain and HR." in page
    tag = Competency.objects.get(version=backend, slug="c0-0")
    assert f'value="{tag.pk}" checked' in page  # the request's competencies, ticked
    page = text(login(peer).get(reverse("reviews:ask", args=[ask_of(private, peer).pk])))
    assert "Your answer will be private to Ada&#x27;s manager chain: Ada will never see it" in page
    assert "Marcus Chen asks for feedback about Ada Okafor" in page


def test_it_answers_once_and_then_shows_the_answer_without_a_form(shared, peer, placed, backend):
    ask = ask_of(shared, peer)
    url = reverse("reviews:ask", args=[ask.pk])
    tag = Competency.objects.get(version=backend, slug="c1-1")
    response = login(peer).post(url, {"kind": "growth", "body": "Write the plan down first.", "competencies": [tag.pk]})
    assert response.status_code == 302 and response["Location"] == url
    feedback = Feedback.objects.get()
    assert (feedback.giver, feedback.subject, feedback.kind, feedback.visibility) == (peer, placed, "growth", "shared")
    assert list(feedback.competencies.all()) == [tag]
    page = text(login(peer).get(url))
    assert "You answered on" in page and "Write the plan down first." in page and "Send answer" not in page

    response = login(peer).post(url, {"kind": "praise", "body": "Once more."})
    assert response.status_code == 400
    assert response.context["form"].errors == {"body": ["You have already answered this request."]}
    assert Feedback.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "praise", "body": "   "}, "body", "Write what they did and why it mattered."),
        ({"kind": "cheer", "body": "Nice."}, "kind", "Choose praise or growth."),
        ({"body": "Nice."}, "kind", "Choose praise or growth."),
        ({"kind": "praise", "body": "x" * 5001}, "body", "Keep it under 5,000 characters"),
        ({"kind": "praise", "body": "Nice.", "competencies": ["999999"]}, "competencies", "Select a valid choice."),
    ],
)
def test_a_bad_answer_is_refused_at_its_field(shared, peer, data, field, message):
    ask = ask_of(shared, peer)
    response = login(peer).post(reverse("reviews:ask", args=[ask.pk]), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and errors[field][0].startswith(message), errors
    assert not Feedback.objects.exists()
    ask.refresh_from_db()
    assert ask.status == "open"


def test_it_declines_with_a_reason_and_tells_the_requester(shared, peer, placed):
    ask = ask_of(shared, peer)
    url = reverse("reviews:ask_decline", args=[ask.pk])
    assert "Why (optional)" in text(login(peer).get(url))
    response = login(peer).post(url, {"reason": "Not on that project."})
    assert response.status_code == 302 and response["Location"] == reverse("reviews:requests")
    ask.refresh_from_db()
    assert (ask.status, ask.decline_reason) == ("declined", "Not on that project.")
    assert Notification.objects.filter(recipient=placed, rule="reviews.request_declined").count() == 1
    # Closed: the decline page sends them to what became of it; declining again is refused.
    assert login(peer).get(url)["Location"] == reverse("reviews:ask", args=[ask.pk])
    page = text(login(peer).get(reverse("reviews:ask", args=[ask.pk])))
    assert "You declined on" in page and "Send answer" not in page
    response = login(peer).post(url, {"reason": "Again"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"reason": ["You declined this request; it is closed."]}


def test_a_too_long_reason_is_refused_at_its_field(shared, peer):
    ask = ask_of(shared, peer)
    response = login(peer).post(reverse("reviews:ask_decline", args=[ask.pk]), {"reason": "x" * 301})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    ask.refresh_from_db()
    assert ask.status == "open"


def test_an_ask_about_someone_who_left_is_closed(shared, peer, placed):
    placed.is_active = False
    placed.save()
    ask = ask_of(shared, peer)
    page = text(login(peer).get(reverse("reviews:ask", args=[ask.pk])))
    assert "no longer works here" in page and "Send answer" not in page
    response = login(peer).post(reverse("reviews:ask", args=[ask.pk]), {"kind": "praise", "body": "Late."})
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_only_the_colleague_asked_opens_their_ask(shared, private, placed, manager, skip_level, hr, outsider, peer):
    ask = ask_of(private, peer)
    for stranger in (placed, manager, skip_level, hr, outsider):
        for name in ("reviews:ask", "reviews:ask_decline"):
            client = login(stranger)
            assert client.get(reverse(name, args=[ask.pk])).status_code == 404
            assert client.post(reverse(name, args=[ask.pk]), {"kind": "praise", "body": "Not mine."}).status_code == 404
    ask.refresh_from_db()
    assert ask.status == "open" and not Feedback.objects.exists()


def test_answering_and_declining_answer_get_and_post_only_signed_in(shared, peer):
    from django.test import Client

    ask = ask_of(shared, peer)
    for name in ("reviews:ask", "reviews:ask_decline"):
        url = reverse(name, args=[ask.pk])
        assert login(peer).put(url).status_code == 405
        response = Client().post(url, {"kind": "praise", "body": "Anonymous."})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    ask.refresh_from_db()
    assert ask.status == "open"


# --- Who reaches what: every address of requests, every role ---------------------------

ROLES = ["anonymous", "subject", "giver", "peer", "manager", "skip_level", "hr", "outsider"]


@pytest.fixture
def cast(request, placed, peer, manager, skip_level, hr, outsider):
    """Ada the subject; Gil answers (the giver); Sam, a peer who was not asked."""
    giver = UserFactory(email="gil@example.com", name="Gil Giver")
    return {"subject": placed, "giver": giver, "peer": peer, "manager": manager, "skip_level": skip_level, "hr": hr, "outsider": outsider}


def _status(cast, role, method, url, data=None) -> int:
    from django.test import Client

    client = Client() if role == "anonymous" else login(cast[role])
    return (client.post(url, data or {}) if method == "post" else client.get(url)).status_code


@pytest.mark.parametrize("visibility", ["shared", "private"])
def test_every_role_reaches_what_it_may_and_nothing_else(cast, visibility):
    subject, giver, manager = cast["subject"], cast["giver"], cast["manager"]
    request = make(manager, subject, [giver], visibility=visibility)
    ask = ask_of(request, giver)
    feedback_request_answer(ask=make(subject, subject, [giver]).asks.get(), respondent=giver, kind="praise", body="Other.")
    detail = 200 if visibility == "shared" else 404
    expected = {
        # role: (list, new, request, ask, decline)
        "anonymous": (302, 302, 302, 302, 302),
        "subject": (200, 200, detail, 404, 404),
        "giver": (200, 200, 302, 200, 200),
        "peer": (200, 200, 404, 404, 404),
        "manager": (200, 200, 200, 404, 404),
        "skip_level": (200, 200, 200, 404, 404),
        "hr": (200, 200, detail, 404, 404),
        "outsider": (200, 200, 404, 404, 404),
    }
    urls = [
        reverse("reviews:requests"),
        reverse("reviews:request_new"),
        reverse("reviews:request", args=[request.pk]),
        reverse("reviews:ask", args=[ask.pk]),
        reverse("reviews:ask_decline", args=[ask.pk]),
    ]
    found = {role: tuple(_status(cast, role, "get", url) for url in urls) for role in ROLES}
    assert found == expected
    # Asking about Ada: only her manager (and Ada herself).
    about = f"{reverse('reviews:request_new')}?about={subject.pk}"
    assert {role: _status(cast, role, "get", about) for role in ROLES} == {
        "anonymous": 302, "subject": 200, "giver": 404, "peer": 404, "manager": 200,
        "skip_level": 404, "hr": 404, "outsider": 404,
    }
    # The subject of a private request: no page, no line, no count, no notification.
    if visibility == "private":
        page = login(subject).get(reverse("reviews:requests"))
        assert request.pk not in {r.pk for r in page.context["mine"]}
        assert not Notification.objects.filter(recipient=subject, subject=f"reviews.ask:{ask.pk}").exists()


# --- Pages cost the same queries with ten times the data ------------------------------


def _grow(subject, manager, times: int) -> None:
    for n in range(times):
        colleagues = [UserFactory(), UserFactory()]
        mine = make(subject, subject, colleagues, question=f"Mine {n}")
        feedback_request_answer(ask=mine.asks.first(), respondent=colleagues[0], kind="praise", body=f"Answer {n}")
        about = make(manager, subject, colleagues, visibility="private", question=f"About {n}")
        feedback_request_decline(ask=about.asks.first(), respondent=colleagues[0])
        # What Ada is asked, by colleagues about themselves.
        other = UserFactory(manager=manager)
        make(other, other, [subject, colleagues[1]], question=f"Asked {n}")


def test_pages_cost_the_same_queries_with_ten_times_the_data(placed, manager, peer):
    def measure() -> dict[str, int]:
        request = FeedbackRequest.objects.filter(requester=placed).order_by("-pk").first()
        ask = FeedbackAsk.objects.filter(respondent=placed).order_by("-pk").first()
        pages = {
            "list": (placed, reverse("reviews:requests")),
            "manager's list": (manager, reverse("reviews:requests")),
            "new": (placed, reverse("reviews:request_new")),
            "request": (placed, reverse("reviews:request", args=[request.pk])),
            "ask": (placed, reverse("reviews:ask", args=[ask.pk])),
        }
        return {name: page_queries(login(user), url) for name, (user, url) in pages.items()}

    _grow(placed, manager, 2)
    small = measure()
    _grow(placed, manager, 18)
    large = measure()
    assert small == large
    assert max(large.values()) <= 10, large
