"""
archive/subscription.py: a process serves pages from its memory without a
round trip to Redis, and never one that a committed change made old.
Needs the real Redis (a database of its own; channels of each test's own).
"""

import threading
import time
import uuid
from unittest import mock

import redis
from django.core.cache import caches
from django.test import Client, SimpleTestCase, TestCase, override_settings

from archive import caching, pagecache, subscription
from archive.subscription import LEASE_SECONDS, Subscription

from .factories import NewsItemFactory, SectionFactory
from .test_faults import redis_caches

URL = "redis://127.0.0.1:6379/14"


def live_caches():
    # A prefix of the test's own, hence a channel of its own too.
    return redis_caches(URL, prefix=f"cstonews-subscription-{uuid.uuid4().hex}")


def trusted(listener, seconds=5):
    """Whether `listener` comes to know the generation within `seconds`."""
    deadline = time.monotonic() + seconds
    while listener.current() is None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@override_settings(PAGE_CACHE_SECONDS=300)
class MemoryHitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.section = SectionFactory(slug="news", name="News")
        cls.item = NewsItemFactory(title="Ministers met in Minsk", section=cls.section)

    def setUp(self):
        overridden = self.settings(CACHES=live_caches())
        overridden.enable()
        self.addCleanup(overridden.disable)
        caching.reset()
        pagecache.memory.clear()
        self.addCleanup(pagecache.memory.clear)
        for name in ("default", "pages"):
            self.addCleanup(caches[name].clear)
        self.built = self.client.get("/news/")
        self.assertEqual(self.built["X-Page-Cache"], "miss")
        self.listener = pagecache.listener()
        self.addCleanup(self.listener.stop)
        self.assertTrue(trusted(self.listener))

    def reads_of_redis(self, url="/news/", **kwargs):
        """
        The response to `url`, and the page cache's calls to Redis while it was
        served, with the database's periodic check not due: another test's
        subscription thread, ending, may have asked for one (check_soon).
        """
        pagecache.last_check.update(next=time.monotonic() + 60, failures=caching.failures())
        used, real = [], pagecache.cache

        class Recorder:
            def __getattr__(self, name):
                used.append(name)
                return getattr(real, name)

        with mock.patch.object(pagecache, "cache", Recorder()), self.assertNumQueries(0):
            response = self.client.get(url, **kwargs)
        return response, used

    def test_a_hit_is_the_page_the_miss_stored_without_asking_redis(self):
        response, used = self.reads_of_redis()
        self.assertEqual(used, [])
        self.assertEqual(response["X-Page-Cache"], "hit")
        self.assertEqual(response.content, self.built.content)
        self.assertEqual(
            {k: v for k, v in response.items() if k != "X-Page-Cache"},
            {k: v for k, v in self.built.items() if k != "X-Page-Cache"},
        )
        again, used = self.reads_of_redis(headers={"if-none-match": self.built["ETag"]})
        self.assertEqual((again.status_code, used), (304, []))
        # With the headers a 304 sent down the stack gets.
        self.assertEqual(again["X-Content-Type-Options"], "nosniff")
        self.assertEqual(again["Referrer-Policy"], self.built["Referrer-Policy"])

    def test_a_host_the_site_does_not_serve_is_refused_though_its_page_is_kept(self):
        self.assertEqual(self.reads_of_redis()[1], [])
        with self.assertLogs("django.security.DisallowedHost", "ERROR"):
            response = self.client.get("/news/", headers={"host": "news.example.org"})
        self.assertEqual(response.status_code, 400)

    def test_each_language_is_kept_apart(self):
        russian = self.client.get("/news/", headers={"accept-language": "ru"})
        self.assertEqual(russian["Content-Language"], "ru")
        again, used = self.reads_of_redis(headers={"accept-language": "ru"})
        self.assertEqual((again["Content-Language"], used), ("ru", []))
        self.assertEqual(again.content, russian.content)
        self.assertEqual(self.reads_of_redis()[0].content, self.built.content)

    def test_a_change_makes_the_next_request_a_miss(self):
        self.assertEqual(self.reads_of_redis()[1], [])
        with self.captureOnCommitCallbacks(execute=True):
            NewsItemFactory(title="Summit in Astana", section=self.section)
        response = self.client.get("/news/")
        self.assertEqual(response["X-Page-Cache"], "miss")
        self.assertContains(response, "Summit in Astana")

    def test_each_address_as_sent_is_answered_from_memory_after_its_first_request(self):
        built = self.client.get("/news/", {"section": "news", "q": "Minsk"})
        self.assertContains(built, "Ministers met in Minsk")
        response, used = self.reads_of_redis("/news/", data={"section": "news", "q": "Minsk"})
        self.assertEqual((response["X-Page-Cache"], used), ("hit", []))
        self.assertEqual(response.content, built.content)
        # A link's tracking parameters: the same page, from Redis once, then from memory.
        tracked = {"section": "news", "q": "Minsk", "utm_source": "mail"}
        for asked in (["get_many"], []):
            response, used = self.reads_of_redis("/news/", data=tracked)
            self.assertEqual((response["X-Page-Cache"], used), ("hit", asked))
            self.assertEqual(response.content, built.content)
        # A name the list cannot read is still named, on a page of its own.
        for _ in range(2):
            response = self.client.get("/news/", {**tracked, "colour": "red"})
            self.assertContains(response, "colour")
            self.assertNotIn("X-Page-Cache", response)
        # An item page still shows each visitor's own "Go back" link.
        url = self.item.get_absolute_url()
        plain = self.client.get(url)
        self.assertEqual(self.reads_of_redis(url)[0].content, plain.content)
        self.client.get(url, {"back": "/news/"})  # the page with a link is kept apart
        for back in ("/news/?page=1", "/news/?q=Minsk", "/news/?page=1"):
            with self.subTest(back=back):
                response = self.client.get(url, {"back": back})
                self.assertEqual(response["X-Page-Cache"], "hit")
                self.assertContains(response, f'<a href="{back}">Go back</a>', html=True)
                self.assertEqual(self.reads_of_redis(url, data={"back": back})[1], [])

    def test_an_answer_is_kept_as_sent_gzipped_or_plain_with_every_header(self):
        gzip = {"accept-encoding": "gzip, deflate, br"}
        compressed = self.client.get("/news/", headers=gzip)
        again, used = self.reads_of_redis(headers=gzip)
        self.assertEqual((again["Content-Encoding"], used), ("gzip", []))
        self.assertEqual(again.content, compressed.content)
        plain, used = self.reads_of_redis()
        self.assertEqual((plain.get("Content-Encoding"), used), (None, []))
        self.assertEqual(plain.content, self.built.content)
        # A browser that names gzip only to refuse it gets the plain copy.
        refused, _ = self.reads_of_redis(headers={"accept-encoding": "gzip;q=0"})
        self.assertEqual((refused.get("Content-Encoding"), refused.content), (None, plain.content))
        for header in ("X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy"):
            with self.subTest(header=header):
                self.assertEqual(again[header], compressed[header])
                self.assertEqual(plain[header], self.built[header])

    def test_a_visitor_signed_in_or_sent_over_http_in_production_is_not_answered_from_memory(self):
        self.client.cookies["sessionid"] = "x"
        self.assertNotIn("X-Page-Cache", self.client.get("/news/"))
        del self.client.cookies["sessionid"]
        with self.settings(SECURE_SSL_REDIRECT=True):
            # Kept for http (this test's setting), it still goes to https when that is asked for.
            response = Client().get("/news/")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "https://testserver/news/")

    def test_a_page_built_for_one_request_learns_the_generation_without_asking_redis(self):
        used, real = [], pagecache.cache

        class Recorder:
            def __getattr__(self, name):
                used.append(name)
                return getattr(real, name)

        # A parameter the list cannot read: the page is built for this request alone.
        with mock.patch.object(pagecache, "cache", Recorder()):
            response = self.client.get("/news/", {"colour": "red"})
        self.assertContains(response, "Ministers met in Minsk")
        self.assertNotIn("get_many", used)
        with self.captureOnCommitCallbacks(execute=True):
            NewsItemFactory(title="Summit in Astana", section=self.section)
        self.assertContains(self.client.get("/news/", {"colour": "red"}), "Summit in Astana")

    def test_a_page_is_kept_in_memory_no_longer_than_the_cache_keeps_it(self):
        later = time.time() + 301
        with mock.patch.object(pagecache.time, "time", return_value=later):
            response, used = self.reads_of_redis()
        self.assertEqual(used, ["get_many"])
        self.assertEqual(response.content, self.built.content)

    def test_a_copy_read_from_redis_is_kept_in_memory_no_longer_than_redis_keeps_it(self):
        pagecache.memory.clear()
        # Read from Redis 200 s after it was built: 100 s left of its 300.
        later = time.time() + 200
        with mock.patch.object(pagecache.time, "time", return_value=later):
            self.assertEqual(self.reads_of_redis()[1], ["get_many"])
            self.assertEqual(self.reads_of_redis()[1], [])
        with mock.patch.object(pagecache.time, "time", return_value=later + 101):
            self.assertEqual(self.reads_of_redis()[1], ["get_many"])

    def test_a_process_not_listening_asks_redis(self):
        self.listener.stop()
        response, used = self.reads_of_redis()
        self.assertEqual(used, ["get_many"])
        self.assertEqual(response["X-Page-Cache"], "hit")
        self.assertEqual(response.content, self.built.content)

    def test_a_page_a_worker_held_is_not_served_after_the_database_moved_on(self):
        # A write the cache missed (a process without Redis, SQL by hand): the periodic check.
        self.assertEqual(self.reads_of_redis()[1], [])
        NewsItemFactory(title="Summit in Astana", section=self.section)
        pagecache.last_check.clear()
        response = self.client.get("/news/")
        self.assertContains(response, "Summit in Astana")
        self.assertEqual(self.listener.current(), pagecache.stored_generation())

    def test_a_process_subscribing_again_reads_the_database_before_serving_from_memory(self):
        # Another app server published while Redis was down, and Redis came
        # back from its last save: its generation is the old one.
        self.assertEqual(self.reads_of_redis()[1], [])
        NewsItemFactory(title="Summit in Astana", section=self.section)
        # This process's subscription broke with Redis, and it subscribes anew.
        broken, ping = [], redis.client.PubSub.ping

        def breaks_once(pubsub, *args, **kwargs):
            if not broken:
                broken.append(True)
                raise redis.ConnectionError("Connection closed by server.")
            return ping(pubsub, *args, **kwargs)

        with mock.patch.object(redis.client.PubSub, "ping", breaks_once):
            deadline = time.monotonic() + 5
            while self.listener.current() is not None and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertTrue(broken)
            self.assertTrue(trusted(self.listener))
        self.assertContains(self.client.get("/news/"), "Summit in Astana")

    def test_a_broken_subscription_makes_the_next_request_read_the_database(self):
        # Redis went away and came back from its last save, and no request
        # came meanwhile: the next one, not one a lease later, reads the
        # database's generation, newer than the saved one.
        NewsItemFactory(title="Summit in Astana", section=self.section)
        broken = threading.Event()

        def breaks(pubsub, *args, **kwargs):
            broken.set()
            raise redis.ConnectionError("Connection closed by server.")

        with mock.patch.object(redis.client.PubSub, "ping", breaks):
            self.assertTrue(broken.wait(5))
            deadline = time.monotonic() + 5
            while self.listener.current() is not None and time.monotonic() < deadline:
                time.sleep(0.01)
            # Still not subscribed again: Redis's copy of the generation is the old one.
            response = self.client.get("/news/")
        self.assertContains(response, "Summit in Astana")

    def test_a_request_that_finds_redis_behind_does_not_wait_for_the_processes(self):
        # A write the cache missed, found by a visitor's request: it announces
        # the generation and goes on, as the periodic check promises no more.
        NewsItemFactory(title="Summit in Astana", section=self.section)
        pagecache.last_check.clear()
        with mock.patch.object(subscription.Subscription, "announce") as announced:
            self.assertContains(self.client.get("/news/"), "Summit in Astana")
        announced.assert_called_once_with(False)
        # A Redis that has just failed is left alone: no publish to wait on.
        NewsItemFactory(title="Talks in Minsk", section=self.section)
        pagecache.last_check.clear()
        with (
            mock.patch.object(subscription.Subscription, "announce") as announced,
            mock.patch.object(caching, "failing", return_value=True),
        ):
            self.assertContains(self.client.get("/news/"), "Talks in Minsk")
        announced.assert_not_called()


