"""
The querysets the public pages read: teasers for lists, the home page, an
item page and what it lists, the counts of the facets and indexes. Views,
feeds and sitemaps take them from here. Every one starts from `published()`
but item_page() and statement_page(), which shape a record's page and
leave choosing who may see it to the view (ItemDetailMixin.get_queryset).
"""

import collections

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear
from django.utils import timezone

from . import pagecache, search, taxonomy
from .models import (
    Attachment,
    Body,
    GalleryImage,
    LocalName,
    MediaLink,
    NewsItem,
    Person,
    Statement,
    Topic,
    public_at,
)

HOME_LATEST = 6
HOME_STATEMENTS = 5
HOME_TOPICS = 8
RELATED_STATEMENTS = 10

# The columns a teaser shows: a body, a search vector and an import record
# are most of a row, and a list never shows them.
NEWS_TEASER_FIELDS = (
    *("title", "slug", "lead", "published_at", "language", "updated_at"),
    *("section__name", "section__name_ru", "section__slug", "cover_image"),
)
STATEMENT_TEASER_FIELDS = (
    *("title", "slug", "kind", "adopted_on", "language", "updated_at"),
    *("adopted_by__name", "adopted_by__name_ru", "adopted_by__slug"),
)


def news_teasers(now=None):
    """Public news, newest first, with what a teaser shows."""
    return (
        NewsItem.objects.published(now)
        .select_related("section", "cover_image")
        .only(*NEWS_TEASER_FIELDS)
    )


def statement_teasers(now=None):
    """Public statements, newest first, with what a teaser shows."""
    return (
        Statement.objects.published(now).select_related("adopted_by").only(*STATEMENT_TEASER_FIELDS)
    )


def once_in(language, queryset, now=None):
    """
    `queryset` without the items whose public translation is in `language`:
    the same item in two languages is listed once, in the visitor's.
    """
    # Through the link, as a join: a subquery made PostgreSQL read every public item.
    twin = Q(translation__language=language) & public_at(now or timezone.now(), "translation__")
    return queryset.exclude(~Q(language=language) & twin)


def lead_and_latest(language, now=None, count=HOME_LATEST):
    """
    The front page's news in `language` (see once_in()): the newest public
    item with a cover (the lead story) and the `count` newest after it, as
    (lead, [latest]). The lead is nearly always among the newest, so a
    second query is rare; one query asking for "the newest with a cover, or
    the newest" made PostgreSQL read the whole archive.
    """
    teasers = once_in(language, news_teasers(now), now)
    newest = list(teasers.order_by("-published_at", "-pk")[: count + 1])
    lead = next((item for item in newest if item.cover_image_id), None)
    if lead is None:
        covered = teasers.filter(cover_image__isnull=False)
        lead = covered.order_by("-published_at", "-pk").first()
    return lead, [item for item in newest if item != lead][:count]


def topic_counts(count=HOME_TOPICS):
    """
    [(topic slug, public items), ...] of the topics with the most, most
    first: the counts the topics' index and pages show (news and statements).
    """

    def links(model, field):
        through = model.topics.through.objects.filter(
            topic=OuterRef("pk"), **{f"{field}__in": model.objects.published().values("pk")}
        )
        counted = through.order_by().values("topic").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted), 0)

    # One query: each topic's public news and statements, counted beside it.
    rows = Topic.objects.annotate(n=links(NewsItem, "newsitem") + links(Statement, "statement"))
    return list(rows.filter(n__gt=0).order_by("-n", "slug").values_list("slug", "n")[:count])


def latest_statements(language, now=None, count=HOME_STATEMENTS):
    return once_in(language, statement_teasers(now), now)[:count]


TAGS = {"persons": Person, "bodies": Body, "topics": Topic}
# An item's columns its page never shows.
NOT_ON_ITEM_PAGE = {"search_vector", "import_data"}


def item_page(queryset=None):
    """
    News items as their page shows them: with the cover. The page takes the
    section from the taxonomy (taxonomy.sections()), not from a join.
    """
    queryset = NewsItem.objects.all() if queryset is None else queryset
    return queryset.select_related("cover_image").defer(*NOT_ON_ITEM_PAGE)


def public_translation(item, now=None):
    """The item's translation, if it is public, with what a link to it needs."""
    if item.translation_id is None:
        return None
    translations = NewsItem.objects.published(now).filter(pk=item.translation_id)
    return translations.select_related("section").only("slug", "language", "section__slug").first()


def item_tags(item):
    """An item's persons, bodies and topics as (kind, pk, slug, name, name_ru), in one query."""
    tags = [
        model.objects.filter(news_items=item)
        .annotate(kind=Value(kind))
        .values_list("kind", "pk", "slug", "name", "name_ru")
        .order_by()
        for kind, model in TAGS.items()
    ]
    return tags[0].union(*tags[1:], all=True).order_by("kind", "name", "pk")


def item_extras(item, now=None):
    """
    What an item page lists of other records, {name: rows}: its gallery,
    documents, media links and the public statements that cite it. One
    query asks which of them it has; only those are read.
    """
    extras = {
        "gallery": GalleryImage.objects.select_related("image").filter(news_item=item),
        "attachments": Attachment.objects.filter(news_items=item),
        "media_links": MediaLink.objects.filter(news_item=item),
        "statements": (
            Statement.objects.published(now).only("title", "slug", "kind").filter(news_items=item)
        ),
    }
    flags = {f"has_{name}": Exists(rows) for name, rows in extras.items()}
    has = NewsItem.objects.filter(pk=item.pk).values(**flags).first() or {}
    return {name: list(rows) if has.get(f"has_{name}") else [] for name, rows in extras.items()}


