"""
End to end, in headless Chromium (Playwright, with Debian's chromium as its
browser): an author writes a news item with an image and sends it to review;
an editor schedules it; a visitor filters the list, finds it, opens it and
goes back to its section. Each page is checked by axe-core (no serious or
critical violations) and by the Content Security Policy (no violation), and
screenshots are kept in test-results/.

Runs where Chromium is installed (`make test` on a developer's machine that
has it); CI installs it and sets E2E_REQUIRED=1, so that there a missing
browser fails instead of skipping.
"""

import datetime
import json
import os
import shutil
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core import serializers
from django.core.management import call_command
from django.db import OperationalError
from django.test import TestCase
from django.utils import timezone

from archive import presence, services
from archive.models import EditingSession, NewsItem, Status

from . import media
from .factories import NewsItemFactory, PersonFactory, SectionFactory, UserFactory

CHROMIUM = (
    os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
REQUIRED = os.environ.get("E2E_REQUIRED") == "1"
# `make screenshots` keeps the desk's pictures in docs/screenshots instead.
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or Path(settings.BASE_DIR) / "test-results")
# The Authors and Editors groups as the migrations make them (RolesFixtureTests
# keeps the two in step).
ROLES_FIXTURE = Path(__file__).parent / "data" / "roles.json"
# What Chromium needs to start as root in a container, and to stay off the
# network it cannot reach here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright
except ImportError:  # only where requirements-dev.txt is not installed
    sync_playwright = None

MISSING = None
if sync_playwright is None:
    MISSING = "Playwright is not installed (requirements-dev.txt)"
elif not CHROMIUM:
    MISSING = "Chromium is not installed (apt-get install chromium)"
if MISSING and REQUIRED:
    raise RuntimeError(f"E2E_REQUIRED=1 but {MISSING}")


@unittest.skipIf(MISSING, MISSING or "")
class BrowserTestCase(StaticLiveServerTestCase):
    """Chromium for each test class, with the pages' checks; no tests of its own."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        # Playwright's sync API runs an event loop in this thread; the ORM
        # calls the test makes between steps are still plain synchronous ones.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        SCREENSHOTS.mkdir(exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def setUp(self):
        # The editorial roles come from migrations, and the flush after each
        # live-server test empties their tables; serialized_rollback cannot
        # bring them back here, because Playwright's event loop gives this
        # thread database connections of its own. Each test loads them again.
        if not Group.objects.exists():
            call_command("loaddata", ROLES_FIXTURE, verbosity=0)
        self.section = SectionFactory(name="Press releases", slug="press-releases")
        SectionFactory(name="Speeches", slug="speeches")
        for name in ("author", "editor"):
            user = UserFactory(username=name, role=name)
            user.set_password(f"{name}-password")
            user.save()
        self.csp_violations = []
        self.pages = []

    def new_page(self, width=1280, height=900):
        if not self.pages:
            self.addCleanup(self.leave_pages)
        context = self.browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        self.pages.append(page)
        page.set_default_timeout(15_000)
        page.on("console", self.watch_console)
        return page

    def leave_pages(self):
        """
        Leave every page, and wait until their goodbyes (the change form's
        presence beacon) have reached the server: no request may arrive
        while the test's database is being emptied.
        """
        for page in self.pages:
            page.goto("about:blank")
        for _ in range(50):
            try:
                if not EditingSession.objects.exists():
                    break
            except OperationalError:
                pass  # SQLite's table is locked while the server writes a goodbye: ask again
            self.pages[0].wait_for_timeout(100)
        for page in self.pages:
            page.context.close()

    def live_file(self, name, content):
        folder = self.enterContext(tempfile.TemporaryDirectory(prefix="cstonews-e2e-"))
        path = Path(folder) / name
        path.write_bytes(content)
        return path

    def watch_console(self, message):
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def url(self, path):
        return f"{self.live_server_url}{path}"

    def check(self, page, name):
        """axe-core on the page as shown: no serious or critical violation."""
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        results = Axe().run(page)
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — {node['html'][:200]}: "
            f"{node.get('failureSummary', '')}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
            for node in v["nodes"][:3]
        ]
        self.assertEqual(serious, [], f"accessibility of {name}")
        self.assertEqual(self.csp_violations, [], f"Content Security Policy on {name}")

    def sign_in(self, page, name):
        page.goto(self.url("/admin/login/?next=/admin/"))
        page.fill("#id_username", name)
        page.fill("#id_password", f"{name}-password")
        page.click("input[type=submit]")
        page.wait_for_url(self.url("/admin/"))

    def in_another_tab(self, page, then=None, sign_out=True):
        """
        Signs `page`'s user out in another tab of the same browser (and, with
        `then`, in again as that user), and closes the tab once its pages
        have loaded: a tab closed mid-navigation can keep Playwright waiting.
        """
        tab = page.context.new_page()
        tab.set_default_timeout(15_000)
        if sign_out:
            tab.goto(self.url("/admin/"))
            with tab.expect_navigation():
                tab.click("#logout-form button")
        if then:
            self.sign_in(tab, then)
        tab.close()

    def choose(self, page, field, text):
        """Pick `text` in one of the admin's autocomplete (select2) fields."""
        page.click(f"#id_{field} + .select2 .select2-selection")
        # A single choice searches in its dropdown, a multiple one in the field itself.
        page.fill(".select2-container--open .select2-search__field", text)
        page.click(f".select2-results__option:has-text('{text}')")


