"""
Whole-page cache for anonymous visitors, never stale.

A cached page is keyed by the archive's *generation*: a number that goes up
whenever anything a page can show is written (a publish, an edit, an
unpublish), so the next request after a change builds the page anew. Its
truth is in the database (archive.models.Generation, moved on by triggers in
the same transaction as the write, whatever makes it); the cache holds a
copy, refreshed after each commit through the ORM (archive/signals.py) and
checked against the database by each process at least every
GENERATION_CHECK_SECONDS. Time changes what is public too (a scheduled item
goes live, another expires): the next such moment is known, and the
generation goes up when it comes, so a scheduled item appears on time.

Only GET and HEAD requests without a session cookie are cached: staff,
previews and anything marked private or never-cache are always built fresh.
PAGE_CACHE_SECONDS (0 turns it off) bounds how long a page is kept.
"""

import functools
import hashlib
import threading
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError
from django.db.models import F
from django.db.models.functions import Greatest
from django.http import HttpResponse, QueryDict
from django.middleware.gzip import re_accepts_gzip
from django.middleware.http import ConditionalGetMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone, translation
from django.utils.cache import (
    get_max_age,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.connection import ConnectionProxy
from django.utils.text import compress_string

from . import backlink, breaker, caching, subscription

GENERATION = "pagecache:generation"
# (generation, when what is public next changes by itself) for the newest generation.
NEXT_CHANGE = "pagecache:next-change"
# A page is kept under its address alone, with the generation it was built in:
# one read of the cache then brings the generation and the page together,
# which matters when the cache is another machine (Redis) and each read is
# a round trip; and a new page takes the place of the old one.
# The number is packed()'s layout: a new layout takes a new name, so that
# code just deployed never reads a page kept by the code before it.
PAGE = "pagecache:page:3:{}"
BUILDING = "{}:building"
# How long a page may be marked as being built, and how long another request
# for it waits for that build before building the page itself.
BUILD_SECONDS, WAIT_SECONDS = 30, 10
# Each year's stamp, and the one stamp of every year (see year_stamps).
YEAR, ALL_YEARS = "pagecache:year:{}", "pagecache:all-years"
# How long a year's count is kept at most; its key changes with its news.
YEAR_SECONDS = 24 * 3600
# Shared by every process of the site (Redis, or files on this machine), so
# that a change seen by one worker makes every worker's pages old.
cache = ConnectionProxy(caches, "pages")
# Each process's own memory, in front of `cache`: answers of this generation
# (kept()) and HTML fragments (templating.cached(), teasers), read with no
# round trip, which costs about as much as rendering a fragment. Their keys
# hold the generation, so the oldest simply age out.
local = LocMemCache("local", {"TIMEOUT": 3600, "OPTIONS": {"MAX_ENTRIES": 5000}})
# Paths that are never cached: the admin, previews, per-visitor answers.
SKIP_PREFIXES = ("/admin/", "/preview/", "/language/", "/documents/", "/healthz", "/readyz")
# Parameters that links from elsewhere add: dropped without a word (keep_used_params).
TRACKING_PREFIXES = ("utm_", "_ga", "mc_", "pk_")
TRACKING_NAMES = {"fbclid", "gclid", "yclid", "dclid", "msclkid", "igshid", "_openstat"}
# What gzip shrinks (CompressTextMiddleware); images and documents are compressed already.
COMPRESSIBLE_TYPES = (
    "text/",
    "application/xml",
    "application/json",
    "application/javascript",
    "application/atom+xml",
    "application/rss+xml",
    "application/ld+json",
)


def accepts_gzip(request):
    """
    Whether the browser takes gzip: its Accept-Encoding names gzip, and not
    with q=0. Django's GZipMiddleware only looks for the word, so "gzip;q=0"
    (gzip refused) was sent gzip.
    """
    header = request.META.get("HTTP_ACCEPT_ENCODING", "")
    if not re_accepts_gzip.search(header):
        return False
    if "q=" not in header:
        return True  # every browser: "gzip, deflate, br", no weights
    for coding in header.lower().split(","):
        name, *params = (part.strip() for part in coding.split(";"))
        if name in ("gzip", "x-gzip"):
            weights = [param[2:] for param in params if param.startswith("q=")]
            try:
                return not weights or float(weights[0]) > 0
            except ValueError:
                return False
    return False


# How many pages each process keeps in its memory, served with no round trip
# to Redis while its subscription knows their generation is current.
MEMORY_PAGES = 500
memory, memory_lock = {}, threading.Lock()
# The request headers with which a browser asks whether its copy is current.
VALIDATORS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)
# (generation, next change) of the public page being built, read once as it
# begins (PageCacheMiddleware): a page asks for the generation in many
# places (its menu, its filters' choices, its totals), and each would be a
# read of the shared cache. A page is built in one generation, as it is cached.
page_generation = ContextVar("page_generation", default=None)


