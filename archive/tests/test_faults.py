"""
Fault drills: the site when a service it uses fails (docs/failure-modes.md).

The cache is an accelerator: when Redis cannot be reached or fails
mid-request, visitors get their pages from the database and editors' saves
are stored. A database that fails or stalls gives a quick 503 page while
cached pages keep answering. (An export interrupted and an import failing
part-way are drilled in test_backup.py: FailedExportTests,
FailedMediaImportTests, InvalidRecordTests.)
"""

import contextlib
import errno
import shutil
import socket
import tempfile
import threading
import time
from unittest import mock, skipUnless

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCacheClient
from django.db import OperationalError, connection, transaction
from django.test import SimpleTestCase, TestCase, TransactionTestCase, override_settings
from redis.exceptions import ConnectionError as RedisConnectionError

from archive import breaker, caching, pagecache
from archive.models import NewsItem, Topic

from .factories import NewsItemFactory, SectionFactory, TopicFactory, UserFactory
from .test_workflow_admin import AdminWorkflowTestCase


def redis_caches(url, prefix="cstonews-faults"):
    return {
        name: {
            "BACKEND": "archive.caching.FailSafeRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"{prefix}-{name}",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        for name in ("default", "pages")
    }


# A port where nothing answers.
CLOSED = redis_caches("redis://127.0.0.1:1/0")
# The real Redis, in a database of its own, emptied after each test.
LIVE = redis_caches("redis://127.0.0.1:6379/13")


class FaultDrill(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = UserFactory(username="editor", role="editor", is_superuser=True)
        cls.section = SectionFactory(slug="news", name="News")
        cls.item = NewsItemFactory(title="Ministers met in Minsk", section=cls.section)
        cls.topic = TopicFactory(name="Security", slug="security")

    def setUp(self):
        caching.reset()
        self.addCleanup(caching.reset)

    def assert_public_pages_show_the_news(self, title="Ministers met in Minsk"):
        for url in ("/", "/news/", self.item.get_absolute_url(), "/feeds/news/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, title)

    def save_topic_in_admin(self, name):
        self.client.force_login(self.editor)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                f"/admin/archive/topic/{self.topic.pk}/change/", {"name": name, "slug": "security"}
            )
        self.client.logout()
        return response


@override_settings(CACHES=CLOSED, PAGE_CACHE_SECONDS=300)
class RedisUnreachableTests(FaultDrill):
    def test_public_pages_are_built_from_the_database(self):
        with self.assertLogs("archive.caching", "WARNING") as logs:
            self.assert_public_pages_show_the_news()
            self.assert_public_pages_show_the_news()
        # One line for all those failures, not one per cache call.
        self.assertEqual(len(logs.records), 1)
        self.assertIn("Cache unavailable", logs.output[0])

    def test_an_editors_save_succeeds_and_is_stored(self):
        with self.assertLogs("archive.caching", "WARNING"):
            response = self.save_topic_in_admin("Collective security")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Topic.objects.get(pk=self.topic.pk).name, "Collective security")

    def test_healthz_stays_200_and_readyz_says_why_it_is_not_ready(self):
        self.assertEqual(self.client.get("/healthz").status_code, 200)
        # Said once a minute by archive.caching; a probe's 503, every few seconds, is not logged.
        with self.assertLogs("archive.caching", "WARNING"), self.assertNoLogs("django.request"):
            response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content, b"cache 'default' unreachable")


class ReadyzTests(TestCase):
    def test_ready_when_database_and_cache_answer(self):
        response = self.client.get("/readyz")
        self.assertEqual((response.status_code, response.content), (200, b"ok"))
        self.assertIn("no-cache", response["Cache-Control"])

    @override_settings(CACHES=LIVE, PAGE_CACHE_SECONDS=300)
    def test_ready_with_a_live_redis_and_never_page_cached(self):
        self.addCleanup(caches["pages"].clear)
        for _ in range(2):
            response = self.client.get("/readyz")
            self.assertEqual((response.status_code, response.content), (200, b"ok"))
            self.assertFalse(response.has_header("X-Page-Cache"))

    def test_not_ready_when_the_database_cannot_be_reached(self):
        refused = OperationalError("could not connect to server")
        self.addCleanup(breaker.reset)
        with (
            mock.patch.object(connection, "cursor", side_effect=refused),
            self.assertNoLogs("django.request"),
        ):
            response = self.client.get("/readyz")
            self.assertEqual(self.client.get("/healthz").status_code, 200)
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content, b"database unreachable: OperationalError")