class ProcessesTests(SimpleTestCase):
    """Two processes' subscriptions, and an editor's (the first) announcing a change."""

    def setUp(self):
        self.redis = redis.Redis.from_url(URL)
        self.channel = f"cstonews-subscription-test-{uuid.uuid4().hex}"
        self.key = self.channel + ":generation"
        self.addCleanup(self.redis.delete, self.key)
        self.redis.set(self.key, 1)
        self.workers = [Subscription(URL, self.channel, self.read) for _ in range(2)]
        for worker in self.workers:
            self.addCleanup(worker.stop)
            self.assertTrue(trusted(worker))

    def read(self):
        value = self.redis.get(self.key)
        return None if value is None else int(value)

    def change(self, generation):
        """The editor's change: the generation written, then announced; how long that took."""
        self.redis.set(self.key, generation)
        started = time.monotonic()
        self.workers[0].announce()
        return time.monotonic() - started

    def test_every_process_knows_the_change_once_it_returns(self):
        self.assertEqual([worker.current() for worker in self.workers], [1, 1])
        took = self.change(2)
        self.assertEqual([worker.current() for worker in self.workers], [2, 2])
        # Every process acknowledged: nobody waited for a lease to end.
        self.assertLess(took, LEASE_SECONDS)

    def test_a_process_that_does_not_acknowledge_stops_trusting_before_it_returns(self):
        stalled, release = self.workers[1], threading.Event()
        self.addCleanup(release.set)
        stalled.read = lambda: release.wait(10) and None
        took = self.change(3)
        self.assertGreaterEqual(took, LEASE_SECONDS * 0.9)
        self.assertEqual(self.workers[0].current(), 3)
        self.assertIsNone(stalled.current())

    def test_a_process_learns_a_change_made_while_it_was_subscribing(self):
        late = Subscription(URL, self.channel, self.read)
        self.addCleanup(late.stop)
        self.redis.set(self.key, 4)
        self.assertTrue(trusted(late))
        self.assertEqual(late.current(), 4)

    def test_a_redis_just_started_again_is_given_a_lease_before_returning(self):
        with (
            mock.patch.object(redis.Redis, "info", return_value={"uptime_in_seconds": 0}),
            mock.patch.object(subscription.time, "sleep") as slept,
        ):
            self.change(5)
        slept.assert_called_with(LEASE_SECONDS + 1)

    def test_without_redis_nothing_is_trusted_and_announcing_fails_quietly(self):
        nowhere = Subscription("redis://127.0.0.1:1/0", self.channel, self.read)
        self.addCleanup(nowhere.stop)
        self.assertFalse(trusted(nowhere, seconds=0.3))
        nowhere.announce()
