"""Saving a person: validated, with the reporting line kept by the database."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..audit import acting_as
from ..models import User

REPORTING_CIRCLE = "people_user_reporting_line_circle"


def is_reporting_circle(error: IntegrityError) -> bool:
    """True when the database refused a manager because the line would loop."""
    return REPORTING_CIRCLE in str(error)


@transaction.atomic
def person_save(*, person: User, actor: User | None = None) -> User:
    """Validate and save a person.

    The database moves everyone below them along when the manager changes
    (people/migrations/0002) and refuses a circle even when the copy of the
    manager checked by `clean()` was out of date.
    """
    person.full_clean()
    try:
        with transaction.atomic(), acting_as(actor):
            person.save()
    except IntegrityError as error:
        if not is_reporting_circle(error):
            raise
        raise ValidationError(
            {"manager": f"{person.manager} already reports to {person}, so this would make the reporting line a circle."}
        ) from None
    return person
