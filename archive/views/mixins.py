"""What the public lists and item pages share: pagination, notices, previews."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.http import http_date
from django.utils.translation import gettext as _

from .. import backlink, pagecache, search, teasers
from ..filters import PHRASE_QUOTES
from ..pagecache import count_key
from ..pagination import ListPaginator
from ..services import find_redirect


def too_common_notice(query):
    return _("“%(query)s” has only words too common to search for. Add a more specific word.") % {
        "query": query[:40]
    }


class PastTheEnd(Http404):
    """A page number past a list's last page (`pages` of them)."""

    def __init__(self, pages):
        super().__init__(_("There is no such page of this list."))
        self.pages = pages


def past_the_end(request, exception):
    """The 404 page of a page past the end: how many pages there are, the first and last."""
    params = request.GET.copy()
    params.pop("page", None)
    first = request.path + (f"?{params.urlencode()}" if params else "")
    params["page"] = exception.pages
    context = {
        "pages": exception.pages,
        "first_url": first,
        "last_url": f"{request.path}?{params.urlencode()}",
    }
    return TemplateResponse(request, "archive/past_the_end.html", context, status=404)


def page_number(request):
    """
    (number, notice) of the page a list's address asks for: a page number
    that is not a number gives the first page, with a notice saying so.
    """
    raw = request.GET.get("page", "").strip()
    try:
        number = int(raw) if raw else 1
    except ValueError:
        number = 0
    if number < 1:
        notice = _("“%(page)s” is not a page number; this is the first page.") % {"page": raw[:40]}
        return 1, notice
    return number, None


def without_empty_params(request):
    """
    A redirect to the address of `request` without its empty parameters (a
    form sends every field, chosen or not), or None if it has none.
    """
    pairs = [(key, value) for key, values in request.GET.lists() for value in values]
    kept = [(key, value) for key, value in pairs if value.strip()]
    if len(kept) == len(pairs):
        return None
    return HttpResponseRedirect(request.path + (f"?{urlencode(kept)}" if kept else ""))


class ListAddressMixin:
    """
    A list's address: sent without its empty fields, and with a page that
    exists; what it could not read is named (query_notices).
    """

    # A parameter a person typed that the list cannot read is named (see pagecache).
    names_unread_params = True
    # Set by a list that read a page number that is not one (see page_number).
    page_notice = None

    def get(self, request, *args, **kwargs):
        redirect = without_empty_params(request)
        if redirect is not None:
            return redirect
        try:
            return super().get(request, *args, **kwargs)
        except PastTheEnd as exception:
            return past_the_end(request, exception)

    def query_notices(self):
        notices = []
        repeated = sorted(key for key, values in self.request.GET.lists() if len(values) > 1)
        if repeated:
            notices.append(
                _("These parameters were given more than once; the last value is used: %(names)s.")
                % {"names": ", ".join(repeated)}
            )
        if unread := getattr(self.request, "unread_params", None):
            notices.append(
                _("These parameters are not understood and were ignored: %(names)s.")
                # A parameter without a name ("?=x") is named as what it is.
                % {"names": ", ".join(name or _("(a value without a name)") for name in unread)}
            )
        if self.page_notice:
            notices.append(self.page_notice)
        return notices


