"""
An editor at work during the mixed load test (bench/run.py): publishes and
unpublishes probe items through the workflow, as the admin does, and after
each step asks the running site whether visitors see exactly what they
should. Prints one JSON line of what it found.

    python bench/editor.py BASE_URL SECONDS

Run with the site's environment (database, page cache), so that its writes
move the same page cache the site serves from.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cstonews.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from archive import services  # noqa: E402
from archive.models import NewsItem, Section, Status  # noqa: E402
from archive.roles import give_role  # noqa: E402

PROBES = 5
# Between two publish-and-unpublish rounds: a busy editor's pace (a dozen
# changes a minute), each change making every cached page new.
PAUSE = 5.0
# How long a published item may take to show (it should be the next request).
VISIBLE_WITHIN = 2.0


def fetch(url):
    """(status, body) of an anonymous GET; status 0 when the site did not answer in time."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, OSError):
        return 0, ""


def probes(editor):
    section = Section.objects.order_by("pk").first()
    items = []
    for number in range(PROBES):
        item, _ = NewsItem.objects.get_or_create(
            slug=f"load-probe-{number}",
            defaults={
                "title": f"Load probe {number}",
                "section": section,
                "lead": "An item the load test publishes and unpublishes.",
                "body": "<p>Published and unpublished while visitors read the site.</p>",
                "author": editor,
            },
        )
        if item.status == Status.PUBLISHED:
            services.archive(item=item, user=editor)
        items.append(item)
    return items


def main():
    base, seconds = sys.argv[1], float(sys.argv[2])
    editor, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True}
    )
    give_role(editor, "editor")
    items = probes(editor)
    found = {"cycles": 0, "unpublished_served": 0, "published_missing": 0, "visible_after": []}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        item = items[found["cycles"] % len(items)]
        item.refresh_from_db()
        address = base + item.get_absolute_url()

        if item.status == Status.ARCHIVED:
            services.restore_to_draft(item=item, user=editor)
        if item.status == Status.DRAFT:
            services.submit_for_review(item=item, user=editor)
        services.publish(item=item, user=editor, at=timezone.now())
        published = time.monotonic()
        while True:
            status, _ = fetch(address)
            listed = item.title in fetch(base + "/news/")[1]
            if status == 200 and listed:
                found["visible_after"].append(time.monotonic() - published)
                break
            if time.monotonic() - published > VISIBLE_WITHIN:
                found["published_missing"] += 1
                break
            time.sleep(0.05)

        item.refresh_from_db()
        services.archive(item=item, user=editor)
        # Gone at once: the very next requests must not show it.
        status, _ = fetch(address)
        listed = item.title in fetch(base + "/news/")[1]
        in_feed = item.title in fetch(base + "/feeds/news/")[1]
        found["unpublished_served"] += (status == 200) + listed + in_feed
        found["cycles"] += 1
        time.sleep(PAUSE)
    after = found.pop("visible_after")
    found["visible_after_max_ms"] = round(max(after) * 1000, 1) if after else None
    print(json.dumps(found))


if __name__ == "__main__":
    main()
