"""Feedback pages: finding a colleague, giving feedback, one piece of it with its reaction,
replies and earlier versions, changing and deleting it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ladders.models import Competency
from people.models import Notification
from reviews.models import Feedback, FeedbackReply, FeedbackRevision
from reviews.services.feedback import feedback_edit, feedback_give, feedback_reply
from tests.conftest import flashed
from tests.ladders.factories import document, place, publish, reports_to
from tests.people.factories import UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=3, competencies=2, areas=2))


@pytest.fixture
def placed(engineer, backend):
    place(engineer, backend, "l2")
    return engineer


def competency(version, slug: str) -> Competency:
    return Competency.objects.get(version=version, slug=slug)


def give(giver, subject, **changes) -> Feedback:
    values = {"kind": "praise", "visibility": "shared", "body": "Ran the incident review calmly.", **changes}
    return feedback_give(giver=giver, subject=subject, **values)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def errors_at(response, field: str) -> list[str]:
    form = response.context["form"]
    return form.errors.get(field, [])


# --- person search ---------------------------------------------------------------------


SEARCH = "/feedback/people/"


def test_it_finds_colleagues_as_choices_named_by_the_asking_form(as_user, engineer, peer, manager):
    response = as_user(engineer).get(SEARCH, {"q": "engineer", "name": "respondents", "pick": "checkbox"})

    assert response.status_code == 200
    page = text(response)
    assert f'<label><input type="checkbox" name="respondents" value="{peer.pk}"> Sam Rivera — Engineer</label>' in page
    assert f'value="{manager.pk}"> Marcus Chen — Engineering Manager</label>' in page
    assert "Ada Okafor" not in page  # never the one searching
    assert "<ul" in page and "<li>" in page


def test_it_matches_e_mail_addresses_and_leaves_out_who_it_is_told_to(as_user, engineer, peer, manager):
    client = as_user(engineer)
    assert f'value="{peer.pk}"' in text(client.get(SEARCH, {"q": "peer@exa", "name": "to", "pick": "radio"}))
    page = text(client.get(SEARCH, {"q": "example.com", "name": "to", "pick": "radio", "exclude": peer.pk}))
    assert f'type="radio" name="to" value="{manager.pk}"' in page
    assert f'value="{peer.pk}"' not in page


def test_it_never_lists_people_who_have_left_and_at_most_ten(as_user, engineer):
    UserFactory(name="Gone Away", title="Engineer", is_active=False)
    for n in range(12):
        UserFactory(name=f"Zed {n:02}", title="Engineer")
    page = text(as_user(engineer).get(SEARCH, {"q": "zed", "name": "to"}))
    assert page.count("<li>") == 10
    assert "Gone Away" not in text(as_user(engineer).get(SEARCH, {"q": "gone", "name": "to"}))


def test_it_asks_for_two_letters_and_says_when_nobody_matches(as_user, engineer):
    client = as_user(engineer)
    assert "Type at least 2 letters" in text(client.get(SEARCH, {"q": "a", "name": "to"}))
    assert "Nobody working here matches “qqq”." in text(client.get(SEARCH, {"q": "qqq", "name": "to"}))


def test_it_refuses_a_field_name_or_choice_it_does_not_understand(as_user, engineer):
    client = as_user(engineer)
    for params in ({"q": "sam", "name": '"><script>'}, {"q": "sam", "pick": "select"}, {"q": "sam", "exclude": "x"}):
        response = client.get(SEARCH, params)
        assert response.status_code == 400
        assert "<script>" not in response.content.decode()


def test_the_search_costs_the_same_whatever_the_matches(as_user, engineer):
    from tests.conftest import page_queries

    client = as_user(engineer)
    UserFactory(name="Zed One")
    few = page_queries(client, SEARCH + "?q=zed&name=to")
    for n in range(30):
        UserFactory(name=f"Zed {n}")
    assert page_queries(client, SEARCH + "?q=zed&name=to") == few


# --- giving ----------------------------------------------------------------------------


def test_it_shows_the_give_form_with_who_will_read_it(as_user, peer, placed):
    response = as_user(peer).get(reverse("reviews:give"), {"to": placed.pk})

    assert response.status_code == 200
    page = text(response)
    assert "<h1>Give feedback</h1>" in page
    assert f'<input type="radio" name="to" value="{placed.pk}" checked> Ada Okafor — Senior Engineer' in page
    assert "Ada, their manager chain (Marcus Chen, Daniel Osei) and HR." in page
    assert "Their manager chain only (Marcus Chen, Daniel Osei), never Ada." in page
    # The competencies of Ada's framework, by area.
    assert "Area 0" in page and "Area 1" in page
    assert page.count('name="competencies"') == 4


def test_it_gives_feedback_and_goes_to_it(as_user, peer, placed, backend):
    tag = competency(backend, "c1-0")
    response = as_user(peer).post(
        reverse("reviews:give"),
        {"to": placed.pk, "person": "ada", "kind": "growth", "competencies": [tag.pk], "project": "Checkout",
         "body": "Say when the estimate slips.", "visibility": "private"},
    )

    feedback = Feedback.objects.get()
    assert response.status_code == 302
    assert response.url == f"/feedback/{feedback.pk}/"
    assert (feedback.giver, feedback.subject, feedback.kind, feedback.visibility, feedback.project) == (
        peer, placed, "growth", "private", "Checkout",
    )
    assert list(feedback.competencies.all()) == [tag]
    assert flashed(response) == ["Your feedback to Ada Okafor is sent."]


def test_without_javascript_an_e_mail_address_names_the_colleague(as_user, peer, placed):
    response = as_user(peer).post(
        reverse("reviews:give"),
        {"person": " ENGINEER@example.com ", "kind": "praise", "body": "Thanks for the review.", "visibility": "shared"},
    )
    assert response.status_code == 302
    assert Feedback.objects.get().subject == placed


def test_without_javascript_choosing_the_colleague_shows_their_competencies(as_user, peer, placed):
    response = as_user(peer).post(
        reverse("reviews:give"),
        {"person": "engineer@example.com", "choose": "1", "kind": "growth", "body": "Half written", "visibility": "shared"},
    )
    assert response.status_code == 200
    page = text(response)
    assert page.count('name="competencies"') == 4
    assert f'name="to" value="{placed.pk}" checked' in page
    assert "Half written</textarea>" in page
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"person": "engineer@example.com"}, "person", "Feedback is for a colleague: you cannot give it to yourself."),
        ({"person": "nobody@example.com"}, "person", "Nobody working here has the address nobody@example.com."),
        ({"person": "ada"}, "person", "Choose them among the colleagues found below, or type their whole e-mail address."),
        ({"person": "zzz"}, "person", "Nobody found by that name: try another spelling, or their whole e-mail address."),
        ({"person": ""}, "person", "Choose who the feedback is for: type their name, or their e-mail address."),
        ({"to": "999999"}, "person", "Choose someone who works here."),
        ({"body": "  "}, "body", "Write what they did and why it mattered."),
        ({"body": "x" * 5001}, "body", "Keep it under 5,000 characters: it has 5,001. Nothing was cut."),
        ({"visibility": "everyone"}, "visibility", "Choose who may read it: shared with them, or private to their manager chain."),
        ({"kind": ""}, "kind", "Choose praise or growth."),
        ({"competencies": ["x"]}, "competencies", "Choose competencies from the list."),
    ],
)
def test_it_says_what_is_wrong_at_the_field_and_writes_nothing(as_user, engineer, peer, placed, data, field, message):
    giver = engineer if data.get("person") == "engineer@example.com" else peer
    values = {"to": placed.pk if giver == peer else "", "kind": "praise", "body": "Good.", "visibility": "shared", **data}
    if "person" in data:
        values["to"] = ""
    response = as_user(giver).post(reverse("reviews:give"), values)

    assert response.status_code == 400
    assert errors_at(response, field) == [message]
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not Feedback.objects.exists()
    assert not Notification.objects.exists()


def test_it_refuses_a_competency_of_another_framework_at_its_field(as_user, peer, placed):
    other = publish(document(slug="frontend", levels=2, competencies=1))
    response = as_user(peer).post(
        reverse("reviews:give"),
        {"to": placed.pk, "kind": "praise", "body": "Good.", "visibility": "shared",
         "competencies": [competency(other, "c0-0").pk]},
    )
    assert response.status_code == 400
    assert errors_at(response, "competencies") == ["Choose competencies of Ada's framework."]
    assert not Feedback.objects.exists()


def test_the_give_form_is_for_signed_in_people_and_takes_get_and_post(client, as_user, peer):
    assert client.get(reverse("reviews:give")).status_code == 302
    assert as_user(peer).put(reverse("reviews:give")).status_code == 405


# --- the competency picker -------------------------------------------------------------


def test_the_picker_lists_the_colleagues_competencies_by_area(as_user, peer, placed, backend):
    response = as_user(peer).get(reverse("reviews:competency_picker"), {"to": placed.pk}, **HTMX)

    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page
    assert f'<input type="checkbox" name="competencies" value="{competency(backend, "c1-1").pk}"> Competency 1.1' in page
    assert page.index("Area 0") < page.index("Area 1")
    # Who would read it, swapped in beside the visibility choices.
    assert 'id="readers-private" class="helptext" hx-swap-oob="true">Their manager chain only (Marcus Chen, Daniel Osei), never Ada.' in page


def test_the_picker_says_when_there_is_nothing_to_tag(as_user, peer, engineer):
    client = as_user(peer)
    assert "has no level on a career framework yet" in text(client.get(reverse("reviews:competency_picker"), {"to": engineer.pk}))
    assert "you cannot give it to yourself" in text(client.get(reverse("reviews:competency_picker"), {"to": peer.pk}))
    assert "Choose who it is for first" in text(client.get(reverse("reviews:competency_picker")))


def test_the_picker_knows_nobody_who_has_left(as_user, peer, engineer, client):
    engineer.is_active = False
    engineer.save()
    assert as_user(peer).get(reverse("reviews:competency_picker"), {"to": engineer.pk}).status_code == 404
    assert as_user(peer).get(reverse("reviews:competency_picker"), {"to": "x"}).status_code == 404
    assert client.get(reverse("reviews:competency_picker")).status_code == 302
    assert as_user(peer).post(reverse("reviews:competency_picker")).status_code == 405


# --- the feedback page -----------------------------------------------------------------


@pytest.fixture
def shared(peer, placed):
    return give(peer, placed, project="Checkout")


@pytest.fixture
def private(peer, placed):
    return give(peer, placed, kind="growth", visibility="private", body="Quiet in the design review.")


def page_of(feedback) -> str:
    return reverse("reviews:feedback", args=[feedback.pk])


def test_the_subject_reads_shared_feedback_with_what_they_can_do(as_user, shared, placed):
    response = as_user(placed).get(page_of(shared))

    assert response.status_code == 200
    page = text(response)
    assert "<h1>Feedback from Sam Rivera</h1>" in page
    assert "Ran the incident review calmly." in page and "Checkout" in page
    assert "You, your manager chain (Marcus Chen, Daniel Osei) and HR." in page
    assert 'name="reaction" value="thanks"' in page
    assert reverse("reviews:feedback_reply", args=[shared.pk]) in page
    assert reverse("reviews:feedback_edit", args=[shared.pk]) not in page


def test_the_giver_sees_until_when_they_can_change_it(as_user, shared, peer):
    page = text(as_user(peer).get(page_of(shared)))
    assert "<h1>Your feedback to Ada Okafor</h1>" in page
    assert reverse("reviews:feedback_edit", args=[shared.pk]) in page
    assert reverse("reviews:feedback_delete", args=[shared.pk]) in page
    assert "You can change or delete this until" in page
    assert 'name="reaction"' not in page

    Feedback.objects.filter(pk=shared.pk).update(editable_until=shared.created_at)
    page = text(as_user(peer).get(page_of(shared)))
    assert reverse("reviews:feedback_edit", args=[shared.pk]) not in page


def test_the_line_and_hr_read_it_without_answering(as_user, shared, manager, skip_level, hr):
    for reader in (manager, skip_level, hr):
        page = text(as_user(reader).get(page_of(shared)))
        assert "Sam Rivera to Ada Okafor" in page
        assert 'name="reaction"' not in page
        assert reverse("reviews:feedback_reply", args=[shared.pk]) not in page


def test_private_feedback_is_not_found_by_its_subject_nor_outsiders(as_user, private, placed, outsider, hr):
    for someone in (placed, outsider, hr):
        assert as_user(someone).get(page_of(private)).status_code == 404


def test_the_manager_reads_private_feedback_and_nobody_replies_to_it(as_user, private, manager, peer):
    page = text(as_user(manager).get(page_of(private)))
    assert "Quiet in the design review." in page
    assert "Their manager chain only (Marcus Chen, Daniel Osei), never Ada." in page
    assert "Replies" not in page
    assert reverse("reviews:feedback_reply", args=[private.pk]) not in text(as_user(peer).get(page_of(private)))


def test_peers_outsiders_and_a_former_manager_find_nothing(as_user, shared, placed, outsider, manager, skip_level):
    colleague = UserFactory(manager=manager)
    for someone in (colleague, outsider):
        assert as_user(someone).get(page_of(shared)).status_code == 404
    reports_to(placed, outsider.manager)
    for former in (manager, skip_level):
        assert as_user(former).get(page_of(shared)).status_code == 404
    assert as_user(outsider.manager).get(page_of(shared)).status_code == 200


def test_the_page_shows_earlier_versions_to_its_readers(as_user, shared, peer, manager):
    feedback_edit(feedback=shared, editor=peer, kind="praise", body="Ran the incident review calmly and kindly.")
    page = text(as_user(manager).get(page_of(shared)))
    assert "edited" in page
    assert "Earlier versions" in page
    assert "Ran the incident review calmly.</p>" in page


def test_the_feedback_page_is_for_signed_in_readers_and_only_get(client, as_user, shared, placed):
    assert client.get(page_of(shared)).status_code == 302
    assert as_user(placed).post(page_of(shared)).status_code == 405


# --- reacting --------------------------------------------------------------------------


def react_to(feedback) -> str:
    return reverse("reviews:feedback_react", args=[feedback.pk])


def test_the_subject_reacts(as_user, shared, placed):
    client = as_user(placed)
    response = client.post(react_to(shared), {"reaction": "helpful"})
    assert response.status_code == 302 and response.url == page_of(shared)
    shared.refresh_from_db()
    assert shared.reaction == "helpful"

    response = client.post(react_to(shared), {"reaction": ""}, **HTMX)
    assert response.status_code == 200
    assert 'id="reaction"' in text(response) and "<html" not in text(response)
    shared.refresh_from_db()
    assert shared.reaction == ""


def test_a_reaction_not_offered_is_refused(as_user, shared, placed):
    response = as_user(placed).post(react_to(shared), {"reaction": "love"})
    assert response.status_code == 400
    assert "Choose one of the reactions offered." in text(response)
    assert as_user(placed).post(react_to(shared), {"reaction": "love"}, **HTMX).status_code == 422
    shared.refresh_from_db()
    assert shared.reaction == ""


def test_nobody_else_reacts(as_user, client, shared, private, placed, peer, manager, outsider):
    for someone in (peer, manager, outsider):
        assert as_user(someone).post(react_to(shared), {"reaction": "thanks"}).status_code == 404
    assert as_user(placed).post(react_to(private), {"reaction": "thanks"}).status_code == 404
    assert as_user(placed).get(react_to(shared)).status_code == 405
    assert client.post(react_to(shared), {"reaction": "thanks"}).status_code == 302
    assert set(Feedback.objects.values_list("reaction", flat=True)) == {""}


# --- replying --------------------------------------------------------------------------


def reply_to(feedback) -> str:
    return reverse("reviews:feedback_reply", args=[feedback.pk])


def test_the_subject_replies_and_the_giver_is_told_once(as_user, shared, placed, peer):
    response = as_user(placed).post(reply_to(shared), {"body": "Thank you!"})

    reply = FeedbackReply.objects.get()
    assert response.status_code == 302
    assert response.url == f"{page_of(shared)}#reply-{reply.pk}"
    assert Notification.objects.filter(rule="reviews.feedback_reply", recipient=peer).count() == 1
    assert "Thank you!" in text(as_user(peer).get(page_of(shared)))


def test_the_giver_replies_with_htmx(as_user, shared, placed, peer):
    feedback_reply(feedback=shared, author=placed, body="Thank you!")
    response = as_user(peer).post(reply_to(shared), {"body": "Any time."}, **HTMX)
    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page and 'id="replies"' in page
    assert page.index("Thank you!") < page.index("Any time.")


def test_an_empty_reply_is_refused_at_its_field(as_user, shared, placed):
    response = as_user(placed).post(reply_to(shared), {"body": "  "})
    assert response.status_code == 400
    assert response.context["reply_form"].errors["body"] == ["Write your reply."]
    assert as_user(placed).post(reply_to(shared), {"body": ""}, **HTMX).status_code == 422
    assert not FeedbackReply.objects.exists()


def test_nobody_else_replies_and_nobody_replies_to_private_feedback(as_user, client, shared, private, placed, peer, manager, hr):
    for someone in (manager, hr):
        assert as_user(someone).post(reply_to(shared), {"body": "Me too"}).status_code == 404
    assert as_user(placed).post(reply_to(private), {"body": "What?"}).status_code == 404
    response = as_user(peer).post(reply_to(private), {"body": "More"})
    assert response.status_code == 400
    assert as_user(placed).get(reply_to(shared)).status_code == 405
    assert client.post(reply_to(shared), {"body": "Anon"}).status_code == 302
    assert not FeedbackReply.objects.exists()
    assert not Notification.objects.filter(recipient=placed).exclude(rule="reviews.feedback_received").exists()


# --- changing --------------------------------------------------------------------------


def edit_of(feedback) -> str:
    return reverse("reviews:feedback_edit", args=[feedback.pk])


def test_the_giver_changes_it(as_user, shared, peer, backend):
    tag = competency(backend, "c0-1")
    client = as_user(peer)
    page = text(client.get(edit_of(shared)))
    assert "<h1>Change your feedback to Ada Okafor</h1>" in page
    assert "Ran the incident review calmly.</textarea>" in page

    response = client.post(edit_of(shared), {"kind": "growth", "body": "Better said.", "project": "", "competencies": [tag.pk]})

    assert response.status_code == 302 and response.url == page_of(shared)
    shared.refresh_from_db()
    assert (shared.kind, shared.body, shared.project) == ("growth", "Better said.", "")
    assert FeedbackRevision.objects.get().body == "Ran the incident review calmly."


def test_a_bad_change_is_refused_at_its_field(as_user, shared, peer):
    response = as_user(peer).post(edit_of(shared), {"kind": "praise", "body": ""})
    assert response.status_code == 400
    assert errors_at(response, "body") == ["Write what they did and why it mattered."]
    shared.refresh_from_db()
    assert shared.body == "Ran the incident review calmly."
    assert not FeedbackRevision.objects.exists()


def test_after_the_window_it_cannot_be_changed(as_user, shared, peer):
    Feedback.objects.filter(pk=shared.pk).update(editable_until=shared.created_at)
    client = as_user(peer)
    response = client.get(edit_of(shared))
    assert response.status_code == 302 and response.url == page_of(shared)
    response = client.post(edit_of(shared), {"kind": "praise", "body": "Too late."})
    assert response.status_code == 400
    assert "this is now part of the record" in errors_at(response, "body")[0]
    shared.refresh_from_db()
    assert shared.body == "Ran the incident review calmly."


def test_nobody_but_the_giver_opens_the_change_page(as_user, client, shared, placed, manager, outsider, peer):
    for someone in (placed, manager, outsider):
        assert as_user(someone).get(edit_of(shared)).status_code == 404
        assert as_user(someone).post(edit_of(shared), {"kind": "praise", "body": "Mine now"}).status_code == 404
    assert as_user(peer).put(edit_of(shared)).status_code == 405
    assert client.get(edit_of(shared)).status_code == 302


# --- deleting --------------------------------------------------------------------------


def delete_of(feedback) -> str:
    return reverse("reviews:feedback_delete", args=[feedback.pk])


def test_the_giver_is_asked_then_deletes_it(as_user, shared, peer):
    client = as_user(peer)
    page = text(client.get(delete_of(shared)))
    assert "<h1>Delete your feedback to Ada Okafor?</h1>" in page
    assert Feedback.objects.exists()

    response = client.post(delete_of(shared))
    assert response.status_code == 302 and response.url == "/feedback/?tab=given"
    assert not Feedback.objects.exists()
    assert flashed(response) == ["Your feedback to Ada Okafor is deleted."]


def test_after_the_window_it_cannot_be_deleted(as_user, shared, peer):
    Feedback.objects.filter(pk=shared.pk).update(editable_until=shared.created_at)
    client = as_user(peer)
    assert "can no longer be deleted" in text(client.get(delete_of(shared)))
    response = client.post(delete_of(shared))
    assert response.status_code == 400
    assert "Feedback can be deleted for 30 minutes after it is given; this is now part of the record." in text(response)
    assert Feedback.objects.exists()


def test_nobody_but_the_giver_deletes_it(as_user, client, shared, placed, manager, hr, peer):
    for someone in (placed, manager, hr):
        assert as_user(someone).get(delete_of(shared)).status_code == 404
        assert as_user(someone).post(delete_of(shared)).status_code == 404
    assert as_user(peer).put(delete_of(shared)).status_code == 405
    assert client.post(delete_of(shared)).status_code == 302
    assert Feedback.objects.exists()


def test_an_address_typed_after_choosing_someone_wins(as_user, peer, placed, manager):
    response = as_user(peer).post(
        reverse("reviews:give"),
        {"to": placed.pk, "person": "manager@example.com", "kind": "praise", "body": "Thanks.", "visibility": "shared"},
    )
    assert response.status_code == 302
    assert Feedback.objects.get().subject == manager
    # A search text is only a search: the colleague chosen stays chosen.
    as_user(peer).post(
        reverse("reviews:give"),
        {"to": placed.pk, "person": "ada@", "kind": "praise", "body": "Thanks.", "visibility": "shared"},
    )
    assert Feedback.objects.filter(subject=placed).count() == 1


def test_an_empty_form_says_everything_that_is_missing_at_once(as_user, peer):
    response = as_user(peer).post(reverse("reviews:give"), {"person": "", "kind": "", "body": "", "visibility": ""})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"person", "body"} <= set(errors)
    assert not Feedback.objects.exists()


def test_a_stranger_named_is_said_with_the_rest_and_nothing_is_given(as_user, peer):
    response = as_user(peer).post(
        reverse("reviews:give"), {"person": "nobody@example.com", "kind": "praise", "body": "", "visibility": "shared"}
    )
    errors = response.context["form"].errors
    assert "Nobody working here has the address nobody@example.com." in errors["person"]
    assert errors["body"] == ["Write what they did and why it mattered."]
    assert not Feedback.objects.exists()
