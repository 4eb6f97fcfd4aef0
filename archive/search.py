"""
Text search of news items and statements.

On PostgreSQL: the stored, weighted search vector (filled by a trigger at
write time, migration 0008) matched with websearch_to_tsquery, so that
"quoted phrases", `or` and `-word` work and no input is a syntax error;
English and Russian stemming both apply; results are ranked (newest first
when more than RANK_LIMIT items match, as ranking reads every match), and
matching fragments are highlighted by ts_headline. Elsewhere (SQLite): every word
must occur in the title or text, newest first, highlighted in Python.
"""

import html
import re
from types import SimpleNamespace

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, FloatField, Func, Q, TextField, Value
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import pagecache

MAX_WORDS = 10
# Above this many matches, results are listed newest first, not ranked.
RANK_LIMIT = 2000
# ... and counted up to this many only ("more than 10,000"), without the
# counts by section and year, which would read every match.
COUNT_LIMIT = 10_000
# Where each kind of item keeps the text a result shows.
SNIPPET_FIELDS = {"newsitem": ("lead", "body"), "statement": ("text",)}
# Where each kind of item is searched (SQLite; PostgreSQL's vector holds the same).
TEXT_FIELDS = {"newsitem": ("title", "lead", "body"), "statement": ("title", "text")}
# Markers ts_headline puts around a match; turned into <mark> after escaping.
START, STOP = "\x02", "\x03"
SNIPPET_LENGTH = 240
WORDS = re.compile(r"\w+", re.UNICODE)


def uses_postgres():
    return connection.vendor == "postgresql"


def words_of(query):
    """The words of a query, without operators or punctuation."""
    return [word for word in WORDS.findall(query) if word.lower() not in {"or"}][:MAX_WORDS]


def ts_query(query):
    # Both dictionaries: a Russian query finds Russian items, stemmed as Russian.
    return SearchQuery(query, search_type="websearch", config="english") | SearchQuery(
        query, search_type="websearch", config="russian"
    )


def search(queryset, query, *, text_fields, date_field, ranked=None):
    """
    `queryset` narrowed to what matches `query`: best first where `ranked`
    (by default, where is_rankable), else newest first. SQLite lists every
    match newest first.
    """
    if uses_postgres():
        if ranked is None:
            ranked = is_rankable(queryset, query)
        return in_order(matches(queryset, query), query, date_field, ranked)
    words = words_of(query)
    if not words:
        return queryset.none()
    for word in words:
        match = Q()
        for field in text_fields:
            match |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(match)
    return queryset.order_by(f"-{date_field}", "-pk")


def is_rankable(queryset, query, remember_as=None):
    """
    Whether the matches of `query` in `queryset` are few enough to rank
    (PostgreSQL only). Given `remember_as` (a name for this search and its
    filters), worked out once per change of the archive, and the matches
    are only built when it is worked out.
    """
    if not uses_postgres():
        return False

    def too_many():
        return more_than(matches(queryset, query), RANK_LIMIT)

    if remember_as is None:
        return not too_many()
    key = pagecache.key(f"too-many-to-rank:{RANK_LIMIT}:{remember_as}")
    return not pagecache.cache.get_or_set(key, too_many)


def matches(queryset, query):
    """On PostgreSQL, the rows of `queryset` that match `query`, in no order."""
    return queryset.filter(search_vector=ts_query(query))


def in_order(matches, query, date_field, ranked):
    """
    The matches best first or, where too many match to rank them (ranking
    reads every match: a common word, most of the archive, on every
    request), newest first, which walks the date index and stops at the
    page. The page says so and offers to narrow the search.
    """
    if not ranked:
        return matches.annotate(rank=Value(0.0, output_field=FloatField())).order_by(
            f"-{date_field}", "-pk"
        )
    return matches.annotate(rank=SearchRank(F("search_vector"), ts_query(query))).order_by(
        "-rank", f"-{date_field}", "-pk"
    )


def more_than(queryset, limit):
    """Whether `queryset` has more than `limit` rows, reading at most limit + 1."""
    return queryset.order_by().values("pk")[limit : limit + 1].exists()


def bounded_count(queryset):
    """How many rows `queryset` has, counting COUNT_LIMIT + 1 at most."""
    return queryset.order_by().values("pk")[: COUNT_LIMIT + 1].count()


def with_headlines(queryset, query, *, text_fields):
    """On PostgreSQL, each result's matching fragments (computed for the page shown only)."""
    if not uses_postgres():
        # The snippet is made in Python from the text, which lists leave unread.
        return queryset.defer(None)
    return queryset.annotate(
        headline=Func(
            HEADLINE_CONFIG,
            text_without_tags(text_fields),
            ts_query(query),
            Value(HEADLINE_OPTIONS),
            function="ts_headline",
            output_field=TextField(),
        )
    )


# One headline whose dictionary depends on the row's language: cheaper to
# build into SQL than two headlines in a CASE, and one expression for every
# search rather than a Case/When resolved as a filter on each.
HEADLINE_CONFIG = Func(
    F("language"),
    template="CASE WHEN %(expressions)s = 'ru' THEN 'russian' ELSE 'english' END::regconfig",
    output_field=TextField(),
)
# ts_headline's options, written once: Django's SearchHeadline quotes each
# option through a database cursor every time a query is compiled.
HEADLINE_OPTIONS = (
    f"StartSel='{START}', StopSel='{STOP}', MaxWords=30, MinWords=12, "
    "MaxFragments=2, FragmentDelimiter=' … '"
)


def text_without_tags(fields):
    """The text of `fields`, one after the other, with HTML tags turned into spaces."""
    return Func(
        *[F(field) for field in fields],
        template="regexp_replace(concat_ws(' ', %(expressions)s), '<[^>]*>', ' ', 'g')",
        output_field=TextField(),
    )


def snippets(queryset, query, text_fields):
    """
    {id: snippet} of the rows of `queryset` (a page of a search's results,
    with_headlines()), as snippet() makes them, read without the rest of
    each row: the database's headline, or (SQLite) the text it is made of.
    """
    fields = ("headline",) if uses_postgres() else text_fields
    rows = queryset.values("pk", *fields)
    return {
        row["pk"]: snippet(
            SimpleNamespace(**(dict.fromkeys(text_fields, "") | row)), query, text_fields
        )
        for row in rows
    }


def snippet(obj, query, text_fields=None):
    """
    HTML-safe text showing where `obj` matches `query`, matches in <mark>:
    the database's headline where there is one, else made here.
    """
    headline = getattr(obj, "headline", None)
    if headline:
        return mark(html.unescape(headline))
    text_fields = text_fields or SNIPPET_FIELDS[obj._meta.model_name]
    text = " ".join(
        re.sub(r"<[^>]*>", " ", html.unescape(str(getattr(obj, field) or "")))
        for field in text_fields
    )
    text = " ".join(text.split())
    words = words_of(query)
    pattern = None
    if words:
        pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - SNIPPET_LENGTH // 3) if first else 0
    piece = text[start : start + SNIPPET_LENGTH]
    if start:
        piece = "… " + piece.split(" ", 1)[-1]
    if start + SNIPPET_LENGTH < len(text):
        piece = piece.rsplit(" ", 1)[0] + " …"
    if pattern:
        piece = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", piece)
    return mark(piece)


def mark(text):
    escaped = escape(text)
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))
