from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.contrib.auth.backends import BaseBackend

from config.prepared import MARK_ID, PreparedQuery

from .models import User
from .selectors import with_navigation_facts

# Loaded on every request: compiled once (see config.prepared).
_signed_in = PreparedQuery(
    lambda pk: with_navigation_facts(User.objects.filter(pk=pk)).select_related("manager", "department").order_by(),
    pk=MARK_ID,
)


class AuthenticationBackend(AllauthBackend):
    """allauth's sign-in, and a signed-in person loaded with what every page's
    header shows (unread notifications, whether anyone reports to them): one
    query per request, compiled once, instead of three built each time."""

    def get_user(self, user_id):
        try:
            user = _signed_in.first(pk=int(user_id))
        except (TypeError, ValueError):
            return None
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None


class HRAdminBackend(BaseBackend):
    """HR admins may do everything in the admin of Trellis's own apps.

    Roles here are a flag on the person rather than Django groups: there is
    one administrative role, and a flag is what the HR import and the admin
    can show plainly. Superusers keep Django's usual all-powerful behaviour.
    """

    def _is_hr_admin(self, user_obj) -> bool:
        return bool(user_obj.is_active and getattr(user_obj, "is_hr_admin", False))

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return self._is_hr_admin(user_obj) and perm.split(".", 1)[0] in settings.HR_ADMIN_APP_LABELS

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return self._is_hr_admin(user_obj) and app_label in settings.HR_ADMIN_APP_LABELS
