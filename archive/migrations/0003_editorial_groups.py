"""
The two editorial roles, so that a fresh database has them.

Authors write news and statements and send them to review; editors may do
everything, including publishing. What each role may do beyond these model
permissions (authors only touching their own drafts) is checked in
archive/services.py and archive/admin.py.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUTHORS = "Authors"
EDITORS = "Editors"

AUTHOR_PERMISSIONS = [
    "view_section",
    "view_person",
    "view_body",
    "view_topic",
    "add_newsitem",
    "change_newsitem",
    "delete_newsitem",
    "view_newsitem",
    "add_statement",
    "change_statement",
    "delete_statement",
    "view_statement",
    "add_medialink",
    "change_medialink",
    "delete_medialink",
    "view_medialink",
]


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations have run; make them
    # now, so that the groups can be given them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    archive = Permission.objects.filter(content_type__app_label="archive")

    authors, _ = Group.objects.get_or_create(name=AUTHORS)
    authors.permissions.set(archive.filter(codename__in=AUTHOR_PERMISSIONS))
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    # The workflow log and the revisions are a record: nobody edits them.
    editors.permissions.set(
        archive.exclude(
            codename__in=[
                f"{action}_{model}"
                for action in ("add", "change", "delete")
                for model in ("transition", "revision", "slugredirect")
            ]
        )
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[AUTHORS, EDITORS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0002_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
