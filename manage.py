#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import signal
import sys
from pathlib import Path

ENV_FILE = Path(__file__).resolve().parent / ".env"


def read_env_file(path=ENV_FILE):
    """
    KEY=VALUE lines of a local `.env` (made by `make run` and `make test`, with
    DJANGO_DEBUG=1), for manage.py on a developer's checkout. The environment
    wins; a production machine has no such file.
    """
    if not path.is_file():
        return
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip())


def stop(signum, frame):
    """
    Stopped by `kill`, `timeout` or systemd (SIGTERM) as by Ctrl+C: the
    transaction a command is in is rolled back and the temporary files of an
    export are removed, where the default would end the process at once.
    """
    raise KeyboardInterrupt


def main():
    signal.signal(signal.SIGTERM, stop)
    read_env_file()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cstonews.settings")
    # Commands (an export, an import, a migration) read far more than a page
    # does: no limit on a query, unless the environment sets one.
    os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "0")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import InterfaceError, OperationalError

    # Read now: a setting missing (the secret key) is one line, not a traceback.
    try:
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as error:
        sys.exit(f"manage.py: {error}")
    try:
        execute_from_command_line(sys.argv)
    except (OperationalError, InterfaceError) as error:
        # Django's own commands (migrate, createsuperuser) let a database that
        # cannot be reached, or that gives up, through as a traceback; the
        # archive's own say it in one line (archive/management/base.py).
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        sys.exit(f"manage.py: database error ({reason}).")
    except KeyboardInterrupt:
        # A database transaction the command was in is rolled back.
        sys.exit("manage.py: interrupted.")


if __name__ == "__main__":
    main()
