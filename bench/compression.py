"""
What gzip adds to a cached page:

    .venv/bin/python bench/compression.py [--hits 1000] [--rounds 7]

On a throwaway SQLite database holding the demo archive, with the page
cache in a throwaway folder, builds each page once, then asks for it
`--hits` times through Django's test client (every middleware runs, no
network), without and with `Accept-Encoding: gzip`, and prints the median
of `--rounds` rounds per hit, the bytes sent, and what compressing the page
alone costs. Not part of make test.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/news/", "/statements/"]


def per_hit(client, url, hits, rounds):
    """
    Median milliseconds per request, without and with gzip, over `rounds`
    rounds of `hits` requests each; the two alternate, so that the machine's
    drift falls on both alike.
    """
    times = {False: [], True: []}
    for _ in range(rounds):
        for gzipped in (False, True):
            headers = {"accept-encoding": "gzip"} if gzipped else {}
            start = time.perf_counter()
            for _ in range(hits):
                client.get(url, headers=headers)
            times[gzipped].append((time.perf_counter() - start) / hits * 1000)
    return statistics.median(times[False]), statistics.median(times[True])


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--hits", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="cstonews-compression-")
    os.environ.update(
        DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
        PAGE_CACHE_DIR=f"{folder}/pages",
        DJANGO_DEBUG="1",
        DJANGO_SETTINGS_MODULE="cstonews.settings",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.middleware.gzip import compress_string
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, allow_database=True)
    client = Client()
    print(f"{'page':<14}{'plain hit':>12}{'gzip hit':>12}{'bytes':>18}{'compressing':>14}")
    for url in PAGES:
        page = client.get(url).content  # built and kept
        gzipped = client.get(url, headers={"accept-encoding": "gzip"})
        assert gzipped["X-Page-Cache"] == "hit" and gzipped["Content-Encoding"] == "gzip"
        plain, compressed = per_hit(client, url, args.hits, args.rounds)
        start = time.perf_counter()
        for _ in range(args.hits):
            compress_string(page, max_random_bytes=100)
        alone = (time.perf_counter() - start) / args.hits * 1000
        size = f"{len(page)} → {len(gzipped.content)}"
        print(f"{url:<14}{plain:>9.3f} ms{compressed:>9.3f} ms{size:>18}{alone:>11.3f} ms")


if __name__ == "__main__":
    main()
