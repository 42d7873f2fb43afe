"""`make test`: fast, and on real PostgreSQL and Redis when their URLs are set."""

from .base import *  # noqa: F403
from .base import REDIS_URL, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-secret-key-not-for-production")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]

if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tasks go through the real broker (Redis when REDIS_URL is set) only in the
# tests that start a worker; everywhere else a queued task is sent to an
# in-memory broker that nobody reads unless the test asks for it.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A Celery worker started by a test in a process of its own cannot fill the
# in-memory outbox: the test names a backend that writes where it can read.
EMAIL_BACKEND = env("TRELLIS_TEST_EMAIL_BACKEND", default=EMAIL_BACKEND)
TRELLIS_TEST_EMAIL_LOG = env("TRELLIS_TEST_EMAIL_LOG", default="")
