"""
Settings are read from the environment. Each case imports the settings in a
fresh interpreter, as a server would on start.
"""

import json
import os
import subprocess
import sys

from django.conf import settings
from django.test import SimpleTestCase

SHOW = (
    "import json, cstonews.settings as s; print(json.dumps({'debug': s.DEBUG, "
    "'db': s.DATABASES['default']['ENGINE'], 'cache': s.CACHES['default']['BACKEND'], "
    "'hosts': s.ALLOWED_HOSTS, 'ssl': getattr(s, 'SECURE_SSL_REDIRECT', False), "
    "'media': s.STORAGES['default'], 'documents': s.STORAGES['attachments']}))"
)
VARIABLES = (
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "DATABASE_PARALLEL_QUERY",
    "DATABASE_CONNECT_TIMEOUT",
    "DATABASE_STATEMENT_TIMEOUT",
    "DATABASE_REQUEST_TIMEOUT",
)
SHOW_DATABASE = (
    "import json, cstonews.settings as s; print(json.dumps({"
    "'prefix': s.CACHES['pages'].get('KEY_PREFIX'), "
    "'options': s.DATABASES['default'].get('OPTIONS', {}).get('options'), "
    "'connect_timeout': s.DATABASES['default'].get('OPTIONS', {}).get('connect_timeout'), "
    "'request_timeout': s.DATABASE_REQUEST_TIMEOUT}))"
)


