import datetime
import gzip as gzip_module
import threading
import time
from importlib import import_module
from unittest import mock

import time_machine
from django.apps import apps
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory, TestCase, override_settings
from django.utils import timezone

from archive import backlink, pagecache, services, signals
from archive.models import NewsItem, Status

from .factories import NewsItemFactory, SectionFactory, StatementFactory, UserFactory

NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


@override_settings(PAGE_CACHE_SECONDS=300)
class PageCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = UserFactory(username="editor", role="editor")
        cls.section = SectionFactory(slug="news", name="News")

    def setUp(self):
        cache.clear()

    def get(self, url="/news/", data=None, **kwargs):
        return self.client.get(url, data, **kwargs)

    def test_a_second_visit_is_served_from_the_cache_without_queries(self):
        NewsItemFactory(title="First news", section=self.section)
        self.assertEqual(self.get()["X-Page-Cache"], "miss")
        with self.assertNumQueries(0):
            response = self.get()
        self.assertEqual(response["X-Page-Cache"], "hit")
        self.assertContains(response, "First news")

    def test_a_cached_page_is_one_read_of_the_cache(self):
        # With Redis each read is a round trip: the generation, the next
        # scheduled change and the page come together.
        NewsItemFactory(title="First news", section=self.section)
        built = self.get()
        used = []

        class Recorder:
            def __getattr__(self, name):
                used.append(name)
                return getattr(real, name)

        real = pagecache.cache
        with mock.patch.object(pagecache, "cache", Recorder()):
            response = self.get()
        self.assertEqual(used, ["get_many"])
        self.assertEqual(response["X-Page-Cache"], "hit")
        self.assertEqual(response.content, built.content)
        # The same headers as the miss that stored it (the language's, the
        # security headers, the CSP header, the ETag), but for saying it is a hit.
        self.assertEqual(
            {k: v for k, v in response.items() if k != "X-Page-Cache"},
            {k: v for k, v in built.items() if k != "X-Page-Cache"},
        )
        self.assertEqual(built["Content-Language"], "en")
        again = self.get(headers={"if-none-match": built["ETag"]})
        self.assertEqual(again.status_code, 304)
        # The ETag is kept with the page, not worked out from its bytes on each hit.
        with mock.patch("django.middleware.http.set_response_etag") as hashed:
            self.assertEqual(self.get()["ETag"], built["ETag"])
        hashed.assert_not_called()

    @override_settings(PAGE_CACHE_SECONDS=0)
    def test_a_page_reads_the_generation_once(self):
        """
        A filtered list asks for the generation at a dozen places (its menu,
        its filters' choices, its totals): with Redis, each read a round trip.
        The next scheduled change of a generation this process has seen is
        not read again: it cannot change within the generation.
        """
        NewsItemFactory(section=self.section)
        filtered = {"section": "news", "language": "en", "year": "2026"}
        self.get(data=filtered)
        reads = []
        real = pagecache.cache

        class Recorder:
            def __getattr__(self, name):
                method = getattr(real, name)

                def recorded(keys, *args, **kwargs):
                    if name in ("get", "get_many"):
                        reads.extend([keys] if name == "get" else keys)
                    return method(keys, *args, **kwargs)

                return recorded

        with mock.patch.object(pagecache, "cache", Recorder()):
            self.assertEqual(self.get(data=filtered).status_code, 200)
        self.assertEqual(reads.count(pagecache.GENERATION), 1)
        self.assertNotIn(pagecache.NEXT_CHANGE, reads)

    def key_of(self, path):
        request = RequestFactory().get(path)
        request.LANGUAGE_CODE = "en"
        return pagecache.page_key(request)

    def mark_as_being_built(self, path):
        key, generation = self.key_of(path), pagecache.current_generation()[0]
        pagecache.cache.set(pagecache.BUILDING.format(f"{key}:{generation}"), 1)
        return key, generation

    def test_a_page_being_built_is_waited_for_not_built_again(self):
        key, generation = self.mark_as_being_built("/news/")

        def the_other_request_finishes(seconds):
            built = HttpResponse("Built by the other request")
            pagecache.cache.set(key, pagecache.packed(generation, built))

        with (
            mock.patch.object(pagecache.time, "sleep", the_other_request_finishes),
            self.assertNumQueries(0),
        ):
            response = self.get()
        self.assertContains(response, "Built by the other request")
        self.assertEqual(response["X-Page-Cache"], "hit")

    def test_two_requests_that_miss_at_once_build_the_page_once(self):
        """Another request marks the page between this one's miss and its mark: this one waits."""
        key, generation = self.key_of("/news/"), pagecache.current_generation()[0]
        marker = pagecache.BUILDING.format(f"{key}:{generation}")
        real = pagecache.cache

        class MarkedByTheOtherFirst:
            def __getattr__(self, name):
                return getattr(real, name)

            def add(self, name, *args, **kwargs):
                if name == marker:
                    real.set(marker, 1)
                return real.add(name, *args, **kwargs)

        def the_other_request_finishes(seconds):
            real.set(key, pagecache.packed(generation, HttpResponse("Built by the other request")))

        with (
            mock.patch.object(pagecache, "cache", MarkedByTheOtherFirst()),
            mock.patch.object(pagecache.time, "sleep", the_other_request_finishes),
            self.assertNumQueries(0),
        ):
            response = self.get()
        self.assertContains(response, "Built by the other request")

    def test_a_build_that_never_finishes_is_not_waited_for_forever(self):
        NewsItemFactory(title="First news", section=self.section)
        self.mark_as_being_built("/news/")
        with mock.patch.object(pagecache, "WAIT_SECONDS", 0.05):
            response = self.get()
        self.assertContains(response, "First news")

    def test_an_answer_never_kept_does_not_hold_requests_for_the_builds_after_it(self):
        # A 404 asked for again and again: each request builds it, and one that
        # finds another building waits for that build only, not for the next.
        key, generation = self.mark_as_being_built("/news/no-such-section/")
        marker = pagecache.BUILDING.format(f"{key}:{generation}")

        def the_next_request_marks_it(seconds):
            pagecache.cache.set(marker, "the next build")

        started = time.monotonic()
        with mock.patch.object(pagecache.time, "sleep", the_next_request_marks_it):
            self.assertIsNone(pagecache.wait_for(marker, key, lambda entry: entry))
        self.assertLess(time.monotonic() - started, 1)
        pagecache.cache.delete(marker)  # the next build is done, and kept nothing
        self.assertEqual(self.get("/news/no-such-section/").status_code, 404)

    def test_a_thread_reads_the_database_while_another_is_reading_it(self):
        # Two requests of one process due to check the generation at once:
        # neither trusts the cache's copy before the database has answered.
        copy = pagecache.generation()
        pagecache.last_check.clear()
        reading, answered, asked = threading.Event(), threading.Event(), []

        def database(seconds):
            asked.append(threading.current_thread())
            if len(asked) == 1:
                reading.set()
                answered.wait(5)
            return copy + 1

        with mock.patch.object(pagecache, "stored_generation_within", database):
            first = threading.Thread(target=pagecache.checked, args=[copy])
            first.start()
            self.assertTrue(reading.wait(5))
            self.assertEqual(pagecache.checked(copy), copy + 1)
            answered.set()
            first.join(5)
        self.assertEqual(len(asked), 2)

    def test_an_answer_that_time_changes_is_worked_out_by_each_process(self):
        # Another process's copy, near its end, is not taken for a fresh one.
        name = "sitemap-google-news"
        pagecache.cache.set(pagecache.key(name), "another process's, 50 s old", 10)
        self.assertEqual(pagecache.kept(name, lambda: "this process's", 30), "this process's")

    def test_a_remembered_total_is_counted_once_a_generation(self):
        # Every worker shares remembered answers: the lists of one generation count once.
        count = mock.Mock(return_value=42)
        self.assertEqual(pagecache.cache.get_or_set(pagecache.key("total"), count), 42)
        self.assertEqual(pagecache.cache.get_or_set(pagecache.key("total"), count), 42)
        count.assert_called_once()
        pagecache.bump()
        count.return_value = 0
        self.assertEqual(pagecache.cache.get_or_set(pagecache.key("total"), count), 0)

    def test_publish_edit_and_unpublish_show_on_the_next_request(self):
        item = NewsItemFactory(
            title="Waiting", section=self.section, status=Status.REVIEW, published_at=None
        )
        self.assertNotContains(self.get(), "Waiting")
        # Cached pages go old when the write commits (tests run inside a transaction).
        with self.captureOnCommitCallbacks(execute=True):
            services.publish(item=item, user=self.editor)
        self.assertContains(self.get(), "Waiting")
        self.assertEqual(self.get(item.get_absolute_url()).status_code, 200)

        item.title = "Renamed"
        with self.captureOnCommitCallbacks(execute=True):
            services.save_item(item=item, user=self.editor)
        response = self.get()
        self.assertContains(response, "Renamed")
        self.assertNotContains(response, "Waiting")

        with self.captureOnCommitCallbacks(execute=True):
            services.archive(item=item, user=self.editor)
        self.assertNotContains(self.get(), "Renamed")
        self.assertEqual(self.get(item.get_absolute_url()).status_code, 404)

    def test_a_scheduled_item_appears_on_time(self):
        with time_machine.travel(NOW, tick=False):
            NewsItemFactory(
                title="Old news",
                section=self.section,
                published_at=NOW - datetime.timedelta(days=1),
            )
            item = NewsItemFactory(
                title="Scheduled news",
                section=self.section,
                published_at=NOW + datetime.timedelta(minutes=30),
                expire_at=NOW + datetime.timedelta(hours=2),
            )
            self.assertNotContains(self.get(), "Scheduled news")
            self.assertEqual(self.get()["X-Page-Cache"], "hit")
        with time_machine.travel(NOW + datetime.timedelta(minutes=30), tick=False):
            self.assertContains(self.get(), "Scheduled news")
            self.assertEqual(self.get(item.get_absolute_url()).status_code, 200)
        with time_machine.travel(NOW + datetime.timedelta(hours=2), tick=False):
            self.assertNotContains(self.get(), "Scheduled news")
            self.assertContains(self.get(), "Old news")

    def test_news_leave_the_google_news_sitemap_with_time_within_a_minute(self):
        with time_machine.travel(NOW, tick=False):
            NewsItemFactory(
                slug="two-days-ago",
                section=self.section,
                published_at=NOW - datetime.timedelta(days=2, seconds=-30),
            )
            self.assertContains(self.get("/news-sitemap.xml"), "two-days-ago")
            self.assertContains(self.get("/sitemap.xml"), "news-sitemap.xml")
            self.assertEqual(self.get("/news-sitemap.xml")["X-Page-Cache"], "hit")
        # Gone from the two days, not changed: the page says it holds a minute.
        with time_machine.travel(NOW + datetime.timedelta(seconds=90), tick=False):
            self.assertEqual(self.get("/news-sitemap.xml").status_code, 404)
            self.assertNotContains(self.get("/sitemap.xml"), "news-sitemap.xml")

    def test_a_change_before_commit_leaves_the_cache_alone(self):
        NewsItemFactory(title="Kept", section=self.section)
        self.get()
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            NewsItemFactory(title="Not committed yet", section=self.section)
        self.assertEqual(self.get()["X-Page-Cache"], "hit")
        for callback in callbacks:
            callback()
        self.assertContains(self.get(), "Not committed yet")

    def later(self):
        """As if GENERATION_CHECK_SECONDS had gone by."""
        seconds = time.monotonic() + settings.GENERATION_CHECK_SECONDS + 1
        return mock.patch("time.monotonic", return_value=seconds)

    def test_a_write_bypassing_the_orm_shows_within_the_check_interval(self):
        """update() and SQL by hand send no signal: the database's triggers move the generation."""
        item = NewsItemFactory(title="Ministers met", section=self.section)
        self.get()
        NewsItem.objects.filter(pk=item.pk).update(title="Ministers met in Minsk")
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE archive_section SET name = 'Headlines' WHERE id = %s", [self.section.pk]
            )
        # Within the interval a cached page needs no query, not even for the generation.
        with self.assertNumQueries(0):
            self.assertEqual(self.get()["X-Page-Cache"], "hit")
        with self.later():
            response = self.get()
        self.assertContains(response, "Ministers met in Minsk")
        self.assertContains(response, "Headlines")

    def test_a_write_by_a_process_with_another_cache_shows_within_the_check_interval(self):
        """A command run without REDIS_URL writes the generation where every writer does."""
        NewsItemFactory(title="Ministers met", section=self.section)
        self.get()
        elsewhere = {
            name: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "other"}
            for name in ("default", "pages")
        }
        with override_settings(CACHES=elsewhere), self.captureOnCommitCallbacks(execute=True):
            NewsItemFactory(title="Summit in Astana", section=self.section)
        with self.later():
            self.assertContains(self.get(), "Summit in Astana")

    def test_staff_and_previews_are_never_cached(self):
        draft = NewsItemFactory(title="Draft", section=self.section, status=Status.DRAFT)
        self.client.force_login(self.editor)
        response = self.get(draft.get_absolute_url())
        self.assertContains(response, "Preview:")
        self.assertNotIn("X-Page-Cache", response)
        self.assertNotIn("X-Page-Cache", self.get())
        self.client.logout()
        self.assertEqual(self.get(draft.get_absolute_url()).status_code, 404)

    def test_each_language_has_its_own_page(self):
        self.assertContains(self.get(headers={"accept-language": "ru"}), "Все новости")
        self.assertContains(self.get(headers={"accept-language": "en"}), "All news")
        self.assertContains(self.get(headers={"accept-language": "ru"}), "Все новости")

    def test_parameters_a_page_does_not_read_add_no_pages(self):
        NewsItemFactory(title="First news", section=self.section)
        item = NewsItemFactory(title="Second news", section=self.section)
        pages = caches["pages"]
        for url in ("/news/", item.get_absolute_url(), "/sitemap.xml", "/feeds/news/", "/persons/"):
            with self.subTest(url=url):
                built = self.get(url)
                kept = len(pages._cache)
                for n in range(30):
                    # A made-up name on a list is named in a notice (test_lists); elsewhere dropped.
                    made_up = {} if url == "/news/" else {f"x{n}": n}
                    with self.assertNumQueries(0):
                        response = self.get(
                            url,
                            data={**made_up, f"utm_x{n}": n, "fbclid": n, "gclid": n, "yclid": n},
                        )
                    self.assertEqual(response["X-Page-Cache"], "hit")
                    self.assertEqual(response.content, built.content)
                self.assertEqual(len(pages._cache), kept)
        # A parameter the page reads is still one page each.
        self.assertContains(self.get("/news/", {"q": "Second"}), "Second news")
        self.assertNotContains(self.get("/news/", {"q": "Second"}), "First news")

    def test_an_item_page_is_kept_once_for_every_list_it_was_found_in(self):
        item = NewsItemFactory(title="First news", section=self.section)
        url = item.get_absolute_url()
        self.assertNotContains(self.get(url), "Go back")
        first = self.get(url, {"back": "/news/?page=1"})
        self.assertContains(first, '<a href="/news/?page=1">Go back</a>', html=True)
        kept = len(caches["pages"]._cache)
        for back in ("/news/?q=a&page=2", "/news/news/", "/statements/?year=2020"):
            with self.subTest(back=back), self.assertNumQueries(0):
                response = self.get(url, {"back": back})
                self.assertEqual(response["X-Page-Cache"], "hit")
                self.assertContains(response, f'<a href="{back}">Go back</a>', html=True)
                self.assertEqual(int(response["Content-Length"]), len(response.content))
        # Not a list of this site: the page without a link.
        response = self.get(url, {"back": "https://evil.example/"})
        self.assertEqual(response["X-Page-Cache"], "hit")
        self.assertNotContains(response, "evil.example")
        self.assertNotContains(response, "Go back")
        self.assertEqual(len(caches["pages"]._cache), kept)

    def test_the_go_back_link_of_a_gzipped_hit_is_the_visitors_list(self):
        """Every browser takes gzip: the link is written in before the page is compressed."""
        item = NewsItemFactory(title="First news", section=self.section)
        url, gzip = item.get_absolute_url(), {"accept-encoding": "gzip, deflate, br"}
        self.get(url, {"back": "/news/?page=1"}, headers=gzip)
        for back in ("/news/?page=2", "/statements/"):
            with self.subTest(back=back):
                response = self.get(url, {"back": back}, headers=gzip)
                self.assertEqual(response["X-Page-Cache"], "hit")
                self.assertEqual(response["Content-Encoding"], "gzip")
                page = gzip_module.decompress(response.content).decode()
                self.assertInHTML(f'<a href="{back}">Go back</a>', page)
                self.assertNotIn(backlink.MARK, page)

    @override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
    def test_https_visitors_get_https_links(self):
        item = NewsItemFactory(title="First news", section=self.section)
        for url in (item.get_absolute_url(), "/sitemap-news.xml", "/feeds/news/"):
            with self.subTest(url=url):
                self.assertContains(self.get(url), "http://testserver/")
                secure = self.get(url, headers={"x-forwarded-proto": "https"})
                self.assertContains(secure, "https://testserver")
                self.assertNotContains(secure, "http://testserver")
                self.assertNotContains(self.get(url, secure=True), "http://testserver")

    def test_pages_are_checked_again_before_a_browser_shows_them(self):
        item = NewsItemFactory(title="First news", section=self.section)
        for url in ("/news/", item.get_absolute_url(), "/feeds/news/", "/topics/"):
            for state in ("miss", "hit"):
                with self.subTest(url=url, state=state):
                    response = self.get(url)
                    self.assertEqual(response["X-Page-Cache"], state)
                    self.assertEqual(response["Cache-Control"], "no-cache")
                    again = self.get(url, headers={"if-none-match": response["ETag"]})
                    self.assertEqual(again.status_code, 304)
                    self.assertEqual(again["Cache-Control"], "no-cache")
        with override_settings(PAGE_CACHE_SECONDS=0):
            self.assertEqual(self.get("/news/")["Cache-Control"], "no-cache")

    def test_pages_never_cached_by_their_view_stay_out_of_the_cache(self):
        draft = NewsItemFactory(title="Draft", section=self.section, status=Status.DRAFT)
        self.client.force_login(self.editor)
        response = self.get(draft.get_absolute_url())
        self.assertIn("private", response["Cache-Control"])
        self.assertIn("no-store", response["Cache-Control"])
        kept = len(caches["pages"]._cache)
        with mock.patch.object(pagecache, "cacheable_request", return_value=True):
            self.assertNotIn("X-Page-Cache", self.get(draft.get_absolute_url()))
        self.assertEqual(len(caches["pages"]._cache), kept)

    def test_not_found_and_the_language_switch_vary_by_the_language_cookie(self):
        for url in ("/news/no-such-section/", "/no-such-page/", "/language/ru/?next=/news/"):
            with self.subTest(url=url):
                response = self.get(url)
                self.assertIn(response.status_code, (302, 404))
                self.assertIn("Cookie", response["Vary"])
                self.assertIn("no-cache", response["Cache-Control"])
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
        self.assertContains(self.get("/no-such-page/"), 'lang="ru"', status_code=404)

    @override_settings(PAGE_CACHE_SECONDS=0)
    def test_off_when_set_to_zero(self):
        self.get()
        self.assertNotIn("X-Page-Cache", self.get())