def generation():
    if (snapshot := page_generation.get()) is not None:
        return snapshot[0]
    return checked(cache.get(GENERATION))


def clock():
    return time.time_ns() // 1000


def last_change():
    """
    When something public last changed, as a timestamp in seconds (for
    Last-Modified): the generation, which is the clock's microseconds when
    it moved on, or just after them.
    """
    return current_generation()[0] // 1_000_000


def stored_generation():
    """The generation's truth: the database's, moved on by triggers with every write."""
    from .models import Generation

    value = Generation.objects.filter(pk=1).values_list("value", flat=True).first()
    if value is None:  # the row was lost (a flushed database): the clock's, as the triggers do
        value = Generation.objects.get_or_create(pk=1, defaults={"value": clock()})[0].value
    return value


def stored_generation_within(seconds):
    """
    stored_generation(), given up after `seconds`: a cached page must not
    wait the whole request deadline for a database that has stalled.
    """
    with breaker.deadline(seconds):
        return stored_generation()


# When this process reads the database's generation next, and how many cache
# failures it had seen when it last did.
last_check = {}


def checked(value):
    """
    The generation, given `value`, the cache's copy of it: the database's
    value when the copy is missing, when GENERATION_CHECK_SECONDS have gone
    by since this process last read it, or when the cache has failed since.
    A copy found behind (a bump the cache missed: Redis down, a write by
    another cache's process, a trigger's write) is put right in the cache.
    """
    now, failures = time.monotonic(), caching.failures()
    if value is not None and (
        breaker.is_open()
        or (now < last_check.get("next", 0) and failures == last_check.get("failures"))
    ):
        # While the database is known to be down, the copy is all there is.
        return value
    # A check made while the cache is failing vouches for none of its later
    # copies: a Redis started again from its last save holds a generation gone by.
    vouched = None if caching.failing() else failures
    try:
        stored = stored_generation_within(settings.GENERATION_CHECK_TIMEOUT)
    except DatabaseError as error:
        breaker.trip(error)
        if value is None:
            raise
        # The database is down: pages cached in the copy's generation are still served.
        return value
    # Noted once read, not before: another thread of this process asking
    # meanwhile reads the database too, rather than trust the copy unread.
    last_check.update(next=now + settings.GENERATION_CHECK_SECONDS, failures=vouched)
    if stored != value:
        # Whatever the missed writes were, any year's news may have changed.
        cache.set_many({GENERATION: stored, ALL_YEARS: stored}, None)
        # A visitor's request that found the copy behind does not wait for
        # every process to hear it: such a write shows within the check interval.
        announce(wait=False)
    return stored


def bump(years=None):
    """
    Something public may have changed without a write to the tables the
    triggers watch (a scheduled moment came): the database's generation
    moves on, and every cached page is out of date.
    """
    from .models import Generation

    if not Generation.objects.filter(pk=1).update(value=Greatest(F("value") + 1, clock())):
        stored_generation()
    refresh(years)


