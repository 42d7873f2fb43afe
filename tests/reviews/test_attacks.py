"""Feedback, requests and 1:1s tried the way a curious colleague, a former manager, a report,
an HR admin and an outsider would: other people's ids, odd input, double clicks, races, the
admin and the audit log. Each test names what holds."""

from __future__ import annotations

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from people.models import Notification
from people.services import reminders_dispatch
from people.services.notifications import notification_emails_send
from reviews.models import ActionItem, Feedback, FeedbackAsk, FeedbackReply, FeedbackRequest, Series
from reviews.selectors.feedback import competencies_for
from reviews.services import oneonones as services
from reviews.services.feedback import feedback_delete, feedback_edit, feedback_give, feedback_reply
from reviews.services.requests import feedback_request_answer, feedback_request_create, feedback_request_decline
from tests.conftest import TOTP_SECRET, at_once
from tests.ladders.factories import document, place, publish, reports_to
from tests.people.factories import UserFactory
from tests.people.rules import Rules
from tests.reviews.test_oneonones import first_meeting, start

HUGE = "9" * 30  # an id no database column holds
NOT_ASCII_DIGIT = "²"  # a digit to str.isdigit(), not to int()


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=3, competencies=2))


@pytest.fixture
def weekly(manager, engineer, backend):
    place(engineer, backend, "l2")
    series = start(manager, engineer)
    meeting = first_meeting(series)
    action = services.action_add(meeting=meeting, actor=manager, text="Draft the rollout plan", owner=engineer)
    return series, meeting, action


def soon(days: int = 3) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


# --- Relationships as they are now ------------------------------------------------------------


def test_a_former_manager_and_skip_level_read_nothing_of_a_report_after_a_move(
    as_user, manager, skip_level, engineer, peer, outsider, backend
):
    place(engineer, backend, "l2")
    private = feedback_give(giver=peer, subject=engineer, kind="growth", visibility="private", body="PRIVATE-WORDS")
    own = feedback_give(giver=manager, subject=engineer, kind="growth", visibility="private", body="MANAGERS-OWN-WORDS")
    asked = feedback_request_create(
        requester=manager, subject=engineer, respondent_ids=[peer.pk], visibility="private", due_on=soon(), question="READY?"
    )
    series = start(manager, peer)
    point = services.point_add(meeting=first_meeting(series), actor=peer, text="About Ada", feedback_id=private.pk)
    new_boss = outsider.manager
    reports_to(engineer, new_boss)
    engineer.refresh_from_db()

    for former in (manager, skip_level):
        client = as_user(former)
        assert client.get(reverse("reviews:person_feedback", args=[engineer.pk])).status_code == 404
        assert client.get(reverse("reviews:feedback", args=[private.pk])).status_code == 404
        assert client.get(reverse("reviews:request", args=[asked.pk])).status_code == 404
        for scope in ("direct", "all"):
            team = client.get(reverse("reviews:team"), {"scope": scope})
            assert team.status_code == 200
            assert engineer.pk not in [flow.person.pk for flow in team.context["flows"]]
    # What the former manager wrote stays theirs to read; what others wrote does not.
    assert as_user(manager).get(reverse("reviews:feedback", args=[own.pk])).status_code == 200
    meeting_page = as_user(manager).get(reverse("reviews:meeting", args=[point.meeting_id])).content.decode()
    assert "About Ada" in meeting_page and reverse("reviews:feedback", args=[private.pk]) not in meeting_page
    assert reverse("reviews:feedback", args=[private.pk]) in as_user(peer).get(
        reverse("reviews:meeting", args=[point.meeting_id])
    ).content.decode()
    # The new manager reads all of it.
    client = as_user(new_boss)
    assert "PRIVATE-WORDS" in client.get(reverse("reviews:person_feedback", args=[engineer.pk])).content.decode()
    assert "READY?" in client.get(reverse("reviews:request", args=[asked.pk])).content.decode()
    # The former manager is told nothing of answers to what they asked.
    feedback_request_answer(ask=asked.asks.get(), respondent=peer, kind="growth", body="NOT-YET")
    assert not Notification.objects.filter(recipient=manager, rule__startswith="reviews.request").exists()


# --- Malformed input answers 4xx, never 500 -----------------------------------------------------


