import socket
import threading
import time
from unittest import mock, skipUnless

from django.db import OperationalError, connection
from django.test import TestCase, TransactionTestCase, override_settings

from archive import pagecache

from .factories import NewsItemFactory

NOT_ANSWERING = "database is not answering; please try again in a minute."


class DatabaseErrorTests(TestCase):
    """A database error on a public page is the database's fault, said as such: 503, not 500."""

    def test_an_error_in_a_view_answers_503(self):
        item = NewsItemFactory()
        with mock.patch("archive.views.public_item_page", side_effect=OperationalError("gone")):
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

    def test_a_stalled_database_gives_a_quick_503_and_cached_pages_still_answer(self):
        url = self.item.get_absolute_url()
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")
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
