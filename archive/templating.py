"""
The Jinja2 environment of the public site's templates (templates/jinja2/),
for Django's own Jinja2 backend (settings.TEMPLATES). The admin keeps
Django's templates (templates/admin/).

What the templates use besides Jinja2's own, and the Django tag each stands for:

    _("text")                   {% translate "text" %}; with |format(name=...)
                                for {% blocktranslate %}. Written this way,
                                `makemessages` still finds every string.
    ngettext(one, many, n)      {% blocktranslate count %}
    count_label("items", n)     "1,250 items", with its plural forms
    url("archive:home")         {% url %} (Django's reverse(), remembered)
    feed_url("feed-news")       the address of a feed in the visitor's language
    static("css/site.css")      {% static %} (Django's static(), remembered)
    querystring(page=2)         {% querystring %}
    {% call cached("name", key...) %}...{% endcall %}
                                {% cache %}, never out of date (see cached)
    picture(image, ...)         a responsive <picture> from an image's renditions
    search_snippet(obj, query)  where a search result matches, in <mark>
    emblem_url(request)         the emblem's absolute address, for a page's preview image
    switch_next(request)        the language switch's way back, "Go back" link kept (backlink)
    Language(code).label        a language's name; statement.Kind(kind).label
                                likewise: the choices' own labels, where
                                get_FOO_display() builds a dict of them on each call

Filters: date, truncatewords and intcomma (Django's; intcomma groups a
count's digits as the visitor's language does, "33,184" or "33 184"), localdate (Django's
timezone.localdate: the day in the site's time zone, printed as 2024-05-17),
isoformat (|date("c"): 2024-05-17T10:00:00+03:00), time_tag (a <time> element),
largest_rendition (an image's largest JPEG), contact_links (telephone numbers
and e-mail addresses as links).
"""

import functools
import re
from types import SimpleNamespace

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.cache.utils import make_template_fragment_key
from django.core.files.storage import default_storage
from django.template import defaultfilters, defaulttags
from django.urls import get_script_prefix, reverse
from django.utils.timezone import localdate, template_localtime
from django.utils.translation import get_language, gettext, ngettext
from jinja2 import ChainableUndefined, Environment, pass_context
from markupsafe import Markup, escape

from . import backlink, pagecache
from .models import Language, active_language
from .search import snippet
from .seo import emblem_url, static

# The rendition a browser without srcset support gets.
FALLBACK_WIDTH = 640


def environment(**options):
    # As in a Django template, a missing variable is empty, and so is any
    # attribute of it: {% if filter.form.errors %} on a page without filters.
    options["undefined"] = ChainableUndefined
    env = Environment(**options)
    env.globals.update(
        _=gettext,
        ngettext=ngettext,
        count_label=count_label,
        url=url,
        feed_url=feed_url,
        static=static,
        querystring=querystring,
        cached=cached,
        picture=pass_context(picture),
        search_snippet=snippet,
        emblem_url=emblem_url,
        switch_next=backlink.switch_next,
        Language=Language,
    )
    env.filters.update(
        date=date,
        localdate=localdate,
        truncatewords=defaultfilters.truncatewords,
        intcomma=intcomma,
        time_tag=time_tag,
        isoformat=isoformat,
        largest_rendition=largest_rendition,
        contact_links=contact_links,
    )
    return env


def url(viewname, *args):
    """
    {% url %}: url("archive:section", slug), Django's reverse() remembered
    for each URLconf and script prefix, because a list asks for some forty
    addresses and reverse() works each one out anew.
    """
    return remembered_reverse(viewname, args, settings.ROOT_URLCONF, get_script_prefix())


def feed_url(name, *args):
    """The address of feed `name` (e.g. "feed-news") in the visitor's language."""
    language = active_language()
    return url(f"archive:{name}", *([language] if language != "en" else []), *args)


@functools.lru_cache(maxsize=4096)
def remembered_reverse(viewname, args, urlconf, script_prefix):
    # reverse() reads the same script prefix, which is in the key.
    return reverse(viewname, args=args, urlconf=urlconf)


def date(value, format=None):
    """Django's |date, in the site's time zone: 17.05.2024 with "d.m.Y", ISO 8601 with "c"."""
    # Django's template engine moves a moment to the current time zone before
    # |date (expects_localtime); Jinja2 does not, so it is done here.
    return defaultfilters.date(template_localtime(value), format)


