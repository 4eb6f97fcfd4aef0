"""What the public lists and item pages share: pagination, notices, previews."""

from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _

from .. import pagecache, search
from ..pagecache import count_key
from ..pagination import ListPaginator
from ..services import find_redirect


class PublicListMixin:
    """
    A public list: `get_queryset()` (published() rows of a kind, narrowed by
    the address), the FilterSet's choices, then ListPaginator. A page number
    that is not a number shows the first page with a notice; one past the
    end is a 404, as a missing page should be.
    """

    paginate_by = settings.NEWS_PAGE_SIZE
    paginator_class = ListPaginator
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

    @property
    def newest_first(self):
        """Whether a text search found too many matches to rank, and lists them newest first."""
        filterset = getattr(self, "filterset", None)
        return bool(filterset is not None and getattr(filterset, "newest_first", False))

    def count(self, queryset):
        if self.newest_first:
            return search.bounded_count(queryset)
        return queryset.count()

    def get_paginator(self, queryset, per_page, **kwargs):
        def total():
            return pagecache.cache.get_or_set(
                pagecache.key(count_key(self.request)), lambda: self.count(queryset)
            )

        return ListPaginator(queryset, per_page, total=total, allow_empty_first_page=True)

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
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

    def search_query(self):
        filterset = getattr(self, "filterset", None)
        if filterset is None or not filterset.is_bound or not filterset.is_valid():
            return ""
        return filterset.form.cleaned_data.get("q") or ""

    def query_notices(self):
        notices = []
        repeated = sorted(key for key, values in self.request.GET.lists() if len(values) > 1)
        if repeated:
            notices.append(
                _("These parameters were given more than once; the last value is used: %(names)s.")
                % {"names": ", ".join(repeated)}
            )
        if getattr(self, "page_notice", None):
            notices.append(self.page_notice)
        return notices

    def facets(self, queryset):
        """What a text search counts its matches by (sections, years)."""
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.search_query()
        context.update(
            notices=self.query_notices(),
            search_query=query,
            # Item links carry this list's address, for the item's "Go back" link.
            back_query="?back=" + quote(self.request.get_full_path(), safe="/"),
        )
        if self.newest_first:
            context["newest_first"] = search.RANK_LIMIT
        paginator = context.get("paginator")
        if paginator and paginator.count > search.COUNT_LIMIT:
            context["count_limit"] = search.COUNT_LIMIT
        elif query:
            # Counted over every match: once per change of the archive.
            context["facets"] = pagecache.cache.get_or_set(
                pagecache.key("facets:" + count_key(self.request)),
                lambda: self.facets(self.object_list),
            )
        return context


class ItemDetailMixin:
    """
    An item page. Visitors see public items only. Staff who may change items
    see any item, in any state, with a banner naming the state; so does
    whoever holds a signed preview link. Such pages are never cached.
    """

    # The item a signed preview link names (see site.preview_view).
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
