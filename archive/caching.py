"""
Django's Redis and file caches, as accelerators that may fail: when Redis
cannot be reached (stopped, a closed port, a connection broken mid-request)
or the disk is full, a read is a miss and a write is skipped, so pages are
built from the database and saves succeed. The failure is logged as one
warning line per process at most every LOG_SECONDS, and the cache is left
alone for RETRY_SECONDS after a failure so that a request does not wait for
it at every one of its cache calls.

The Redis cache keeps one client per server (compat.KeptRedisClient):
Django's builds a new one for every cache call.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from . import compat
from .logs import first_line

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5
LOG_SECONDS = 60

# Shared by the backends of one process: {location: monotonic time it may be tried again}.
down_until = {}
# Failures in this process so far, and the state of the warning line.
state = {"failures": 0, "logged_at": None, "unlogged": 0}


def failures():
    """How many cache calls have failed in this process (pagecache re-reads the generation then)."""
    return state["failures"]


def failing():
    """Whether a cache of this process failed within RETRY_SECONDS, and is left alone."""
    now = time.monotonic()
    return any(now < until for until in down_until.values())


def reset():
    """Forgets past failures (for tests): Redis is tried at once again."""
    down_until.clear()
    state.update(failures=0, logged_at=None, unlogged=0)


def note_failure(location, error):
    """The cache is left alone for a while, and the failure logged unless one was just now."""
    now = time.monotonic()
    down_until[location] = now + RETRY_SECONDS
    state["failures"] += 1
    logged_at = state["logged_at"]
    if logged_at is not None and now - logged_at < LOG_SECONDS:
        state["unlogged"] += 1
        return
    unlogged, state["unlogged"], state["logged_at"] = state["unlogged"], 0, now
    # Not the address: it may hold Redis's password; the error names the host.
    logger.warning(
        "Cache unavailable, pages built from the database (%d failures not logged since): %s",
        unlogged,
        first_line(error),
    )


class FailSafe:
    """A cache whose failures are misses, never errors: see the module's docstring."""

    # What the backend raises when its store fails.
    errors = ()

    def __init__(self, location, params):
        super().__init__(location, params)
        self.location = location if isinstance(location, str) else ",".join(location)

    def attempt(self, method, default, *args, **kwargs):
        if time.monotonic() < down_until.get(self.location, 0):
            return default
        try:
            return getattr(super(), method)(*args, **kwargs)
        except self.errors as error:
            note_failure(self.location, error)
            return default

    def get(self, key, default=None, version=None):
        return self.attempt("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self.attempt("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self.attempt("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Every key not stored, as Django's contract for set_many says.
        return self.attempt("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self.attempt("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self.attempt("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        found = self.attempt("incr", missing, key, delta, version)
        if found is missing:
            # What Django's caches raise for a key they do not hold.
            raise ValueError(f"Key '{key}' not found.")
        return found

    def clear(self):
        return self.attempt("clear", False)


class FailSafeRedisCache(FailSafe, RedisCache):
    errors = (RedisError,)

    def __init__(self, location, params):
        super().__init__(location, params)
        compat.keep_redis_clients(self)


class FailSafeFileBasedCache(FailSafe, FileBasedCache):
    """The page cache's folder without Redis: a full or unwritable disk is a miss."""

    errors = (OSError, EOFError)
