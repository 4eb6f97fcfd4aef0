import functools

from . import pagecache
from .models import address
from .taxonomy import taxonomy


def navigation(request):
    """The top-level sections for the main navigation, from the cached taxonomy."""

    def sections():
        return [
            {"name": name, "url": address("archive:section", slug)}
            for slug, name in taxonomy()["top"]
        ]

    # Read only when a template shows it (never for /healthz or feeds).
    return {"nav_sections": sections}


def generation(request):
    """
    The archive's generation (see pagecache), for the key of a fragment kept
    with {% cache %}: it changes whenever anything public does, so a kept
    fragment is never out of date. Read once, and only if a template asks.
    """
    return {"generation": functools.cache(lambda: pagecache.current_generation()[0])}
