"""
sitemap.xml: an index of the sitemaps of sections, news, statements, persons,
bodies and topics (public items only, with lastmod), and a Google News
sitemap of the last two days. A sitemap with nothing in it is left out of the
index and answers 404: the sitemaps.org schema has no empty urlset.
"""

import datetime

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import Max, OuterRef, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property

from . import pagecache
from .models import NewsItem, Section, Statement
from .pagination import ListPaginator
from .taxonomy import ids_below, taxonomy


def changed_at(item):
    """When a public item last changed: a scheduled one when it went live, after its save."""
    return max(item.updated_at, item.published_at)


def latest_change(public):
    """The latest changed_at() of the `public` items, or None: each maximum read from its index."""
    latest = public.order_by().aggregate(saved=Max("updated_at"), live=Max("published_at"))
    return max(filter(None, latest.values()), default=None)


class PublicItemsSitemap(Sitemap):
    """
    Public items, each with its own lastmod. The total and the latest change
    read every public row, so they are worked out once per change of the
    archive, not on each request (Django's default walks every item).
    """

    limit = 10_000
    name = None
    model = None

    def lastmod(self, obj):  # a model instance or a row of values
        return changed_at(obj)

    @property
    def paginator(self):
        # The total remembered, and deep pages read their ids first (see ListPaginator).
        items = self.items()
        return ListPaginator(
            items,
            self.limit,
            total=lambda: pagecache.kept(f"sitemap-count:{self.name}", items.count),
        )

    def get_latest_lastmod(self):
        return pagecache.kept(
            f"sitemap-latest:{self.name}",
            # From the table alone: PostgreSQL then reads the newest of the
            # updated_at index and stops, where a join would read every row.
            lambda: latest_change(self.model.objects.published()),
        )


class NewsSitemap(PublicItemsSitemap):
    name = "news"
    model = NewsItem
    changefreq = "monthly"

    # Plain rows, not model instances: a sitemap page has 10,000 of them.
    # The sections' slugs come from the taxonomy, not a join, so that deeper
    # pages read their ids from the covering index alone.
    def items(self):
        return (
            NewsItem.objects.published()
            .order_by("-published_at", "-pk")
            .values_list("pk", "section_id", "slug", "updated_at", "published_at", named=True)
        )

    @cached_property
    def section_by_id(self):
        return taxonomy()["section_by_id"]

    def location(self, row):
        slug, _name = self.section_by_id[row.section_id]
        return reverse("archive:news-detail", args=[slug, row.slug])


class StatementSitemap(PublicItemsSitemap):
    name = "statements"
    model = Statement
    changefreq = "yearly"

    def items(self):
        return (
            Statement.objects.published()
            .order_by("-adopted_on", "-pk")
            .values_list("pk", "slug", "updated_at", "published_at", named=True)
        )

    def location(self, row):
        return reverse("archive:statement-detail", args=[row.slug])


