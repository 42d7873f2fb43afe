"""`make run`: a developer's machine, embedded defaults, nothing to install."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="local-development-only-do-not-use-in-production-3b1f9c2e7d",
)
