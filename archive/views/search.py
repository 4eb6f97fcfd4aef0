"""/search/: news and statements together."""

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from .. import backlink, pagecache, queries, search, taxonomy
from ..filters import SearchForm
from ..pagecache import count_key
from .mixins import ListAddressMixin, PastTheEnd, page_number, too_common_notice


def capped_count(count):
    """A kind's count, or "10,000+" where it was counted only that far (a common word)."""
    if count > search.COUNT_LIMIT:
        return f"{intcomma(search.COUNT_LIMIT)}+"
    return count


class SearchView(ListAddressMixin, TemplateView):
    """
    /search/?q=: news and statements together, best matches first (newest
    first where the database does not rank), narrowed by kind, section (with
    the sections below it, as on the lists) and year. As on the lists, a
    field with a bad value is named and left out, and the others still apply.
    """

    template_name = "archive/search.html"
    paginate_by = settings.NEWS_PAGE_SIZE
    query_params = (*SearchForm.base_fields, "page")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        number, self.page_notice = page_number(self.request)
        context.update(form=form, crumbs=[(_("Search"), None)], notices=self.query_notices())
        if not form.is_bound:
            return context
        form.is_valid()
        data = {"kind": "", "section": "", "year": None, **form.cleaned_data}
        query = data.get("q")
        if not query:
            return context
        if data["section"] and data["kind"] == "statements":
            context["notices"].append(
                _("Statements belong to no section: the section is left out.")
            )
            data["section"] = ""
            # The page's links (facets, pages) then lead to addresses without it.
            self.request.GET = self.request.GET.copy()
            del self.request.GET["section"]
        context["narrowed"] = self.narrowed(data)
        key = count_key(self.request)
        news, statements = queries.news_teasers(), queries.statement_teasers()
        if data["section"]:
            news = news.filter(section__in=taxonomy.section_and_below(data["section"]))
            statements = statements.none()
        if data["year"]:
            news = news.filter(published_at__year=data["year"])
            statements = statements.filter(adopted_on__year=data["year"])
        # Ranked only if both kinds can be: one list has one order.
        ranked = search.is_rankable(news, query, f"news:{key}") and search.is_rankable(
            statements, query, f"statements:{key}"
        )
        news = search.search(
            news,
            query,
            text_fields=search.TEXT_FIELDS["newsitem"],
            date_field="published_at",
            ranked=ranked,
        )
        statements = search.search(
            statements,
            query,
            text_fields=search.TEXT_FIELDS["statement"],
            date_field="adopted_on",
            ranked=ranked,
        )
        # Counted over every match: once per change of the archive.
        counts = pagecache.kept(
            "search-facets:" + key,
            lambda: queries.search_counts(news, statements, data["kind"], bounded=not ranked),
        )
        labels = {"news": _("News"), "statements": _("Statements")}
        facets = {
            "kinds": [
                (kind, labels[kind], capped_count(count))
                for kind, count in counts["kinds"]
                if count
            ],
            "years": counts["years"],
        }
        if "sections" in counts:
            facets["sections"] = counts["sections"]
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
        rows = queries.combined(
            news if shown["news"] else None,
            statements if shown["statements"] else None,
            ranked,
            bound,
        )
        page = self.paginate(rows, number, total)
        if not total and search.too_common(query):
            context["notices"].append(too_common_notice(query))
        context.update(
            search_query=query,
            facets=facets,
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            results=self.results(page.object_list, query),
            search_snippet=self.snippet,
            # Result links carry these results' address, for the item's "Go back" link.
            back_query=backlink.back_query(self.request),
        )
        return context

    def narrowed(self, data):
        """
        [(name, field, value, label of the link without it), ...]: the section
        and year the results are held to, which the form keeps as it is sent
        again and the page names.
        """
        narrowed = []
        if data["section"]:
            section = taxonomy.section_by_slug(data["section"])
            narrowed.append((section.display_name, "section", data["section"], _("all sections")))
        if data["year"]:
            narrowed.append((str(data["year"]), "year", data["year"], _("all years")))
        return narrowed

    def paginate(self, rows, number, total):
        paginator = Paginator(rows, self.paginate_by, allow_empty_first_page=True)
        paginator.count = total  # counted with the facets, once per change of the archive
        if number > paginator.num_pages:
            raise PastTheEnd(paginator.num_pages)
        return paginator.page(number)

    def results(self, rows, query):
        """The page's results as objects, in the page's order, with their snippets' text."""
        rows = list(rows)
        found = {}
        for kind, teasers in (("n", queries.news_teasers()), ("s", queries.statement_teasers())):
            wanted = [pk for row_kind, pk, *_ in rows if row_kind == kind]
            if wanted:
                matched = search.with_snippet_text(teasers.filter(pk__in=wanted))
                found.update(((kind, item.pk), item) for item in matched)
        results = [found[kind, pk] for kind, pk, *_ in rows if (kind, pk) in found]
        # Made together: the database is asked at once how it stems their words.
        texts = {
            (item._meta.model_name, item.pk): (item.language, search.record_text(item))
            for item in results
        }
        self.snippets = search.snippets_of(texts, query)
        return results

    def snippet(self, result, query):
        """The snippet of a result of this page (the teasers' search_snippet)."""
        return self.snippets[result._meta.model_name, result.pk]