class SectionSitemap(Sitemap):
    """
    Sections with public news, each dated by its newest public item: worked
    out once per change of the archive, each by reading its newest item
    from the (section, status, published_at) index.
    """

    changefreq = "daily"

    def items(self):
        return pagecache.kept("sitemap-section", self.find_items)

    def find_items(self):
        newest = (
            NewsItem.objects.published()
            .filter(section=OuterRef("pk"))
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        sections = list(Section.objects.annotate(latest=Subquery(newest)).order_by("slug"))
        own = {section.pk: section.latest for section in sections}
        tree = taxonomy()["tree"]
        for section in sections:
            # A section's page lists its subsections' news too: dated by the newest of all.
            dates = [own[pk] for pk in ids_below(tree, section.pk) if own.get(pk)]
            section.latest = max(dates, default=None)
        return [section for section in sections if section.latest]

    def lastmod(self, section):
        return section.latest

    def get_latest_lastmod(self):
        # The index dates this sitemap by the newest of the dates it lists.
        return max((section.latest for section in self.items()), default=None)


class TagSitemap(Sitemap):
    """
    Persons, bodies or topics (`kind`): those a public news item or
    statement shows, as the taxonomy lists them for the menus and index
    pages, so that a tag has a page exactly when it is in its sitemap. They
    have no lastmod of their own, and the index gives their sitemaps none:
    no date is known of when a tag was first or last shown.
    """

    changefreq = "weekly"
    kind = None

    def items(self):
        return sorted(taxonomy()[f"{self.kind}_ids"])

    def location(self, slug):
        return reverse(f"archive:{self.kind}-detail", args=[slug])


class PersonSitemap(TagSitemap):
    kind = "person"


class BodySitemap(TagSitemap):
    kind = "body"


class TopicSitemap(TagSitemap):
    kind = "topic"


SITEMAPS = {
    "sections": SectionSitemap,
    "news": NewsSitemap,
    "statements": StatementSitemap,
    "persons": PersonSitemap,
    "bodies": BodySitemap,
    "topics": TopicSitemap,
}


# An answer and a page built from it each hold this long at most (pagecache.kept, max-age).
GOOGLE_NEWS_RECHECK_SECONDS = 30


class GoogleNewsSitemap(Sitemap):
    """News of the last two days, as Google News reads them."""

    limit = 1000

    def items(self):
        since = timezone.now() - datetime.timedelta(days=2)
        return (
            NewsItem.objects.published()
            .filter(published_at__gte=since)
            .select_related("section")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, item):
        return changed_at(item)

    def get_latest_lastmod(self):
        """The latest change of the news it lists, or None while there are none."""
        return pagecache.kept(
            "sitemap-google-news",
            lambda: latest_change(self.items()),
            # News leaves the two days with time, not with a change of the archive.
            GOOGLE_NEWS_RECHECK_SECONDS,
        )


class IndexEntry(Sitemap):
    """
    A sitemap as the index shows it, from what was remembered of it: how
    many pages it has and its latest change.
    """

    def __init__(self, count, latest, limit):
        self.count, self.latest, self.limit = count, latest, limit

    @property
    def paginator(self):
        return Paginator(range(self.count), self.limit)

    def get_latest_lastmod(self):
        return self.latest


def index_entries():
    """{name: IndexEntry} of the sitemaps that list something."""
    found = {}
    for name, kind in SITEMAPS.items():
        site = kind()
        if count := site.paginator.count:
            found[name] = IndexEntry(count, site.get_latest_lastmod(), site.limit)
    return found


def index(request):
    """The index of the sitemaps that list something, the Google News one included."""
    # Remembered together, so that the index is one read of the cache, not two a sitemap.
    listing = pagecache.kept("sitemap-index", index_entries)
    response = sitemap_views.index(request, listing, sitemap_url_name="sitemap-section")
    if latest := GoogleNewsSitemap().get_latest_lastmod():
        location = request.build_absolute_uri(reverse("sitemap-news"))
        response.context_data["sitemaps"].append(sitemap_views.SitemapIndexItem(location, latest))
    # Whether it links to the Google News sitemap changes with time too.
    patch_cache_control(response, max_age=GOOGLE_NEWS_RECHECK_SECONDS)
    return response


def google_news(request):
    """
    The Google News sitemap. Its news leave it with time, not with a change
    of the archive: it says it holds for GOOGLE_NEWS_RECHECK_SECONDS, and the
    page cache keeps it no longer.
    """
    response = sitemap(
        request, sitemaps={"news": GoogleNewsSitemap}, template_name="sitemaps/news.xml"
    )
    patch_cache_control(response, max_age=GOOGLE_NEWS_RECHECK_SECONDS)
    return response


def sitemap(request, **kwargs):
    """One sitemap (or one page of it), or 404 while it would list nothing."""
    response = sitemap_views.sitemap(request, **kwargs)
    if not response.context_data["urlset"]:
        raise Http404("This sitemap lists nothing at present.")
    return response


# Read by the page cache: the one query parameter a sitemap's page depends on.
sitemap.query_params = ("p",)
