"""
Text search of news items and statements.

On PostgreSQL: the stored, weighted search vector (filled by a trigger at
write time, migration 0008) matched with websearch_to_tsquery, so that
"quoted phrases", `or` and `-word` work and no input is a syntax error;
English and Russian stemming both apply; results are ranked (newest first
when more than RANK_LIMIT items match, as ranking reads every match).
Elsewhere (SQLite): the query is read the same way, without stemming
(every word or "quoted phrase" must occur in the title or text, `or`
between two makes either do, `-` leaves out); a word matches the words
that begin with it (one of three letters or fewer, only itself), in any
case, newest first. Both show a result's snippet made here, from its text:
PostgreSQL tells which stems the query looks for, and a word is marked when
the database stems it to one of them (each word asked once per process).
The database's own ts_headline parsed every result's whole text on every
request, the most expensive part of a search (docs/performance.md).
"""

import functools
import hashlib
import html
import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import F, FloatField, Func, Q, Value
from django.dispatch import receiver
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
# Markers put around a match; turned into <mark> after escaping.
START, STOP = "\x02", "\x03"
SNIPPET_LENGTH = 240
# Letters and digits: PostgreSQL's parser reads "_" as a space too.
WORDS = re.compile(r"[^\W_]+", re.UNICODE)
TAGS = re.compile(r"<[^>]*>")
# A word of a tsquery's text ('secur'), and whether the query excludes it
# (!'secur'); an excluded phrase is !( 'foreign' <-> 'minist' ).
LEXEME = re.compile(r"(!?)'((?:[^']|'')*)'")
EXCLUDED_PHRASE = re.compile(r"!\s*\([^()]*\)")
# The database's dictionaries (English for any item not in Russian).
DICTIONARIES = ("english", "russian")
# A longer "word" is never marked (see word_stems).
MAX_WORD = 200
# {(dictionary, word): its stems} as the database gave them, which change only
# with its dictionaries; forgotten all at once past MAX_KNOWN_WORDS.
known_stems = {}
MAX_KNOWN_WORDS = 100_000
# The rich-text fields a snippet is made of (HTML); the others are plain text.
HTML_FIELDS = {"body", "text"}
# What a search result never shows, left unread when its text is read.
UNSHOWN = {"newsitem": ("search_vector", "import_data"), "statement": ("search_vector",)}


def uses_postgres():
    return connection.vendor == "postgresql"


def words_of(query):
    """The words of a query, without operators or punctuation."""
    return [word for word in WORDS.findall(query) if word.lower() not in {"or"}][:MAX_WORDS]


# A word, or a "quoted phrase" (its closing quote may be missing), each with
# the minus sign that leaves it out.
TERM = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


def simple_terms(query):
    """
    [(excluded, [words, ...]), ...]: what a query asks for, read as
    websearch_to_tsquery reads it: each entry must occur (one of its
    alternatives, a word or the words of a phrase, "general's" being one)
    or, if excluded, must not.
    """
    terms, either = [], False
    for minus, phrase, word_minus, word in TERM.findall(query):
        if not phrase and word.lower() == "or":
            either = bool(terms)
            continue
        words, excluded = WORDS.findall(phrase or word), bool(minus or word_minus)
        if not words:
            continue
        if either and not excluded and not terms[-1][0]:
            terms[-1][1].append(words)
        else:
            terms.append((excluded, [words]))
        either = False
    return terms[:MAX_WORDS]


def looks_for_something(query):
    """Whether `query` has a word to look for, not only words to leave out."""
    return any(not excluded for excluded, _alternatives in simple_terms(query))


# Without stemming, a word longer than this matches the words that begin with
# it ("minister": "ministers"); a shorter one, often an acronym ("UN"), only itself.
WHOLE_WORD_LENGTH = 3


def words_pattern(words):
    """
    The regular expression of `words` (folded()) in a row, each as
    simple_match() reads it; an "е" stands for "ё" too, as PostgreSQL reads it.
    """
    return r"\W+".join(
        r"\b"
        + re.escape(word).replace("е", "[её]")
        + (r"\b" if len(word) <= WHOLE_WORD_LENGTH else r"\w*")
        for word in words
    )


def folded(text):
    """`text` in folded case, "ё" read as "е": how a search without stems compares words."""
    return text.casefold().replace("ё", "е")


def simple_match(queryset, query, text_fields):
    """
    `queryset` narrowed to what matches `query` (see simple_terms): a word
    matches as words_pattern() reads it, in any case and alphabet, a phrase
    its words in a row; rich text is read without tags.
    """
    readable = {field: f"{field}_readable" for field in text_fields}
    queryset = queryset.alias(
        **{name: Func(F(field), function="READABLE_TEXT") for field, name in readable.items()}
    )
    for excluded, alternatives in simple_terms(query):
        match = Q()
        for words in alternatives:
            pattern = words_pattern([folded(word) for word in words])
            for name in readable.values():
                match |= Q(**{f"{name}__regex": pattern})
        queryset = queryset.exclude(match) if excluded else queryset.filter(match)
    return queryset


