"""`make run`: a developer's machine, embedded defaults, nothing to install.

The site runs as people will see it: Trellis's own 404, 403 and 500 pages,
and static files served by whitenoise straight from the apps' folders (no
collectstatic). DJANGO_DEBUG=1 brings back Django's debug pages.
"""

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="local-development-only-do-not-use-in-production-3b1f9c2e7d",
)
MIDDLEWARE = list(MIDDLEWARE)
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "whitenoise.middleware.WhiteNoiseMiddleware")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
