"""Filters of the site's log (settings.LOGGING); no models here, as logging is set up first."""

import logging


def first_line(error):
    """
    An error's text without the detail lines some database drivers add
    (psycopg's "This probably means...", PostgreSQL's CONTEXT): a log
    line, and a command's error, stay one line.
    """
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


class SkipReadinessProbes(logging.Filter):
    """
    /readyz answering 503 is its answer to a load balancer, asked every few
    seconds while the database or Redis is down: not a server error to log
    each time, where it would bury the one line a minute that says why.
    """

    def filter(self, record):
        request = getattr(record, "request", None)
        return getattr(request, "path_info", None) != "/readyz"