class LiveRedisDrill(FaultDrill):
    """With the real Redis, emptied after each test."""

    def setUp(self):
        super().setUp()
        self.addCleanup(caches["pages"].clear)
        self.addCleanup(caches["default"].clear)


@override_settings(CACHES=LIVE, PAGE_CACHE_SECONDS=300)
class RedisFailingMidRequestTests(LiveRedisDrill):
    def test_a_connection_that_breaks_after_the_first_call_gives_the_page(self):
        calls = []

        def breaks_after_first(original):
            def call(*args, **kwargs):
                calls.append(1)
                if len(calls) > 1:
                    raise RedisConnectionError("Connection reset by peer")
                return original(*args, **kwargs)

            return call

        for method in ("get", "get_many", "set", "add", "set_many", "delete"):
            original = getattr(RedisCacheClient, method)
            patcher = mock.patch.object(RedisCacheClient, method, breaks_after_first(original))
            patcher.start()
            self.addCleanup(patcher.stop)
        with self.assertLogs("archive.caching", "WARNING"):
            self.assert_public_pages_show_the_news()
        self.assertGreater(len(calls), 1)


@override_settings(CACHES=LIVE)
class KeptRedisClientTests(LiveRedisDrill):
    """The Redis cache with its kept client (archive.compat) is a working cache."""

    def test_values_round_trip(self):
        cache = caches["pages"]
        cache.set_many({"a": 1, "b": ("page", b"<html>")})
        self.assertEqual(cache.get_many(["a", "b", "c"]), {"a": 1, "b": ("page", b"<html>")})
        self.assertEqual(cache.get_or_set("c", lambda: None), None)
        self.assertTrue(cache.has_key("c"))
        cache.delete("a")
        self.assertIsNone(cache.get("a"))


@override_settings(CACHES=LIVE, PAGE_CACHE_SECONDS=300, GENERATION_CHECK_SECONDS=60)
class RedisBackTests(LiveRedisDrill):
    def test_a_publish_made_while_redis_was_down_shows_when_it_is_back(self):
        self.assertEqual(self.client.get("/news/")["X-Page-Cache"], "miss")
        self.assertEqual(self.client.get("/news/")["X-Page-Cache"], "hit")
        down = RedisConnectionError("Connection refused")
        with (
            mock.patch.object(RedisCacheClient, "set", side_effect=down),
            mock.patch.object(RedisCacheClient, "set_many", side_effect=down),
            self.assertLogs("archive.caching", "WARNING"),
            self.captureOnCommitCallbacks(execute=True),
        ):
            NewsItemFactory(title="Summit in Astana", section=self.section)
        # Redis answers again once the process tries it (well within the check interval).
        later = time.monotonic() + caching.RETRY_SECONDS + 1
        with mock.patch("time.monotonic", return_value=later):
            response = self.client.get("/news/")
        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(response["X-Page-Cache"], "hit")
        self.assertContains(response, "Summit in Astana")
        self.assertTrue(NewsItem.objects.filter(title="Summit in Astana").exists())

    @mock.patch.object(pagecache, "listener", return_value=None)
    def test_a_redis_started_again_from_an_old_save_serves_no_page_of_it(self, listener):
        # (Pages asked of Redis, not kept in memory: test_subscription has those.)
        self.assertEqual(self.client.get("/news/")["X-Page-Cache"], "miss")
        down = RedisConnectionError("Connection refused")
        outage = [
            mock.patch.object(RedisCacheClient, method, side_effect=down)
            for method in ("get", "get_many", "set", "set_many", "add")
        ]
        # A page asked for while Redis is down: this process reads the database then.
        with contextlib.ExitStack() as stack, self.assertLogs("archive.caching", "WARNING"):
            for patcher in outage:
                stack.enter_context(patcher)
            self.assertContains(self.client.get("/news/"), "Ministers met in Minsk")
        # Another app server publishes meanwhile; Redis comes back with the
        # generation and pages of its last save.
        NewsItemFactory(title="Summit in Astana", section=self.section)
        later = time.monotonic() + caching.RETRY_SECONDS + 1
        with mock.patch("time.monotonic", return_value=later):
            response = self.client.get("/news/")
        self.assertNotEqual(response["X-Page-Cache"], "hit")
        self.assertContains(response, "Summit in Astana")


