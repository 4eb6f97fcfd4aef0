"""What an item page tells search engines and link previews besides its HTML."""

import functools
import json

from django.core.files.storage import default_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags import static as static_tag
from django.utils.safestring import mark_safe

# Each in its own language: it is read by those who read that language.
TRANSLATION_LABELS = {"en": "Read this news in English", "ru": "Читать эту новость на русском"}
STATEMENT_TRANSLATION_LABELS = {
    "en": "Read this document in English",
    "ru": "Читать этот документ на русском",
}

ORGANISATION = "Collective Security Treaty Organization"

# Google reads at most this many characters of a NewsArticle's headline.
HEADLINE_LENGTH = 110

# What link previews and search engines show for a page without a picture of
# its own: the organisation's emblem, as wide as social sites ask for.
EMBLEM_IMAGE = "img/og-emblem.png"


@functools.lru_cache(maxsize=256)
def static(path):
    """
    {% static %}: Django's static(), remembered. A file's address is fixed
    while the process runs (its hashed name is read from collectstatic's
    manifest), and working it out takes longer than drawing a teaser.
    """
    return static_tag.static(path)


@receiver(setting_changed)
def forget_static(*, setting, **kwargs):
    # Tests change where static files are.
    if setting in {"STATIC_URL", "STATIC_ROOT", "STORAGES"}:
        static.cache_clear()


def emblem_url(request):
    return request.build_absolute_uri(static(EMBLEM_IMAGE))


def headline(title, length=HEADLINE_LENGTH):
    """The title, or as many of its words as fit in `length` characters with an ellipsis."""
    if len(title) <= length:
        return title
    cut = title[: length - 1]
    if not title[length - 1].isspace() and " " in cut:
        # Back to the last whole word (a single word too long is cut where it must be).
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + "…"


def news_article_json_ld(request, item):
    """schema.org NewsArticle for the item page, safe inside a <script> element."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": headline(item.title),
        "description": item.lead,
        "inLanguage": item.language,
        "mainEntityOfPage": request.build_absolute_uri(item.get_absolute_url()),
        "articleSection": item.section.display_name,
        "publisher": {
            "@type": "Organization",
            "name": ORGANISATION,
            "alternateName": "CSTO",
        },
        "author": {"@type": "Organization", "name": "CSTO Secretariat"},
    }
    if item.published_at:
        data["datePublished"] = item.published_at.isoformat()
    data["dateModified"] = item.updated_at.isoformat()
    if item.cover_image and item.cover_image.sources:
        data["image"] = [
            request.build_absolute_uri(default_storage.url(source["jpeg"]))
            for source in item.cover_image.sources
        ]
    else:
        data["image"] = [emblem_url(request)]
    # As json_script does: no "<", ">" or "&" can close the element early.
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for char, escaped in (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return mark_safe(text)  # noqa: S308 (escaped just above)