def refresh(years=None):
    """
    After a commit: the cache takes the database's generation (the triggers
    moved it on in the transaction), so that every cached page is out of date.

    `years`: the years whose news may have changed (see remember_years), as
    the signals know them; None, the default, for a change that may touch
    any year (a bulk write, a scheduled moment, an import).
    """
    stamp = stored_generation()
    cache.set(GENERATION, stamp, None)
    # The years' stamps take the new generation's number, which always goes up.
    if years is None:
        cache.set(ALL_YEARS, stamp, None)
    elif years:
        cache.set_many({YEAR.format(year): stamp for year in years}, None)
    announce()


@functools.cache
def subscription_to(url, prefix):
    # The site's own channel: sites sharing a Redis have their own key prefixes.
    channel = f"{prefix}:pagecache:changes"
    return subscription.Subscription(url, channel, lambda: cache.get(GENERATION), unsure=check_soon)


def check_soon():
    """
    The next request reads the database's generation: once a subscription
    broke, the Redis reached again may have started anew from an old save.
    """
    last_check.pop("next", None)


def listener():
    """This site's Subscription when pages are kept in Redis, else None."""
    config = settings.CACHES["pages"]
    if not config["BACKEND"].endswith("RedisCache"):
        return None
    return subscription_to(config["LOCATION"], config.get("KEY_PREFIX", ""))


def announce(wait=True):
    """Every process learns that the generation in the cache has moved on (see subscription)."""
    # A Redis that has just failed is left alone, as the cache leaves it (caching.failing).
    if (found := listener()) is not None and not caching.failing():
        found.announce(wait)


def next_change():
    """When what is public next changes by itself (a go-live, an expiry), or None."""
    from .models import NewsItem, Statement

    now = timezone.now()
    moments = [model.objects.next_change(now) for model in (NewsItem, Statement)]
    return min((moment for moment in moments if moment), default=None)


# {generation: moment of the next scheduled change} for the newest
# generations this process has seen. Within a generation the moment cannot
# change (a write that could change it moves the generation on), so a
# request reads only the generation from the shared cache, not NEXT_CHANGE too.
known_changes = {}


def current_generation(*keys):
    """
    (generation, moment of the next scheduled change, {key: value} of `keys`
    in the cache), read in one round trip. The generation moves on first if
    a scheduled moment has come since it began.
    """
    if not keys and (snapshot := page_generation.get()) is not None:
        return (*snapshot, {})
    if not keys and (known := trusted_generation()) is not None:
        return (*known, {})
    found = cache.get_many([GENERATION, *keys])
    value = checked(found.pop(GENERATION, None))
    moment = known_changes.get(value)
    if moment is None:
        # Before DatabaseDeadlineMiddleware: the page cache keeps its own deadline.
        with breaker.deadline(settings.DATABASE_REQUEST_TIMEOUT):
            moment = known_changes[value] = change_moment(value)
        for older in sorted(known_changes)[:-2]:
            known_changes.pop(older, None)
    if timezone.now().timestamp() >= moment:
        with breaker.deadline(settings.DATABASE_REQUEST_TIMEOUT):
            bump()
        return current_generation(*keys)
    return value, moment, found


def change_moment(value):
    """When what is public next changes by itself, as of generation `value` (a timestamp)."""
    known = cache.get(NEXT_CHANGE)
    if known and known[0] == value:
        return known[1]
    changes_at = next_change()
    moment = changes_at.timestamp() if changes_at else float("inf")
    cache.set(NEXT_CHANGE, (value, moment), None)
    return moment


def key(name):
    """Where `name` is kept in this generation of the archive (see kept())."""
    return f"remember:{current_generation()[0]}:{name}"


