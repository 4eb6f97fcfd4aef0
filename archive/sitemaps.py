"""
sitemap.xml: an index of the sitemaps of sections, news, statements, persons,
bodies and topics (public items only, with lastmod), and a Google News
sitemap of the last two days.
"""

import datetime

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.functional import cached_property

from .models import Body, NewsItem, Person, Section, Statement, Status, Topic
from .pagecache import remember


def public(prefix):
    """The published() rule, seen from a related model through `prefix`."""
    now = timezone.now()
    return Q(
        Q(**{f"{prefix}__expire_at__isnull": True}) | Q(**{f"{prefix}__expire_at__gt": now}),
        **{f"{prefix}__status": Status.PUBLISHED, f"{prefix}__published_at__lte": now},
    )


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
    """Sections, persons, bodies, topics: those with public news, last changed when it did."""

    changefreq = "weekly"
    model = None

    def items(self):
        # Reads every public item once per change of the archive, then kept.
        return remember(f"sitemap-{self.model._meta.model_name}", self.find_items)

    def find_items(self):
        return list(
            self.model.objects.annotate(
                latest=Max("news_items__updated_at", filter=public("news_items"))
            )
            .filter(latest__isnull=False)
            .order_by("slug")
        )

    def lastmod(self, obj):
        return obj.latest

    def get_latest_lastmod(self):
        return latest_news_change()


class SectionSitemap(RelatedSitemap):
    model = Section
    changefreq = "daily"


class PersonSitemap(RelatedSitemap):
    model = Person


class BodySitemap(RelatedSitemap):
    model = Body


class TopicSitemap(RelatedSitemap):
    model = Topic


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
