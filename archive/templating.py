"""
The Jinja2 environment of the public site's templates (templates/jinja2/).

The public pages are Jinja2 rather than Django templates for speed alone: a
news list spent two thirds of its time in Django's template engine, and
Jinja2 renders the same page in about half the time (README, "Rendering").
The admin keeps Django's templates (templates/admin/).

What the templates use besides Jinja2's own, and the Django tag each replaces:

    _("text")                   {% translate "text" %}; with |format(name=...)
                                for {% blocktranslate %}. Written this way,
                                `makemessages` still finds every string.
    url("archive:home")         {% url %} (remembered: models.address)
    static("css/site.css")      {% static %} (remembered: static_address)
    querystring(page=2)         {% querystring %}
    {% call cached("name", key...) %}...{% endcall %}
                                {% cache %}, in the "pages" cache
    picture(image, ...)         {% picture %}: a responsive <picture>
    search_snippet(obj, query)  where a search result matches, in <mark>
    count_label("items", n)     plural labels ({% blocktranslate count %})

Filters: time_tag, iso, day, ymd (dates), date (Django's, for month names),
truncatewords, urlencode, absolute, largest_rendition.
"""

import datetime
import functools
from types import SimpleNamespace

from django.core.cache.utils import make_template_fragment_key
from django.core.files.storage import default_storage
from django.template import defaultfilters, defaulttags
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from jinja2 import ChainableUndefined, Environment, pass_context
from markupsafe import Markup

from . import pagecache
from .models import address, script_prefix
from .search import snippet

# How long a kept fragment lives at most; its key changes with the archive.
FRAGMENT_SECONDS = 3600

# The rendition a browser without srcset support gets.
FALLBACK_WIDTH = 640


def environment(**options):
    # Like a Django template, a missing variable is empty, and so is any
    # attribute of it: {% if filter.form.errors %} on a page without filters.
    # (Django's backend would choose Jinja2's Undefined, which raises there.)
    options["undefined"] = ChainableUndefined
    env = Environment(**options)
    env.globals.update(
        _=gettext,
        url=address,
        static=static_address,
        querystring=querystring,
        cached=cached,
        kept=kept,
        picture=pass_context(picture),
        search_snippet=snippet,
        count_label=count_label,
    )
    env.filters.update(
        time_tag=time_tag,
        iso=iso,
        day=day,
        ymd=ymd,
        date=defaultfilters.date,
        truncatewords=truncatewords,
        urlencode=defaultfilters.urlencode,
        absolute=absolute,
        largest_rendition=largest_rendition,
    )
    return env


@functools.lru_cache(maxsize=64)
def static_address(path):
    """
    static(), remembered: the manifest's lookup of the hashed name took 10 µs
    a page, and a file's address stays the same while the process lives
    (the manifest is read once, and so is STATIC_URL with its script prefix,
    by Django's settings).
    """
    return static(path)


# Dates. |date looks up the language's formats and walks the format string on
# every call; these two are what the site shows, for a fraction of that.


def _local(value):
    # The site's time zone: no page activates another, and localtime()'s
    # lookup of the active one was a third of a teaser's date.
    if isinstance(value, datetime.datetime) and value.utcoffset() is not None:
        return value.astimezone(timezone.get_default_timezone())
    return value


def iso(value):
    """2024-05-17T10:00:00+03:00 (a date: 2024-05-17), for datetime attributes and feeds."""
    if not isinstance(value, datetime.date):
        return ""
    return _local(value).isoformat()


def day(value):
    """17.05.2024: the day a date or a moment falls on, in the site's time zone."""
    if not isinstance(value, datetime.date):
        return ""
    return _dmy(_local(value))


def _dmy(local):
    return f"{local.day:02}.{local.month:02}.{local.year}"


def time_tag(value):
    """<time datetime="2024-05-17T10:00:00+03:00">17.05.2024</time>: iso and day at once."""
    if not isinstance(value, datetime.date):
        return ""
    local = _local(value)  # once: the conversion is most of the cost
    # Digits and ISO punctuation only: nothing to escape.
    return Markup(f'<time datetime="{local.isoformat()}">{_dmy(local)}</time>')


