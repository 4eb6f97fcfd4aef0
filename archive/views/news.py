"""The home page, the news lists (all, a section's, a year's or month's) and a news item."""

import datetime

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from .. import backlink, pagecache, queries, taxonomy, teasers
from ..filters import NewsItemFilter
from ..models import FIRST_YEAR, LAST_YEAR, NewsItem, Section, active_language
from ..navigation import (
    archive_months,
    archive_years,
    month_links,
    section_crumbs,
    year_links,
    year_range,
)
from ..seo import TRANSLATION_LABELS, news_article_json_ld
from .mixins import ItemDetailMixin, PublicListMixin


class HomeView(TemplateView):
    template_name = "archive/home.html"

    def get_context_data(self, **kwargs):
        # What the home page lists changes only with the archive's generation,
        # and its stories with the visitor's language (each in theirs, once).
        language = active_language()
        lead, latest, statements, topics = pagecache.kept(
            f"home:front:{language}",
            lambda: (
                *queries.lead_and_latest(language),
                list(queries.latest_statements(language)),
                queries.topic_counts(),
            ),
        )
        # Names from the taxonomy: the visitor's language, shared with the menus.
        names = dict(taxonomy.taxonomy()["topic"])
        return super().get_context_data(
            lead=lead,
            latest=teasers.draw("news", ids(latest), latest, show_section=True),
            statements=teasers.draw("statement", ids(statements), statements),
            # A callable: the years are kept as HTML and worked out only when built.
            year_links=year_links,
            topics=[(slug, names.get(slug, slug), count) for slug, count in topics],
            **kwargs,
        )


def ids(rows):
    return [row.pk for row in rows]


class NewsListView(PublicListMixin, FilterView):
    filterset_class = NewsItemFilter
    template_name = "archive/newsitem_list.html"
    # The year whose months the archive navigation opens.
    year = None

    def get_queryset(self):
        return queries.news_teasers()

    def facets(self, queryset):
        return {
            "sections": queries.section_counts(queryset),
            "years": queries.year_counts(queryset, "published_at"),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("crumbs", [(_("All news"), None)])
        # Callables: the archive navigation is kept as HTML and works them out only when built.
        context["year_links"] = year_links
        context["month_links"] = lambda: month_links(self.year)
        return context


class SectionView(NewsListView):
    """One section's news: the news list held to that section and those below it."""

    template_name = "archive/section_detail.html"
    fixed_params = {"section"}

    def get(self, request, *args, **kwargs):
        self.section = taxonomy.section_by_slug(kwargs["section"]) or get_object_or_404(
            Section.objects, slug=kwargs["section"]
        )
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # A section the taxonomy does not know yet has no sections below it.
        below = taxonomy.section_and_below(self.section.slug) or [self.section.pk]
        return super().get_queryset().filter(section__in=below)

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        # The section is fixed by the address; the form does not offer it.
        del filterset.filters["section"]
        return filterset

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            section=self.section,
            subsections=taxonomy.subsections(self.section.pk),
            crumbs=section_crumbs(self.section, link_last=False),
            **kwargs,
        )


class NewsArchiveView(NewsListView):
    """/news/<year>/ and /news/<year>/<month>/: the news list held to that time."""

    template_name = "archive/newsitem_archive.html"
    fixed_params = {"year"}

    def get(self, request, *args, **kwargs):
        self.year, self.month = kwargs["year"], kwargs.get("month")
        if not FIRST_YEAR <= self.year <= LAST_YEAR or self.month not in (None, *range(1, 13)):
            raise Http404(_("There is no such month or year in the archive."))
        # A year or month without public news is no page of the archive: its
        # navigation (counted once for each state of the archive) says which are.
        years = dict(archive_years())
        months = {day.month for day, _count in archive_months(self.year)} if self.month else ()
        if self.year not in years or (self.month and self.month not in months):
            raise Http404(_("The archive holds no news of that month or year."))
        # /news/2020/05/ and /news/02020/ are /news/2020/5/ and /news/2020/: one address each.
        own = (
            reverse("archive:news-month", args=[self.year, self.month])
            if self.month
            else reverse("archive:news-year", args=[self.year])
        )
        if request.path != own:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(own + (f"?{query}" if query else ""))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # A range of moments, which the index on published_at serves.
        start, end = year_range(self.year, self.month)
        return super().get_queryset().filter(published_at__gte=start, published_at__lt=end)

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        # The year is fixed by the address; the form does not offer it.
        del filterset.filters["year"]
        return filterset

    def facets(self, queryset):
        # The year is fixed by the address: its only year would lead nowhere else.
        return {"sections": queries.section_counts(queryset)}

    def get_context_data(self, **kwargs):
        year_url = reverse("archive:news-year", args=[self.year])
        crumbs = [(_("All news"), reverse("archive:news-list"))]
        period = None
        if self.month:
            period = datetime.date(self.year, self.month, 1)
            crumbs += [(str(self.year), year_url), (date_format(period, "F Y"), None)]
        else:
            crumbs.append((str(self.year), None))
        return super().get_context_data(
            crumbs=crumbs, year=self.year, month=self.month, period=period, **kwargs
        )


class NewsDetailView(ItemDetailMixin, DetailView):
    model = NewsItem
    context_object_name = "item"
    template_name = "archive/newsitem_detail.html"

    def detail_queryset(self):
        return queries.item_page()

    def get_object(self, queryset=None):
        try:
            item = super().get_object(queryset)
        except Http404:
            raise Http404(_("No news item at this address.")) from None
        # The section of this generation, as the lists have it; one the
        # taxonomy does not know yet is read when the page asks for it.
        section = taxonomy.sections().get(item.section_id)
        if section is not None:
            item.section = section
        return item

    def redirect_to_canonical(self, kwargs):
        # An item moved to another section keeps its old address working.
        if self.preview_item is None and self.object.section.slug != kwargs["section"]:
            return HttpResponsePermanentRedirect(self.object.get_absolute_url())
        return None

    def related(self, item):
        if not item.is_public:
            return queries.related_of(item)
        # What a public item lists changes only with the archive's generation.
        return pagecache.kept(f"item-lists:{item.pk}", lambda: queries.related_of(item))

    def get_context_data(self, **kwargs):
        item = self.object
        related = self.related(item)
        translation = related["translation"]
        return super().get_context_data(
            back_url=backlink.link(self.request),
            crumbs=[*section_crumbs(item.section), (item.title, None)],
            translation_label=TRANSLATION_LABELS.get(translation.language) if translation else "",
            json_ld=news_article_json_ld(self.request, item),
            **related,
            **kwargs,
        )