@receiver(connection_created)
def add_readable_text(sender, connection, **kwargs):
    # SQLite's LIKE folds only ASCII letters and reads HTML as text.
    if connection.vendor == "sqlite":
        connection.connection.create_function("READABLE_TEXT", 1, readable_text, deterministic=True)


def readable_text(text):
    """A field's text as a search reads it: without tags, folded()."""
    if not isinstance(text, str):
        return text
    return folded(plain_text(text))


def plain_text(html_text):
    """Rich text as it reads: without its tags, its entities as characters."""
    return html.unescape(TAGS.sub(" ", html_text))


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
    if not looks_for_something(query):
        return queryset.none()
    return simple_match(queryset, query, text_fields).order_by(f"-{date_field}", "-pk")


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
    return not pagecache.kept(f"too-many-to-rank:{RANK_LIMIT}:{remember_as}", too_many)


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


def too_common(query):
    """
    Whether a dictionary of the database leaves out every word of `query` as
    too common to search for ("the" in English, "и" in Russian): when such a
    query finds nothing, that is why (PostgreSQL).
    """
    if not uses_postgres():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT numnode(websearch_to_tsquery('english', %s)) "
            "* numnode(websearch_to_tsquery('russian', %s))",
            [query, query],
        )
        return cursor.fetchone()[0] == 0


def more_than(queryset, limit):
    """Whether `queryset` has more than `limit` rows, reading at most limit + 1."""
    return queryset.order_by().values("pk")[limit : limit + 1].exists()


def bounded_count(queryset):
    """How many rows `queryset` has, counting COUNT_LIMIT + 1 at most."""
    return queryset.order_by().values("pk")[: COUNT_LIMIT + 1].count()


def with_snippet_text(queryset):
    """`queryset` read with what snippet() makes a result's snippet of: its text."""
    return queryset.defer(None).defer(*UNSHOWN[queryset.model._meta.model_name])


def snippets(read, ids, query, text_fields):
    """
    {id: snippet} of `ids`, a page of the results of a search for `query`;
    read(ids) gives the rows of those that still match. Each result's text
    is made plain once per archive generation in each process and kept, as
    its teaser is: an item shows in many searches, and reading and
    stripping its text was most of a search page's own cost.
    """
    return snippets_of(plain_texts(read, ids, text_fields), query)


def snippets_of(texts, query):
    """
    {key: snippet} of `texts` ({key: (language, plain text)}, a page's
    results): each text is read once for the words that may match `query`,
    and the database asked at once how it stems those it has not stemmed
    for this process yet (see word_stems).
    """
    terms = query_terms(query)
    # A result is found by either dictionary's reading of the query (ts_query):
    # "Лавров" finds "Лаврова" only as English reads it (unstemmed).
    both = terms and " ".join(terms[name] for name in DICTIONARIES)
    scanned = {}
    for key, (language, text) in texts.items():
        scanned[key] = scan(text, query, both, dictionary(language))
    learn(scanned.values())
    return {key: drawn(*found) for key, found in scanned.items()}


def plain_texts(read, ids, text_fields):
    """{id: (language, plain text of its `text_fields`)} of `ids`, kept for this generation."""

    def read_texts(missing):
        rows = read(missing).values("pk", "language", *text_fields)
        return {row["pk"]: (row["language"], text_of(row.get, text_fields)) for row in rows}

    fields = ",".join(text_fields)
    return pagecache.kept_each({pk: f"text:{fields}:{pk}" for pk in ids}, read_texts)


def text_of(value, text_fields):
    """The plain text of the fields `text_fields`, whose values value(name) gives."""
    # Rich text is HTML; a lead is plain text, where "<" is a character.
    parts = [value(field) or "" for field in text_fields]
    return " ".join(
        plain_text(part) if field in HTML_FIELDS else part
        for field, part in zip(text_fields, parts, strict=True)
    )


def query_terms(query):
    """
    {dictionary: `query` as it reads it (a tsquery's text: its stems,
    without stop words)} on PostgreSQL, kept for this generation; None elsewhere.
    """
    if not uses_postgres():
        return None

    def read():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT "
                + ", ".join("websearch_to_tsquery(%s::regconfig, %s)::text" for _ in DICTIONARIES),
                [value for name in DICTIONARIES for value in (name, query)],
            )
            return dict(zip(DICTIONARIES, cursor.fetchone(), strict=True))

    digest = hashlib.sha256(query.encode()).hexdigest()
    return pagecache.kept(f"terms:{digest}", read)