class PublicRuleTests(TestCase):
    """
    published() is the rule; public_state and the page cache's next change
    say the same of every item, and time moves each as the rule says.
    """

    HOUR = datetime.timedelta(hours=1)
    # (status, publication, expiry in hours from now; state now; when that changes)
    CASES = [
        (Status.DRAFT, -1, None, "draft", None),
        (Status.DRAFT, 1, None, "draft", None),
        (Status.REVIEW, -1, None, "review", None),
        (Status.ARCHIVED, -1, None, "archived", None),
        (Status.PUBLISHED, -24, None, "live", None),
        (Status.PUBLISHED, 0, None, "live", None),
        (Status.PUBLISHED, 1, None, "scheduled", 1),
        (Status.PUBLISHED, 1, 3, "scheduled", 1),
        (Status.PUBLISHED, -24, 2, "live", 2),
        (Status.PUBLISHED, -24, -1, "expired", None),
        (Status.PUBLISHED, -24, 0, "expired", None),
    ]

    def at(self, hours):
        return None if hours is None else NOW + hours * self.HOUR

    def assert_agree(self, item, state):
        self.assertEqual(item.public_state, state)
        self.assertEqual(item.is_public, state == "live")
        queries = {
            "live": NewsItem.objects.published(),
            "scheduled": NewsItem.objects.scheduled(),
            "expired": NewsItem.objects.expired(),
        }
        for name, queryset in queries.items():
            self.assertEqual(queryset.filter(pk=item.pk).exists(), name == state, name)

    def test_the_three_agree_on_every_kind_of_item(self):
        for status, published, expires, state, changes in self.CASES:
            with self.subTest(status=status, published=published, expires=expires):
                with time_machine.travel(NOW, tick=False):
                    item = NewsItemFactory(
                        status=status, published_at=self.at(published), expire_at=self.at(expires)
                    )
                    self.assert_agree(item, state)
                    self.assertEqual(pagecache.next_change(), self.at(changes))
                if changes is not None:
                    # At the moment next_change names, what is public changes.
                    with time_machine.travel(self.at(changes), tick=False):
                        self.assertNotEqual(item.public_state, state)
                        self.assert_agree(item, item.public_state)
                item.delete()

    def test_the_next_change_is_the_earliest_of_news_and_statements(self):
        with time_machine.travel(NOW, tick=False):
            NewsItemFactory(published_at=NOW + 3 * self.HOUR)
            StatementFactory(published_at=NOW - self.HOUR, expire_at=NOW + 2 * self.HOUR)
            self.assertEqual(pagecache.next_change(), NOW + 2 * self.HOUR)


class ConditionalGetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.item = NewsItemFactory(section=SectionFactory(slug="news"), slug="meeting")

    def test_unchanged_pages_answer_304(self):
        for url in ("/news/news/meeting/", "/news/", "/feeds/news/"):
            with self.subTest(url=url):
                first = self.client.get(url)
                self.assertTrue(first["ETag"])
                again = self.client.get(url, headers={"if-none-match": first["ETag"]})
                self.assertEqual(again.status_code, 304)
                self.assertEqual(again.content, b"")

    def test_item_pages_say_when_they_last_changed(self):
        response = self.client.get("/news/news/meeting/")
        self.assertIn("GMT", response["Last-Modified"])
        later = timezone.now() + datetime.timedelta(minutes=1)
        since = later.strftime("%a, %d %b %Y %H:%M:%S GMT")
        again = self.client.get("/news/news/meeting/", headers={"if-modified-since": since})
        self.assertEqual(again.status_code, 304)

    def test_a_page_changed_by_another_record_is_not_answered_304(self):
        pages = ("/news/news/meeting/", "/feeds/news/")
        since = {url: self.client.get(url)["Last-Modified"] for url in pages}
        # A date in HTTP has whole seconds; the database's clock moves the generation.
        time.sleep(1.1)
        section = self.item.section
        section.name = "Latest news"
        with self.captureOnCommitCallbacks(execute=True):
            section.save()
        for url in pages:
            with self.subTest(url=url):
                headers = {"if-modified-since": since[url]}
                again = self.client.get(url, headers=headers)
                self.assertEqual(again.status_code, 200)
                self.assertContains(again, "Latest news")