def kept(name, compute, seconds=DEFAULT_TIMEOUT):
    """
    compute(), for answers that read many rows (a total, a public record
    and its lists, the latest change) and stay right until something public
    changes: kept for this generation in this process's memory and in the
    shared cache, so that one process works it out for all. An answer that
    time changes too is kept `seconds` at most, by each process for itself:
    a copy read from the shared cache near its end would be kept `seconds` more.
    """
    name = key(name)
    if seconds is not DEFAULT_TIMEOUT:
        return local.get_or_set(name, compute, seconds)
    return local.get_or_set(name, lambda: cache.get_or_set(name, compute))


def kept_each(names, compute):
    """
    {id: value} of `names` ({id: name}), each kept for this generation in
    this process's memory (a record's teaser, its plain text): compute(ids)
    gives {id: value} of those not kept yet, all at once; an id it leaves
    out (its record gone) is left out.
    """
    generation = current_generation()[0]
    keys = {pk: f"remember:{generation}:{name}" for pk, name in names.items()}
    found = local.get_many(keys.values())
    values = {pk: found[key] for pk, key in keys.items() if key in found}
    if missing := [pk for pk in names if pk not in values]:
        new = compute(missing)
        local.set_many({keys[pk]: value for pk, value in new.items()})
        values.update(new)
    return values


def year_stamps(years):
    """
    {year: stamp}: a year's stamp changes whenever its news may have (a
    write to a news item of that year, or any bulk change). A stamp the
    cache does not hold (new, or forgotten) starts from the clock, so that
    nothing kept under an older stamp is ever read again.
    """
    keys = {year: YEAR.format(year) for year in years}
    found = cache.get_many([ALL_YEARS, *keys.values()])
    missing = {key: clock() for key in [ALL_YEARS, *keys.values()] if key not in found}
    for key, stamp in missing.items():
        cache.add(key, stamp, None)
    if missing:
        found |= cache.get_many(list(missing))
    everything = found.get(ALL_YEARS, 0)
    return {year: f"{everything}.{found.get(key, 0)}" for year, key in keys.items()}


def remember_years(name, years, compute, seconds=YEAR_SECONDS):
    """
    {year: compute(year)} for each of `years`, each worked out once until the
    news of that year change: after a publish, only its year is counted
    again, not the whole archive.
    """
    stamps = year_stamps(years)
    keys = {year: f"remember:{name}:{year}:{stamps[year]}" for year in years}
    found = cache.get_many(list(keys.values()))
    values, fresh = {}, {}
    for year, key in keys.items():
        if key in found:
            values[year] = found[key]
        else:
            values[year] = fresh[key] = compute(year)
    if fresh:
        cache.set_many(fresh, seconds)
    return values


@contextmanager
def building(marker):
    """
    Marks what is being built, so that requests needing it meanwhile wait
    for it instead of building it again: after a publish, every visitor at
    once would otherwise rebuild every page and count every total.
    """
    # Each build marks with a token of its own: see wait_for.
    marked = cache.add(marker, uuid.uuid4().hex, BUILD_SECONDS)
    try:
        yield marked
    finally:
        if marked:
            cache.delete(marker)


def wait_for(marker, key, ready):
    """
    `ready(entry)` for the entry at `key`, once the request building it
    (marked by `marker`) has stored it; None if nobody is building it, or
    after WAIT_SECONDS.
    """
    deadline, pause = time.monotonic() + WAIT_SECONDS, 0.01
    # Only for the build under way: an answer that is never kept (a 404)
    # would otherwise hold each request for the builds after it, one by one.
    building_now = cache.get(marker)
    while building_now and cache.get(marker) == building_now and time.monotonic() < deadline:
        # Looking less and less often: after a change dozens of requests
        # wait at once, and each look is a read of the cache.
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
        found = ready(cache.get(key))
        if found is not None:
            return found
    return None


def count_key(request):
    """The name of a list's remembered total: its address without the page number."""
    params = sorted((k, v) for k, v in request.GET.lists() if k != "page")
    address = f"{request.path}?{params}"
    return "count:" + hashlib.sha256(address.encode()).hexdigest()