def related_of(item, now=None):
    """What an item's page shows besides the item: its tags, its extras, its translation."""
    related = {kind: [] for kind in TAGS}
    for kind, pk, slug, name, name_ru in item_tags(item):
        related[kind].append(TAGS[kind](pk=pk, slug=slug, name=name, name_ru=name_ru))
    return related | item_extras(item, now) | {"translation": public_translation(item, now)}


def statement_page():
    """
    Statements as their page shows them, with their topics, documents,
    public news and translation (public or not: the page asks).
    """
    return (
        Statement.objects.select_related("adopted_by", "translation")
        .defer("search_vector", "translation__search_vector", "translation__text")
        .prefetch_related("topics", "attachments", Prefetch("news_items", queryset=news_teasers()))
    )


def year_counts(queryset, date_field):
    """[(year, count), ...], newest first, for what `queryset` holds."""
    years = (
        queryset.order_by()
        .annotate(year=ExtractYear(date_field))
        .values_list("year")
        .annotate(count=Count("pk"))
        .order_by("-year")
    )
    return list(years)


def section_counts(queryset):
    """
    [(slug, LocalName, count), ...] of the news `queryset` holds, most first.
    A section counts the news of the sections below it too, as its list
    and the facet's link hold them.
    """
    rows = queryset.order_by().values_list("section_id").annotate(count=Count("pk"))
    data = taxonomy.taxonomy()
    totals = collections.Counter()
    for pk, count in rows:
        for section_pk in (pk, *taxonomy.ids_above(data["tree"], pk)):
            totals[section_pk] += count
    # A section the taxonomy does not know yet is counted from its next generation.
    found = [
        (data["sections"][pk], count) for pk, count in totals.items() if pk in data["sections"]
    ]
    found.sort(key=lambda pair: (-pair[1], pair[0].name))
    return [(section.slug, LocalName(section.name, section.name_ru), n) for section, n in found]


# How public items point to each kind of the indexes, as (model, field).
INDEX_LINKS = {
    "person": [(NewsItem, "persons")],
    "body": [(NewsItem, "bodies"), (Statement, "adopted_by")],
    "topic": [(NewsItem, "topics"), (Statement, "topics")],
}


def public_counts(kind):
    """
    {pk: how many public news items and statements show it} for a kind of
    the indexes: one grouped query per model, once per generation.
    """

    def count():
        totals = collections.Counter()
        for model, field in INDEX_LINKS[kind]:
            rows = model.objects.published().order_by().values_list(field).annotate(n=Count("pk"))
            totals.update(dict(rows))
        totals.pop(None, None)  # items that show none of this kind
        return dict(totals)

    return pagecache.kept(f"index-counts:{kind}", count)


# The search page: news and statements in one list.


def combined(news, statements, ranked, bound=None):
    """
    One ordered list of (kind, pk, rank, date) over both kinds of results
    (either may be None: not asked for): best first, or, when either kind
    has too many matches to rank, newest first (which PostgreSQL reads from
    the date indexes, page by page).
    """
    rank = F("rank") if ranked else Value(0.0, output_field=FloatField())
    order = ("-score", "-moment", "-pk") if ranked else ("-moment", "-pk")
    parts = []
    if news is not None:
        rows = news.annotate(result_kind=Value("n"), score=rank, moment=F("published_at"))
        parts.append(rows.values_list("result_kind", "pk", "score", "moment").order_by(*order))
    if statements is not None:
        rows = statements.annotate(
            result_kind=Value("s"), score=rank, moment=Cast("adopted_on", DateTimeField())
        )
        # Read in the order of their own date, which walks its index.
        by_date = ["-adopted_on" if field == "-moment" else field for field in order]
        parts.append(rows.values_list("result_kind", "pk", "score", "moment").order_by(*by_date))
    if bound is not None:
        # Only the first `bound` rows of each kind can be on the pages up to
        # this one (PostgreSQL allows a LIMIT inside a UNION).
        parts = [part[:bound] for part in parts]
    if len(parts) == 1:
        return parts[0] if bound is not None else parts[0].order_by(*order)
    if bound is None:
        parts = [part.order_by() for part in parts]
    return parts[0].union(parts[1], all=True).order_by(*order)


def search_counts(news, statements, kind, bounded=False):
    """
    What /search/ counts over all its matches: by kind (both, whichever
    `kind` shows), and by year and section over the kinds it shows.
    `bounded` (a common word): each kind is counted up to
    search.COUNT_LIMIT + 1, and only by kind if a kind shown has more.
    """
    shown = {"news": kind != "statements", "statements": kind != "news"}
    if bounded:
        kinds = [
            ("news", search.bounded_count(news)),
            ("statements", search.bounded_count(statements)),
        ]
        if any(count > search.COUNT_LIMIT for name, count in kinds if shown[name]):
            return {"kinds": kinds, "years": [], "capped": True}
    else:
        kinds = [("news", news.count()), ("statements", statements.count())]
    counts = {"kinds": kinds}
    years = []
    if shown["news"]:
        years.append(year_counts(news, "published_at"))
        counts["sections"] = section_counts(news)
    if shown["statements"]:
        years.append(year_counts(statements, "adopted_on"))
    counts["years"] = merge_years(*years)
    return counts


def merge_years(*counts):
    total = collections.Counter()
    for pairs in counts:
        total.update(dict(pairs))
    return sorted(total.items(), reverse=True)