class PublicListMixin(ListAddressMixin):
    """
    A public list: `get_queryset()` (published() rows of a kind, narrowed by
    the address), the FilterSet's choices, then ListPaginator. A page number
    that is not a number shows the first page with a notice; one past the
    end is a 404 that links to the last page. A filter given a bad value is
    named above the list and left out; the others still apply. A parameter
    missing from query_params() never reaches the list: PageCacheMiddleware
    takes it out of the request (pagecache.keep_used_params), with the page
    cache on or off, so a new parameter must be named there.
    """

    paginate_by = settings.NEWS_PAGE_SIZE
    paginator_class = ListPaginator
    # One bad filter leaves out only itself (FilterView filters with the valid fields).
    strict = False
    # Parameters a list understands besides its filters.
    extra_params = {"page"}
    # Filters the address fixes (a section's list has no section filter).
    fixed_params = set()
    # What its teasers are (a key of teasers.MACROS), and how they are drawn.
    teaser_kind = "news"
    teaser_options = {"show_section": True}
    # The date the list is ordered by, newest first (then by id, newest first).
    ordered_by = "published_at"

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
        name = count_key(self.request)

        def total():
            return pagecache.kept(name, lambda: self.count(queryset))

        def bookmark(position, find):
            return pagecache.kept(f"row{position}:{name}", find)

        return self.paginator_class(
            queryset,
            per_page,
            total=total,
            bookmark=bookmark,
            # A search ranks its matches: no date orders it.
            by=None if self.search_query() else self.ordered_by,
            allow_empty_first_page=True,
        )

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        number, self.page_notice = page_number(self.request)
        if number > paginator.num_pages:
            raise PastTheEnd(paginator.num_pages)
        # Only the ids: the teasers are drawn from them (see teasers).
        page = paginator.page_of_ids(number)
        return paginator, page, page.object_list, page.has_other_pages()

    def chosen(self):
        """The filters chosen with a valid value, by name (a bad one is left out)."""
        filterset = getattr(self, "filterset", None)
        if filterset is None or not filterset.is_bound:
            return {}
        filterset.is_valid()
        return {
            name: value
            for name, value in filterset.form.cleaned_data.items()
            if value not in (None, "")
        }

    def search_query(self):
        return self.chosen().get("q") or ""

    def filter_choice(self):
        """
        The form's fields as the address sets them ("section=news&year=2020"):
        a form without errors shows just that, so it is kept under it.
        """
        filterset = getattr(self, "filterset", None)
        if filterset is None or not filterset.is_bound:
            return ""
        data = filterset.form.data
        return urlencode([(name, data[name]) for name in filterset.form.fields if data.get(name)])

    def filter_summary(self):
        """What the chosen filters hold the list to, in words: "“ministers”, CSTO news, 2020"."""
        fields = self.filterset.form.fields if self.chosen() else {}
        parts, dates = [], []
        for name, value in self.chosen().items():
            if name == "q":
                # As typed; a phrase in quotes is not quoted again.
                typed = self.filterset.form.data.get("q", value)
                quoted = typed.translate(PHRASE_QUOTES)[:1] == '"'
                parts.append(typed if quoted else _("“%(text)s”") % {"text": typed})
            elif name == "date_from":
                dates.insert(0, _("from %(date)s") % {"date": date_format(value)})
            elif name == "date_to":
                dates.append(_("to %(date)s") % {"date": date_format(value)})
            elif hasattr(fields[name], "choices"):
                parts.append(str(dict(fields[name].choices).get(value, value)))
            else:
                parts.append(str(value))
        # "from 01.05.2020 to 31.05.2020": one period, not two items of the list.
        return ", ".join([*parts, " ".join(dates)] if dates else parts)

    def facets(self, queryset):
        """What a text search counts its matches by (sections, years)."""
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.search_query()
        back_query = backlink.back_query(self.request)
        context.update(
            teasers=teasers.draw(
                self.teaser_kind,
                context["object_list"],
                self.object_list,
                back_query=back_query,
                search_query=query,
                **self.teaser_options,
            ),
            notices=self.query_notices(),
            search_query=query,
            filter_summary=self.filter_summary(),
            filter_choice=self.filter_choice(),
            # On a phone the form folds behind a button that counts them.
            active_filters=len(self.chosen()),
            # Item links carry this list's address, for the item's "Go back" link.
            back_query=back_query,
        )
        if self.newest_first:
            context["newest_first"] = search.RANK_LIMIT
        paginator = context.get("paginator")
        if query and paginator and not paginator.count and search.too_common(query):
            context["notices"].append(too_common_notice(query))
        if self.newest_first and paginator and paginator.count > search.COUNT_LIMIT:
            # Counted only that far (search.bounded_count).
            context["count_limit"] = search.COUNT_LIMIT
        elif query:
            # Counted over every match: once per change of the archive.
            context["facets"] = pagecache.kept(
                "facets:" + count_key(self.request), lambda: self.facets(self.object_list)
            )
        return context


class ItemDetailMixin:
    """
    An item page. Visitors see public items only. Staff who may change items
    see any item, in any state, with a banner naming the state; so does
    whoever holds a signed preview link. Such pages are never cached.
    """

    # The item a signed preview link names, and the link's token (see site.preview_view).
    preview_item = None
    preview_token = None
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

    def get_object(self, queryset=None):
        if queryset is not None or self.preview_item is not None or self.can_preview():
            return super().get_object(queryset)
        # A public record changes only with the archive's generation: read
        # once for it, as its page's lists are. One not found is not kept.
        find = super().get_object
        return pagecache.kept(f"{self.model.__name__}:{self.kwargs[self.slug_url_kwarg]}", find)

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
            # Its documents, too, are for whoever holds the link.
            context["preview_token"] = self.preview_token
        response = self.render_to_response(context)
        if not self.object.is_public:
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex"
        else:
            # For conditional GETs (If-Modified-Since); ConditionalGetMiddleware adds the ETag.
            # The page shows other records too (its section's name, its tags):
            # it may have changed whenever the archive's generation moved on.
            changed = max(self.object.updated_at.timestamp(), pagecache.last_change())
            response["Last-Modified"] = http_date(changed)
        return response

    def redirect_to_canonical(self, kwargs):
        return None
