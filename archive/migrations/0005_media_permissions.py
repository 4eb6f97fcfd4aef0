"""Images and attachments for both roles: authors attach photos and documents too."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUTHOR_PERMISSIONS = [
    "add_image",
    "change_image",
    "view_image",
    "add_attachment",
    "change_attachment",
    "view_attachment",
    "add_galleryimage",
    "change_galleryimage",
    "delete_galleryimage",
    "view_galleryimage",
]
EDITOR_EXTRA = ["delete_image", "delete_attachment"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    archive = Permission.objects.filter(content_type__app_label="archive")
    authors, _ = Group.objects.get_or_create(name="Authors")
    authors.permissions.add(*archive.filter(codename__in=AUTHOR_PERMISSIONS))
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*archive.filter(codename__in=AUTHOR_PERMISSIONS + EDITOR_EXTRA))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = AUTHOR_PERMISSIONS + EDITOR_EXTRA
    for group in Group.objects.filter(name__in=["Authors", "Editors"]):
        group.permissions.remove(*Permission.objects.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("archive", "0004_images_and_attachments")]

    operations = [migrations.RunPython(grant, revoke)]
