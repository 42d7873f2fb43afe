from .models import User
from .selectors import unread_notification_count


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": unread_notification_count(user),
        "has_reports": User.objects.filter(manager=user, is_active=True).exists(),
    }
