"""
The press office's day at the desk, in headless Chromium: an author writes
with the rich-text editor, uploads a picture with its alternative text on
the item's own form and sends the item to review; an editor opens the queue
and the item, sees "Also editing" when a second editor opens it on a phone,
corrects the title and publishes; the second editor's stale save brings the
conflict view, and they keep their lead and take the corrected title.

axe-core and the Content Security Policy are checked on each page of the
desk. `make screenshots` runs this test with SCREENSHOTS_DIR=docs/screenshots,
which keeps the pictures of the desk that the README links to.
"""

import datetime
from unittest import mock

from archive import presence
from archive.models import NewsItem, Status

from . import media
from .factories import PersonFactory, TopicFactory, UserFactory
from .test_browser import BrowserTestCase

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


class PressOfficeDayTests(BrowserTestCase):
    def test_the_press_office_day(self):
        # The presence heartbeat, every second instead of every 20.
        self.enterContext(mock.patch.object(presence, "HEARTBEAT", datetime.timedelta(seconds=1)))
        PersonFactory(name="Imangali Tasmagambetov")
        TopicFactory(name="Collective security")
        second = UserFactory(username="deputy", role="editor")
        second.set_password("deputy-password")
        second.save()

        # The author writes: rich text, tags, and a photo uploaded right here.
        author = self.new_page(DESKTOP["width"])
        self.sign_in(author, "author")
        author.goto(self.url("/admin/archive/newsitem/add/"))
        author.fill("#id_title", "Foreign ministers met in Minsk")
        self.choose(author, "section", "Press releases")
        author.fill("#id_lead", "The Council of Foreign Ministers met in Minsk.")
        body = author.locator(".field-body .tiptap")
        body.click()
        body.press_sequentially("The ministers discussed ")
        author.keyboard.press("Control+b")
        body.press_sequentially("collective security")
        author.keyboard.press("Control+b")
        body.press_sequentially(".")
        self.choose(author, "persons", "Imangali Tasmagambetov")
        self.choose(author, "topics", "Collective security")
        photo = self.live_file("meeting.jpg", media.image_bytes("PNG", size=(1200, 800)))
        author.set_input_files("#id_new_image", str(photo))
        author.fill("#id_new_image_alt_text", "Ministers at the round table")
        author.click("body")
        self.check(author, "desk-change-form-1366")
        author.click("input[name=_continue]")
        author.wait_for_selector(".workflow-panel")
        item = NewsItem.objects.get(title="Foreign ministers met in Minsk")
        self.assertIn("<strong>collective security</strong>", item.body)
        self.assertEqual(item.cover_image.alt_text, "Ministers at the round table")
        # A PNG called .jpg is stored under the extension its content has.
        self.assertTrue(item.cover_image.file.name.endswith(".png"))
        author.fill("#workflow-comment", "Ready for review.")
        author.click("button[name=workflow][value=submit]")
        author.wait_for_selector(".state-badge.state-review")
        self.assertEqual(NewsItem.objects.get(pk=item.pk).status, Status.REVIEW)
        author.set_viewport_size(PHONE)
        author.goto(self.url(f"/admin/archive/newsitem/{item.pk}/change/"))
        self.check(author, "desk-read-only-phone")
        self.assertEqual(author.locator(".field-rich_text").count(), 1)
        self.assertNotIn("&lt;p&gt;", author.content())
        author.goto(self.url("/admin/"))

        # The editor finds it in the queue, waiting, with the author's comment.
        editor = self.new_page(DESKTOP["width"])
        self.sign_in(editor, "editor")
        editor.goto(self.url("/admin/queue/"))
        self.check(editor, "desk-queue-1366")
        row = editor.locator("tr", has_text="Foreign ministers met in Minsk")
        self.assertIn("Ready for review.", row.inner_text())
        row.locator("a:has-text('Open')").click()
        editor.wait_for_selector(".workflow-panel")

        # A second editor opens the same item on a phone: both are told.
        deputy = self.new_page(PHONE["width"])
        self.sign_in(deputy, "deputy")
        deputy.goto(self.url("/admin/queue/"))
        self.check(deputy, "desk-queue-phone")
        deputy.goto(self.url(f"/admin/archive/newsitem/{item.pk}/change/"))
        self.assertIn("Also editing: editor", deputy.locator("#presence-notice").inner_text())
        editor.wait_for_selector("#presence-notice:has-text('Also editing: deputy')")
        self.check(editor, "desk-presence-1366")
        self.check(deputy, "desk-change-form-phone")

        # The editor corrects the title and publishes in one press.
        editor.fill("#id_title", "CSTO foreign ministers met in Minsk")
        editor.click("button[name=workflow][value=publish]")
        editor.wait_for_selector(".messagelist .success:has-text('is now published')")
        item.refresh_from_db()
        self.assertEqual(
            (item.status, item.title), (Status.PUBLISHED, "CSTO foreign ministers met in Minsk")
        )

        # The deputy, still on the old version, saves a longer lead: refused,
        # with the editor's change beside what they typed, which is kept.
        lead = "The Council of Foreign Ministers met in Minsk on Friday."
        deputy.fill("#id_lead", lead)
        deputy.click("input[name=_continue]")
        deputy.wait_for_selector(".conflict-panel")
        self.assertIn("CSTO", deputy.locator(".conflict-panel").inner_text())
        self.assertEqual(deputy.input_value("#id_lead"), lead)
        self.check(deputy, "desk-conflict-phone")
        deputy.set_viewport_size(DESKTOP)
        self.check(deputy, "desk-conflict-1366")
        deputy.check("input[name=conflict-title][value=theirs]")
        deputy.click("text=Save with these choices")
        deputy.wait_for_selector(".messagelist .success")
        item.refresh_from_db()
        self.assertEqual(
            (item.title, item.lead, item.status),
            ("CSTO foreign ministers met in Minsk", lead, Status.PUBLISHED),
        )
