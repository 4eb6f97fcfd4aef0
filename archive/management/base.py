"""What every command of the archive shares."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, InterfaceError, OperationalError, ProgrammingError

from archive.logs import first_line

NOT_MIGRATED = "The database is not set up for this version: run `manage.py migrate` first."


def is_migrated():
    """Whether the database has every migration this code needs (`migrate --check`)."""
    try:
        call_command("migrate", check_unapplied=True, verbosity=0)
    except SystemExit:
        return False
    except DatabaseError:
        return True  # not the question then: the database itself fails
    return True


class ArchiveCommand(BaseCommand):
    """
    A command that answers an unreachable or unmigrated database with one
    line and a non-zero exit, as every refusal of a command does, not a
    traceback.
    """

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except (OperationalError, InterfaceError, ProgrammingError) as error:
            # A table missing (a first deployment) fails as any of the three.
            if not is_migrated():
                raise CommandError(NOT_MIGRATED) from error
            if isinstance(error, ProgrammingError):
                raise
            raise CommandError(f"The database cannot be reached ({first_line(error)}).") from error
