"""
What the first request of each page costs right after a change of the
archive (a publish makes every cached page and remembered total new, and
the counts of its year), and what it costs again: the work behind the
mixed load's slow moments. Then the same after a change that may touch any
year (a bulk write, a scheduled moment), which counts every year again.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cstonews_bench_1000000 \
        python bench/after_change.py

In-process through Django's test client, page cache off (remembered totals
still on), production settings otherwise.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

from run import environment, manage  # the benchmark's production settings

PAGES = [
    "/",
    "/news/",
    "/news/?section=news&year=2021&language=en",
    "/news/?page=2000",
    "/news/?q=council",
    "/statements/",
    "/feeds/news/",
    "/sitemap.xml",
    "/search/?q=council",
    "/news/?q=ministers&year=2021",
]


def main():
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to the database to measure (a `make bench` one).")
    with tempfile.TemporaryDirectory(prefix="cstonews-after-change-") as folder:
        os.environ.update(environment(os.environ["DATABASE_URL"], 0, folder))
        # Pages name their stylesheet by its hashed file name, from the manifest.
        manage(os.environ, "collectstatic", "--noinput")
        measure()


def measure():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cstonews.settings")
    import django

    django.setup()
    from django.test import Client

    from archive import pagecache

    client = Client(HTTP_HOST="127.0.0.1")  # a host the benchmark's settings allow
    for path in PAGES:  # warm up: connections, prepared statements, templates
        client.get(path)
    from django.utils import timezone

    for label in ("after a publish", "again", "after any change", "again"):
        if label == "after a publish":
            # As the commit of a news item of this year does (see signals.py).
            pagecache.bump(years=[timezone.localtime().year])
        elif label == "after any change":
            # As a bulk write or a scheduled moment does: every year is counted again.
            pagecache.bump()
        total = 0.0
        for path in PAGES:
            started = time.perf_counter()
            status = client.get(path).status_code
            took = (time.perf_counter() - started) * 1000
            total += took
            print(f"{label:15} {took:8.1f} ms  {status}  {path}")
        print(f"{label:15} {total:8.1f} ms  in all\n")


if __name__ == "__main__":
    main()
