import contextlib
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class WholeFileStorage(FileSystemStorage):
    """
    Django's folder on this machine, where a file that cannot be written in
    full (a full disk) is removed, not left half-written with nothing
    pointing to it.
    """

    def _save(self, name, content):
        # Storage.save() chose a name no file had: a file there afterwards is this write's.
        taken = os.path.lexists(self.path(name))
        try:
            return super()._save(name, content)
        except OSError:
            if not taken:
                with contextlib.suppress(OSError):
                    os.remove(self.path(name))
            raise


class PrivateStorage(WholeFileStorage):
    """
    Files kept outside MEDIA_ROOT, in PRIVATE_MEDIA_ROOT, with no public URL:
    they reach visitors only through a view that checks what they may see.
    """

    def __init__(self, location=None, **kwargs):
        super().__init__(location=location, **kwargs)
        self.chosen_location = location

    # Read from the setting on each use, so that a changed setting (as in tests) is followed.
    @property
    def base_location(self):
        return self.chosen_location or settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; link to their download view.")