def ymd(value):
    """2024-05-17: a sitemap's <lastmod>, in the site's time zone."""
    if not isinstance(value, datetime.date):
        return ""
    return _local(value).strftime("%Y-%m-%d")


def truncatewords(value, count):
    """
    Django's |truncatewords (the first `count` words, then " …") without its
    lazy Truncator object, which took a tenth of a teaser's time.
    """
    words = str(value).split()
    text = " ".join(words[:count])
    if len(words) > count and not text.endswith(" …"):
        text += " …"
    # As Django's: what was safe HTML stays so.
    return Markup(text) if hasattr(value, "__html__") else text


@pass_context
def querystring(context, **changes):
    """The request's query string with `changes` (None removes a parameter): Django's tag."""
    # Django's {% querystring %} reads only the context's request.
    return defaulttags.querystring(SimpleNamespace(request=context["request"]), **changes)


def cached(name, *vary_on, caller):
    """
    The HTML inside {% call cached(name, ...) %}, kept in the "pages" cache
    under `name` and `vary_on`, like {% cache %}. Every key holds the
    archive's generation, so a kept fragment is never out of date, and the
    request's script prefix, which every address in it starts with.
    """
    key = make_template_fragment_key(name, [*vary_on, script_prefix()])
    html = pagecache.cache.get(key)
    if html is None:
        html = str(caller())
        pagecache.cache.set(key, html, FRAGMENT_SECONDS)
    return Markup(html)


# Fragments kept in this process, {generation: {key: html}}, for the two
# newest generations of the archive (see kept): a request begun before a
# change still renders in its own.
kept_fragments = {}


def kept(*key, caller):
    """
    The HTML inside {% call kept(...) %}, kept in this process's memory
    under `key` for as long as the archive's generation lasts: for small
    fragments shown many times a page, where a read of the shared cache
    would cost more than rendering them (a filter the visitor left alone:
    a filtered list rendered all nine, a fifth of the page). Keys must come
    from a small set: the names of templates' fragments, not from requests.
    The key holds the request's script prefix too, which every address in
    a fragment starts with.
    """
    key = (*key, script_prefix())
    generation = pagecache.generation()
    fragments = kept_fragments.get(generation)
    if fragments is None:
        fragments = kept_fragments[generation] = {}
        for older in sorted(kept_fragments)[:-2]:
            kept_fragments.pop(older, None)
    html = fragments.get(key)
    if html is None:
        html = fragments[key] = Markup(caller())
    return html


# Plural labels. Jinja2's templates say count_label("items", n); the strings
# are here so that makemessages finds them with their plural forms.
COUNT_LABELS = {
    "items": lambda n: ngettext("%(counter)s item", "%(counter)s items", n),
    "documents": lambda n: ngettext("%(counter)s document", "%(counter)s documents", n),
    "results": lambda n: ngettext("%(counter)s result", "%(counter)s results", n),
}


def count_label(kind, count):
    """'1 item', '25 items', in the active language."""
    return COUNT_LABELS[kind](count) % {"counter": count}


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
    url = default_storage.url
    return values | {
        "webp_srcset": ", ".join(f"{url(s['webp'])} {s['width']}w" for s in sources),
        "jpeg_srcset": ", ".join(f"{url(s['jpeg'])} {s['width']}w" for s in sources),
        "src": url(fallback[0]["jpeg"]),
        "width": largest["width"],
        "height": largest["height"],
    }


def largest_rendition(image):
    """The address of an image's largest JPEG rendition (for previews elsewhere), or ""."""
    sources = getattr(image, "sources", None)
    if not sources:
        return ""
    return default_storage.url(sources[-1]["jpeg"])


def absolute(url, request):
    """`url` as an absolute address (left as it is if it already is one)."""
    return request.build_absolute_uri(url) if url else ""
