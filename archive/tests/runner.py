import faulthandler
import logging
import os
import shutil
import sys
import tempfile
import threading

from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections
from django.test.runner import (
    DiscoverRunner,
    ParallelTestSuite,
    RemoteTestResult,
    RemoteTestRunner,
)
from django.test.utils import override_settings
from django.utils import translation

from archive import breaker, caching, pagecache, search, taxonomy

# A test that hangs (a browser or a database waiting for ever) ends the run
# after this long with where each thread and database session waits,
# instead of holding CI until its own time limit with nothing to show. Set
# far above the slowest test (docs/testing.md); 0 turns it off, as for a debugger.
HANG_SECONDS = float(os.environ.get("TEST_HANG_SECONDS", "300"))


class HangWatch:
    """
    Watches one test at a time, from its start until the next one starts:
    a TransactionTestCase empties the database after its result is in.
    """

    def __init__(self):
        self.timer = None

    def arm(self, test):
        self.disarm()
        if HANG_SECONDS:
            self.timer = threading.Timer(HANG_SECONDS, self.hung, [test])
            self.timer.daemon = True
            self.timer.start()
            # Should this thread never run (a call holding the interpreter), Python's own.
            faulthandler.dump_traceback_later(HANG_SECONDS + 60, exit=True)

    def disarm(self):
        if self.timer is not None:
            self.timer.cancel()
            faulthandler.cancel_dump_traceback_later()

    def hung(self, test):
        print(f"\n{test} is still running after {HANG_SECONDS:.0f} s.", file=sys.stderr)
        try:
            for line in database_sessions():
                print(line, file=sys.stderr)
        finally:
            faulthandler.dump_traceback(all_threads=True)
            os._exit(1)


def database_sessions():
    """The test database's other sessions: what each waits for, and who holds it up."""
    if connection.vendor != "postgresql":
        return []
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT pid, state, wait_event_type, wait_event, pg_blocking_pids(pid),"
                " now() - xact_start, left(query, 300) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return ["Database sessions:", *(repr(row) for row in cursor.fetchall())]
    finally:
        other.close()


def fresh_caches(result_class):
    """`result_class`, starting every test with empty caches, as with a fresh database."""

    class Result(result_class):
        def startTest(self, test):
            # A fault drill's cache cannot be reached: no warning for that here.
            logging.getLogger("archive.caching").disabled = True
            try:
                for cache in caches.all(initialized_only=True):
                    cache.clear()
            finally:
                logging.getLogger("archive.caching").disabled = False
            caching.reset()
            breaker.reset()
            # And what each process keeps (the taxonomy, the next scheduled
            # change, kept answers and fragments, per generation; words stemmed):
            # under a frozen clock a new generation can take the number of an earlier test's.
            taxonomy.latest.clear()
            pagecache.known_changes.clear()
            pagecache.last_check.clear()
            pagecache.local.clear()
            search.known_stems.clear()
            # A request in Russian leaves its language active in this thread;
            # a test that makes none would read its messages in Russian.
            translation.activate(settings.LANGUAGE_CODE)
            super().startTest(test)

        def stopTest(self, test):
            # A drill that failed the database leaves this process's breaker
            # open; the next class's set-up must reach the database.
            breaker.reset()
            super().stopTest(test)

    return Result


def watched(result_class):
    """`result_class`, ending the run when a test hangs (HangWatch); in one process only."""

    class Result(result_class):
        watch = HangWatch()

        def startTest(self, test):
            self.watch.arm(test)
            super().startTest(test)

        def stopTestRun(self):
            self.watch.disarm()
            super().stopTestRun()

    return Result


class FreshCachesRemoteRunner(RemoteTestRunner):
    # With --parallel, tests run (and must start with empty caches) in workers.
    resultclass = fresh_caches(RemoteTestResult)


class FreshCachesParallelSuite(ParallelTestSuite):
    runner_class = FreshCachesRemoteRunner


class TemporaryMediaRunner(DiscoverRunner):
    """
    Django's runner, with uploads written to a throw-away folder (never to
    media/) and caches emptied before each test.
    """

    parallel_test_suite = FreshCachesParallelSuite

    def get_resultclass(self):
        from unittest import TextTestResult

        return watched(fresh_caches(super().get_resultclass() or TextTestResult))

    def setup_test_environment(self, **kwargs):
        super().setup_test_environment(**kwargs)
        # The login-throttle tests fail logins on purpose; axes would report each one.
        logging.getLogger("axes").setLevel(logging.ERROR)
        self.media_dir = tempfile.mkdtemp(prefix="cstonews-test-media-")
        public, private = f"{self.media_dir}/public", f"{self.media_dir}/private"
        # Tests build pages from data that changes test by test: the page cache
        # is off except in the tests of the cache itself.
        # Each test process has caches of its own: a shared one (files,
        # Redis) would be emptied by the other processes' tests mid-test.
        self.media_override = override_settings(
            MEDIA_ROOT=public,
            PRIVATE_MEDIA_ROOT=private,
            PAGE_CACHE_SECONDS=0,
            CACHES={
                name: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}
                for name in ("default", "pages")
            },
        )
        self.media_override.enable()

    def teardown_test_environment(self, **kwargs):
        self.media_override.disable()
        shutil.rmtree(self.media_dir, ignore_errors=True)
        super().teardown_test_environment(**kwargs)
