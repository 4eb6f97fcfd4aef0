import functools

from django.utils.translation import get_language, trans_real

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


def translations(request):
    """
    The request's language's catalogue for the templates' _(), in place of
    the environment's gettext (archive/templating.py). Django's gettext looks
    up the active language, a context-local value, on each of a page's 30 to
    50 calls: 5% of a page. The catalogue gives the same strings.
    """
    return {"_": trans_real.translation(get_language()).gettext}
