import pytest
from django.core.exceptions import ValidationError

from people.models import User


def test_it_lowercases_email_on_create(db):
    user = User.objects.create_user("Ada.Okafor@Example.COM", "pw", name="Ada")
    assert user.email == "ada.okafor@example.com"
    assert user.reporting_path == f"/{user.pk}/"


def test_it_knows_who_manages_whom(engineer, manager, skip_level, peer):
    assert manager.manages(engineer)
    assert skip_level.manages(engineer)
    assert not engineer.manages(manager)
    assert not peer.manages(engineer)
    assert not engineer.manages(engineer)


def test_it_refuses_a_circular_reporting_line(engineer, skip_level):
    skip_level.manager = engineer
    with pytest.raises(ValidationError) as error:
        skip_level.full_clean()
    assert "circle" in error.value.message_dict["manager"][0]


def test_it_refuses_being_ones_own_manager(engineer):
    engineer.manager = engineer
    with pytest.raises(ValidationError) as error:
        engineer.full_clean()
    assert "own manager" in error.value.message_dict["manager"][0]


def test_it_rejects_unknown_timezones(engineer):
    engineer.timezone = "Mars/Olympus"
    with pytest.raises(ValidationError) as error:
        engineer.full_clean()
    assert "time zone" in error.value.message_dict["timezone"][0]
