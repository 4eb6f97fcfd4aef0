"""
sitemap.xml: an index of the sitemaps of sections, news, statements, persons,
bodies and topics (public items only, with lastmod), and a Google News
sitemap of the last two days.
"""

import datetime

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.functional import cached_property

from .models import Body, NewsItem, Person, Section, Statement, Topic
from .pagecache import remember


class RememberedCountPaginator(Paginator):
    """Counts its items once per generation of the archive (a COUNT reads every row)."""

    def __init__(self, name, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.name = name

    @cached_property
    def count(self):
        return remember(f"sitemap-count:{self.name}", lambda: Paginator.count.func(self))


def latest_news_change():
    """When public news last changed: the lastmod of several sitemaps."""
    return remember(
        "sitemap-latest-news",
        lambda: NewsItem.objects.published().aggregate(latest=Max("updated_at"))["latest"],
    )


class NewsSitemap(Sitemap):
    changefreq = "monthly"
    limit = 10_000

    def items(self):
        return (
            NewsItem.objects.published()
            .select_related("section")
            .only("slug", "updated_at", "section__slug")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, item):
        return item.updated_at

    @property
    def paginator(self):
        return RememberedCountPaginator("news", self._items(), self.limit)

    def get_latest_lastmod(self):
        # One aggregate per change of the archive, not a walk through every
        # item (Django's default).
        return latest_news_change()


class StatementSitemap(Sitemap):
    changefreq = "yearly"
    limit = 10_000

    def items(self):
        return (
            Statement.objects.published().only("slug", "updated_at").order_by("-adopted_on", "-pk")
        )

    def lastmod(self, statement):
        return statement.updated_at

    @property
    def paginator(self):
        return RememberedCountPaginator("statements", self._items(), self.limit)

    def get_latest_lastmod(self):
        return remember(
            "sitemap-latest-statements",
            lambda: self.items().aggregate(latest=Max("updated_at"))["latest"],
        )


class RelatedSitemap(Sitemap):
    """
    Sections, persons, bodies, topics: those with public news. Worked out
    once per change of the archive, each by looking for its first public
    item (a MAX over every item of each took seconds at 1,000,000 items);
    persons, bodies and topics therefore have no lastmod.
    """

    changefreq = "weekly"
    model = None
    # The NewsItem field that points to `model`.
    link = None

    def items(self):
        return remember(f"sitemap-{self.model._meta.model_name}", self.find_items)

    def public_news(self):
        return NewsItem.objects.published().filter(**{self.link: OuterRef("pk")})

    def find_items(self):
        # One public item each, LIMIT 1: PostgreSQL then walks each one's
        # items and stops at the first, where an EXISTS became a join of all.
        first = self.public_news().values("pk")[:1]
        return list(
            self.model.objects.annotate(first=Subquery(first))
            .filter(first__isnull=False)
            .order_by("slug")
        )

    def get_latest_lastmod(self):
        return latest_news_change()


class SectionSitemap(RelatedSitemap):
    model = Section
    link = "section"
    changefreq = "daily"

    def find_items(self):
        # A section's page changes when a newer item appears in it: the
        # newest one's time, read from the (section, status, published_at) index.
        newest = self.public_news().order_by("-published_at").values("published_at")[:1]
        return list(
            Section.objects.annotate(latest=Subquery(newest))
            .filter(latest__isnull=False)
            .order_by("slug")
        )

    def lastmod(self, section):
        return section.latest


class PersonSitemap(RelatedSitemap):
    model = Person
    link = "persons"


class BodySitemap(RelatedSitemap):
    model = Body
    link = "bodies"


class TopicSitemap(RelatedSitemap):
    model = Topic
    link = "topics"


SITEMAPS = {
    "sections": SectionSitemap,
    "news": NewsSitemap,
    "statements": StatementSitemap,
    "persons": PersonSitemap,
    "bodies": BodySitemap,
    "topics": TopicSitemap,
}


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
        return item.updated_at
