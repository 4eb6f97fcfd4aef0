"""
A list's teasers as HTML. A list page reads the ids of its rows only; each
teaser is drawn once per archive generation in each process and kept in
memory, and only the rows of teasers not drawn yet are read and built.
Building and drawing twenty rows on every request was half of a list
page's cost (docs/performance.md). The key holds the generation, which
changes with anything public, so a kept teaser is never out of date.

A search's teasers are kept the same way, with a mark where the result's
snippet goes: the snippets, which show where each result matches the
words searched for, are made for the page on every request (from each
result's text, kept the same way: see search.snippets).
"""

from django.db.models import QuerySet
from django.template import engines
from django.urls import get_script_prefix
from django.utils.translation import get_language
from markupsafe import Markup, escape

from . import pagecache, search

# (template, macro, where a search result's snippet comes from) of each kind of teaser.
MACROS = {
    "news": ("archive/_newsitem_teaser.html", "news_teaser", search.SNIPPET_FIELDS["newsitem"]),
    "statement": (
        "archive/_statement_teaser.html",
        "statement_teaser",
        search.SNIPPET_FIELDS["statement"],
    ),
}
# Stands for the list's own address in a kept teaser's links (see backlink):
# every list, filter and page shows the same teaser.
BACK = "?back=/list-address/"
# Stands for a search result's snippet in a kept teaser.
SNIPPET = "\x04snippet\x04"


def draw(kind, ids, rows, *, back_query="", search_query="", **options):
    """
    The teasers of `ids`, in that order, as HTML: `kind` is a key of MACROS,
    `rows` the queryset the ids were read from (or those rows, read
    already), `options` the macro's (show_section=True). An id whose row is
    no longer there is left out. Given `search_query`, each shows where it
    matches it (search.snippets(), read for the page's ids).
    """
    drawn = kept(kind, ids, rows, options, with_snippet=bool(search_query))
    back = str(escape(back_query))
    if not search_query:
        return [Markup(drawn[pk].replace(BACK, back)) for pk in ids if pk in drawn]
    snippets = search.snippets(
        lambda missing: rows_of(rows, missing), ids, search_query, MACROS[kind][2]
    )
    return [
        Markup(drawn[pk].replace(BACK, back).replace(SNIPPET, snippets[pk]))
        for pk in ids
        if pk in drawn and pk in snippets
    ]


def kept(kind, ids, rows, options, with_snippet=False):
    """{id: teaser} of `ids`, drawing and keeping those not kept yet."""
    variant = ",".join(f"{name}={value}" for name, value in sorted(options.items()))
    # The interface language names sections and languages; every address starts with the prefix.
    prefix = f"teaser:{get_language()}:{get_script_prefix()}:{kind}:{variant}:{with_snippet}"
    return pagecache.kept_each(
        {pk: f"{prefix}:{pk}" for pk in ids},
        lambda missing: drawn_from(kind, rows_of(rows, missing), options, with_snippet),
    )


def rows_of(rows, ids):
    """The rows of `ids`, from a queryset or from rows read already."""
    if isinstance(rows, QuerySet):
        return rows.filter(pk__in=ids).order_by()
    return [row for row in rows if row.pk in ids]


def drawn_from(kind, rows, options, with_snippet):
    """{id: teaser} drawn from `rows` by the kind's macro, with the marks in."""
    template, name, _ = MACROS[kind]
    context = {"LANGUAGE_CODE": get_language(), "back_query": BACK, "search_query": ""}
    if with_snippet:
        # The macro shows a snippet when there is a search: the mark instead.
        context.update(search_query=SNIPPET, search_snippet=lambda *args: Markup(SNIPPET))
    module = engines["jinja2"].env.get_template(template).make_module(context)
    macro = getattr(module, name)
    return {row.pk: str(macro(row, **options)) for row in rows}
