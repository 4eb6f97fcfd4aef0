"""
The "Go back" link of an item page: the list the visitor came from, given
in the item's address as ?back=.

Every list links its items with its own address, so an item page has as
many addresses as there are lists, filters and pages. The page cache keeps
one page per item for all of them: PageCacheMiddleware takes `back` out of
the request (request.back_url, checked by safe_back_url), the page is built
and cached with MARK where the link goes, and the visitor's own list is
written in place of MARK as each page leaves (apply).
"""

from urllib.parse import quote, urlsplit

from django.urls import Resolver404, resolve
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme

# The pages a "Go back" link may lead to: lists, never another site.
BACK_URL_NAMES = {
    "home",
    "news-list",
    "news-year",
    "news-month",
    "section",
    "search",
    "statement-list",
    "person-detail",
    "body-detail",
    "topic-detail",
}
MAX_BACK_URL_LENGTH = 2000
# Stands for the link in a built page; no address of the site looks like it.
MARK = "/go-back-to-the-list/"
# Stands for it inside the language switch's ?next=, where it is URL-encoded twice.
SWITCH_MARK = "/go-back-to-the-list-after-switching/"


def safe_back_url(request):
    """The list the visitor came from (`?back=`), if it is one of ours."""
    url = request.GET.get("back", "")
    if not url or len(url) > MAX_BACK_URL_LENGTH or not url.startswith("/"):
        return None
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return None
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    if match.namespace != "archive" or match.url_name not in BACK_URL_NAMES:
        return None
    return url


def back_query(request):
    """What a list adds to its item links: its own address, for the item's "Go back" link."""
    return "?back=" + quote(request.get_full_path(), safe="/")


def link(request):
    """What an item page's template gets as its "Go back" address (None: no link)."""
    if hasattr(request, "back_url"):
        return MARK if request.back_url else None
    # Built without PageCacheMiddleware (a preview): the address itself.
    return safe_back_url(request)


def switch_next(request, path=""):
    """
    Where the language switch leads, when it is not the address as asked:
    `path` (an item's translation in the language switched to), or the page
    itself; an item page whose ?back= the page cache took out keeps it.
    """
    if getattr(request, "back_url", None):
        return f"{path or request.path}?back={SWITCH_MARK}"
    return path or None


def apply(request, response):
    """Writes the visitor's list in place of MARK (and SWITCH_MARK) in `response`."""
    url = getattr(request, "back_url", None)
    if not url or response.streaming:
        return
    content = response.content
    if MARK.encode() in content or SWITCH_MARK.encode() in content:
        # In the switch's ?next= the list is a query value of a query value.
        in_switch = quote(quote(url, safe="/"), safe="/")
        content = content.replace(MARK.encode(), escape(url).encode())
        response.content = content.replace(SWITCH_MARK.encode(), in_switch.encode())
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
