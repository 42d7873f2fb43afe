"""Every admin page of every model, as an HR admin and as a superuser: never a 500.

The walk covers each model's list (plain, searched, sorted), its add page,
and for its oldest and newest rows, a missing id and a malformed one: the
change, delete, history and audit-log pages, and the custom pages
(import, publish). Rows the admin hides (draft assessments) are asked for
too, by id, as someone following an old link would.
"""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from ladders.models import Assessment
from ladders.services.frameworks import framework_import
from people.models import Department, Team
from tests.ladders.factories import assess, document, place, publish
from tests.people.factories import NotificationFactory, UserFactory

OK = {200, 302, 403, 404}


@pytest.fixture
def everything(engineer, manager, peer, hr, mfa_ready):
    """At least one row of every registered model, drafts and published alike."""
    version = publish(document(slug="backend", levels=4, competencies=3))
    framework_import(document=document(slug="backend", levels=5, competencies=3), publish=False)
    place(engineer, version, "l2")
    assess(engineer, engineer, version, "l3")
    assess(engineer, manager, version, "l2")
    assess(peer, manager, version, "l2", submit=False)
    assess(peer, peer, version, "l2", submit=False)
    department = Department.objects.create(name="Engineering")
    Team.objects.create(department=department, name="Payments")
    NotificationFactory(recipient=engineer)
    superuser = mfa_ready(UserFactory(email="root@example.com", is_superuser=True))
    assert Assessment.objects.filter(status=Assessment.Status.DRAFT).count() == 2
    assert LogEntry.objects.exists()
    return {"hr": hr, "superuser": superuser}


def admin_urls(model, model_admin) -> list[str]:
    info = model._meta.app_label, model._meta.model_name
    urls = [
        reverse(f"admin:{info[0]}_{info[1]}_changelist"),
        reverse(f"admin:{info[0]}_{info[1]}_changelist") + "?q=a",
        reverse(f"admin:{info[0]}_{info[1]}_changelist") + "?o=-1",
        reverse(f"admin:{info[0]}_{info[1]}_add"),
    ]
    # The oldest and newest rows: published content and a draft's, a submitted
    # assessment and a draft one (created in that order by the fixture).
    pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    ids = [str(pk) for pk in {*pks[:1], *pks[-1:]}] + ["987654321", "not-an-id"]
    for name in ("change", "delete", "history", "auditlog", "publish"):
        for object_id in ids:
            try:
                urls.append(reverse(f"admin:{info[0]}_{info[1]}_{name}", args=[object_id]))
            except NoReverseMatch:
                break  # this admin has no such page, or not for such an id
    for extra in ("import",):
        try:
            urls.append(reverse(f"admin:{info[0]}_{info[1]}_{extra}"))
        except NoReverseMatch:
            pass
    return urls


@pytest.mark.parametrize("who", ["hr", "superuser"])
def test_every_admin_page_answers_without_an_error(as_user, everything, who):
    client = as_user(everything[who])
    walked, failed = 0, []
    for model, model_admin in admin.site._registry.items():
        for url in admin_urls(model, model_admin):
            # A server error raises here, naming the page.
            response = client.get(url)
            walked += 1
            if response.status_code not in OK:
                failed.append((url, response.status_code))
    assert failed == []
    assert walked > 150


def test_the_audit_log_of_a_draft_assessment_says_it_does_not_exist(as_user, hr, engineer, backend_version):
    draft = assess(engineer, engineer, backend_version, "l2", submit=False)

    response = as_user(hr).get(reverse("admin:ladders_assessment_auditlog", args=[draft.pk]), follow=True)

    assert response.status_code == 200
    assert "doesn’t exist. Perhaps it was deleted?" in response.text
    assert response.redirect_chain[-1][0] == reverse("admin:index")


def test_the_audit_log_of_a_missing_assessment_says_it_does_not_exist(as_user, hr):
    response = as_user(hr).get(reverse("admin:ladders_assessment_auditlog", args=[424242]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_the_audit_log_of_a_submitted_assessment_shows_its_lifecycle(as_user, hr, engineer, backend_version):
    submitted = assess(engineer, engineer, backend_version, "l2")

    response = as_user(hr).get(reverse("admin:ladders_assessment_auditlog", args=[submitted.pk]))

    assert response.status_code == 200
    assert "Audit log" in response.text


@pytest.fixture
def backend_version(db):
    return publish(document(slug="backend", levels=4, competencies=3))
