"""What every command of the archive shares."""

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError


def first_line(error):
    """An error's text without the detail lines some database drivers add."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


class ArchiveCommand(BaseCommand):
    """
    A command that answers an unreachable database with one line and a
    non-zero exit, as every refusal of a command does, not a traceback.
    """

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except (OperationalError, InterfaceError) as error:
            raise CommandError(f"The database cannot be reached ({first_line(error)}).") from error
