import time
from unittest import mock, skipUnless

import psycopg
from django.db import close_old_connections, connection, connections
from django.test import TransactionTestCase

from .factories import NewsItemFactory, StatementFactory


@skipUnless(connection.vendor == "postgresql", "a server that can end a connection")
class KeptConnectionTests(TransactionTestCase):
    """
    In production each worker keeps its database connection between requests
    (DATABASE_CONN_MAX_AGE) and makes sure it still works before a request's
    first query (CONN_HEALTH_CHECKS). A database restarted meanwhile, which
    ends every connection, costs no visitor an error.
    """

    def setUp(self):
        self.item = NewsItemFactory(title="Summit in Minsk")
        StatementFactory(title="Declaration of the Council")
        self.addCleanup(connection.close)

    def server_ends_the_connection(self):
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                # It returns once the signal is sent: wait for the backend to go.
                for _ in range(500):
                    cursor.execute("SELECT FROM pg_stat_activity WHERE pid = %s", [pid])
                    if not cursor.fetchall():
                        break
                    time.sleep(0.01)
                else:
                    self.fail("The server did not end the connection within 5 seconds.")
        finally:
            other.close()

    def next_request_begins(self):
        # As Django does when a request begins, with the connection kept
        # (CONN_MAX_AGE=None); the test client leaves this out.
        connection.close_at = None
        close_old_connections()

    def test_every_kind_of_page_answers_after_the_database_restarted(self):
        pages = {
            "/": "Summit in Minsk",
            self.item.get_absolute_url(): "Summit in Minsk",
            "/news/": "Summit in Minsk",
            "/news/?q=minsk": "Summit in Minsk",
            "/statements/": "Declaration of the Council",
            "/search/?q=council": "Declaration of the Council",
            self.item.section.get_absolute_url(): "Summit in Minsk",
            "/feeds/news/": "Summit in Minsk",
            "/sitemap-news.xml": self.item.slug,
        }
        for path, shown in pages.items():
            with self.subTest(path):
                connection.close()  # each page on a connection of its own
                self.client.get(path)
                self.server_ends_the_connection()
                self.next_request_begins()
                self.assertContains(self.client.get(path), shown)

    def test_a_kept_connection_is_checked_without_a_query(self):
        # Django's check sends SELECT 1: a round trip on every page.
        connection.ensure_connection()
        with mock.patch.object(psycopg.Connection, "cursor", side_effect=AssertionError):
            self.assertTrue(connection.is_usable())
        self.server_ends_the_connection()
        self.assertFalse(connection.is_usable())