def test_it_refuses_ids_written_in_digits_other_than_0_to_9(as_user, manager, engineer, weekly):
    _, meeting, action = weekly
    client = as_user(manager)

    assert client.get(reverse("reviews:person_search"), {"q": "ada", "exclude": NOT_ASCII_DIGIT}).status_code == 400
    assert client.get(reverse("reviews:competency_picker"), {"to": NOT_ASCII_DIGIT}).status_code == 404
    # The meeting a carried action is shown on: one not understood is its own meeting.
    response = client.post(reverse("reviews:action", args=[action.pk]), {"do": "done", "meeting": NOT_ASCII_DIGIT})
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()


def test_it_refuses_colleagues_asked_by_ids_too_large_for_the_database(as_user, manager, engineer, peer):
    client = as_user(manager)
    url = reverse("reviews:request_new") + f"?about={engineer.pk}"

    assert client.get(url + f"&ask={HUGE}&ask={peer.pk}").status_code == 200
    response = client.post(
        url, {"respondents": [HUGE], "visibility": "private", "due_on": soon().isoformat(), "question": "How did it go?"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["respondents"] == ["Choose colleagues who work here."]
    assert not FeedbackRequest.objects.exists()


def test_it_finds_no_request_by_an_id_too_large_for_the_database(as_user, engineer):
    response = as_user(engineer).get(reverse("reviews:request", args=[int(HUGE)]))

    assert response.status_code == 404


# --- Words that reach e-mail headers -----------------------------------------------------------


def test_an_overdue_action_typed_over_two_lines_is_reminded_in_a_one_line_subject(as_user, monkeypatch, manager, engineer, weekly):
    _, meeting, _ = weekly
    rules = Rules(monkeypatch)
    rules.keep("reviews.action_overdue")
    as_user(manager).post(
        reverse("reviews:action_add", args=[meeting.pk]),
        {"text": "Book the room\r\nBcc: everyone@example.com", "owner": engineer.pk},
    )
    action = ActionItem.objects.get(text__startswith="Book the room")
    ActionItem.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=2))
    mail.outbox.clear()

    reminders_dispatch()
    notification_emails_send()

    told = Notification.objects.get(rule="reviews.action_overdue")
    assert told.title.endswith(": Book the room Bcc: everyone@example.com")
    overdue = [message for message in mail.outbox if "Overdue since" in message.subject]
    assert [message.to for message in overdue] == [[engineer.email]]
    assert "\n" not in overdue[0].subject


# --- Forms from other sites ---------------------------------------------------------------------


def test_every_form_refuses_a_post_without_the_csrf_token(engineer, peer, manager, weekly):
    series, meeting, action = weekly
    point = services.point_add(meeting=meeting, actor=manager, text="Roadmap")
    feedback = feedback_give(giver=peer, subject=engineer, kind="praise", visibility="shared", body="Calm.")
    asked = feedback_request_create(
        requester=engineer, subject=engineer, respondent_ids=[peer.pk], visibility="shared", due_on=soon(), question="Demo?"
    )
    ask = asked.asks.get()
    posts = {
        engineer: [
            reverse("reviews:give"), reverse("reviews:request_new"),
            reverse("reviews:feedback_react", args=[feedback.pk]), reverse("reviews:feedback_reply", args=[feedback.pk]),
            reverse("reviews:series_new"), reverse("reviews:series_edit", args=[series.pk]),
            reverse("reviews:series_end", args=[series.pk]), reverse("reviews:point_add", args=[meeting.pk]),
            reverse("reviews:point", args=[point.pk]), reverse("reviews:action_add", args=[meeting.pk]),
            reverse("reviews:action", args=[action.pk]), reverse("reviews:note", args=[meeting.pk]),
        ],
        peer: [
            reverse("reviews:feedback_edit", args=[feedback.pk]), reverse("reviews:feedback_delete", args=[feedback.pk]),
            reverse("reviews:ask", args=[ask.pk]), reverse("reviews:ask_decline", args=[ask.pk]),
        ],
    }
    for person, urls in posts.items():
        client = Client(enforce_csrf_checks=True)
        client.force_login(person)
        for url in urls:
            assert client.post(url, {"body": "x", "do": "done"}, HTTP_HX_REQUEST="true").status_code == 403, url
    assert Feedback.objects.count() == 1 and FeedbackReply.objects.count() == 0
    assert Series.objects.get().ended_at is None


# --- Markup and addresses typed by people ------------------------------------------------------

SCRIPT = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


