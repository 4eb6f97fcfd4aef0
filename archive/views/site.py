"""The site's own addresses: errors, health checks, language, robots, favicon, previews, files."""

import functools
import logging
import secrets
import sys

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    HttpResponseServerError,
)
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import csrf, defaults

from .. import breaker, preview
from ..documents import CONTENT_TYPES
from ..logs import first_line
from ..models import Attachment, NewsItem
from .news import NewsDetailView
from .statements import StatementDetailView

logger = logging.getLogger(__name__)

# What the public site answers; the admin takes forms as well.
PUBLIC_METHODS = ["GET", "HEAD"]


def in_visitors_language(view):
    """
    For a page that may be answered before LocaleMiddleware has chosen the
    language (an error in the middleware above it): in the visitor's
    language, not in the one this thread served its last request in.
    """

    @functools.wraps(view)
    def answer(request, *args, **kwargs):
        with translation.override(translation.get_language_from_request(request)):
            return view(request, *args, **kwargs)

    return answer


@in_visitors_language
def bad_request(request, exception):
    """400: an address no page could serve, or a Host header not ours."""
    return defaults.bad_request(request, exception)


@in_visitors_language
def database_unavailable(request, error):
    """The page for a database that fails or does not answer: 503, try again soon."""
    logger.warning("The database did not answer %s: %s", request.path, first_line(error))
    # A page of its own: the site's menus would ask the database again.
    response = render(request, "503.html", status=503)
    response["Retry-After"] = "60"
    return response


@in_visitors_language
def server_error(request):
    """
    500, or the database's 503 (see database_unavailable) when
    the error is the database's and came from outside a view (the page cache).
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        return database_unavailable(request, error)
    # As Django's own handler: the template alone, no context processors (they
    # may be what failed), but in the visitor's language.
    page = loader.get_template("500.html").render({"LANGUAGE_CODE": translation.get_language()})
    return HttpResponseServerError(page)


@in_visitors_language
def permission_denied(request, exception):
    """
    403: in the admin, for the staff working there, a page of the admin that
    says so and leads back to the desk; elsewhere the site's own.
    """
    if request.path.startswith("/admin/") and request.user.is_active and request.user.is_staff:
        # A refusal of ours says why (services.delete_refusal); Django's own say nothing.
        reason = (
            exception.args[0] if isinstance(exception, PermissionDenied) and exception.args else ""
        )
        return admin_page(request, "admin/403.html", _("Not allowed"), status=403, reason=reason)
    return defaults.permission_denied(request, exception)


def admin_page(request, template, title, *, status, **context):
    """A page of the admin (its header, menus and way back to the desk) for an error there."""
    from django.contrib import admin

    context = {**admin.site.each_context(request), "title": title, **context}
    return render(request, template, context, status=status, using="django")


def csrf_failure(request, reason=""):
    """
    403 for a form whose security token no longer matches this browser's
    session (settings.CSRF_FAILURE_VIEW): in the admin, a page of the admin
    that says nothing was saved and how to keep what was typed.
    """
    if request.path.startswith("/admin/"):
        title = _("This form could not be sent")
        response = admin_page(request, "admin/csrf_failure.html", title, status=403)
        # A page of the signed-in admin, kept by no cache, as the admin's others.
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        return response
    # The public site takes no form (RejectBadQueryMiddleware): nothing else sends one.
    return csrf.csrf_failure(request, reason)


@in_visitors_language
def method_not_allowed(request):
    """405 for a method the public site does not take, with a sentence saying which it does."""
    return HttpResponseNotAllowed(
        PUBLIC_METHODS,
        _("This site's pages are only read: it answers GET and HEAD requests."),
        content_type="text/plain; charset=utf-8",
    )


def healthz(request):
    """For load balancers: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


