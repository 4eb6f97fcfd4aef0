"""
A list's teasers as HTML. A list page reads the ids of its rows only; each
teaser is drawn once per archive generation in each process and kept in
memory, and only the rows of teasers not drawn yet are read and built.
Building and drawing twenty rows on every request was half of a list
page's cost (docs/performance.md). The key holds the generation, which
changes with anything public, so a kept teaser is never out of date.

A search's teasers show where each result matches, so they are drawn from
their rows every time.
"""

from django.db.models import QuerySet
from django.template import engines
from django.urls import get_script_prefix
from django.utils.translation import get_language
from markupsafe import Markup, escape

from . import pagecache
from .templating import fragments

# (template, macro) of each kind of teaser.
MACROS = {
    "news": ("archive/_newsitem_teaser.html", "news_teaser"),
    "statement": ("archive/_statement_teaser.html", "statement_teaser"),
}
# Stands for the list's own address in a kept teaser's links (see backlink):
# every list, filter and page shows the same teaser.
BACK = "?back=/list-address/"


def draw(kind, ids, rows, *, back_query="", search_query="", **options):
    """
    The teasers of `ids`, in that order, as HTML: `kind` is a key of MACROS,
    `rows` the queryset the ids were read from (or those rows, read
    already), `options` the macro's (show_section=True). An id whose row is
    no longer there is left out.
    """
    if search_query:
        drawn = drawn_from(kind, rows_of(rows, ids), back_query, search_query, options)
    else:
        drawn = kept(kind, ids, rows, options)
    teasers = [drawn[pk] for pk in ids if pk in drawn]
    return [Markup(teaser.replace(BACK, str(escape(back_query)))) for teaser in teasers]


def kept(kind, ids, rows, options):
    """{id: teaser} of `ids`, drawing and keeping those not kept yet."""
    generation = pagecache.current_generation()[0]
    variant = ",".join(f"{name}={value}" for name, value in sorted(options.items()))
    # The interface language names sections and languages; every address starts with the prefix.
    keys = {
        pk: f"teaser:{generation}:{get_language()}:{get_script_prefix()}:{kind}:{variant}:{pk}"
        for pk in ids
    }
    found = fragments.get_many(keys.values())
    drawn = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in ids if pk not in drawn]
    if missing:
        new = drawn_from(kind, rows_of(rows, missing), BACK, "", options)
        fragments.set_many({keys[pk]: teaser for pk, teaser in new.items()})
        drawn.update(new)
    return drawn


def rows_of(rows, ids):
    """The rows of `ids`, from a queryset or from rows read already."""
    if isinstance(rows, QuerySet):
        return rows.filter(pk__in=ids).order_by()
    return [row for row in rows if row.pk in ids]


def drawn_from(kind, rows, back_query, search_query, options):
    """{id: teaser} drawn from `rows` by the kind's macro."""
    template, name = MACROS[kind]
    module = (
        engines["jinja2"]
        .env.get_template(template)
        .make_module(
            {
                "LANGUAGE_CODE": get_language(),
                "back_query": back_query,
                "search_query": search_query,
            }
        )
    )
    macro = getattr(module, name)
    return {row.pk: str(macro(row, **options)) for row in rows}