class BrowserTests(BrowserTestCase):
    def test_author_editor_and_visitor(self):
        # The author uploads a photo and writes the item with it as cover.
        author = self.new_page()
        self.sign_in(author, "author")
        self.check(author, "admin-home")
        photo = self.live_file("meeting.jpg", media.image_bytes(size=(1200, 800)))
        author.goto(self.url("/admin/archive/image/add/"))
        author.set_input_files("#id_file", str(photo))
        author.fill("#id_alt_text", "Ministers at the round table")
        author.click("input[name=_save]")
        author.wait_for_selector(".messagelist .success")

        author.goto(self.url("/admin/archive/newsitem/add/"))
        author.fill("#id_title", "Foreign ministers met in Minsk")
        self.choose(author, "section", "Press releases")
        author.fill("#id_lead", "The Council of Foreign Ministers met in Minsk.")
        author.fill(".field-body .tiptap", "The ministers discussed collective security.")
        # The cover's chooser shows each image's thumbnail, and the chosen
        # one's beside the field.
        author.click("#id_cover_image + .select2 .select2-selection")
        author.fill(".select2-dropdown .select2-search__field", "round table")
        author.wait_for_selector(".select2-results__option .image-chooser-result img")
        self.check(author, "admin-image-chooser")
        author.click(".select2-results__option:has-text('Ministers at the round table')")
        thumbnail = author.locator(".field-cover_image .image-chooser-preview img")
        self.assertIn("/media/renditions/", thumbnail.get_attribute("src"))
        self.check(author, "admin-news-item-form")
        author.click("input[name=_continue]")
        author.wait_for_selector(".workflow-panel")
        # A last change to the lead, not saved before the step: it goes along.
        author.fill("#id_lead", "The Council of Foreign Ministers met in Minsk on Friday.")
        author.fill("#workflow-comment", "Ready for review.")
        author.click("button[name=workflow][value=submit]")
        author.wait_for_selector(".state-badge.state-review")
        item = NewsItem.objects.get(title="Foreign ministers met in Minsk")
        self.assertEqual((item.status, item.author.username), (Status.REVIEW, "author"))
        self.assertEqual(item.lead, "The Council of Foreign Ministers met in Minsk on Friday.")
        self.assertIsNotNone(item.cover_image)

        # The editor finds it in the queue and schedules it for a minute ahead.
        editor = self.new_page()
        self.sign_in(editor, "editor")
        editor.goto(self.url("/admin/queue/"))
        self.check(editor, "admin-queue")
        editor.click("text=Foreign ministers met in Minsk")
        go_live = timezone.localtime().replace(second=0, microsecond=0) + datetime.timedelta(
            minutes=2
        )
        editor.fill("#workflow-at", go_live.strftime("%Y-%m-%dT%H:%M"))
        editor.click("button[name=workflow][value=publish]")
        editor.wait_for_selector(".state-badge.state-scheduled")
        self.check(editor, "admin-news-item-scheduled")
        self.assertEqual(NewsItem.objects.get(pk=item.pk).published_at, go_live)

        # A visitor does not see it before its time, and sees it after: the
        # server's clock (this process's) is moved past the go-live.
        visitor = self.new_page()
        visitor.goto(self.url("/news/?section=press-releases"))
        self.assertEqual(visitor.locator("text=Foreign ministers met in Minsk").count(), 0)
        self.enterContext(time_machine.travel(go_live + datetime.timedelta(seconds=5)))
        visitor.goto(self.url("/"))
        self.check(visitor, "home")
        visitor.goto(self.url("/news/"))
        visitor.select_option("#id_section", "press-releases")
        visitor.fill("#id_q", "Minsk")
        visitor.click(".filters button[type=submit]")
        visitor.wait_for_url("**/news/?*section=press-releases*")
        self.check(visitor, "news-list-filtered")
        visitor.click("text=Foreign ministers met in Minsk")
        visitor.wait_for_selector("h1:has-text('Foreign ministers met in Minsk')")
        self.assertEqual(visitor.locator(".item__cover img").count(), 1)
        self.check(visitor, "news-item")
        visitor.click("text=Back to the section")
        visitor.wait_for_url(self.url("/news/press-releases/"))
        self.assertEqual(visitor.locator("h1").inner_text(), "Press releases")

        # The index of persons leads to the person's page, and back; the
        # editor's list of persons links to the public page.
        person = PersonFactory(name="Imangali Tasmagambetov")
        item.persons.add(person)
        visitor.goto(self.url("/persons/"))
        self.check(visitor, "person-index")
        visitor.click("text=Imangali Tasmagambetov")
        visitor.wait_for_url(self.url(person.get_absolute_url()))
        visitor.click(".breadcrumbs >> text=Persons")
        visitor.wait_for_url(self.url("/persons/"))
        editor.goto(self.url("/admin/archive/person/"))
        self.check(editor, "admin-person-list")
        self.assertEqual(editor.locator(f"td a[href='{person.get_absolute_url()}']").count(), 1)

    def test_the_queue_at_1366_px_and_on_a_phone(self):
        author = UserFactory(username="author")
        item = NewsItemFactory(
            title="Summit in Astana",
            section=self.section,
            status=Status.DRAFT,
            published_at=None,
            author=author,
        )
        services.submit_for_review(item=item, user=author, comment="With the final communiqué.")
        for width in (390, 1366):
            page = self.new_page(width)
            self.sign_in(page, "editor")
            page.goto(self.url("/admin/queue/"))
            self.check(page, f"admin-queue-{width}")
            # Every column shows without scrolling sideways.
            fits = "el => el.scrollWidth <= el.clientWidth"
            self.assertTrue(page.locator(".queue-table-wrap").first.evaluate(fits))
        page.click("button:has-text('Publish')")
        page.wait_for_selector(".messagelist .success")
        item.refresh_from_db()
        self.assertEqual(item.status, Status.PUBLISHED)
        # The editor turns their workflow mails off.
        page.click(".queue-tools a")
        page.uncheck("#id_email")
        page.click("input[type=submit]")
        page.wait_for_selector(".messagelist .success")
        self.check(page, "admin-notifications")
        self.assertFalse(page.is_checked("#id_email"))

    def test_leaving_a_changed_form_asks_first(self):
        item = NewsItemFactory(
            section=self.section, status=Status.DRAFT, published_at=None, title="A draft"
        )
        editor = self.new_page()
        self.sign_in(editor, "editor")
        change = self.url(f"/admin/archive/newsitem/{item.pk}/change/")
        asked = []

        def answer(dialog):
            asked.append(dialog.type)
            dialog.dismiss()  # stay on the page

        editor.on("dialog", answer)
        # Untouched, the form lets the editor go without a question.
        editor.goto(change)
        editor.click(".workflow-panel a:has-text('Revisions and full history')")
        editor.wait_for_url("**/history/")
        self.assertEqual(asked, [])
        editor.goto(change)
        editor.fill("#id_title", "A draft, retitled")
        editor.click(".workflow-panel a:has-text('Revisions and full history')")
        editor.wait_for_timeout(500)
        self.assertEqual((asked, editor.url), (["beforeunload"], change))
        # Saving is not leaving: no question, and the new title is kept.
        editor.click("input[name=_continue]")
        editor.wait_for_selector(".messagelist .success")
        self.assertEqual(asked, ["beforeunload"])
        self.assertEqual(NewsItem.objects.get(pk=item.pk).title, "A draft, retitled")
        # A searchable choice changed is an unsaved edit too.
        self.choose(editor, "section", "Speeches")
        editor.click(".workflow-panel a:has-text('Revisions and full history')")
        editor.wait_for_timeout(500)
        self.assertEqual(asked, ["beforeunload", "beforeunload"])
        self.assertEqual(self.csp_violations, [])
        # The test's end leaves the page, unsaved choice and all.
        editor.remove_listener("dialog", answer)
        editor.on("dialog", lambda dialog: dialog.accept())

    def test_the_form_warns_when_its_session_ends(self):
        self.enterContext(mock.patch.object(presence, "HEARTBEAT", datetime.timedelta(seconds=1)))
        item = NewsItemFactory(section=self.section, status=Status.DRAFT, published_at=None)
        editor = self.new_page()
        self.sign_in(editor, "editor")
        editor.goto(self.url(f"/admin/archive/newsitem/{item.pk}/change/"))
        editor.fill("#id_lead", "Typed while signed out elsewhere.")
        # Signed out in another tab of the same browser.
        self.in_another_tab(editor)
        editor.wait_for_selector("#presence-notice.presence-signed-out")
        self.assertIn("no longer signed in", editor.inner_text("#presence-notice"))
        # Save is not sent to the sign-in page, where the text would be lost.
        editor.click("input[name=_continue]")
        editor.wait_for_selector("#presence-notice:focus")
        self.assertIn("/change/", editor.url)
        self.assertEqual(editor.input_value("#id_lead"), "Typed while signed out elsewhere.")
        # Signed in again elsewhere, the next heartbeat finds the session and says
        # nothing more (the form's old token is refused first, and logged).
        with self.assertLogs("django.security.csrf", "WARNING"):
            self.in_another_tab(editor, then="editor", sign_out=False)
            editor.wait_for_selector("#presence-notice:not(.presence-signed-out)", state="attached")
            editor.click("input[name=_continue]")
            editor.wait_for_selector(".messagelist .success")
        self.assertEqual(NewsItem.objects.get(pk=item.pk).lead, "Typed while signed out elsewhere.")

    def test_a_save_just_after_signing_out_elsewhere_is_held_with_the_text(self):
        # Before the next heartbeat (20 s): the save itself finds the session gone.
        item = NewsItemFactory(section=self.section, status=Status.DRAFT, published_at=None)
        for address, field in (
            (f"/admin/archive/newsitem/{item.pk}/change/", "#id_lead"),
            ("/admin/archive/newsitem/add/", "#id_title"),
        ):
            with self.subTest(address=address):
                editor = self.new_page()  # a browser of its own, signed in
                self.sign_in(editor, "editor")
                editor.goto(self.url(address))
                editor.fill(field, "Typed just before the session ended.")
                self.in_another_tab(editor)
                editor.click("input[name=_continue]")
                editor.wait_for_selector("#presence-notice:focus")
                warning = editor.inner_text("#presence-notice")
                self.assertIn("no longer signed in here", warning)
                self.assertEqual(editor.url, self.url(address))
                self.assertEqual(editor.input_value(field), "Typed just before the session ended.")
                # Nothing was stored: no new item, no new lead.
                self.assertEqual(NewsItem.objects.count(), 1)
                if "change" in address:
                    self.assertEqual(NewsItem.objects.get(pk=item.pk).lead, item.lead)
                # Signed in again in another tab, the same click sends what was typed.
                with (
                    self.assertLogs("django.security.csrf", "WARNING"),
                    editor.expect_navigation(),
                ):
                    self.in_another_tab(editor, then="editor", sign_out=False)
                    editor.click("input[name=_continue]")
                self.assertEqual(editor.input_value(field), "Typed just before the session ended.")
                self.assertEqual(editor.locator(".presence-signed-out").count(), 0)
        # The change form's save was stored (the new item's lacks its section).
        self.assertEqual(
            NewsItem.objects.get(pk=item.pk).lead, "Typed just before the session ended."
        )

    def test_a_new_items_save_is_held_when_another_user_signed_in_meanwhile(self):
        page = self.new_page()
        self.sign_in(page, "author")
        page.goto(self.url("/admin/archive/newsitem/add/"))
        page.fill("#id_title", "The author's new item")
        with self.assertLogs("django.security.csrf", "WARNING"):
            self.in_another_tab(page, then="editor")
            page.click("input[name=_continue]")
            page.wait_for_selector("#presence-notice:focus")
        self.assertIn("signed in as someone else", page.inner_text("#presence-notice"))
        self.assertEqual(page.input_value("#id_title"), "The author's new item")
        self.assertFalse(NewsItem.objects.exists())

    def test_a_go_live_time_typed_in_part_holds_the_publish_step(self):
        item = NewsItemFactory(section=self.section, status=Status.REVIEW, published_at=None)
        editor = self.new_page()
        self.sign_in(editor, "editor")
        editor.goto(self.url(f"/admin/archive/newsitem/{item.pk}/change/"))
        # The date alone: the browser would send the field empty, which means "now".
        editor.click("#workflow-at")
        editor.keyboard.type("12102099")
        editor.click("button[name=workflow][value=publish]")
        editor.wait_for_timeout(500)
        self.assertIn("/change/", editor.url)
        message = editor.eval_on_selector("#workflow-at", "input => input.validationMessage")
        self.assertIn("Type both the date and the time", message)
        self.assertEqual(NewsItem.objects.get(pk=item.pk).status, Status.REVIEW)
        # Whole, it schedules.
        editor.fill("#workflow-at", "2099-12-10T10:00")
        editor.click("button[name=workflow][value=publish]")
        editor.wait_for_selector(".state-badge.state-scheduled")

    def test_a_save_is_held_while_the_site_cannot_be_reached(self):
        item = NewsItemFactory(section=self.section, status=Status.DRAFT, published_at=None)
        editor = self.new_page()
        self.sign_in(editor, "editor")
        typed = "Typed while the network is down."
        for address in (
            "/admin/archive/newsitem/add/",
            f"/admin/archive/newsitem/{item.pk}/change/",
        ):
            with self.subTest(address=address):
                editor.goto(self.url(address))
                editor.fill("#id_lead", typed)
                # The network goes: every request fails, as with the server stopped.
                editor.route("**/*", lambda route: route.abort("internetdisconnected"))
                editor.click("input[name=_continue]")
                editor.wait_for_selector("#presence-notice:focus")
                self.assertIn("cannot be reached", editor.inner_text("#presence-notice"))
                self.assertEqual(editor.url, self.url(address))
                self.assertEqual(editor.input_value("#id_lead"), typed)
                editor.unroute("**/*")
        # Back again, the same click saves.
        editor.click("input[name=_continue]")
        editor.wait_for_selector(".messagelist .success")
        self.assertEqual(NewsItem.objects.get(pk=item.pk).lead, typed)

    def test_back_after_a_failed_save_shows_the_typed_body_in_the_editor(self):
        item = NewsItemFactory(section=self.section, body="<p>Stored body.</p>")
        editor = self.new_page()
        self.sign_in(editor, "editor")
        editor.goto(self.url(f"/admin/archive/newsitem/{item.pk}/change/"))
        editor.locator(".field-body .tiptap p", has_text="Stored body.").click()
        editor.keyboard.press("Control+End")
        editor.keyboard.type(" Typed more.")
        editor.wait_for_function("document.querySelector('#id_body').value.includes('Typed more')")
        # Left for another page (a save refused elsewhere), then back.
        editor.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved changes?"
        editor.goto(self.url("/admin/"))
        editor.go_back()
        editor.wait_for_selector(".field-body .tiptap:has-text('Typed more.')")
        self.assertIn("Typed more.", editor.input_value("#id_body"))

    def test_two_editors_on_one_item(self):
        """Each sees the other while both have the form open; the stale save shows their change."""
        self.enterContext(mock.patch.object(presence, "HEARTBEAT", datetime.timedelta(seconds=1)))
        item = NewsItemFactory(
            section=self.section,
            status=Status.DRAFT,
            published_at=None,
            author=User.objects.get(username="author"),
            title="Ministers met",
            lead="The ministers met.",
        )
        services.record_revision(item=item, user=None)
        change = self.url(f"/admin/archive/newsitem/{item.pk}/change/")
        notice = "#presence-notice"

        editor = self.new_page()
        self.sign_in(editor, "editor")
        editor.goto(change)
        author = self.new_page()
        self.sign_in(author, "author")
        author.goto(change)
        self.assertIn("Also editing: editor, since", author.locator(notice).inner_text())
        # The editor's page learns of the author at its next heartbeat.
        editor.wait_for_selector(f"{notice}:has-text('Also editing: author')")
        self.check(editor, "admin-presence")

        # The author saves a new lead and leaves; the editor's notice goes.
        author.fill("#id_lead", "The ministers met in Minsk.")
        author.click("input[name=_continue]")
        author.wait_for_selector(".messagelist .success")
        author.goto(self.url("/admin/"))
        editor.wait_for_selector(f"{notice}:empty", state="attached")

        # The editor, still on version 1, saves a new title: refused, with the
        # author's change shown and the editor's title kept in the form.
        editor.fill("#id_title", "Foreign ministers met")
        editor.click("input[name=_continue]")
        editor.wait_for_selector(".conflict-panel")
        self.assertIn("in Minsk", editor.locator(".conflict-panel ins").inner_text())
        self.assertEqual(editor.input_value("#id_title"), "Foreign ministers met")
        self.check(editor, "admin-conflict")
        editor.check("input[name=conflict-lead][value=theirs]")
        editor.click("text=Save with these choices")
        editor.wait_for_selector(".messagelist .success")
        item.refresh_from_db()
        self.assertEqual(
            (item.title, item.lead, item.version),
            ("Foreign ministers met", "The ministers met in Minsk.", 3),
        )
        # Leaving, the editor's page says goodbye.
        editor.goto(self.url("/admin/"))
        for _ in range(50):
            if not EditingSession.objects.exists():
                break
            editor.wait_for_timeout(100)
        self.assertFalse(EditingSession.objects.exists())


class ListOnAPhoneTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        # The demo's top sections, whose names the header menu lists.
        for name in ("Interviews", "Media about us", "Announcements"):
            SectionFactory(name=name, slug=name.lower().replace(" ", "-"))
        person = PersonFactory(name="Stanislav Zas")
        for n in range(3):
            item = NewsItemFactory(title=f"Ministers met, part {n + 1}", section=self.section)
            item.persons.add(person)

    def lines(self, page, selector):
        """How many lines the items of `selector` wrap to."""
        tops = page.locator(selector).evaluate_all("els => els.map(el => el.offsetTop)")
        return len(set(tops))

    def test_the_filters_fold_behind_one_button(self):
        year = timezone.localdate().year
        page = self.new_page(390, 844)
        page.goto(self.url(f"/news/?section=press-releases&year={year}"))
        button = page.locator("summary.filters-fold__button")
        self.assertEqual(button.inner_text(), "Filters (2)")
        self.assertFalse(page.locator("#id_q").is_visible())
        # The first result shows without scrolling.
        first = page.locator(".teaser").first.bounding_box()
        self.assertLessEqual(first["y"] + first["height"], 844)
        self.assertEqual(self.lines(page, ".site-nav li"), 1)
        self.check(page, "news-list-phone")
        # Opened, the form sends only what was chosen.
        button.click()
        page.fill("#id_q", "ministers")
        page.click(".filters button[type=submit]")
        page.wait_for_url(f"**/news/?q=ministers&section=press-releases&year={year}")
        self.assertIn("News: “ministers”", page.locator("h1").inner_text())
        russian = self.new_page(390, 844)
        russian.goto(self.url("/language/ru/?next=/news/"))
        self.assertEqual(self.lines(russian, ".site-nav li"), 1)
        fits = "el => el.scrollWidth <= el.clientWidth"
        self.assertTrue(russian.locator("body").evaluate(fits), "the page scrolls sideways")
        # On a wider screen the form shows beside the list, without the button.
        wide = self.new_page(1280)
        wide.goto(self.url("/news/"))
        self.assertTrue(wide.locator("#id_q").is_visible())
        self.assertFalse(wide.locator("summary.filters-fold__button").is_visible())
        self.check(wide, "news-list-desktop")


class RolesFixtureTests(TestCase):
    def test_the_browser_tests_roles_are_the_migrations_roles(self):
        made = serializers.serialize(
            "json",
            Group.objects.order_by("name"),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        self.assertEqual(
            json.loads(made),
            json.loads(ROLES_FIXTURE.read_text()),
            "The roles changed: rewrite the fixture with "
            "`manage.py dumpdata auth.group --natural-foreign --natural-primary "
            "--indent 1 -o archive/tests/data/roles.json` on a freshly migrated database.",
        )