def cacheable_request(request):
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith(SKIP_PREFIXES)
    )


def cacheable_response(response):
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
        and "no-cache" not in control
    )


def page_key(request):
    """
    Where the page for `request` is kept: per scheme (its links are absolute),
    host, address with the parameters the page reads (see keep_used_params),
    whether it has a "Go back" link, and language: the one LocaleMiddleware,
    below, builds the page in (the site has no language prefixes in its paths).
    """
    language = translation.get_language_from_request(request)
    back = "back" if getattr(request, "back_url", None) else ""
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}#{back}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return PAGE.format(f"{language}:{digest}")


def page_view(request):
    """The view (its class, for a class-based view) that answers `request`, or None."""
    return view_at(request.path_info, get_urlconf(settings.ROOT_URLCONF))


@functools.lru_cache(maxsize=1024)
def view_at(path, urlconf):
    # Remembered: resolving an address cost a tenth of a hit with a query string.
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return getattr(match.func, "view_class", match.func)


def used_params(view):
    """
    The query parameters `view` reads: its `query_params` (a list's filters
    and page, a search's fields); none for a view that names none.
    """
    params = getattr(view, "query_params", None)
    if params is None:
        return ()
    return params() if callable(params) else params


def is_tracking(name):
    """Whether `name` is one that links from elsewhere add (campaigns, ad clicks)."""
    return name in TRACKING_NAMES or name.startswith(TRACKING_PREFIXES)


def keep_used_params(request):
    """
    Takes out of `request` the parameters its page does not read (utm_*,
    fbclid, anything made up) and `back` (see backlink): they neither
    change the page nor make another copy of it in the cache.
    """
    if not request.META.get("QUERY_STRING") or not request.GET:
        return
    view = page_view(request)
    used = used_params(view)
    if "back" in used:
        request.back_url = backlink.safe_back_url(request)
    if all(key in used and key != "back" for key in request.GET):
        return
    if getattr(view, "names_unread_params", False):
        # A list names what a person typed and it could not read (see PageCacheMiddleware.page).
        request.unread_params = sorted(
            {key for key in request.GET if key not in used and not is_tracking(key)}
        )
    kept = [(key, value) for key, values in request.GET.lists() if key in used for value in values]
    query = urlencode([(key, value) for key, value in kept if key != "back"])
    request.META["QUERY_STRING"] = query
    request.GET = QueryDict(query)


def public_headers(response):
    """
    Every public page is checked with the site before a browser shows it
    again (ConditionalGetMiddleware answers 304 while it is unchanged), its
    language may come from the language cookie, and a page of text is sent
    gzipped to a browser that takes it (CompressTextMiddleware, or a hit
    kept compressed).
    """
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, no_cache=True)
    varies = ["Cookie", "Accept-Language"]
    if response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES):
        varies.append("Accept-Encoding")
    patch_vary_headers(response, varies)


def packed(value, response, expires=None):
    """
    What the cache keeps of a page until `expires` (a timestamp): plain
    values, quicker to load than a response, and its text gzipped once,
    with the headers it is sent with gzipped, so that a hit for a browser
    that takes gzip is neither compressed nor given its headers again on
    every request.
    """
    content, headers = response.content, dict(response.items())
    gzipped = gzipped_headers = None
    if len(content) >= 200 and response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES):
        gzipped = compress_string(content)
        # As CompressTextMiddleware would send it.
        compressed = HttpResponse(gzipped, status=response.status_code, headers=headers)
        compressed["Content-Encoding"] = "gzip"
        compressed["Content-Length"] = str(len(gzipped))
        if compressed.get("ETag", "").startswith('"'):
            compressed["ETag"] = "W/" + compressed["ETag"]
        # Vary already names Accept-Encoding (public_headers, before it is kept).
        gzipped_headers = dict(compressed.items())
    return (value, response.status_code, headers, content, gzipped, gzipped_headers, expires)


