"""
The archive navigation (years and months with their counts) and the
breadcrumbs of sections: what list pages show around their items.
"""

import datetime

from django.db.models import Count
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import pagecache
from .filters import start_of_day
from .models import NewsItem
from .taxonomy import ancestors
from .templating import url


def archive_years():
    """
    [(year, count), ...] of all public news, newest first. Each year is
    counted through the date index, and again only when news of that year
    change (pagecache.remember_years): after a publish, one year.
    """

    def count():
        moments = NewsItem.objects.published().order_by().values_list("published_at", flat=True)
        newest = moments.order_by("-published_at").first()
        oldest = moments.order_by("published_at").first()
        if newest is None:
            return []
        years = range(timezone.localtime(newest).year, timezone.localtime(oldest).year - 1, -1)
        counted = pagecache.remember_years("archive:year", years, count_year)
        return [(year, counted[year]) for year in years if counted[year]]

    return pagecache.kept("archive:years", count)


def year_range(year, month=None):
    """The first moment of a year (or of one month of it) and the first moment after it."""
    first = datetime.date(year, month or 1, 1)
    after = next_month(first) if month else first.replace(year=year + 1)
    return start_of_day(first), start_of_day(after)


def count_year(year):
    start, end = year_range(year)
    return (
        NewsItem.objects.published().filter(published_at__gte=start, published_at__lt=end).count()
    )


def next_month(first_day):
    """The first day of the month after the one `first_day` begins."""
    return (first_day + datetime.timedelta(days=31)).replace(day=1)


def archive_months(year):
    """[(first day of month, count), ...] of the public news of `year`."""

    def count(year):
        start, end = year_range(year)
        months = (
            NewsItem.objects.published()
            .filter(published_at__gte=start, published_at__lt=end)
            .order_by()
            .annotate(month=ExtractMonth("published_at"))
            .values_list("month")
            .annotate(count=Count("pk"))
            .order_by("month")
        )
        return [(datetime.date(year, month, 1), number) for month, number in months]

    return pagecache.remember_years("archive:months", [year], count)[year]


def year_links():
    """The archive navigation's years: [(year, count, address), ...]."""
    return [
        (year, count, reverse("archive:news-year", args=[year])) for year, count in archive_years()
    ]


def month_links(year):
    """The archive navigation's months of `year`: [(first day, count, address), ...]."""
    if not year:
        return []
    return [
        (first_day, count, reverse("archive:news-month", args=[year, first_day.month]))
        for first_day, count in archive_months(year)
    ]


def section_crumbs(section, link_last=True):
    """Breadcrumbs from "All news" down to `section`, as (label, URL) pairs."""
    crumbs = [(_("All news"), url("archive:news-list"))]
    crumbs += [(name, url("archive:section", slug)) for slug, name in ancestors(section.pk)]
    last = url("archive:section", section.slug) if link_last else None
    crumbs.append((section.display_name, last))
    return crumbs
