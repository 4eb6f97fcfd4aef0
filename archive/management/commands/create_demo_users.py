"""
Create the local demo accounts for the admin, and print how to sign in.

Refuses to run with debug off, and on any database but the local SQLite one
unless --allow-database is given: known passwords must never reach a shared
database. An account that already exists is left as it is, password included.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction

from archive.management.base import ArchiveCommand
from archive.management.local import ALLOW_HELP, refuse_unless_local
from archive.roles import give_role

# username (also the password), role; "admin" is a superuser
DEMO_USERS = [("admin", None), ("editor", "editor"), ("author", "author")]


class Command(ArchiveCommand):
    help = "Create the local demo accounts admin, editor and author (debug only)."

    def add_arguments(self, parser):
        parser.add_argument("--allow-database", action="store_true", help=ALLOW_HELP)

    def handle(self, *args, allow_database=False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts have known passwords: they are only created with DJANGO_DEBUG=1."
            )
        refuse_unless_local("demo accounts", allow_database)
        User = get_user_model()
        created = []
        with transaction.atomic():
            for username, role in DEMO_USERS:
                if User.objects.filter(username=username).exists():
                    continue
                user = User(username=username, is_staff=True, is_superuser=role is None)
                user.set_password(username)
                user.save()
                if role:
                    give_role(user, role)
                created.append(username)
        if options["verbosity"] > 0:
            for username, role in DEMO_USERS:
                what = role or "superuser"
                if username in created:
                    line = f"Admin sign-in ({what}): user “{username}”, password “{username}”"
                    self.stdout.write(self.style.SUCCESS(line))
                else:
                    self.stdout.write(
                        f"Admin sign-in ({what}): user “{username}” already existed, its password "
                        f"left as it was (“{username}” if this command made it)"
                    )