def test_words_and_names_with_markup_are_shown_as_text_everywhere(as_user, manager, engineer, peer, backend):
    place(engineer, backend, "l2")
    mallory = UserFactory(email="mallory@example.com", name=f"Mallory {SCRIPT}", title=SCRIPT, manager=manager)
    feedback = feedback_give(giver=mallory, subject=engineer, kind="praise", visibility="shared", body=SCRIPT, project=SCRIPT)
    feedback_reply(feedback=feedback, author=engineer, body=SCRIPT)
    asked = feedback_request_create(
        requester=manager, subject=engineer, respondent_ids=[mallory.pk, peer.pk], visibility="shared", due_on=soon(),
        question=SCRIPT, project=SCRIPT,
    )
    feedback_request_answer(ask=asked.asks.get(respondent=mallory), respondent=mallory, kind="praise", body=SCRIPT)
    series = services.series_create(
        actor=mallory, other=engineer, cadence="weekly", first_at=timezone.now() + datetime.timedelta(days=1), title=SCRIPT
    )
    meeting = series.meetings.get()
    services.point_add(meeting=meeting, actor=mallory, text=SCRIPT)
    services.action_add(meeting=meeting, actor=mallory, text=SCRIPT, owner=engineer)
    services.note_save(meeting=meeting, author=engineer, body=SCRIPT)
    pages = {
        engineer: [
            reverse("reviews:timeline"), reverse("reviews:feedback", args=[feedback.pk]), reverse("reviews:requests"),
            reverse("reviews:request", args=[asked.pk]), reverse("reviews:series_list"),
            reverse("reviews:series", args=[series.pk]), reverse("reviews:meeting", args=[meeting.pk]),
            reverse("reviews:person_search") + "?q=mallory", reverse("reviews:give") + f"?to={mallory.pk}",
            reverse("reviews:competency_picker") + f"?to={mallory.pk}", reverse("reviews:series_new") + f"?with={mallory.pk}",
            reverse("people:notifications"),
        ],
        manager: [
            reverse("reviews:person_feedback", args=[engineer.pk]), reverse("reviews:team"),
            reverse("reviews:request_new") + f"?about={engineer.pk}&ask={mallory.pk}",
        ],
        peer: [reverse("reviews:ask", args=[asked.asks.get(respondent=peer).pk])],
        mallory: [reverse("reviews:feedback_edit", args=[feedback.pk]), reverse("reviews:feedback_delete", args=[feedback.pk])],
    }
    for person, urls in pages.items():
        client = as_user(person)
        for url in urls:
            page = client.get(url)
            assert page.status_code == 200, url
            html = page.content.decode()
            assert "<script>alert(1)" not in html and "<img src=x" not in html, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in as_user(engineer).get(reverse("reviews:meeting", args=[meeting.pk])).content.decode()


@pytest.mark.parametrize("elsewhere", ["//evil.example", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "javascript:alert(1)"])
def test_a_form_sends_back_only_to_a_page_of_this_site(as_user, manager, weekly, elsewhere):
    _, meeting, action = weekly

    response = as_user(manager).post(reverse("reviews:action", args=[action.pk]), {"do": "done", "next": elsewhere})

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location and "\t" not in location


# --- Double clicks: the same form sent twice changes nothing twice -------------------------------


def test_feedback_sent_twice_is_given_once_and_told_once(as_user, engineer, peer, backend):
    place(engineer, backend, "l2")
    tags = list(competencies_for(engineer))[:1]
    form = {"to": engineer.pk, "kind": "praise", "visibility": "shared", "body": "Calm incident lead.", "competencies": tags}
    client = as_user(peer)

    first = client.post(reverse("reviews:give"), form)
    second = client.post(reverse("reviews:give"), form)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Feedback.objects.count() == 1
    assert Notification.objects.filter(recipient=engineer, rule="reviews.feedback_received").count() == 1
    # Other words, other tags or the other visibility are other feedback.
    client.post(reverse("reviews:give"), {**form, "competencies": []})
    client.post(reverse("reviews:give"), {**form, "visibility": "private"})
    client.post(reverse("reviews:give"), {**form, "body": "Calm incident lead, again."})
    assert Feedback.objects.count() == 4


