from django.conf import settings
from django.contrib.auth.backends import BaseBackend


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