def fits(value, entry):
    """`entry` if it holds a page built in generation `value`, else None."""
    return entry if entry and entry[0] == value else None


def unpacked(entry, request):
    """
    The response kept in `entry`, with the headers it was sent with; gzipped
    when the browser takes gzip.
    """
    _, status, headers, content, gzipped, gzipped_headers, _ = entry
    # A "Go back" link is written into the plain page as it leaves
    # (backlink.apply); CompressTextMiddleware gzips that page afterwards.
    if gzipped is None or getattr(request, "back_url", None) or not accepts_gzip(request):
        return HttpResponse(content, status=status, headers=headers)
    return HttpResponse(gzipped, status=status, headers=gzipped_headers)


def memory_key(request):
    """
    Where this process keeps its answer to `request`: the address exactly as
    sent, the language the page is in, and every header that makes its
    answer another: the scheme, the host as sent (with every header
    get_host() may read) and whether the answer is gzipped. An answer is
    kept only once the whole stack gave it (the host checked, the address
    read, the "Go back" link written in), so an equal request may have it
    without those steps.
    """
    meta = request.META
    return (
        translation.get_language_from_request(request),
        request.scheme,
        meta.get("HTTP_HOST"),
        meta.get("HTTP_X_FORWARDED_HOST"),
        meta.get("SERVER_NAME"),
        meta.get("SERVER_PORT"),
        request.path,
        meta.get("QUERY_STRING", ""),
        accepts_gzip(request),
    )


def keep(key, response, generation, seconds):
    """Keeps the answer `response`, of a page of `generation`, for `seconds` under `key`."""
    if response.status_code != 200 or response.streaming:
        return  # a 304 answers only the browser that asked
    headers = {name: value for name, value in response.items() if name != "X-Page-Cache"}
    entry = (generation, time.time() + seconds, headers, response.content)
    with memory_lock:
        memory.pop(key, None)
        memory[key] = entry
        while len(memory) > MEMORY_PAGES:
            memory.pop(next(iter(memory)))


def trusted_generation():
    """
    (generation, moment of the next scheduled change) with no round trip to
    Redis, when the subscription vouches that the generation is current;
    else None.
    """
    found = listener()
    value = found and found.current()
    if value is None:
        return None
    # The database's check every GENERATION_CHECK_SECONDS, and the next scheduled change.
    moment = known_changes.get(value, 0)
    if checked(value) != value or time.time() >= moment:
        return None
    return value, moment


def remembered(key):
    """
    The answer kept under `key` in this process's memory, when its
    generation is known to be current with no round trip to Redis; else None.
    """
    entry = memory.get(key)
    if entry is None or (known := trusted_generation()) is None:
        return None
    generation, expires, headers, content = entry
    if generation != known[0] or time.time() >= expires:
        return None
    response = HttpResponse(content, headers=headers)
    response["X-Page-Cache"] = "hit"
    return response


