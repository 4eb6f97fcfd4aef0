"""
Create the local demo accounts for the admin, and print how to sign in.

Refuses to run with debug off: known passwords must never reach production.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from archive.roles import give_role

# username (also the password), role; "admin" is a superuser
DEMO_USERS = [("admin", None), ("editor", "editor"), ("author", "author")]


class Command(BaseCommand):
    help = "Create the local demo accounts admin, editor and author (debug only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts have known passwords: they are only created with DJANGO_DEBUG=1."
            )
        User = get_user_model()
        with transaction.atomic():
            for username, role in DEMO_USERS:
                user, _ = User.objects.get_or_create(username=username)
                user.is_staff = True
                user.is_superuser = role is None
                # Reset every time, so that what is printed below is always true.
                user.set_password(username)
                user.save()
                if role:
                    give_role(user, role)
        if options["verbosity"] > 0:
            for username, role in DEMO_USERS:
                what = role or "superuser"
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Admin sign-in ({what}): user “{username}”, password “{username}”"
                    )
                )