@override_settings(PAGE_CACHE_SECONDS=300)
class DatabaseDownTests(FaultDrill):
    def test_cached_pages_are_still_served_when_the_generation_cannot_be_checked(self):
        self.assertEqual(self.client.get("/news/")["X-Page-Cache"], "miss")
        later = time.monotonic() + settings.GENERATION_CHECK_SECONDS + 1
        refused = OperationalError("could not connect to server")
        with (
            mock.patch("time.monotonic", return_value=later),
            mock.patch.object(connection, "cursor", side_effect=refused),
        ):
            response = self.client.get("/news/")
        self.assertEqual(response["X-Page-Cache"], "hit")
        self.assertContains(response, "Ministers met in Minsk")


@override_settings(PAGE_CACHE_SECONDS=300)
class DatabaseBreakerTests(FaultDrill):
    """After the database failed, a process leaves it alone for DATABASE_RETRY_SECONDS."""

    def test_cached_pages_do_not_wait_for_a_database_that_just_failed(self):
        self.assertEqual(self.client.get("/news/")["X-Page-Cache"], "miss")
        breaker.trip()
        pagecache.last_check.clear()  # the periodic check would be due now
        with mock.patch.object(pagecache, "stored_generation") as stored:
            response = self.client.get("/news/")
        self.assertEqual(response["X-Page-Cache"], "hit")
        stored.assert_not_called()

    def test_no_cache_and_no_database_is_a_503_without_a_traceback(self):
        refused = OperationalError("could not connect to server")
        with (
            self.assertLogs(level="WARNING") as logged,
            mock.patch.object(pagecache, "stored_generation", side_effect=refused),
            mock.patch("archive.views.HomeView.get_context_data", side_effect=refused),
        ):
            response = self.client.get("/")
        self.assertContains(response, "database is not answering", status_code=503)
        self.assertFalse([record for record in logged.records if record.exc_info])

    @skipUnless(connection.vendor == "postgresql", "the breaker guards PostgreSQL connections")
    def test_a_page_needing_the_database_answers_at_once_while_it_rests(self):
        # The database works, but this process saw it fail a moment ago.
        breaker.trip()
        started = time.monotonic()
        with self.assertLogs(level="WARNING"):
            response = self.client.get(self.item.get_absolute_url())
        self.assertContains(response, "database is not answering", status_code=503)
        self.assertLess(time.monotonic() - started, 1)
        breaker.reset()
        self.assertEqual(self.client.get(self.item.get_absolute_url()).status_code, 200)

    @skipUnless(connection.vendor == "postgresql", "statement_timeout is PostgreSQL's")
    def test_one_query_past_the_statement_timeout_fails_only_its_own_request(self):
        def too_slow(item):
            # A savepoint: the test's transaction outlives the cancelled statement.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 50")
                cursor.execute("SELECT pg_sleep(2)")

        with (
            self.assertLogs(level="WARNING"),
            mock.patch("archive.queries.related_of", side_effect=too_slow),
        ):
            response = self.client.get(self.item.get_absolute_url())
        self.assertContains(response, "database is not answering", status_code=503)
        # The database answered (it cancelled the statement): the next visitor's page is built.
        self.assertFalse(breaker.is_open())
        self.assertContains(self.client.get(self.item.get_absolute_url()), "Ministers met")


class WatchdogTests(SimpleTestCase):
    """breaker.Watchdog: each block's connections are cut at its own deadline, and only then."""

    def watch(self, watchdog, seconds, name):
        return watchdog.watch(seconds, [name])

    def test_a_shorter_deadline_set_after_a_longer_one_still_comes_first(self):
        cut = []
        watchdog = breaker.Watchdog()
        with mock.patch.object(breaker, "cut", cut.append):
            long_one = self.watch(watchdog, 30, "request")
            short_one = self.watch(watchdog, 0.05, "generation check")
            deadline = time.monotonic() + 5
            while not cut and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertEqual(cut, ["generation check"])
            self.assertTrue(watchdog.done(short_one))  # the deadline came first
            self.assertFalse(watchdog.done(long_one))
            # Blocks that end in time are never cut, however many there are.
            for _ in range(100):
                self.assertFalse(watchdog.done(self.watch(watchdog, 0.2, "page")))
            time.sleep(0.3)
        self.assertEqual(cut, ["generation check"])