class MemoryPageMiddleware:
    """
    With Redis, each process answers the pages it served lately from its
    memory before any other middleware, as HealthMiddleware answers
    /healthz: the answer is kept as the whole stack gave it (its security,
    CSP, language and cache headers, its ETag, gzipped or not), under the
    request it answered (memory_key), and served while the subscription
    vouches that its generation is current. Put it right after
    HealthMiddleware. Anything else (another address, a session, Redis
    unreachable) goes on down the stack as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.conditional = ConditionalGetMiddleware(get_response)
        self.security = SecurityMiddleware(get_response)

    def __call__(self, request):
        key = None
        if (
            request.method == "GET"
            and cacheable_request(request)
            and listener() is not None
            # What SecurityMiddleware would send to https is left to it.
            and (request.is_secure() or not settings.SECURE_SSL_REDIRECT)
        ):
            key = memory_key(request)
            if (response := remembered(key)) is not None:
                # Only a browser that sent a validator may have a copy to be answered 304.
                if any(header in request.META for header in VALIDATORS):
                    return self.not_modified_or(response, request)
                return response
        response = self.get_response(request)
        # Set by PageCacheMiddleware for a page it kept or found kept.
        if key is not None and (kept := getattr(request, "kept_page", None)):
            keep(key, response, *kept)
        return response

    def not_modified_or(self, response, request):
        """
        Django's conditional GET on a kept answer; a 304 is given the headers
        SecurityMiddleware gives one sent down the stack.
        """
        answer = self.conditional.process_response(request, response)
        if answer is not response:
            return self.security.process_response(request, answer)
        return answer


class PageCacheMiddleware:
    """
    Serves anonymous pages from the cache; put it above ConditionalGetMiddleware
    and LocaleMiddleware, whose headers are kept with the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.conditional = ConditionalGetMiddleware(get_response)

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if request.path.startswith(SKIP_PREFIXES):
            response = self.get_response(request)
        else:
            keep_used_params(request)
            response = self.page(request)
            # After the page is kept: what is kept is the page without them.
            backlink.apply(request, response)
            if response.get("X-Page-Cache") == "hit":
                # Kept with its headers; only a browser that sent a validator
                # may have a copy to be answered 304, so the others skip the check.
                if any(header in request.META for header in VALIDATORS):
                    return self.conditional.process_response(request, response)
                return response
        public_headers(response)
        return response

    def page(self, request):
        # A page naming parameters it could not read is built for this request
        # alone: kept, it would be one more page for every made-up name.
        cacheable = cacheable_request(request) and not getattr(request, "unread_params", None)
        key = page_key(request) if cacheable else None
        try:
            value, moment, found = current_generation(*([key] if cacheable else []))
        except DatabaseError:
            # Neither the cache nor the database knows the generation: the page
            # is built without the cache, and the view says the database is down.
            return self.get_response(request)
        snapshot = page_generation.set((value, moment))
        try:
            if not cacheable:
                return self.get_response(request)
            return self.cached_page(request, key, value, moment, found)
        finally:
            page_generation.reset(snapshot)

    def cached_page(self, request, key, value, moment, found):
        marker = BUILDING.format(f"{key}:{value}")
        if (entry := fits(value, found.get(key))) is not None:
            return self.hit(request, entry, value)
        with building(marker) as mine:
            # Marked first, then waited for: two requests that missed at once
            # would otherwise both see no marker and both build the page.
            if not mine and (entry := wait_for(marker, key, lambda e: fits(value, e))):
                return self.hit(request, entry, value)
            response = self.get_response(request)
            if seconds := self.store(key, value, moment, response):
                request.kept_page = (value, seconds)  # for MemoryPageMiddleware
        return response

    @staticmethod
    def hit(request, entry, value):
        # For MemoryPageMiddleware: a copy never outlives the page it copies.
        if (left := (entry[-1] or 0) - time.time()) > 0:
            request.kept_page = (value, left)
        response = unpacked(entry, request)
        response["X-Page-Cache"] = "hit"
        return response

    @staticmethod
    def store(key, value, moment, response):
        if cacheable_response(response):
            seconds = settings.PAGE_CACHE_SECONDS
            remaining = moment - timezone.now().timestamp()
            if remaining < seconds:
                # Never kept past the next scheduled change of what is public.
                seconds = max(1, int(remaining))
            # Nor longer than a page that changes with time says it holds (max-age).
            seconds = min(seconds, get_max_age(response) or seconds)
            public_headers(response)
            # The ETag ConditionalGetMiddleware would give it, kept with the
            # page: otherwise it hashed the whole page again on every hit.
            if not response.has_header("ETag"):
                set_response_etag(response)
            cache.set(key, packed(value, response, time.time() + seconds), seconds)
            response["X-Page-Cache"] = "miss"
            return seconds
        return None
