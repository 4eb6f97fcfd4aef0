import contextlib
import ipaddress
import logging

from csp.constants import HEADER, UNSAFE_INLINE
from csp.utils import build_policy
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from . import breaker
from .pagecache import COMPRESSIBLE_TYPES, accepts_gzip
from .views.site import (
    PUBLIC_METHODS,
    database_unavailable,
    healthz,
    method_not_allowed,
    readyz,
)

NUL = "\x00"
logger = logging.getLogger(__name__)


def client_address(request):
    """
    The visitor's address. Behind PROXY_COUNT proxies of our own, the one the
    first of them saw, read from the right of X-Forwarded-For: the left part
    is whatever the visitor chose to send. None when that is not an address:
    django-axes then counts the attempt as from an unknown address.
    """
    address = request.META.get("REMOTE_ADDR")
    if settings.PROXY_COUNT:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= settings.PROXY_COUNT:
            address = forwarded[-settings.PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def has_nul_bytes(request):
    # A parameter holds a NUL only where the query string has one, or "%00":
    # read there, the parameters of every request need not be parsed.
    query = request.META.get("QUERY_STRING", "")
    if NUL in request.path or NUL in query or "%00" in query:
        return True
    return any(NUL in key or NUL in value for key, value in request.COOKIES.items())


def bad_query_reason(request):
    """Why the request's address cannot be answered, or None when it can."""
    query = request.META.get("QUERY_STRING", "")
    if len(query) > settings.QUERY_STRING_MAX_LENGTH:
        return _("The address is too long: its query may have at most %(n)s characters.") % {
            "n": settings.QUERY_STRING_MAX_LENGTH
        }
    # Parsed only when it may have too many: there are no more names than "&" + 1.
    if query.count("&") >= settings.QUERY_MAX_PARAMETERS and (
        len(request.GET) > settings.QUERY_MAX_PARAMETERS
    ):
        return _("The address has too many parameters: at most %(n)s are read.") % {
            "n": settings.QUERY_MAX_PARAMETERS
        }
    if has_nul_bytes(request):
        return _("The address holds something this site cannot read.")
    return None


class HeadMiddleware:
    """
    Sends a HEAD answer without its body, as the development server does:
    gunicorn drops the body itself but logs a warning for each such request
    (uptime checks send many). Content-Length stays the GET answer's. Put it
    first, so that the pages kept by the cache keep their bodies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                response.streaming_content = []
            else:
                if not response.has_header("Content-Length"):
                    response["Content-Length"] = len(response.content)
                response.content = b""
        return response


class HealthMiddleware:
    """
    Answers /healthz and /readyz before anything reads the Host header or
    redirects to HTTPS: load balancers probe each server by its address,
    over plain HTTP. Put it first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.answers = {"/healthz": healthz, "/readyz": readyz}

    def __call__(self, request):
        answer = self.answers.get(request.path_info)
        if answer is not None and request.method in ("GET", "HEAD"):
            return answer(request)
        return self.get_response(request)


class RejectBadQueryMiddleware:
    """
    Answer 400, with the reason, to an address no page could serve: a query
    string too long or with too many parameters (each would only make a slow
    page), or a NUL byte in the address, query or cookies (PostgreSQL refuses
    NUL in text, so it would fail in a query as a 500). And 405 to a method
    the public site does not take (a form sent there, TRACE), which its
    function views (feeds, sitemaps, robots.txt) would otherwise answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in PUBLIC_METHODS and not request.path.startswith("/admin/"):
            return method_not_allowed(request)
        if bad_query_reason(request):
            # Before LocaleMiddleware: the thread may still hold another visitor's
            # language, so the page and its reason are put in the visitor's.
            with translation.override(translation.get_language_from_request(request)):
                context = {"reason": bad_query_reason(request)}
                return render(request, "400.html", context, status=400)
        return self.get_response(request)


class CompressTextMiddleware(GZipMiddleware):
    """
    Django's gzip for text only: a document download keeps its length (and
    a browser its progress bar) rather than being compressed again.
    """

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES):
            return response
        # A hit comes gzipped as it was kept, when taken, unless a "Go back"
        # link was written into it (backlink): that page is compressed here.
        if response.get("X-Page-Cache") == "hit" and not getattr(request, "back_url", None):
            return response
        if not accepts_gzip(request):
            # Plain, and saying that it depends on the header, as Django's
            # would for a browser that does not name gzip at all.
            if not response.has_header("Content-Encoding"):
                patch_vary_headers(response, ("Accept-Encoding",))
            return response
        return super().process_response(request, response)


class ContentSecurityPolicyMiddleware:
    """
    settings.CONTENT_SECURITY_POLICY everywhere; in the admin, inline styles
    are allowed too, because its vendored widgets (select2's dropdown, the
    calendar) position themselves with style attributes. Scripts stay
    'self'-only there as everywhere. No page uses a nonce or a policy of its
    own, so django-csp's build_policy() makes each header once, not anew for
    every response as its middleware does.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = build_policy()
        self.admin_policy = build_policy(update={"style-src": [UNSAFE_INLINE]})

    def __call__(self, request):
        response = self.get_response(request)
        # As django-csp: Django's debug pages style themselves inline.
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        if HEADER not in response:
            admin = request.path.startswith("/admin/")
            response[HEADER] = self.admin_policy if admin else self.policy
        return response


class DatabaseDeadlineMiddleware:
    """
    A database that stops answering (a stalled server or network, which
    keeps connections open) gives a 503 page within
    DATABASE_REQUEST_TIMEOUT seconds instead of a request hanging for ever;
    a database error of any other kind on a page gives the same 503, not a
    500. Put it below the page cache, so that cached pages still answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with (
            breaker.deadline(settings.DATABASE_REQUEST_TIMEOUT),
            contextlib.ExitStack() as stack,
        ):
            for wrapper in connections.all():
                if wrapper.vendor == "postgresql":
                    stack.enter_context(wrapper.execute_wrapper(breaker.refuse_while_open))
            return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            breaker.trip(exception)
            return database_unavailable(request, exception)
        return None