class GenerationTriggerTests(TestCase):
    def test_every_table_the_pages_show_moves_the_generation(self):
        """A model added later needs its triggers (create_triggers in its migration)."""
        triggers = import_module("archive.migrations.0016_generation_triggers")
        models = apps.get_app_config("archive").get_models(include_auto_created=True)
        # Models added after that migration that no page shows are named in signals.py.
        later = {f"archive_{name}" for name in signals.NOT_SHOWN}
        tables = {model._meta.db_table for model in models} - triggers.NOT_SHOWN - later
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            else:
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            names = {name for (name,) in cursor.fetchall()}
        missing = {t for t in tables if not any(n.startswith(f"{t}_generation") for n in names)}
        self.assertEqual(missing, set())


class KeptAnswerTests(TestCase):
    """pagecache.kept(): this process's memory, then the shared cache, then the work."""

    def test_worked_out_once_for_every_process_and_again_after_a_change(self):
        calls = []

        def answer():
            calls.append(1)
            return len(calls)

        self.assertEqual(pagecache.kept("answer", answer), 1)
        self.assertEqual(pagecache.kept("answer", answer), 1)
        # Another process starts with empty memory and finds it in the shared cache.
        pagecache.local.clear()
        self.assertEqual(pagecache.kept("answer", answer), 1)
        self.assertEqual(len(calls), 1)
        with self.captureOnCommitCallbacks(execute=True):
            NewsItemFactory()
        self.assertEqual(pagecache.kept("answer", answer), 2)

    @override_settings(PAGE_CACHE_SECONDS=0)
    def test_a_list_or_item_seen_before_reads_nothing_from_the_shared_cache(self):
        item = NewsItemFactory(published_at=timezone.now() - datetime.timedelta(hours=1))
        for address in ("/news/", item.get_absolute_url()):
            with self.subTest(address=address):
                self.assertEqual(self.client.get(address).status_code, 200)
                with mock.patch.object(pagecache.cache, "get_or_set") as shared:
                    self.assertEqual(self.client.get(address).status_code, 200)
                shared.assert_not_called()
