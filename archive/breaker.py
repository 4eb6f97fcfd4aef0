"""
A database that has just failed this process is not asked again for a few
seconds (DATABASE_RETRY_SECONDS): while it is down or stalled, requests that
need it answer 503 at once instead of each waiting for the request deadline,
and cached pages skip their check of the generation (docs/failure-modes.md).
"""

import time

from django.conf import settings
from django.db import OperationalError


class DatabaseResting(OperationalError):
    """Raised instead of asking a database that failed a moment ago."""


# When this process may ask the database again (time.monotonic()).
retry_at = 0.0


def trip(error=None):
    """The database failed: leave it alone for a while (not for our own refusals)."""
    global retry_at
    if not isinstance(error, DatabaseResting):
        retry_at = time.monotonic() + settings.DATABASE_RETRY_SECONDS


def is_open():
    """Whether the database failed too recently to be asked again."""
    return time.monotonic() < retry_at


def reset():
    global retry_at
    retry_at = 0.0


def refuse_while_open(execute, sql, params, many, context):
    """A connection.execute_wrapper: queries fail at once while the breaker is open."""
    if is_open():
        raise DatabaseResting("the database failed a moment ago; not asked again yet")
    return execute(sql, params, many, context)
