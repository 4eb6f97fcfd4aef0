"""
sitemap.xml: an index of the sitemaps of sections, news, statements, persons,
bodies and topics (public items only, with lastmod), and a Google News
sitemap of the last two days.
"""

import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.utils import timezone

from .models import Body, NewsItem, Person, Section, Statement, Status, Topic


def public(prefix):
    """The published() rule, seen from a related model through `prefix`."""
    now = timezone.now()
    return Q(
        Q(**{f"{prefix}__expire_at__isnull": True}) | Q(**{f"{prefix}__expire_at__gt": now}),
        **{f"{prefix}__status": Status.PUBLISHED, f"{prefix}__published_at__lte": now},
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

    def get_latest_lastmod(self):
        # One aggregate, not a walk through every item (Django's default).
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class StatementSitemap(Sitemap):
    changefreq = "yearly"
    limit = 10_000

    def items(self):
        return (
            Statement.objects.published().only("slug", "updated_at").order_by("-adopted_on", "-pk")
        )

    def lastmod(self, statement):
        return statement.updated_at

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class RelatedSitemap(Sitemap):
    """Sections, persons, bodies, topics: those with public news, last changed when it did."""

    changefreq = "weekly"
    model = None

    def items(self):
        return (
            self.model.objects.annotate(
                latest=Max("news_items__updated_at", filter=public("news_items"))
            )
            .filter(latest__isnull=False)
            .order_by("slug")
        )

    def lastmod(self, obj):
        return obj.latest

    def get_latest_lastmod(self):
        return NewsItem.objects.published().aggregate(latest=Max("updated_at"))["latest"]


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
