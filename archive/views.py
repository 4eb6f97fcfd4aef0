"""
Public pages. Views stay thin: every read starts from `published()`, and
bad input answers with a message or a 404, never a 500.
"""

import collections
import datetime
import functools
import itertools
import json
import secrets
import sys
from urllib.parse import quote

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import caches
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Value,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, ExtractMonth, ExtractYear, JSONObject, RowNumber
from django.db.models.query import EmptyQuerySet, ModelIterable
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from . import backlink, pagecache, preview, search, taxonomy
from .documents import CONTENT_TYPES
from .filters import (
    FIRST_YEAR,
    LAST_YEAR,
    Deferred,
    NewsItemFilter,
    SearchForm,
    StatementFilter,
    start_of_day,
)
from .middleware import database_unavailable
from .models import (
    Attachment,
    Body,
    GalleryImage,
    MediaLink,
    NewsItem,
    Person,
    Section,
    Statement,
    Topic,
)
from .pagecache import count_key
from .prepared import Prepared, conditions_of, filtered, parametrize, together, types_of
from .services import find_redirect
from .taxonomy import ancestors, section_and_below

HOME_ITEMS_PER_SECTION = 3
HOME_STATEMENTS = 5
RELATED_STATEMENTS = 10


def server_error(request):
    """
    500, or the database's 503 (see middleware.database_unavailable) when
    the error is the database's and came from outside a view (the page cache).
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        return database_unavailable(request, error)
    return defaults.server_error(request)


def healthz(request):
    """For load balancers: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