def load_settings(show=SHOW, **env):
    clean = {key: value for key, value in os.environ.items() if key not in VARIABLES}
    return subprocess.run(
        [sys.executable, "-c", show],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


class SettingsTests(SimpleTestCase):
    def test_debug_is_off_by_default_and_then_needs_a_secret_key(self):
        result = load_settings()
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off", result.stderr)

    def test_production_settings(self):
        result = load_settings(
            DJANGO_SECRET_KEY="x" * 50,
            DJANGO_ALLOWED_HOSTS="news.example.org, www.news.example.org",
            DATABASE_URL="postgres://u:p@db.example.org:5432/cstonews",
            REDIS_URL="redis://cache.example.org:6379/0",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        loaded = json.loads(result.stdout)
        del loaded["media"], loaded["documents"]
        self.assertEqual(
            loaded,
            {
                "debug": False,
                "db": "cstonews.postgresql",
                "cache": "archive.caching.FailSafeRedisCache",
                "hosts": ["news.example.org", "www.news.example.org"],
                "ssl": True,
            },
        )

    def test_each_database_has_cache_keys_of_its_own(self):
        # A benchmark and a development server sharing a Redis or a folder
        # must never read each other's pages, totals or generation.
        for redis in ("", "redis://cache:6379/0"):
            prefixes = set()
            for url in ("postgres://u@db/one", "postgres://u@db/two", "sqlite:///one.sqlite3"):
                result = load_settings(
                    SHOW_DATABASE, DJANGO_DEBUG="1", DATABASE_URL=url, REDIS_URL=redis
                )
                self.assertEqual(result.returncode, 0, result.stderr)
                prefixes.add(json.loads(result.stdout)["prefix"])
            self.assertEqual(len(prefixes), 3, redis or "files")

    def test_no_parallel_workers_for_web_requests_unless_asked(self):
        url = "postgres://u@db/cstonews"
        result = load_settings(SHOW_DATABASE, DJANGO_DEBUG="1", DATABASE_URL=url)
        self.assertIn("-c max_parallel_workers_per_gather=0", json.loads(result.stdout)["options"])
        result = load_settings(
            SHOW_DATABASE,
            DJANGO_DEBUG="1",
            DATABASE_URL=url,
            DATABASE_PARALLEL_QUERY="1",
            DATABASE_STATEMENT_TIMEOUT="0",
        )
        self.assertIsNone(json.loads(result.stdout)["options"])

    def test_a_database_that_does_not_answer_is_not_waited_for_for_ever(self):
        url = "postgres://u@db/cstonews"
        result = load_settings(SHOW_DATABASE, DJANGO_DEBUG="1", DATABASE_URL=url)
        loaded = json.loads(result.stdout)
        self.assertIn("-c statement_timeout=20000", loaded["options"])
        self.assertEqual((loaded["connect_timeout"], loaded["request_timeout"]), (5, 25))
        result = load_settings(
            SHOW_DATABASE,
            DJANGO_DEBUG="1",
            DATABASE_URL=url,
            DATABASE_CONNECT_TIMEOUT="3",
            DATABASE_STATEMENT_TIMEOUT="1.5",
            DATABASE_REQUEST_TIMEOUT="4",
        )
        loaded = json.loads(result.stdout)
        self.assertIn("-c statement_timeout=1500", loaded["options"])
        self.assertEqual((loaded["connect_timeout"], loaded["request_timeout"]), (3, 4.0))

    def test_management_commands_have_no_statement_timeout_unless_asked(self):
        clean = {key: value for key, value in os.environ.items() if key not in VARIABLES}
        show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
        for env, expected in (({}, False), ({"DATABASE_STATEMENT_TIMEOUT": "600"}, True)):
            result = subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", show],
                env={**clean, "DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://u@db/x", **env},
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
                timeout=60,
            )
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual("statement_timeout" in result.stdout, expected, result.stdout)

    def test_local_defaults(self):
        result = load_settings(DJANGO_DEBUG="1")
        self.assertEqual(result.returncode, 0, result.stderr)
        loaded = json.loads(result.stdout)
        self.assertEqual(loaded["db"], "django.db.backends.sqlite3")
        # An empty DATABASE_URL (`DATABASE_URL= make test`) is the default too.
        result = load_settings(DJANGO_DEBUG="1", DATABASE_URL="")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["db"], "django.db.backends.sqlite3")
        self.assertEqual(loaded["cache"], "django.core.cache.backends.locmem.LocMemCache")
        self.assertTrue(loaded["debug"])

    def test_object_storage_by_configuration_alone(self):
        options = {"bucket_name": "csto-media", "endpoint_url": "https://s3.example.org"}
        result = load_settings(
            DJANGO_DEBUG="1",
            MEDIA_STORAGE_BACKEND="storages.backends.s3.S3Storage",
            MEDIA_STORAGE_OPTIONS=json.dumps(options),
            ATTACHMENT_STORAGE_BACKEND="storages.backends.s3.S3Storage",
            ATTACHMENT_STORAGE_OPTIONS=json.dumps({**options, "bucket_name": "csto-private"}),
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        loaded = json.loads(result.stdout)
        self.assertEqual(
            loaded["media"], {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
        )
        self.assertEqual(loaded["documents"]["OPTIONS"]["bucket_name"], "csto-private")

    def test_local_folders_by_default(self):
        loaded = json.loads(load_settings(DJANGO_DEBUG="1").stdout)
        self.assertEqual(loaded["media"]["BACKEND"], "archive.storage.WholeFileStorage")
        self.assertEqual(loaded["documents"]["BACKEND"], "archive.storage.PrivateStorage")


SHOW_GUNICORN = (
    "import gc, json, runpy; import cstonews.wsgi; from django.template import engines; "
    "conf = runpy.run_path('gunicorn.conf.py'); before = gc.get_freeze_count(); "
    "conf['when_ready'](None); conf['pre_fork'](None, None); "
    "compiled = [key[1] for key in engines['jinja2'].env.cache]; "
    "print(json.dumps({'preload': conf['preload_app'], 'before': before, "
    "'after': gc.get_freeze_count(), 'templates': compiled}))"
)


class GunicornTests(SimpleTestCase):
    def test_workers_start_from_a_warm_and_frozen_master(self):
        """
        The master compiles the templates before it forks, without a database
        or cache to reach; what it loaded is never walked by a worker's
        garbage collector.
        """
        result = load_settings(
            show=SHOW_GUNICORN,
            DJANGO_DEBUG="1",
            DATABASE_URL="postgres://nobody@127.0.0.1:9/nothing",
            REDIS_URL="redis://127.0.0.1:9/0",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        shown = json.loads(result.stdout)
        self.assertTrue(shown["preload"])
        self.assertEqual(shown["before"], 0)
        self.assertGreater(shown["after"], 1000)
        compiled = set(shown["templates"])
        self.assertLessEqual({"base.html", "archive/newsitem_list.html"}, compiled)