def test_answers_to_two_requests_in_the_same_words_are_two_pieces_of_feedback(engineer, peer, manager):
    one = feedback_request_create(
        requester=engineer, subject=engineer, respondent_ids=[peer.pk], visibility="shared", due_on=soon(), question="Review?"
    )
    other = feedback_request_create(
        requester=engineer, subject=engineer, respondent_ids=[peer.pk], visibility="shared", due_on=soon(), question="Demo?"
    )
    for request in (one, other):
        feedback_request_answer(ask=request.asks.get(), respondent=peer, kind="praise", body="Great, both times.")

    assert Feedback.objects.count() == 2
    assert {ask.answer_id for ask in FeedbackAsk.objects.all()} == set(Feedback.objects.values_list("pk", flat=True))


def test_a_reply_sent_twice_is_posted_once_and_told_once(as_user, engineer, peer):
    feedback = feedback_give(giver=peer, subject=engineer, kind="praise", visibility="shared", body="Calm incident lead.")
    client = as_user(engineer)

    for _ in range(2):
        assert client.post(reverse("reviews:feedback_reply", args=[feedback.pk]), {"body": "Thank you!"}).status_code == 302

    assert FeedbackReply.objects.count() == 1
    assert Notification.objects.filter(recipient=peer, rule="reviews.feedback_reply").count() == 1


def test_a_request_sent_twice_asks_each_colleague_once(as_user, engineer, peer, manager):
    form = {"respondents": [peer.pk], "visibility": "shared", "due_on": soon().isoformat(), "question": "How was my demo?"}
    client = as_user(engineer)

    first = client.post(reverse("reviews:request_new"), form)
    second = client.post(reverse("reviews:request_new"), form)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert FeedbackRequest.objects.count() == 1
    assert Notification.objects.filter(recipient=peer, rule="reviews.feedback_asked").count() == 1
    # Asking others, or something else, is another request.
    client.post(reverse("reviews:request_new"), {**form, "respondents": [peer.pk, manager.pk]})
    client.post(reverse("reviews:request_new"), {**form, "question": "How was my talk?"})
    assert FeedbackRequest.objects.count() == 3


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_same_feedback_sent_twice_at_once_is_given_once(engineer, peer):
    def send():
        return feedback_give(giver=peer, subject=engineer, kind="praise", visibility="shared", body="Calm.", once=True).pk

    first, second = at_once(send, send)

    assert first == second
    assert Feedback.objects.count() == 1
    assert Notification.objects.filter(recipient=engineer).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_same_request_sent_twice_at_once_asks_once(engineer, peer):
    def send():
        return feedback_request_create(
            requester=engineer, subject=engineer, respondent_ids=[peer.pk], visibility="shared", due_on=soon(), question="Demo?"
        ).pk

    first, second = at_once(send, send)

    assert first == second
    assert Notification.objects.filter(recipient=peer, rule="reviews.feedback_asked").count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_ask_answered_twice_at_once_is_answered_once(engineer, peer):
    request = feedback_request_create(
        requester=engineer, subject=engineer, respondent_ids=[peer.pk], visibility="shared", due_on=soon(), question="Demo?"
    )
    ask = request.asks.get()

    def answer(words):
        return lambda: feedback_request_answer(ask=ask, respondent=peer, kind="praise", body=words).pk

    results = at_once(answer("Clear."), answer("Very clear."))

    assert len([r for r in results if isinstance(r, int)]) == 1
    refused = next(r for r in results if not isinstance(r, int))
    assert isinstance(refused, ValidationError) and refused.message_dict == {"body": ["You have already answered this request."]}
    assert Feedback.objects.count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_people_setting_up_1_1s_with_each_other_at_once_get_one_series(engineer, manager):
    def set_up(actor, other):
        return lambda: services.series_create(
            actor=actor, other=other, cadence="weekly", first_at=timezone.now() + datetime.timedelta(days=2)
        ).pk

    results = at_once(set_up(manager, engineer), set_up(engineer, manager))

    assert len([r for r in results if isinstance(r, int)]) == 1
    assert Series.objects.count() == 1


# --- The admin and the audit log ----------------------------------------------------------------


@pytest.fixture
def root(manager, mfa_ready):
    """A superuser who works here too, reporting to Marcus: the admin's reviews pages are theirs."""
    person = UserFactory(email="root@example.com", name="Rita Root", is_superuser=True, manager=manager)
    return mfa_ready(person)