def isoformat(value):
    """
    |date("c") (ISO 8601, in the site's time zone) with Python's isoformat,
    which is what Django's "c" gives, without reading a format string on
    each call: a news sitemap prints two for each of its items.
    """
    return template_localtime(value).isoformat() if value else ""


def time_tag(value):
    """
    <time datetime="2024-05-17T10:00:00+03:00">17.05.2024</time>, in the
    site's time zone: what |date("c") and |date("d.m.Y") give, with Python's
    own formatting, because |date reads its format string anew on each call
    and a list shows twenty of these.
    """
    if not value:
        return ""
    local = template_localtime(value)
    # Digits and punctuation only: nothing to escape.
    return Markup(f'<time datetime="{local.isoformat()}">{local.strftime("%d.%m.%Y")}</time>')


@pass_context
def querystring(context, **changes):
    """The request's query string with `changes` (None removes a parameter): Django's tag."""
    # Django's {% querystring %} reads only the context's request.
    return defaulttags.querystring(SimpleNamespace(request=context["request"]), **changes)


def cached(name, *vary_on, caller):
    """
    {% cache %}: the HTML inside {% call cached(name, ...) %}, kept under
    `name` and `vary_on`, for fragments that are the same on many pages. The
    key also holds the archive's generation, which changes with anything
    public, so a fragment is never out of date, the request's script
    prefix, which every address in it starts with, and the interface
    language, which its names and labels are in.
    """
    generation = pagecache.current_generation()[0]
    vary_on = [*vary_on, generation, get_script_prefix(), get_language()]
    key = make_template_fragment_key(name, vary_on)
    return Markup(pagecache.local.get_or_set(key, lambda: str(caller())))


# Plural labels. Jinja2's templates say count_label("items", n); the strings
# are here so that makemessages finds them with their plural forms.
COUNT_LABELS = {
    "items": lambda n: ngettext("%(counter)s item", "%(counter)s items", n),
    "documents": lambda n: ngettext("%(counter)s document", "%(counter)s documents", n),
    "results": lambda n: ngettext("%(counter)s result", "%(counter)s results", n),
    "pages": lambda n: ngettext("%(counter)s page", "%(counter)s pages", n),
}


def count_label(kind, count):
    """'1 item', '1,250 items', in the active language."""
    return COUNT_LABELS[kind](count) % {"counter": intcomma(count)}


def picture(context, image, sizes="100vw", loading="lazy", css_class=""):
    """
    A responsive <picture> from the renditions made at upload: WebP for
    browsers that take it, JPEG for the rest, with the width and height the
    layout reserves so that nothing shifts while loading.
    """
    if not image:
        return ""
    template = context.environment.get_template("includes/picture.html")
    return Markup(template.render(picture_sources(image, sizes, loading, css_class)))


def picture_sources(image, sizes, loading, css_class):
    values = {"image": image, "sizes": sizes, "loading": loading, "css_class": css_class}
    sources = image.sources
    if not sources:
        # Renditions not made yet (the rebuild command makes them): the original.
        return values | {"src": image.file.url, "width": image.width, "height": image.height}
    fallback = [s for s in sources if s["width"] <= FALLBACK_WIDTH][-1:] or sources[:1]
    largest = sources[-1]
    storage_url = default_storage.url
    return values | {
        "webp_srcset": ", ".join(f"{storage_url(s['webp'])} {s['width']}w" for s in sources),
        "jpeg_srcset": ", ".join(f"{storage_url(s['jpeg'])} {s['width']}w" for s in sources),
        "src": storage_url(fallback[0]["jpeg"]),
        "width": largest["width"],
        "height": largest["height"],
    }


# A telephone number as the CSTO's pages write them: "+7 (495) 606-97-71", "8 495 795-27-10".
PHONE = re.compile(r"\+?\d[\d ()-]{6,}\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def contact_links(text):
    """An item's contact line with its numbers and addresses as links a phone can follow."""

    def link(match):
        value = match.group(0)
        if "@" in value:
            return f'<a href="mailto:{value}">{value}</a>'
        return f'<a href="tel:{re.sub(r"[^+0-9]", "", value)}">{value}</a>'

    # Escaped first: the links are made of what is left, never of raw markup.
    escaped = str(escape(text))
    return Markup(PHONE.sub(link, EMAIL.sub(link, escaped)))


def largest_rendition(image):
    """The address of an image's largest JPEG rendition (for previews elsewhere), or ""."""
    sources = getattr(image, "sources", None)
    if not sources:
        return ""
    return default_storage.url(sources[-1]["jpeg"])
