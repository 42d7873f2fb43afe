"""`make bench-http` only: production settings, and a bare view to measure the pages against.

Never deployed: no environment variable selects the benchmark URLconf, only
this module does. gunicorn is reached over plain HTTP on the loopback
interface, so the HTTPS redirect and secure-only cookies are off.
"""

from .production import *  # noqa: F403

ROOT_URLCONF = "config.urls_bench"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
