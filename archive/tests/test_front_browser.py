"""
The public site as a visitor sees it, on a desk and on a phone: the home
page, a news list, an item, search and the Russian home, with the demo
archive, each checked with axe. `make screenshots` runs this with
SCREENSHOTS_DIR=docs/screenshots, where the README's pictures are kept;
without it, the pages are checked and no picture is taken.
"""

import os
from pathlib import Path

from django.core.management import call_command

from archive.models import Section

from . import test_browser
from .test_browser import BrowserTestCase

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PAGES = {
    "home": "/",
    "news-list": "/news/",
    "news-item": "/news/csto-news/cfm-video-conference-2020-05-26/",
    "search": "/search/?q=ministers",
}


class PublicSiteScreenshots(BrowserTestCase):
    def test_the_public_pages_on_a_desk_and_a_phone(self):
        # The demo archive alone: not the sections every browser test starts with.
        Section.objects.all().delete()
        call_command("seed_demo", verbosity=0, allow_database=True)
        folder = os.environ.get("SCREENSHOTS_DIR")
        for size, viewport in SIZES.items():
            context = self.browser.new_context(viewport=viewport)
            self.addCleanup(context.close)
            page = context.new_page()
            for name, address in PAGES.items():
                page.goto(self.url(address))
                self.assertEqual(page.locator("h1").count(), 1)
                # The home page whole, to show all it offers; the others as first seen.
                whole = name == "home"
                if folder:
                    page.screenshot(path=Path(folder, f"public-{name}-{size}.png"), full_page=whole)
                self.assertAccessible(page, f"{name} ({size})")
            page.goto(self.url("/language/ru/"))
            page.goto(self.url("/"))
            self.assertIn("Последние новости", page.content())
            if folder:
                page.screenshot(path=Path(folder, f"public-home-ru-{size}.png"), full_page=True)
            self.assertAccessible(page, f"Russian home ({size})")

    def assertAccessible(self, page, name):
        """axe-core finds nothing serious or critical on the page."""
        # Axe is there only where Playwright is, as this test is.
        violations = test_browser.Axe().run(page).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        self.assertEqual(serious, [], f"accessibility of {name}")