def unready_reason():
    """Why this server cannot serve as it should (its database or cache unreachable), or None."""
    # Within its own deadline, and not at all while the database rests: a
    # probe of a stalled database would otherwise hold a worker's thread for
    # good, and enough probes all of them (/healthz and cached pages too).
    if breaker.is_open():
        return "database unreachable: DatabaseResting"
    try:
        with breaker.deadline(settings.READYZ_TIMEOUT), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        breaker.trip(error)
        return f"database unreachable: {type(error).__name__}"
    for name in ("default", "pages"):
        # Written and read back: a cache that fails answers a miss (archive/caching.py).
        token = secrets.token_hex(8)
        caches[name].set("readyz", token, 10)
        if caches[name].get("readyz") != token:
            return f"cache {name!r} unreachable"
    return None


def readyz(request):
    """For load balancers: 503 with the reason while the database or the cache cannot be reached."""
    reason = unready_reason()
    response = HttpResponse(
        reason or "ok", content_type="text/plain", status=503 if reason else 200
    )
    add_never_cache_headers(response)
    return response


LANGUAGE_COOKIE_DAYS = 365


def switch_language(request, language):
    """
    The interface language the visitor chose, remembered in a cookie, then
    back to the page they were on. A plain link: no form, no JavaScript.
    """
    if language not in dict(settings.LANGUAGES):
        raise Http404(_("This site speaks English and Russian."))
    next_url = request.GET.get("next", "/")
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=LANGUAGE_COOKIE_DAYS * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def robots_txt(request):
    """Crawlers: everything public, not the admin, previews or search results."""
    # The index lists the Google News sitemap while it has news.
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /search/",
        # A list searched with ?q= is search results too, one page for every query typed.
        "Disallow: /*?q=",
        "Disallow: /*&q=",
        "",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


FAVICON_CACHE_SECONDS = 24 * 3600


@functools.cache
def favicon_bytes():
    with open(finders.find("img/favicon.ico"), "rb") as icon:
        return icon.read()


def favicon(request):
    """
    /favicon.ico, where browsers and crawlers look whatever a page links:
    the emblem, answered here rather than redirected, so the asking ends at once.
    """
    response = HttpResponse(favicon_bytes(), content_type="image/x-icon")
    patch_cache_control(response, public=True, max_age=FAVICON_CACHE_SECONDS)
    return response


def preview_view(request, token):
    """An unpublished item, shown to whoever holds its signed preview link."""
    item = preview.item_from_token(token)
    if item is None:
        raise Http404(_("This preview link is not valid, or it has expired."))
    if item.is_public:
        # Published since: the link holder gets the public page, as everyone does.
        response = HttpResponseRedirect(item.get_absolute_url())
        add_never_cache_headers(response)
        return response
    if not preview.can_preview(item):
        raise Http404(_("This preview link is not valid, or it has expired."))
    if isinstance(item, NewsItem):
        view = NewsDetailView.as_view(preview_item=item, preview_token=token)
        return view(request, section=item.section.slug, slug=item.slug)
    view = StatementDetailView.as_view(preview_item=item, preview_token=token)
    return view(request, slug=item.slug)


def preview_attachment(request, token, pk):
    """A document of the item a signed preview link shows, for whoever holds the link."""
    item = preview.item_from_token(token)
    if item is None or not preview.can_preview(item):
        raise Http404(_("This preview link is not valid, or it has expired."))
    attachment = get_object_or_404(item.attachments, pk=pk)
    return document_response(attachment, public=False)


def attachment_download(request, pk):
    """
    A document, as a download. Only while it belongs to a public news item or
    statement (staff who may change items may always have it): a document of
    a draft is as hidden as the draft.
    """
    attachment = get_object_or_404(Attachment, pk=pk)
    public = (
        attachment.news_items.published().exists() or attachment.statements.published().exists()
    )
    if not public and not request.user.has_perm("archive.change_attachment"):
        raise Http404(_("No such document."))
    return document_response(attachment, public=public)


def document_response(attachment, *, public):
    """The document as a download; one not public is kept by no cache and no search engine."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("No such document.")) from error
    # A title that is the uploaded file's name keeps one extension, not two ("…-pdf.pdf").
    title = attachment.title.removesuffix(f".{attachment.kind}").removesuffix(
        f".{attachment.kind.upper()}"
    )
    name = slugify(title, allow_unicode=True)[:80] or "document"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{name}.{attachment.kind}",
        content_type=CONTENT_TYPES.get(attachment.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    if not public:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
    return response