class HealthCheckTests(TestCase):
    @override_settings(ALLOWED_HOSTS=["news.example.org"], SECURE_SSL_REDIRECT=True)
    def test_load_balancers_probe_by_address_over_plain_http(self):
        for path, answer in (("/healthz", b"ok"), ("/readyz", b"ok")):
            with self.subTest(path=path):
                response = self.client.get(path, HTTP_HOST="10.0.0.12:8000")
                self.assertEqual((response.status_code, response.content), (200, answer))


@override_settings(PAGE_CACHE_SECONDS=300)
class DiskFullTests(FaultDrill):
    def test_a_full_disk_under_the_page_cache_folder_gives_the_pages(self):
        folder = tempfile.mkdtemp(prefix="cstonews-test-pages-")
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        on_disk = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "pages": {"BACKEND": "archive.caching.FailSafeFileBasedCache", "LOCATION": folder},
        }
        full = OSError(errno.ENOSPC, "No space left on device")
        with (
            override_settings(CACHES=on_disk),
            mock.patch("tempfile.mkstemp", side_effect=full),
            self.assertLogs("archive.caching", "WARNING"),
        ):
            self.assert_public_pages_show_the_news()


NOT_ANSWERING = "database is not answering; please try again in a minute."


class DatabaseErrorTests(TestCase):
    """A database error on a public page is the database's fault, said as such: 503, not 500."""

    def setUp(self):
        # Each failure is logged, as an operator needs it to be; expected here.
        self.enterContext(self.assertLogs(level="WARNING"))

    def test_an_error_in_a_view_answers_503(self):
        item = NewsItemFactory()
        with mock.patch("archive.queries.related_of", side_effect=OperationalError("gone")):
            response = self.client.get(item.get_absolute_url())
            self.assertEqual(response.status_code, 503)
            self.assertEqual(response["Retry-After"], "60")
            self.assertContains(response, "database is not answering", status_code=503)
            response = self.client.get(item.get_absolute_url(), headers={"accept-language": "ru"})
        self.assertContains(response, "База данных архива не отвечает", status_code=503)

    @override_settings(PAGE_CACHE_SECONDS=300)
    def test_an_error_in_the_page_cache_answers_503(self):
        self.client.raise_request_exception = False
        with mock.patch.object(pagecache, "next_change", side_effect=OperationalError("gone")):
            response = self.client.get("/news/")
        self.assertContains(response, "database is not answering", status_code=503)

    def test_other_errors_still_answer_500(self):
        self.client.raise_request_exception = False
        with mock.patch("archive.views.HomeView.get_context_data", side_effect=ValueError):
            response = self.client.get("/")
            self.assertContains(response, "Server error", status_code=500)
            russian = self.client.get("/", headers={"accept-language": "ru"})
        self.assertContains(russian, '<html lang="ru">', status_code=500)
        self.assertContains(russian, "Ошибка сервера", status_code=500)


class StallingProxy:
    """
    A TCP proxy to the database that can stop forwarding while keeping every
    connection open: a server or network that stalls, not one that fails.
    """

    def __init__(self, host, port):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.forwarding = threading.Event()
        self.forwarding.set()
        self.sockets = [self.listener]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(source, target), daemon=True).start()

    def pump(self, source, target):
        try:
            while data := source.recv(65536):
                self.forwarding.wait()
                target.sendall(data)
        except OSError:
            pass

    def stall(self):
        self.forwarding.clear()

    def close(self):
        for end in self.sockets:
            end.close()
        self.forwarding.set()