def snippet(obj, query):
    """Where `obj` (read with_snippet_text()) matches `query`: see snippet_of()."""
    return snippets_of({obj.pk: (obj.language, record_text(obj))}, query)[obj.pk]


def record_text(obj):
    """The plain text a result's snippet is made of, of `obj` read with_snippet_text()."""
    return text_of(lambda name: getattr(obj, name), SNIPPET_FIELDS[obj._meta.model_name])


def dictionary(language):
    """The database's dictionary of an item in `language`."""
    return "russian" if language == "ru" else "english"


def snippet_of(text, query, terms=None, language="english"):
    """
    About SNIPPET_LENGTH characters of the plain `text`, HTML-safe, from a
    little before its first match, each match in <mark>. `terms` is the
    query as the text's dictionary (`language`) reads it, a tsquery as
    text; without it (SQLite) a word matches as simple_match() finds it.
    """
    found = scan(text, query, terms, language)
    learn([found])
    return drawn(*found)


def scan(text, query, terms, name):
    """(text, dictionary, pattern, stems, words that may match, as matches of the pattern)."""
    text = " ".join(text.split())
    pattern, stems = matcher(query, terms)
    return text, name, pattern, stems, list(pattern.finditer(text))


def learn(scanned):
    """Makes sure the database's stems of the words scan() found are known (PostgreSQL)."""
    for name in DICTIONARIES:
        words = {
            found[0]
            for _, dictionary, _, stems, candidates in scanned
            if stems is not None and dictionary == name
            for found in candidates
        }
        if words:
            word_stems(name, words)


def drawn(text, name, pattern, stems, candidates):
    """The snippet of a text scan() read, its words' stems learned."""

    def matches(word):
        return stems is None or not stems.isdisjoint(known_stems.get((name, word.lower()), ()))

    first = next((found for found in candidates if matches(found[0])), None)
    start = max(0, first.start() - SNIPPET_LENGTH // 3) if first else 0
    piece = text[start : start + SNIPPET_LENGTH]
    if start:
        piece = "… " + piece.split(" ", 1)[-1]
    if start + SNIPPET_LENGTH < len(text):
        piece = piece.rsplit(" ", 1)[0] + " …"
    piece = pattern.sub(
        lambda found: f"{START}{found[0]}{STOP}" if matches(found[0]) else found[0], piece
    )
    return mark(piece)


@functools.lru_cache(maxsize=256)
def matcher(query, terms):
    """
    (pattern, stems): `pattern` finds the words that may match. Given
    `terms`, `stems` are the stems they look for (not those they exclude,
    alone or in a phrase), and a word matches when the database stems it to
    one of them (word_stems); a word begins with its stem, but for the
    stem's last letter ("countri": "country"), and the database reads "ё"
    as "е" ("партнер": "партнёров"). Without `terms` (SQLite), `stems` is
    None and every word the pattern finds matches.
    """
    if terms is None:
        wanted = [
            [folded(word) for word in words]
            for excluded, found in simple_terms(query)
            if not excluded
            for words in found
        ]
        pattern = "|".join(map(words_pattern, wanted or [["\x00"]]))
        return re.compile(pattern, re.IGNORECASE), None
    wanted = EXCLUDED_PHRASE.sub(" ", terms)
    stems = {word.replace("''", "'") for excluded, word in LEXEME.findall(wanted) if not excluded}
    beginnings = {stem[:-1] if len(stem) > 2 else stem for stem in stems} or {"\x00"}
    beginnings = (re.escape(word).replace("е", "[её]") for word in beginnings)
    return re.compile(r"\b(?:{})\w*".format("|".join(beginnings)), re.IGNORECASE), frozenset(stems)


def word_stems(name, words):
    """
    Makes sure the stems of `words` are in known_stems: the database's
    dictionary `name` stems each word once per process, all the unknown
    words of a text (or of a page, see snippets_of) in one query. The
    database's stemmer, not another copy of Snowball's, whose versions
    differ ("organization" is "organ" to one, "organiz" to another).
    """
    words = {word.lower() for word in words if len(word) <= MAX_WORD}
    missing = [word for word in words if (name, word) not in known_stems]
    if not missing:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, tsvector_to_array(to_tsvector(%s::regconfig, word)) "
            "FROM unnest(%s::text[]) AS word",
            [name, missing],
        )
        found = {(name, word): frozenset(stems) for word, stems in cursor.fetchall()}
    if len(known_stems) > MAX_KNOWN_WORDS:
        known_stems.clear()
    known_stems.update(found)


def mark(text):
    escaped = escape(text)
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))
