"""The guard of the commands that plant demo content and accounts with known passwords."""

from django.core.management.base import CommandError
from django.db import connection

ALLOW_HELP = "Load into this database even though it is not a local SQLite file."


def refuse_unless_local(what, allow_database, doing="loading"):
    """
    Refuse unless the database is SQLite (a file on this machine) or the
    developer asked for this one: a DATABASE_URL left pointing at a shared
    database must not receive demo data by mistake.
    """
    if allow_database or connection.vendor == "sqlite":
        return
    name = connection.settings_dict["NAME"]
    raise CommandError(
        f"Not {doing} {what} in the {connection.vendor} database “{name}”: "
        "only into the local SQLite database, or with --allow-database (make run DEMO=1)."
    )
