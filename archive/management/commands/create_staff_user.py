"""
Create an author or an editor account, or change an account's role.

    manage.py create_staff_user alice --role author
    DJANGO_USER_PASSWORD=... manage.py create_staff_user bob --role editor --no-input
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction

from archive.management.base import ArchiveCommand
from archive.roles import ROLES, give_role


class Command(ArchiveCommand):
    help = "Create an author or editor account for the admin (or change a user's role)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES), required=True)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Read the password of a new account from DJANGO_USER_PASSWORD.",
        )

    def handle(self, *args, username, role, email, interactive, **options):
        User = get_user_model()
        # As the admin's own user form checks them: length, characters, address.
        for name, value in (("username", username), ("email", email)):
            try:
                User._meta.get_field(name).clean(value, None)
            except ValidationError as error:
                raise CommandError(f"{name}: {' '.join(error.messages)}") from error
        user = User.objects.filter(username=username).first()
        if user is not None and user.is_superuser:
            # A role would change nothing it may do, while saying it had.
            raise CommandError(
                f"“{username}” is a superuser, who may do everything whatever the role: "
                "nothing was changed. Take the superuser status away in the admin first."
            )
        password = None
        if user is None:
            password = self.read_password(interactive)
            try:
                validate_password(password, User(username=username, email=email))
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        with transaction.atomic():
            if user is None:
                user = User.objects.create_user(username, email=email, password=password)
                done = "Created"
            else:
                done = "Updated"
            give_role(user, role)
        if options["verbosity"] > 0:
            self.stdout.write(self.style.SUCCESS(f"{done} {role} “{username}”."))

    def read_password(self, interactive):
        if not interactive:
            password = os.environ.get("DJANGO_USER_PASSWORD", "")
            if not password:
                raise CommandError("Set DJANGO_USER_PASSWORD for a new account with --no-input.")
            return password
        try:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        except (EOFError, KeyboardInterrupt) as error:
            raise CommandError("No password given.") from error
        return password
