import functools

from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django_htmx.jinja import htmx_script
from django.utils.functional import SimpleLazyObject, empty

from .selectors import navigation_facts

# The site's fixed addresses, for the header of every page.
_NAV = {
    "home": "home",
    "my_path": "ladders:my_path",
    "ladders": "ladders:index",
    "assessments": "ladders:assessments",
    "team": "ladders:team",
    "mentorship": "mentorship:home",
    "feedback": "reviews:timeline",
    "one_on_ones": "reviews:series_list",
    "reviews": "reviews:my_reviews",
    "interviews": "reviews:my_interviews",
    "people": "people:directory",
    "hr": "ladders:hr_home",
    "search": "ladders:search",
    "notifications": "people:notifications",
    "password": "account_change_password",
    "two_factor": "mfa_index",
    "admin": "admin:index",
    "sign_out": "account_logout",
}


@functools.cache
def _nav_urls(prefix: str) -> dict[str, str]:
    # Reversed once per process (and prefix): they never change while it runs.
    return {key: reverse(name) for key, name in _NAV.items()}


@functools.cache
def _assets() -> dict[str, str]:
    # Static addresses, worked out once per process: the manifest of hashed
    # names does not change while it runs.
    return {
        "css": static("css/trellis.css"),
        "icon": static("img/trellis.svg"),
        "htmx": htmx_script(minified=True, version=2, extensions="", nonce=None),
    }


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": _nav_urls(get_script_prefix()), "assets": _assets()}
    unread, has_reports = navigation_facts(user)
    return {
        "nav": _nav_urls(get_script_prefix()),
        "assets": _assets(),
        "unread_notifications": unread,
        "has_reports": has_reports,
        # The person rather than the lazy stand-in the request holds: every
        # attribute read through the stand-in costs a call, and pages read many.
        "user": user._wrapped if isinstance(user, SimpleLazyObject) and user._wrapped is not empty else user,
    }