def test_the_admin_never_shows_a_superuser_what_is_private_about_them(as_user, root, manager, peer):
    about_them = feedback_give(
        giver=peer, subject=root, kind="growth", visibility="private", body="Rushes reviews.", project="Layoff planning"
    )
    asked = feedback_request_create(
        requester=manager, subject=root, respondent_ids=[peer.pk], visibility="private", due_on=soon(), question="Ready?"
    )
    client = as_user(root)

    listing = client.get(reverse("admin:reviews_feedback_changelist"), {"q": "Rita"})
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == []
    assert client.get(reverse("admin:reviews_feedback_change", args=[about_them.pk])).status_code == 302
    # Nobody deletes feedback in the admin: its giver takes it back in the app, within the window.
    assert client.get(reverse("admin:reviews_feedback_delete", args=[about_them.pk])).status_code == 403
    requests = client.get(reverse("admin:reviews_feedbackrequest_changelist"))
    assert list(requests.context["cl"].result_list) == []
    assert client.get(reverse("admin:reviews_feedbackrequest_change", args=[asked.pk])).status_code == 302


def test_the_admin_shows_who_gave_private_feedback_to_whom_but_not_its_project(as_user, root, engineer, peer):
    private = feedback_give(
        giver=peer, subject=engineer, kind="growth", visibility="private", body="Rushes reviews.", project="Layoff planning"
    )
    shared = feedback_give(giver=peer, subject=engineer, kind="praise", visibility="shared", body="Calm.", project="Checkout")
    client = as_user(root)

    page = client.get(reverse("admin:reviews_feedback_change", args=[private.pk])).content.decode()
    assert "Sam Rivera" in page and "Ada Okafor" in page
    assert "Layoff planning" not in page and "Rushes reviews." not in page
    page = client.get(reverse("admin:reviews_feedback_change", args=[shared.pk])).content.decode()
    assert "Checkout" in page and "Calm." in page


def test_the_audit_log_keeps_the_project_of_feedback_from_hr_admins(as_user, hr, engineer, peer):
    feedback = feedback_give(
        giver=peer, subject=engineer, kind="growth", visibility="private", body="Rushes reviews.", project="Layoff planning"
    )
    feedback_edit(feedback=feedback, editor=peer, kind="growth", body="Rushes reviews.", project="Reorg of payments")
    client = as_user(hr)

    entries = LogEntry.objects.get_for_object(feedback)
    assert [entry.action for entry in entries.order_by("pk")] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    pages = [reverse("admin:auditlog_logentry_changelist"), reverse("admin:auditlog_logentry_changelist") + "?q=Layoff"]
    pages += [reverse("admin:auditlog_logentry_change", args=[entry.pk]) for entry in entries]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200
        assert "Layoff planning" not in page.content.decode() and "Reorg of payments" not in page.content.decode()
    assert client.get(reverse("admin:auditlog_logentry_changelist"), {"q": "Layoff"}).context["cl"].result_count == 0


def test_an_hr_admin_finds_nothing_private_about_themselves_in_the_audit_log(as_user, hr, manager, peer):
    reports_to(hr, manager)
    private = feedback_give(giver=peer, subject=hr, kind="growth", visibility="private", body="Too slow on cases.")
    asked = feedback_request_create(
        requester=manager, subject=hr, respondent_ids=[peer.pk], visibility="private", due_on=soon(), question="Ready?"
    )
    client = as_user(hr)

    ask = asked.asks.get()
    feedback_request_decline(ask=ask, respondent=peer)
    deleted_pk = private.pk
    feedback_delete(feedback=private, actor=peer)

    listed = client.get(reverse("admin:auditlog_logentry_changelist")).context["cl"].result_list
    about_them = {("feedback", deleted_pk), ("feedbackrequest", asked.pk), ("feedbackask", ask.pk)}
    assert not [entry for entry in listed if (entry.content_type.model, entry.object_id) in about_them]
    # Another HR admin finds who gave, asked, declined and deleted what, and when (never the words).
    other = UserFactory(email="hr2@example.com", is_hr_admin=True)
    TOTP.activate(other, TOTP_SECRET)
    seen = {
        (entry.content_type.model, entry.object_id, entry.action)
        for entry in as_user(other).get(reverse("admin:auditlog_logentry_changelist")).context["cl"].result_list
    }
    assert {("feedback", deleted_pk, LogEntry.Action.CREATE), ("feedback", deleted_pk, LogEntry.Action.DELETE),
            ("feedbackrequest", asked.pk, LogEntry.Action.CREATE), ("feedbackask", ask.pk, LogEntry.Action.UPDATE)} <= seen