def unready_reason():
    """Why this server cannot serve as it should (its database or cache unreachable), or None."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return f"database unreachable: {type(error).__name__}"
    for name in ("default", "pages"):
        # Written and read back: a cache that fails answers a miss (archive/caching.py).
        token = secrets.token_hex(8)
        caches[name].set("readyz", token, 10)
        if caches[name].get("readyz") != token:
            return f"cache {name!r} unreachable"
    return None


def readyz(request):
    """For load balancers: 503 with the reason while the database or the cache cannot be reached."""
    reason = unready_reason()
    response = HttpResponse(
        reason or "ok", content_type="text/plain", status=503 if reason else 200
    )
    add_never_cache_headers(response)
    return response


LANGUAGE_COOKIE_DAYS = 365


def switch_language(request, language):
    """
    The interface language the visitor chose, remembered in a cookie, then
    back to the page they were on. A plain link: no form, no JavaScript.
    """
    if language not in dict(settings.LANGUAGES):
        raise Http404(_("This site speaks English and Russian."))
    next_url = request.GET.get("next", "/")
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=LANGUAGE_COOKIE_DAYS * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def robots_txt(request):
    """Crawlers: everything public, not the admin, previews or search results."""
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    news_sitemap = request.build_absolute_uri(reverse("sitemap-news"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /search/",
        "",
        f"Sitemap: {sitemap}",
        f"Sitemap: {news_sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# Each in its own language: it is read by those who read that language.
TRANSLATION_LABELS = {"en": "Read this news in English", "ru": "Читать эту новость на русском"}


def news_article_json_ld(request, item):
    """schema.org NewsArticle for the item page, safe inside a <script> element."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": item.title[:110],
        "description": item.lead,
        "inLanguage": item.language,
        "mainEntityOfPage": request.build_absolute_uri(item.get_absolute_url()),
        "articleSection": item.section.name,
        "publisher": {
            "@type": "Organization",
            "name": "Collective Security Treaty Organization",
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
    # As json_script does: no "<", ">" or "&" can close the element early.
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for char, escaped in (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return mark_safe(text)  # noqa: S308 (escaped just above)


# The columns a teaser shows (archive/_newsitem_teaser.html), the only ones a
# list reads: the text, the search vector and the import record are most of
# a row, and each column read is SQL to build and a value to decode, about a
# tenth of a list page. (The cover's renditions are on its row: thumbnails
# cost no extra query.)
NEWS_TEASER_FIELDS = (
    *("title", "slug", "lead", "published_at", "language"),
    *("section", "cover_image"),
)
STATEMENT_TEASER_FIELDS = (
    *("title", "slug", "kind", "adopted_on", "language"),
    *("adopted_by__name", "adopted_by__slug"),
)


class WithSections(ModelIterable):
    """
    News items, each with its section from the taxonomy (archive/taxonomy.py)
    instead of a join: joining the sections and building a Section for every
    row was a sixth of a list page. Sections the taxonomy does not know yet
    (made since this request read it) are read in one more query.
    """

    def __iter__(self):
        return iter(attach_sections(list(super().__iter__())))


def attach_sections(items):
    """`items` (news items), each with its section from the taxonomy."""
    sections = taxonomy.sections()
    missing = {item.section_id for item in items} - sections.keys()
    if missing:
        sections = {**sections, **Section.objects.in_bulk(missing)}
    cache_section = NewsItem._meta.get_field("section").set_cached_value
    for item in items:
        cache_section(item, sections[item.section_id])
    return items


def with_sections(queryset):
    # A queryset's iterable class is how values() changes what it yields;
    # clones keep it, so filtering, slicing and prefetching keep this one.
    queryset._iterable_class = WithSections
    return queryset


def news_list_queryset(now=None):
    return with_sections(
        NewsItem.objects.published(now).select_related("cover_image").only(*NEWS_TEASER_FIELDS)
    )


def statement_list_queryset(now=None):
    return (
        Statement.objects.published(now).select_related("adopted_by").only(*STATEMENT_TEASER_FIELDS)
    )


def section_crumbs(section, link_last=True):
    """Breadcrumbs from "All news" down to `section`, as (label, URL) pairs."""
    crumbs = [(_("All news"), reverse("archive:news-list"))]
    # From the taxonomy: the page's query need not join the sections above.
    crumbs += [
        (name, reverse("archive:section", args=[slug])) for slug, name in ancestors(section.pk)
    ]
    crumbs.append((section.name, section.get_absolute_url() if link_last else None))
    return crumbs


# Pages starting within this many rows are read in one query; deeper ones
# read their ids first (see CountCachingPaginator.page).
SHALLOW_ROWS = 1000


class CountCachingPaginator(Paginator):
    """
    A paginator whose total is counted once per generation of the archive and
    set of filters, not on every request (a COUNT reads every matching row).
    """

    def __init__(
        self,
        *args,
        count_key=None,
        ids_first=False,
        bounded=False,
        total=None,
        position=None,
        rows=None,
        rows_by_id=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.count_key = count_key
        # A function that knows the total without counting (see news_total).
        self.total = total
        # A function that knows where a row lies (see archive_position).
        self.position = position
        # A function giving a shallow page's rows without the queryset (see
        # list_page), and one giving a deep page's rows from their ids.
        self.rows = rows
        self.rows_by_id = rows_by_id
        self.ids_first = ids_first
        # Count up to search.COUNT_LIMIT + 1 only (a search of a common word).
        self.bounded = bounded

    def _check_object_list_is_ordered(self):
        # Every public list is ordered (by its model's Meta.ordering or its
        # search); asking would build a queryset the page may not need (see
        # filters.Deferred).
        pass

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.rows is not None and bottom < SHALLOW_ROWS:
            return self._get_page(self.rows(bottom, bottom + self.per_page), number, self)
        if not self.ids_first or bottom < SHALLOW_ROWS:
            return super().page(number)
        # Deeper, the page's ids first (a walk of the covering index, however
        # deep the page), then just those rows, in that order: skipping
        # thousands of whole rows with their joins was what made page 2,000 slow.
        rows = self.object_list
        start = self.position(bottom) if self.position else None
        if start is not None:
            # From the month the page starts in: the index is walked from
            # there, not from the newest item (page 40,000 of a million
            # items walked 800,000 entries of it).
            before, bottom = start
            rows = rows.filter(published_at__lt=before)
        ids = list(rows.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        if self.rows_by_id is not None and ids:
            found = {obj.pk: obj for obj in self.rows_by_id(ids)}
        else:
            found = {obj.pk: obj for obj in self.object_list.filter(pk__in=ids)}
        return self._get_page([found[pk] for pk in ids if pk in found], number, self)

    @cached_property
    def count(self):
        if self.total is not None:
            return self.total()

        def count():
            if self.bounded:
                return search.bounded_count(self.object_list)
            return Paginator.count.func(self)

        if self.count_key is None:
            return count()
        return pagecache.remember(self.count_key, count)


# The first pages of the lists (the whole archive's news, a section's, a
# month's, a person's, the statements; each with the visitor's filters and
# words), the pages read most: each page's query is Prepared
# (archive/prepared.py), its SQL built once per process for each shape of
# conditions (which filters, which sections), with the values given on each
# call. At most SHALLOW_ROWS / page size pages of each list; the 1,024 read last.


@functools.lru_cache(maxsize=1024)
def list_page(list_queryset, bottom, top, shape=(), search_by=None):
    """
    Rows `bottom` to `top` of list_queryset(now) under the conditions of
    `shape` (see prepared.parametrize), prepared. With `search_by`,
    (ranked, date field, snippet fields), only those that match the query
    are listed, in search.search()'s order and with their headlines.
    """

    def build(now, query=None, **values):
        rows = filtered(list_queryset(now), conditions_of(shape, values))
        if search_by:
            rows = search.searched(rows, query, *search_by)
        return rows[bottom:top]

    types = types_of(shape)
    if search_by:
        types["query"] = str
    return Prepared(build, now=datetime.datetime, **types)


@functools.lru_cache(maxsize=64)
def rows_by_id(list_queryset, count):
    """
    A function giving the rows of list_queryset(now) with `count` ids (a
    deep page's, read first: see CountCachingPaginator.page), from a
    prepared query whose values are the ids. Their order is the query's,
    not the page's.
    """
    names = [f"id{n}" for n in range(count)]
    prepared = Prepared(
        lambda now, **ids: list_queryset(now).filter(pk__in=[ids[name] for name in names]),
        now=datetime.datetime,
        **dict.fromkeys(names, int),
    )
    return lambda ids, now: prepared(now=now, **dict(zip(names, ids, strict=True)))


class ListPageMixin:
    """
    Pagination and query-string notices for the public lists.

    A page number that is not a number shows the first page with a message;
    one past the end is a 404, as a missing page should be.

    A list says what it holds: list_queryset(now) (all of its kind that
    are public) and list_conditions() (which of them); its first pages are
    read with prepared queries of those (list_page), completed by
    complete_rows() as the queryset's own rows are.
    """

    paginate_by = settings.NEWS_PAGE_SIZE
    # Parameters a list understands besides its filters.
    extra_params = {"page"}
    # Filters the address fixes (a section's list has no section filter).
    fixed_params = set()

    @classmethod
    def query_params(cls):
        """The parameters this list reads; the page cache drops any other (see pagecache)."""
        filterset_class = getattr(cls, "filterset_class", None)
        filters = set(filterset_class.base_filters) if filterset_class else set()
        return (filters - cls.fixed_params) | cls.extra_params

    def query_notices(self):
        notices = []
        repeated = sorted(key for key, values in self.request.GET.lists() if len(values) > 1)
        if repeated:
            notices.append(
                _("These parameters were given more than once; the last value is used: %(names)s.")
                % {"names": ", ".join(repeated)}
            )
        return notices

    def unfiltered(self):
        """Whether the visitor asked for no filter (a page number is not one)."""
        if not self.filterset.is_bound:
            return True  # without building the form, which copies all its fields
        form = self.filterset.form
        return form.is_valid() and not any(form.cleaned_data.values())

    def known_total(self):
        """A function giving this list's total without counting it, where there is one."""
        return None

    def list_conditions(self):
        """What this list holds of all its kind, as conditions (see ArchiveFilterSet.conditions)."""
        return []

    def get_queryset(self):
        return filtered(self.list_queryset(), self.list_conditions())

    def get_filterset_kwargs(self, filterset_class):
        # The list's queryset, built only if the page asks for it (see filters.Deferred).
        queryset = Deferred(filterset_class._meta.model, self.get_queryset)
        return {"data": self.request.GET or None, "request": self.request, "queryset": queryset}

    @staticmethod
    def complete_rows(rows):
        """What the list's queryset does to its rows besides its query (news: their sections)."""
        return rows

    def known_rows(self):
        """A function giving rows `bottom` to `top` of this list, where there is one."""
        filterset = getattr(self, "filterset", None)
        chosen = filterset.conditions() if filterset else []
        return None if chosen is None else self.prepared_rows(chosen)

    def prepared_rows(self, chosen, search_by=None, **given):
        """Rows `bottom` to `top` under the list's conditions and the `chosen` ones, prepared."""
        shape, values = parametrize(self.list_conditions() + chosen)
        values.update(given, now=timezone.now())
        list_queryset, complete = self.list_queryset, self.complete_rows
        return lambda bottom, top: complete(
            list_page(list_queryset, bottom, top, shape, search_by)(**values)
        )

    def known_rows_by_id(self):
        """A function giving this list's rows of some ids, prepared."""
        list_queryset, complete = self.list_queryset, self.complete_rows

        def rows(ids):
            return complete(rows_by_id(list_queryset, len(ids))(ids, timezone.now()))

        return rows

    def known_position(self):
        """A function telling where in time the n-th row lies, where there is one."""
        return None

    def paginate_queryset(self, queryset, page_size):
        paginator = CountCachingPaginator(
            queryset,
            page_size,
            allow_empty_first_page=True,
            count_key=count_key(self.request),
            ids_first=True,
            bounded=getattr(self, "newest_first", False),
            total=self.known_total(),
            position=self.known_position(),
            rows=self.known_rows(),
            rows_by_id=self.known_rows_by_id(),
        )
        raw = self.request.GET.get("page", "").strip()
        try:
            number = int(raw) if raw else 1
        except ValueError:
            number = 0
        if number < 1:
            self.page_notice = _("“%(page)s” is not a page number; this is the first page.") % {
                "page": raw[:40]
            }
            number = 1
        if number > paginator.num_pages:
            raise Http404(_("There is no page %(page)s of this list.") % {"page": number})
        page = paginator.page(number)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notices = self.query_notices()
        if getattr(self, "page_notice", None):
            notices.append(self.page_notice)
        context["notices"] = notices
        # Item links carry this list's address, for the item's "Go back" link.
        context["back_query"] = "?back=" + quote(self.request.get_full_path(), safe="/")
        return context


class SearchResultsMixin:
    """With a text query, a filtered list shows where each item matches."""

    def search_query(self):
        filterset = getattr(self, "filterset", None)
        if filterset is None or not filterset.is_bound or not filterset.is_valid():
            return ""
        return filterset.form.cleaned_data.get("q") or ""

    @cached_property
    def ranked(self):
        """
        Whether this search (on PostgreSQL) lists its matches best first, as
        filter_text() decides it: remembered for the archive's generation,
        so that the list's queryset is built only to work it out. The text
        filter comes first in each filter set, so it searches the list's own
        queryset.
        """
        query = self.search_query()
        filterset = self.filterset
        found = Deferred(filterset._meta.model, lambda: search.matches(filterset.queryset, query))
        return not search.too_many_to_rank(found, count_key(self.request))

    def known_rows_by_id(self):
        # A search's rows carry their headlines: the queryset's own.
        return None if self.search_query() else super().known_rows_by_id()

    def known_rows(self):
        query = self.search_query()
        if not query:
            return super().known_rows()
        chosen = self.filterset.conditions(without={"q"})
        # Elsewhere than PostgreSQL the words become LIKE patterns, not
        # values a prepared query is given.
        if chosen is None or not search.uses_postgres():
            return None
        search_by = (self.ranked, self.filterset.order_field, self.snippet_fields)
        return self.prepared_rows(chosen, search_by, query=query)

    def get_context_data(self, **kwargs):
        query = self.search_query()
        if query and "object_list" in kwargs:
            results = kwargs["object_list"]
            kwargs["object_list"] = Deferred(
                results.model,
                lambda: search.with_headlines(results, query, text_fields=self.snippet_fields),
            )
        # Too many matches to rank: listed newest first, counted up to a limit.
        self.newest_first = bool(query and search.uses_postgres() and not self.ranked)
        context = super().get_context_data(search_query=query, **kwargs)
        if self.newest_first:
            context["newest_first"] = search.RANK_LIMIT
        capped = context["paginator"] and context["paginator"].count > search.COUNT_LIMIT
        if capped:
            context["count_limit"] = search.COUNT_LIMIT
        elif query:
            # Counted over every match: once per change of the archive.
            context["facets"] = pagecache.remember(
                "facets:" + count_key(self.request), lambda: self.facets(self.object_list)
            )
        return context

    def facets(self, queryset):
        return {}


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
    """[(slug, name, count), ...] of the news `queryset` holds, most first."""
    sections = (
        queryset.order_by()
        .values_list("section__slug", "section__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "section__name")
    )
    return list(sections)


class HomeView(TemplateView):
    template_name = "archive/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = {"now": timezone.now()}
        # Both in one round trip to PostgreSQL (see prepared.together).
        news, statements = together([(home_news, now), (home_statements, now)])
        by_section = {}
        for item in attach_sections(news):
            by_section.setdefault(item.section, []).append(item)
        # The sections in their own order (position, name), as the taxonomy
        # keeps them: no join for the order.
        order = {pk: number for number, pk in enumerate(taxonomy.sections())}
        context["sections"] = sorted(
            by_section.items(), key=lambda entry: order.get(entry[0].pk, len(order))
        )
        context["statements"] = statements
        return context


def latest_per_section(now, count):
    """
    The ids of the `count` latest public news of every section, as a
    subquery. On PostgreSQL a LATERAL join reads just those rows from the
    index, whatever the size of the archive; elsewhere a window function
    over the public news.
    """
    public = NewsItem.objects.published(now)
    if connection.vendor != "postgresql":
        ranked = public.annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("section"),
                order_by=[F("published_at").desc(), F("id").desc()],
            )
        ).filter(rank__lte=count)
        return ranked.values("pk")
    inner, params = (
        public.filter(section_id=RawSQL("s.id", []))
        .order_by("-published_at", "-pk")
        .values("pk")[:count]
        .query.sql_with_params()
    )
    sql = (
        f"SELECT latest.pk FROM {Section._meta.db_table} s "  # noqa: S608
        f"CROSS JOIN LATERAL ({inner}) latest"
    )
    return RawSQL(sql, params)


# The home page's two queries, their SQL built once (see prepared.py): the
# latest news of every section, newest first, and the latest statements
# (the first rows of the statement list, as list_page() reads them).
home_news = Prepared(
    lambda now: (
        news_list_queryset(now)
        .filter(pk__in=latest_per_section(now, HOME_ITEMS_PER_SECTION))
        .order_by("-published_at", "-pk")
    ),
    now=datetime.datetime,
)
home_statements = list_page(statement_list_queryset, 0, HOME_STATEMENTS)


def archive_years():
    """
    [(year, count), ...] of all public news, newest first. Each year is
    counted through the date index (grouping every row by its local year
    read the whole table: 1.8 s at 1,000,000), and only again when news of
    that year change (pagecache.remember_years): after a publish, one year.
    """

    def count():
        news = NewsItem.objects.published().order_by()
        moments = news.values_list("published_at", flat=True)
        newest, oldest = (
            moments.order_by("-published_at").first(),
            moments.order_by("published_at").first(),
        )
        if newest is None:
            return []
        years = range(timezone.localtime(newest).year, timezone.localtime(oldest).year - 1, -1)
        counted = pagecache.remember_years("archive:year", years, count_year)
        return [(year, counted[year]) for year in years if counted[year]]

    def count_year(year):
        return (
            NewsItem.objects.published()
            .filter(
                published_at__gte=start_of_day(datetime.date(year, 1, 1)),
                published_at__lt=start_of_day(datetime.date(year + 1, 1, 1)),
            )
            .count()
        )

    return pagecache.remember("archive:years", count)


def news_total():
    """
    How many news items are public: the sum of the archive navigation's
    yearly counts, which the news list needs anyway. Counting every public
    item a second time took 0.7 s at 1,000,000 items, after each change.
    """
    return sum(count for _, count in archive_years())


def next_month(first_day):
    """The first day of the month after the one `first_day` begins."""
    return (first_day + datetime.timedelta(days=31)).replace(day=1)


def archive_position(offset):
    """
    Where the public news item at `offset` (newest first) lies: (the first
    moment after its month, how many newer items of its month and older to
    skip), from the archive navigation's yearly and monthly counts, which
    are kept until news of that year change. None if they do not add up (a
    change between the two readings): the page is then read from the top.
    """
    seen = 0
    for year, count in archive_years():
        if seen + count <= offset:
            seen += count
            continue
        for first_day, number in reversed(archive_months(year)):  # newest first
            if seen + number > offset:
                return start_of_day(next_month(first_day)), offset - seen
            seen += number
        return None
    return None


def archive_months(year):
    """
    [(first day of month, count), ...] of the public news of `year`, counted
    again only when news of that year change.
    """

    def count(year):
        months = (
            NewsItem.objects.published()
            .filter(published_at__year=year)
            .order_by()
            .annotate(month=ExtractMonth("published_at"))
            .values_list("month")
            .annotate(count=Count("pk"))
            .order_by("month")
        )
        return [(datetime.date(year, month, 1), number) for month, number in months]

    return pagecache.remember_years("archive:months", [year], count)[year]


class NewsListView(SearchResultsMixin, ListPageMixin, FilterView):
    filterset_class = NewsItemFilter
    template_name = "archive/newsitem_list.html"
    snippet_fields = ("lead", "body")

    # The list of every public item (sections and months hold fewer).
    whole_archive = True

    list_queryset = staticmethod(news_list_queryset)
    complete_rows = staticmethod(attach_sections)

    def known_total(self):
        return news_total if self.whole_archive and self.unfiltered() else None

    def known_position(self):
        # The archive navigation's counts are of the whole archive, unfiltered.
        return archive_position if self.known_total() is not None else None

    def facets(self, queryset):
        return {
            "sections": section_counts(queryset),
            "years": year_counts(queryset, "published_at"),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["crumbs"] = [(_("All news"), None)]
        # The archive navigation is kept as HTML for each generation (it was
        # a third of a list's template work): these are worked out only when
        # it is built.
        context["archive_years"] = self.archive_nav_years
        context["archive_months"] = self.archive_nav_months
        return context

    def archive_nav_years(self):
        return [
            (year, count, reverse("archive:news-year", args=[year]))
            for year, count in archive_years()
        ]

    def archive_nav_months(self):
        year = getattr(self, "year", None)
        if not year:
            return []
        return [
            (first_day, count, reverse("archive:news-month", args=[year, first_day.month]))
            for first_day, count in archive_months(year)
        ]


class SectionView(NewsListView):
    """One section's news: the news list held to that section and those below it."""

    template_name = "archive/section_detail.html"
    whole_archive = False

    def get(self, request, *args, **kwargs):
        # From the taxonomy, without a query; one made since it was read
        # (or an unknown slug) is looked for in the database.
        self.section = taxonomy.section_by_slug(kwargs["section"]) or get_object_or_404(
            Section.objects, slug=kwargs["section"]
        )
        return super().get(request, *args, **kwargs)

    def list_conditions(self):
        # A section the taxonomy does not know yet has no sections below it.
        return [{"section__in": tuple(section_and_below(self.section.slug)) or (self.section.pk,)}]

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        # The section is fixed by the address; the form does not offer it.
        del filterset.filters["section"]
        return filterset

    fixed_params = {"section"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            section=self.section, subsections=taxonomy.subsections(self.section.pk), **kwargs
        )
        context["crumbs"] = section_crumbs(self.section, link_last=False)
        return context


class NewsArchiveView(NewsListView):
    """/news/<year>/ and /news/<year>/<month>/: the news list held to that time."""

    template_name = "archive/newsitem_archive.html"
    whole_archive = False

    def get(self, request, *args, **kwargs):
        self.year, self.month = kwargs["year"], kwargs.get("month")
        if not FIRST_YEAR <= self.year <= LAST_YEAR or self.month not in (None, *range(1, 13)):
            raise Http404(_("There is no such month or year in the archive."))
        return super().get(request, *args, **kwargs)

    def list_conditions(self):
        # A range of moments, which the index on published_at serves.
        first = datetime.date(self.year, self.month or 1, 1)
        after = next_month(first) if self.month else first.replace(year=self.year + 1)
        return [{"published_at__gte": start_of_day(first), "published_at__lt": start_of_day(after)}]

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        # The year is fixed by the address; the form does not offer it.
        del filterset.filters["year"]
        return filterset

    fixed_params = {"year"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year_url = reverse("archive:news-year", args=[self.year])
        crumbs = [(_("All news"), reverse("archive:news-list"))]
        if self.month:
            month = datetime.date(self.year, self.month, 1)
            crumbs += [(str(self.year), year_url), (date_format(month, "F Y"), None)]
            context["period"] = month
        else:
            crumbs.append((str(self.year), None))
        context.update(crumbs=crumbs, year=self.year, month=self.month)
        return context


class ItemDetailMixin:
    """
    An item page. Visitors see public items only. Staff who may change items
    see any item, in any state, with a banner naming the state; so does
    whoever holds a signed preview link. Such pages are never cached.
    """

    # The item a signed preview link names (see preview_view).
    preview_item = None
    # Only for its "Go back" link, which the page cache writes in (see backlink).
    query_params = ("back",)

    def detail_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        queryset = self.detail_queryset()
        if self.preview_item is not None:
            return queryset.filter(pk=self.preview_item.pk)
        if self.can_preview():
            return queryset
        return queryset.published()

    def can_preview(self):
        meta = self.model._meta
        return self.request.user.has_perm(f"{meta.app_label}.change_{meta.model_name}")

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            # A renamed item keeps its old address.
            moved = find_redirect(self.model, kwargs["slug"])
            if moved is not None and (moved.is_public or self.can_preview()):
                return HttpResponsePermanentRedirect(moved.get_absolute_url())
            raise
        redirect = self.redirect_to_canonical(kwargs)
        if redirect is not None:
            return redirect
        context = self.get_context_data(object=self.object)
        if not self.object.is_public:
            context["preview_state"] = self.object.public_state
        response = self.render_to_response(context)
        if not self.object.is_public:
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex"
        else:
            # For conditional GETs (If-Modified-Since); ConditionalGetMiddleware adds the ETag.
            response["Last-Modified"] = http_date(self.object.updated_at.timestamp())
        return response

    def redirect_to_canonical(self, kwargs):
        return None


# What an item page shows beside the item, when it has any: the model and
# the lookup from each kind of row to its item, and the rows as the page
# shows them, their SQL built once (see prepared.py).
ITEM_EXTRAS = {
    "gallery": (
        GalleryImage,
        "news_item",
        Prepared(
            lambda item: GalleryImage.objects.select_related("image").filter(news_item=item),
            item=int,
        ),
    ),
    "attachments": (
        Attachment,
        "news_items",
        Prepared(lambda item: Attachment.objects.filter(news_items=item), item=int),
    ),
    "media_links": (
        MediaLink,
        "news_item",
        Prepared(lambda item: MediaLink.objects.filter(news_item=item), item=int),
    ),
    # A link each (title, kind): not the body that adopted it.
    "statements": (
        Statement,
        "news_items",
        Prepared(
            lambda item, now: (
                Statement.objects.published(now)
                .only("title", "slug", "kind")
                .filter(news_items=item)
            ),
            item=int,
            now=datetime.datetime,
        ),
    ),
}
TAGS = {"persons": Person, "bodies": Body, "topics": Topic}
# What PostgreSQL brings with the item (listed_with_item), and as what.
LISTED = {**TAGS, "media_links": MediaLink, "statements": Statement}


def lists_with_item():
    return connection.vendor == "postgresql"


def listed_with_item(now):
    """
    On PostgreSQL, an item's persons, bodies, topics, media links and
    adopted statements, read in the item's query: each list a column of
    JSON objects (ArraySubquery), `listed_<name>`. One query where there were
    two to four, each of which cost the page more in the asking than the
    database in the answering (README, "Speed"). The gallery and documents,
    which few items have and which show more than a few words, are asked for
    apart. Other databases ask for each list apart (related_of).
    """
    if not lists_with_item():
        return {}

    def rows(queryset, *fields):
        return ArraySubquery(queryset.values(row=JSONObject(**{f: f for f in fields})))

    item = OuterRef("pk")
    listed = {
        kind: rows(
            model.objects.filter(news_items=item).order_by("name", "id"), "id", "slug", "name"
        )
        for kind, model in TAGS.items()
    }
    listed["media_links"] = rows(
        MediaLink.objects.filter(news_item=item).order_by("position", "id"),
        *("outlet", "title", "url", "date"),
    )
    listed["statements"] = rows(
        Statement.objects.published(now).filter(news_items=item).order_by("-adopted_on", "-id"),
        *("title", "slug", "kind"),
    )
    return {f"listed_{name}": column for name, column in listed.items()}


def from_listed(item, name):
    """
    The rows of `name` read with the item (listed_with_item), as model
    instances. JSON has no dates: each value goes through its field's
    to_python(), as a form's would.
    """
    model = LISTED[name]
    field = model._meta.get_field
    return [
        model(**{key: field(key).to_python(value) for key, value in row.items()})
        for row in getattr(item, f"listed_{name}")
    ]


def related_of(item):
    """
    What an item's page lists of other records: its persons, bodies and
    topics, and the gallery, documents, media links and adopted statements
    it has. What was read with the item (listed_with_item) costs no query;
    the rest is one query for the tags together and one for each extra the
    item has, all sent at once.
    """
    related = {name: [] for name in [*ITEM_EXTRAS, *TAGS]}
    listed = [name for name in LISTED if hasattr(item, f"listed_{name}")]
    related.update((name, from_listed(item, name)) for name in listed)
    values = {"item": item.pk, "now": timezone.now()}
    extras = [name for name in ITEM_EXTRAS if name not in listed and getattr(item, f"has_{name}")]
    calls = [(ITEM_EXTRAS[name][2], values) for name in extras]
    ask_tags = "persons" not in listed
    if ask_tags:
        calls.insert(0, (item_tags, values))
    # All in one round trip to PostgreSQL (see prepared.together).
    found = together(calls) if calls else []
    if ask_tags:
        for kind, pk, slug, name in found.pop(0):
            related[kind].append(TAGS[kind](pk=pk, slug=slug, name=name))
    related.update(zip(extras, found, strict=True))
    return related


def tags_of(item):
    """An item's persons, bodies and topics as (kind, pk, slug, name), in one query."""
    tags = [
        model.objects.filter(news_items=item)
        .annotate(kind=Value(kind))
        .values_list("kind", "pk", "slug", "name")
        .order_by()
        for kind, model in TAGS.items()
    ]
    return tags[0].union(*tags[1:], all=True).order_by("kind", "name", "pk")


# Its SQL built once: building the union of three querysets was a fifth of
# an item page's time.
item_tags = Prepared(tags_of, item=int)


# An item's columns its page never shows.
NOT_ON_ITEM_PAGE = {"search_vector", "import_data"}


@functools.cache
def item_page_queryset():
    """
    The item with its section, cover and translation and, in the same query,
    which of the rarer things it has (in any state: related_of then reads
    the public ones of those it has) where they are not listed with it.
    Built once: it holds no moment, and building its subqueries was a sixth
    of an item page's time.
    """
    flagged = {
        name: (model, lookup)
        for name, (model, lookup, _rows) in ITEM_EXTRAS.items()
        if not (lists_with_item() and name in LISTED)
    }
    return (
        NewsItem.objects.select_related("section", "cover_image", "translation__section")
        # Each column is SQL to build: only what the page shows (the sections
        # above come from the taxonomy, see section_crumbs), and of the
        # translation, what a link to it and ItemDetailMixin's check need.
        .only(
            *(f.name for f in NewsItem._meta.concrete_fields if f.name not in NOT_ON_ITEM_PAGE),
            *("section__name", "section__slug", "section__parent"),
            *(f"translation__{name}" for name in ("slug", "language", "section__slug")),
            *(f"translation__{name}" for name in ("status", "published_at", "expire_at")),
        )
        .annotate(
            **{
                f"has_{name}": Exists(model.objects.filter(**{lookup: OuterRef("pk")}))
                for name, (model, lookup) in flagged.items()
            }
        )
    )


# A public item by its slug, for visitors, with what is listed with it: its
# SQL built once (see prepared.py).
public_item_page = Prepared(
    lambda slug, now: (
        item_page_queryset().annotate(**listed_with_item(now)).published(now).filter(slug=slug)
    ),
    slug=str,
    now=datetime.datetime,
)


class NewsDetailView(ItemDetailMixin, DetailView):
    model = NewsItem
    context_object_name = "item"
    template_name = "archive/newsitem_detail.html"

    def detail_queryset(self):
        # Staff and preview links: built for each request, with its moment.
        return item_page_queryset().annotate(**listed_with_item(timezone.now()))

    def get_object(self, queryset=None):
        if self.preview_item is not None or self.can_preview():
            return super().get_object(queryset)
        found = public_item_page(slug=self.kwargs["slug"], now=timezone.now())
        if not found:
            raise Http404(_("No news item at this address."))
        return found[0]

    def redirect_to_canonical(self, kwargs):
        # An item moved to another section keeps its old address working.
        if self.preview_item is None and self.object.section.slug != kwargs["section"]:
            return HttpResponsePermanentRedirect(self.object.get_absolute_url())
        return None

    def get_context_data(self, **kwargs):
        item = self.object
        kwargs.update(related_of(item))
        crumbs = [*section_crumbs(item.section), (item.title, None)]
        translation = item.translation
        if translation is not None and not translation.is_public:
            translation = None
        return super().get_context_data(
            back_url=backlink.link(self.request),
            crumbs=crumbs,
            translation=translation,
            translation_label=TRANSLATION_LABELS.get(translation.language) if translation else "",
            json_ld=news_article_json_ld(self.request, item),
            **kwargs,
        )


class StatementListView(SearchResultsMixin, ListPageMixin, FilterView):
    filterset_class = StatementFilter
    template_name = "archive/statement_list.html"
    snippet_fields = ("text",)

    def facets(self, queryset):
        return {"years": year_counts(queryset, "adopted_on")}

    list_queryset = staticmethod(statement_list_queryset)

    def get_context_data(self, **kwargs):
        return super().get_context_data(crumbs=[(_("Statements"), None)], **kwargs)


class StatementDetailView(ItemDetailMixin, DetailView):
    model = Statement
    context_object_name = "statement"
    template_name = "archive/statement_detail.html"

    def detail_queryset(self):
        return (
            Statement.objects.select_related("adopted_by")
            .defer("search_vector")
            .prefetch_related(
                "topics", "attachments", Prefetch("news_items", queryset=news_list_queryset())
            )
        )

    def get_context_data(self, **kwargs):
        crumbs = [
            (_("Statements"), reverse("archive:statement-list")),
            (self.object.title, None),
        ]
        return super().get_context_data(
            back_url=backlink.link(self.request), crumbs=crumbs, **kwargs
        )


class RelatedNewsView(ListPageMixin, ListView):
    """A person, a statutory body or a topic, with its news, newest first."""

    model = None
    # How news items point to the object, e.g. "persons".
    news_lookup = None
    context_object_name = "items"

    # Its name in the taxonomy, which holds only what public items show.
    kind = None

    def get(self, request, *args, **kwargs):
        pk = taxonomy.taxonomy()[f"{self.kind}_ids"].get(kwargs["slug"])
        if pk is None:
            raise Http404(_("Nothing public is filed under this name."))
        self.object = get_object_or_404(self.model, pk=pk)
        return super().get(request, *args, **kwargs)

    list_queryset = staticmethod(news_list_queryset)
    complete_rows = staticmethod(attach_sections)

    def list_conditions(self):
        return [{self.news_lookup: self.object.pk}]

    def get_context_data(self, **kwargs):
        # Up to the index of its kind.
        index = (INDEX_TITLES[self.kind], reverse(f"archive:{self.kind}-list"))
        crumbs = [index, (self.object.name, None)]
        return super().get_context_data(object=self.object, crumbs=crumbs, **kwargs)


class PersonDetailView(RelatedNewsView):
    model = Person
    kind = "person"
    news_lookup = "persons"
    template_name = "archive/person_detail.html"


class BodyDetailView(RelatedNewsView):
    model = Body
    kind = "body"
    news_lookup = "bodies"
    template_name = "archive/body_detail.html"

    def get_context_data(self, **kwargs):
        statements = statement_list_queryset().filter(adopted_by=self.object)
        return super().get_context_data(statements=statements[:RELATED_STATEMENTS], **kwargs)


class TopicDetailView(RelatedNewsView):
    model = Topic
    kind = "topic"
    news_lookup = "topics"
    template_name = "archive/topic_detail.html"

    def get_context_data(self, **kwargs):
        statements = statement_list_queryset().filter(topics=self.object)
        return super().get_context_data(statements=statements[:RELATED_STATEMENTS], **kwargs)


# How public items point to each kind of the indexes, as (model, field).
INDEX_LINKS = {
    "person": [(NewsItem, "persons")],
    "body": [(NewsItem, "bodies"), (Statement, "adopted_by")],
    "topic": [(NewsItem, "topics"), (Statement, "topics")],
}
INDEX_TITLES = {
    "person": gettext_lazy("Persons"),
    "body": gettext_lazy("Statutory bodies"),
    "topic": gettext_lazy("Topics"),
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

    return pagecache.remember(f"index-counts:{kind}", count)


def filed_as(name):
    """`name` as an index files it: lower case, from its first letter or digit («Rubezh»: R)."""
    text = name.casefold().replace("ё", "е")
    start = next((i for i, char in enumerate(text) if char.isalnum()), len(text))
    return text[start:] or text


def alphabetical_key(name, language):
    """
    Where `name` goes in an index read in `language`: names in the reader's
    alphabet first (Cyrillic for Russian, Latin for English), case ignored,
    ё filed with е as Russian dictionaries do.
    """
    text = filed_as(name)
    cyrillic = "\u0400" <= text[:1] <= "\u04ff"
    return (cyrillic != (language == "ru"), text, name)


def initial(name):
    """The letter `name` is filed under in an index."""
    return filed_as(name)[:1].upper() or "?"


class IndexView(TemplateView):
    """
    /persons/, /bodies/, /topics/: every one of a kind that public items
    show (the taxonomy's), alphabetically in the visitor's language, under
    their initials, each with its number of public items.
    """

    template_name = "archive/index.html"
    # Its name in the taxonomy.
    kind = None
    # Reads no parameter: the page cache drops any query string (see pagecache.used_params).
    query_params = ()

    def get_context_data(self, **kwargs):
        data = taxonomy.taxonomy()
        ids = data[f"{self.kind}_ids"]
        counts = public_counts(self.kind)
        language = get_language()
        entries = sorted(
            (
                (
                    name,
                    reverse(f"archive:{self.kind}-detail", args=[slug]),
                    counts.get(ids[slug], 0),
                )
                for slug, name in data[self.kind]
            ),
            key=lambda entry: alphabetical_key(entry[0], language),
        )
        letters = [
            (letter, list(group))
            for letter, group in itertools.groupby(entries, key=lambda entry: initial(entry[0]))
        ]
        return super().get_context_data(
            title=INDEX_TITLES[self.kind],
            letters=letters,
            crumbs=[(INDEX_TITLES[self.kind], None)],
            **kwargs,
        )


class SearchView(TemplateView):
    """
    /search/?q=: news and statements together, best matches first (newest
    first where the database does not rank), narrowed by kind, section, year.
    """

    template_name = "archive/search.html"
    paginate_by = settings.NEWS_PAGE_SIZE
    query_params = (*SearchForm.base_fields, "page")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        context.update(form=form, crumbs=[(_("Search"), None)])
        if not form.is_bound or not form.is_valid() or not form.cleaned_data["q"]:
            return context
        data = form.cleaned_data
        query = data["q"]
        # Ranked or newest first: decided once per change of the archive.
        remember_as = count_key(self.request)
        news = search.search(
            news_list_queryset(),
            query,
            text_fields=("title", "lead", "body"),
            date_field="published_at",
            remember_as=f"news:{remember_as}",
        )
        statements = search.search(
            statement_list_queryset(),
            query,
            text_fields=("title", "text"),
            date_field="adopted_on",
            remember_as=f"statements:{remember_as}",
        )
        if data["section"]:
            news = news.filter(section__slug=data["section"])
            statements = statements.none()
        if data["year"]:
            news = news.filter(published_at__year=data["year"])
            statements = statements.filter(adopted_on__year=data["year"])
        # Counted over every match: once per change of the archive.
        ranked = search.uses_postgres() and search.is_ranked(news) and search.is_ranked(statements)
        counts = pagecache.remember(
            "search-facets:" + count_key(self.request),
            lambda: search_counts(news, statements, data["kind"], bounded=not ranked),
        )
        labels = {"news": _("News"), "statements": _("Statements")}
        facets = {
            "kinds": [(kind, labels[kind], count) for kind, count in counts["kinds"] if count],
            "years": counts["years"],
        }
        if "sections" in counts:
            facets["sections"] = counts["sections"]
        if data["kind"] == "news":
            statements = statements.none()
        elif data["kind"] == "statements":
            news = news.none()
        number = self.page_number()
        bound = None
        if search.uses_postgres() and not ranked:
            context["newest_first"] = search.RANK_LIMIT
            # Newest first, each kind is read from its date index down to the
            # end of this page only, not in full.
            bound = number * self.paginate_by
        shown = {"news": data["kind"] != "statements", "statements": data["kind"] != "news"}
        total = sum(count for kind, count in counts["kinds"] if shown[kind])
        if counts.get("capped"):
            context["count_limit"] = search.COUNT_LIMIT
            total = min(total, search.COUNT_LIMIT)
        page = self.paginate(combined(news, statements, ranked, bound), number, total)
        context.update(
            search_query=query,
            facets=facets,
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            results=self.results(page.object_list, query),
        )
        return context

    def page_number(self):
        try:
            return max(1, int(self.request.GET.get("page", "1")))
        except ValueError:
            return 1

    def paginate(self, rows, number, total):
        paginator = Paginator(rows, self.paginate_by, allow_empty_first_page=True)
        paginator.count = total  # counted with the facets, once per change of the archive
        if number > paginator.num_pages:
            raise Http404(_("There is no page %(page)s of these results.") % {"page": number})
        return paginator.page(number)

    def results(self, rows, query):
        """The page's results as objects, in the page's order."""
        rows = list(rows)
        wanted = {"n": [pk for kind, pk, *_ in rows if kind == "n"]}
        wanted["s"] = [pk for kind, pk, *_ in rows if kind == "s"]
        found = {
            ("n", item.pk): item
            for item in search.with_headlines(
                news_list_queryset().filter(pk__in=wanted["n"]),
                query,
                text_fields=("lead", "body"),
            )
        }
        found.update(
            (("s", item.pk), item)
            for item in search.with_headlines(
                statement_list_queryset().filter(pk__in=wanted["s"]),
                query,
                text_fields=("text",),
            )
        )
        return [found[kind, pk] for kind, pk, *_ in rows if (kind, pk) in found]


def combined(news, statements, ranked, bound=None):
    """
    One ordered list of (kind, pk, rank, date) over both kinds of results:
    best first, or, when either kind has too many matches to rank, newest
    first (which PostgreSQL reads from the date indexes, page by page).
    """
    rank = F("rank") if ranked else Value(0.0, output_field=FloatField())
    rows = (
        news.order_by()
        .annotate(result_kind=Value("n"), score=rank, moment=F("published_at"))
        .values_list("result_kind", "pk", "score", "moment")
    )
    other = (
        statements.order_by()
        .annotate(
            result_kind=Value("s"),
            score=rank,
            moment=Cast("adopted_on", DateTimeField()),
        )
        .values_list("result_kind", "pk", "score", "moment")
    )
    order = ("-score", "-moment", "-pk") if ranked else ("-moment", "-pk")
    if bound is not None:
        # Only the first `bound` rows of each kind can be on the pages up to
        # this one (PostgreSQL allows a LIMIT inside a UNION). Statements are
        # read in the order of their own date, the same as their moment's,
        # which walks the date index where the cast sorted every match.
        by_date = ["-adopted_on" if field == "-moment" else field for field in order]
        rows, other = rows.order_by(*order)[:bound], other.order_by(*by_date)[:bound]
    asked = [part for part in (rows, other) if not isinstance(part, EmptyQuerySet)]
    if len(asked) < 2:
        # One kind (or none) is asked for: no union, whose result would be
        # that queryset as it is, which once sliced cannot be ordered again.
        single = asked[0] if asked else rows
        return single if single.query.is_sliced else single.order_by(*order)
    return rows.union(other, all=True).order_by(*order)


def search_counts(news, statements, kind, bounded=False):
    """
    What /search/ counts over all its matches: by kind, year and section;
    `bounded`: by kind only, up to search.COUNT_LIMIT + 1 each (a common word).
    """
    if bounded:
        kinds = [
            ("news", search.bounded_count(news)),
            ("statements", search.bounded_count(statements)),
        ]
        capped = any(count > search.COUNT_LIMIT for _, count in kinds)
        if capped:
            return {"kinds": kinds, "years": [], "capped": True}
    counts = {
        "kinds": [("news", news.count()), ("statements", statements.count())],
        "years": merge_years(
            year_counts(news, "published_at"), year_counts(statements, "adopted_on")
        ),
    }
    if kind != "statements":
        counts["sections"] = section_counts(news)
    return counts


def merge_years(*counts):
    total = {}
    for pairs in counts:
        for year, count in pairs:
            total[year] = total.get(year, 0) + count
    return sorted(total.items(), reverse=True)


def preview_view(request, token):
    """An unpublished item, shown to whoever holds its signed preview link."""
    item = preview.item_from_token(token)
    if item is None:
        raise Http404(_("This preview link is not valid, or it has expired."))
    if item.is_public:
        # Published since: the link holder gets the public page, as everyone does.
        response = HttpResponseRedirect(item.get_absolute_url())
        add_never_cache_headers(response)
        return response
    if not preview.can_preview(item):
        raise Http404(_("This preview link is not valid, or it has expired."))
    if isinstance(item, NewsItem):
        view = NewsDetailView.as_view(preview_item=item)
        return view(request, section=item.section.slug, slug=item.slug)
    return StatementDetailView.as_view(preview_item=item)(request, slug=item.slug)


def attachment_download(request, pk):
    """
    A document, as a download. Only while it belongs to a public news item or
    statement (staff who may change items may always have it): a document of
    a draft is as hidden as the draft.
    """
    attachment = get_object_or_404(Attachment, pk=pk)
    public = (
        attachment.news_items.published().exists() or attachment.statements.published().exists()
    )
    if not public and not request.user.has_perm("archive.change_attachment"):
        raise Http404(_("No such document."))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("No such document.")) from error
    name = slugify(attachment.title, allow_unicode=True)[:80] or "document"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{name}.{attachment.kind}",
        content_type=CONTENT_TYPES.get(attachment.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    if not public:
        add_never_cache_headers(response)
    return response
