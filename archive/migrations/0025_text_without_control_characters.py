import re

from django.db import migrations, models

# As archive.sanitize.CONTROL_CHARACTERS, which new writes go through (a
# database's text holds no NUL).
CONTROL_CHARACTERS = "[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"


def drop_control_characters(apps, schema_editor):
    """Text saved before control characters were taken out on saving loses them now."""
    pattern = re.compile(CONTROL_CHARACTERS)
    for model in apps.get_app_config("archive").get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField)):
                continue
            found = model.objects.filter(**{f"{field.name}__regex": CONTROL_CHARACTERS})
            for pk, value in found.values_list("pk", field.name):
                value = pattern.sub(" ", value)
                if isinstance(field, models.CharField):
                    value = value.strip()
                model.objects.filter(pk=pk).update(**{field.name: value})


class Migration(migrations.Migration):
    dependencies = [("archive", "0024_newsitem_contact")]

    operations = [migrations.RunPython(drop_control_characters, migrations.RunPython.noop)]
