from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "archive"
    verbose_name = _("News archive")

    def ready(self):
        from . import search, signals  # noqa: F401  (connect SQLite's READABLE_TEXT, the file clean-up)
