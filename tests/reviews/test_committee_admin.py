"""HR set up promotion committees in the admin: members, a chair who sits on it, and the
departments and target levels it takes; names kept apart; one with packets is kept."""

from __future__ import annotations

from django.urls import reverse

from reviews.models import Committee
from tests.ladders.factories import document, publish
from tests.people.factories import DepartmentFactory, UserFactory

ADD = reverse("admin:reviews_committee_add")


def test_hr_set_up_a_committee_whose_chair_sits_on_it(as_user, hr, outsider, engineer, db):
    publish(document(levels=3, competencies=1))
    data_dept = DepartmentFactory(name="Data")
    chair = UserFactory(name="Priya Chair")
    client = as_user(hr)
    page = client.get(ADD)
    assert page.status_code == 200 and "l2: Level 2" in page.content.decode()
    response = client.post(ADD, {"name": "Data promotions", "chair": chair.pk, "members": [outsider.pk],
                                 "departments": [data_dept.pk], "level_codes": ["l2", "l3"], "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    committee = Committee.objects.get()
    assert set(committee.members.all()) == {chair, outsider} and committee.level_codes == ["l2", "l3"]
    response = client.post(ADD, {"name": "DATA PROMOTIONS ", "chair": chair.pk, "is_active": "on"})
    assert response.status_code == 200 and "Another committee has this name" in response.content.decode()
    response = client.post(ADD, {"name": "Odd", "chair": chair.pk, "level_codes": ["nope"]})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Committee.objects.count() == 1
    assert as_user(engineer).get(ADD).status_code in (302, 403)
