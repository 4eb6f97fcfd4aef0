"""
A database that stalls or fails, seen from one process (docs/failure-modes.md).

deadline() cuts the connections of a block still waiting on PostgreSQL after
its seconds (a stalled server answers no timeout of its own). A database that
has just failed this process is not asked again for DATABASE_RETRY_SECONDS:
while it is down or stalled, requests that need it answer 503 at once instead
of each waiting for a deadline, and cached pages skip their check of the
generation. A statement the server itself cancelled (statement_timeout) is
no such failure: the database answered, and only that request fails.
"""

import contextlib
import os
import socket
import threading
import time

from django.conf import settings
from django.db import OperationalError, connections


class DatabaseResting(OperationalError):
    """Raised instead of asking a database that failed a moment ago."""


# When this process may ask the database again (time.monotonic()).
retry_at = 0.0
# PostgreSQL's SQLSTATE for a statement it cancelled (query_canceled).
QUERY_CANCELED = "57014"


def trip(error=None):
    """The database failed: leave it alone for a while (not for our own refusals)."""
    global retry_at
    if not isinstance(error, DatabaseResting) and not cancelled_by_server(error):
        retry_at = time.monotonic() + settings.DATABASE_RETRY_SECONDS


def cancelled_by_server(error):
    """
    Whether `error` is a statement the server cancelled (its statement_timeout):
    one slow query, from a database that answers, which other requests need not wait out.
    """
    cause = getattr(error, "__cause__", None)
    return getattr(cause, "sqlstate", None) == QUERY_CANCELED


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


def cut(wrapper):
    """
    Shuts down the socket of `wrapper`'s connection: a query waiting on it
    raises OperationalError at once. A server that stalls answers neither
    the query nor a cancel request (psycopg's cancel() opens a new
    connection to it), so only the client's end can end the wait.
    """
    connection = wrapper.connection
    if connection is None:
        return
    try:
        end = socket.socket(fileno=os.dup(connection.fileno()))
    except (OSError, wrapper.Database.Error):
        return  # closed meanwhile
    try:
        end.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        end.close()


class Watchdog:
    """
    One thread per process that cuts the database connections of requests
    still running at their deadline (see DatabaseDeadlineMiddleware).
    """

    def __init__(self):
        self.changed = threading.Condition()
        self.watched = {}
        self.thread = None
        # When the thread wakes next by itself (None: only when woken).
        self.wakes_at = None

    def watch(self, seconds, wrappers):
        token = object()
        deadline = time.monotonic() + seconds
        with self.changed:
            if self.thread is None or not self.thread.is_alive():
                # Started in each process (gunicorn forks after loading the site).
                self.thread = threading.Thread(target=self.run, name="db-deadline", daemon=True)
                self.thread.start()
            self.watched[token] = (deadline, wrappers)
            # Woken only when it would sleep past this deadline: every request
            # has the same timeout, so under load that is seldom, not each time.
            if self.wakes_at is None or deadline < self.wakes_at:
                self.changed.notify()
        return token

    def done(self, token):
        """Stops watching; whether the deadline came first and the connections were cut."""
        with self.changed:
            return self.watched.pop(token, None) is None

    def run(self):
        with self.changed:
            while True:
                now = time.monotonic()
                for token, (deadline, wrappers) in list(self.watched.items()):
                    if deadline <= now:
                        del self.watched[token]
                        for wrapper in wrappers:
                            cut(wrapper)
                deadlines = [deadline for deadline, _ in self.watched.values()]
                self.wakes_at = min(deadlines, default=None)
                self.changed.wait(self.wakes_at - now if deadlines else None)


watchdog = Watchdog()


@contextlib.contextmanager
def deadline(seconds):
    """
    Cuts this thread's PostgreSQL connections if the block still waits on
    them after `seconds` (0: no limit); the database then rests, and the cut
    connections are closed, so that the next request opens others.
    """
    wrappers = [wrapper for wrapper in connections.all() if wrapper.vendor == "postgresql"]
    if not seconds or not wrappers:
        yield
        return
    token = watchdog.watch(seconds, wrappers)
    try:
        yield
    finally:
        if watchdog.done(token):
            trip()
            for wrapper in wrappers:
                wrapper.close()