@skipUnless(connection.vendor == "postgresql", "a PostgreSQL server reached over TCP")
@override_settings(PAGE_CACHE_SECONDS=300, DATABASE_REQUEST_TIMEOUT=2)
class StalledDatabaseDrill(TransactionTestCase):
    """
    The database stops answering but keeps its connections open: pages that
    need it answer 503 within seconds, cached pages still answer.
    """

    def setUp(self):
        self.item = NewsItemFactory(title="Summit in Minsk")
        settings_dict = connection.settings_dict
        proxy = StallingProxy(
            settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)
        )
        self.proxy = proxy
        saved = {key: settings_dict[key] for key in ("HOST", "PORT", "OPTIONS")}
        connection.close()
        settings_dict.update(
            HOST="127.0.0.1",
            PORT=proxy.port,
            OPTIONS={**settings_dict["OPTIONS"], "connect_timeout": 2},
        )

        def restore():
            connection.close()
            proxy.close()
            settings_dict.update(saved)
            # The database is back: this process may dial it again at once.
            breaker.reset()
            # The proxied sessions end as their sockets close: wait for them,
            # so that the test database can be flushed and dropped.
            with connection.cursor() as cursor:
                for _ in range(500):
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    if not cursor.fetchall():
                        break
                    time.sleep(0.01)

        self.addCleanup(restore)

    def timed_get(self, url):
        started = time.monotonic()
        response = self.client.get(url)
        return response, time.monotonic() - started

    @override_settings(DATABASE_REQUEST_TIMEOUT=20, GENERATION_CHECK_TIMEOUT=1)
    def test_a_cached_page_due_for_its_generation_check_does_not_wait_for_the_stall(self):
        url = self.item.get_absolute_url()
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")
        self.enterContext(self.assertLogs(level="WARNING"))
        self.proxy.stall()
        pagecache.last_check.clear()  # the periodic check is due
        response, seconds = self.timed_get(url)
        self.assertEqual(response["X-Page-Cache"], "hit")
        self.assertLess(seconds, 3)
        # And the database rests: a page that needs it answers at once.
        response, seconds = self.timed_get("/news/")
        self.assertContains(response, NOT_ANSWERING, status_code=503)
        self.assertLess(seconds, 1)

    def test_a_stalled_database_gives_a_quick_503_and_cached_pages_still_answer(self):
        url = self.item.get_absolute_url()
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")
        # The stall is logged, as an operator needs it to be; expected here.
        self.enterContext(self.assertLogs(level="WARNING"))
        self.proxy.stall()
        # A query already under way on the kept connection, then a new connection.
        for attempt in range(2):
            with self.subTest(attempt=attempt):
                response, seconds = self.timed_get("/news/")
                self.assertContains(response, NOT_ANSWERING, status_code=503)
                self.assertLess(seconds, 5)
        response, seconds = self.timed_get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["X-Page-Cache"], "hit")
        self.assertContains(response, "Summit in Minsk")
        self.assertLess(seconds, 1)

    @override_settings(READYZ_TIMEOUT=1)
    def test_readyz_on_a_stalled_database_answers_503_within_its_deadline(self):
        # A probe that waited for good held a worker's thread: enough of them, every thread.
        self.assertContains(self.client.get("/readyz"), "ok")
        self.proxy.stall()
        response, seconds = self.timed_get("/readyz")
        self.assertContains(response, "database unreachable", status_code=503)
        self.assertLess(seconds, 3)
        # While the database rests, a probe does not ask it again.
        response, seconds = self.timed_get("/readyz")
        self.assertContains(response, "DatabaseResting", status_code=503)
        self.assertLess(seconds, 0.5)


class FormDuringOutageTests(AdminWorkflowTestCase):
    def test_a_form_sent_while_the_database_fails_is_told_nothing_was_saved(self):
        self.login(self.editor)
        with (
            mock.patch("archive.services.save_item", side_effect=OperationalError("gone")),
            self.assertLogs("archive.views.site", "WARNING"),
            self.assertLogs("django.request", "ERROR"),
        ):
            response = self.client.post("/admin/archive/newsitem/add/", self.form_data())
        self.assertContains(response, "What you sent was not saved. Go back", status_code=503)
        with (
            mock.patch("archive.queries.related_of", side_effect=OperationalError("gone")),
            self.assertLogs("archive.views.site", "WARNING"),
            self.assertLogs("django.request", "ERROR"),
        ):
            response = self.client.get(NewsItemFactory(section=self.section).get_absolute_url())
        self.assertNotContains(response, "What you sent", status_code=503)
