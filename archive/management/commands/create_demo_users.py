"""
Create the local demo accounts for the admin, and print how to sign in.

Refuses to run with debug off: known passwords must never reach production.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# username, password, is superuser
DEMO_USERS = [("admin", "admin", True)]


class Command(BaseCommand):
    help = "Create the local demo admin accounts (debug only) and print their sign-in."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts have known passwords: they are only created with DJANGO_DEBUG=1."
            )
        User = get_user_model()
        with transaction.atomic():
            for username, password, superuser in DEMO_USERS:
                user, _ = User.objects.get_or_create(username=username)
                user.is_staff = True
                user.is_superuser = superuser
                # Reset every time, so that what is printed below is always true.
                user.set_password(password)
                user.save()
        if options["verbosity"] > 0:
            for username, password, _ in DEMO_USERS:
                self.stdout.write(
                    self.style.SUCCESS(f"Admin sign-in: user “{username}”, password “{password}”")
                )
