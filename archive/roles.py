"""The two editorial roles; the groups themselves are made by migration 0003."""

from django.contrib.auth.models import Group

AUTHORS = "Authors"
EDITORS = "Editors"
ROLES = {"author": AUTHORS, "editor": EDITORS}


def give_role(user, role: str):
    """Make `user` a staff member with exactly one editorial role."""
    user.is_staff = True
    user.save()
    user.groups.remove(*Group.objects.filter(name__in=ROLES.values()))
    user.groups.add(Group.objects.get(name=ROLES[role]))
