"""
Two things follow every write, whatever makes it (the admin's bulk actions
and cascades never call a model's methods):

- cached pages become old (archive/pagecache.py), and for a news item the
  counts of its years, before and after the write;
- files go when the record that holds them goes, after the transaction commits
  (a rolled-back delete keeps them), and only if no other record still uses
  the same stored file.
"""

from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from . import pagecache
from .images import delete_renditions
from .models import Attachment, Image, NewsItem
from .sanitize import clean_text_fields

# Records that no page shows: writing them leaves cached pages valid (and
# the heartbeats of editing sessions, every few seconds, must).
NOT_SHOWN = {
    "transition",
    "revision",
    "generation",
    "notificationsettings",
    "trasheditem",
    "editingsession",
}


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


def invalidate_pages(sender, **kwargs):
    # After the commit: a page built from the old rows must not be cached as new.
    # No news item was written, so no year's count of news changed.
    transaction.on_commit(lambda: pagecache.refresh(years=()))


def news_year(moment):
    """The year the archive navigation counts a news item in (local time)."""
    return timezone.localtime(moment).year if moment else None


@receiver(pre_save)
def drop_control_characters(sender, instance, raw=False, **kwargs):
    """Every text field of the archive's records is saved without control characters."""
    if sender._meta.app_label == "archive":
        clean_text_fields(instance)


@receiver(pre_save, sender=NewsItem)
def note_year_before(sender, instance, raw=False, **kwargs):
    # The year the item was counted in before this write, read from its row:
    # an edit that moves it to another year changes the counts of both.
    before = None
    if instance.pk and not raw:
        before = sender.objects.filter(pk=instance.pk).values_list("published_at", flat=True)
        before = before.first()
    instance._year_before = news_year(before)


@receiver(post_save, sender=NewsItem)
@receiver(post_delete, sender=NewsItem)
def invalidate_news(sender, instance, raw=False, **kwargs):
    """Every cached page is old, and so are the counts of the item's years."""
    if raw:  # loaded from a fixture, without its year before: any year
        transaction.on_commit(pagecache.refresh)
        return
    years = {news_year(instance.published_at), getattr(instance, "_year_before", None)}
    years.discard(None)
    transaction.on_commit(lambda: pagecache.refresh(years=years))


def connect_page_cache():
    """Any write to what the public pages show makes every cached page old."""
    for model in apps.get_app_config("archive").get_models():
        if model._meta.model_name in NOT_SHOWN:
            continue
        if model is not NewsItem:  # news items: invalidate_news, with their years
            post_save.connect(invalidate_pages, sender=model, dispatch_uid=f"pages-save-{model}")
            post_delete.connect(invalidate_pages, sender=model, dispatch_uid=f"pages-del-{model}")
        links = [f for f in model._meta.get_fields() if f.many_to_many and not f.auto_created]
        for field in links:
            m2m_changed.connect(
                invalidate_pages,
                sender=field.remote_field.through,
                dispatch_uid=f"pages-m2m-{field}",
            )


connect_page_cache()
