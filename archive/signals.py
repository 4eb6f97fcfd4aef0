"""
Files go when the record that holds them goes, after the transaction commits
(a rolled-back delete keeps them), and only if no other record still uses the
same stored file. A post_delete receiver, because the admin's bulk delete
and cascades never call a model's delete().
"""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .images import delete_renditions
from .models import Attachment, Image


def delete_unless_shared(model, field_file):
    name, storage = field_file.name, field_file.storage
    if name and not model.objects.filter(file=name).exists():
        storage.delete(name)


@receiver(post_delete, sender=Image)
def delete_image_files(sender, instance, **kwargs):
    renditions, file = instance.renditions, instance.file

    def delete():
        delete_renditions(renditions)
        delete_unless_shared(Image, file)

    transaction.on_commit(delete)


@receiver(post_delete, sender=Attachment)
def delete_attachment_file(sender, instance, **kwargs):
    file = instance.file
    transaction.on_commit(lambda: delete_unless_shared(Attachment, file))
