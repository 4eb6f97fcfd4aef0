"""
The rich-text editor of news bodies in headless Chromium: what an editor types
is stored as the HTML the sanitizer keeps, text pasted from Word keeps its
structure and loses the rest, an unchanged body saves unchanged, and the page
breaks no Content Security Policy rule.
"""

from archive import services
from archive.models import NewsItem, Revision

from . import test_browser
from .factories import NewsItemFactory

# What Word puts on the clipboard: styled spans, Office tags, fonts, a table.
WORD_HTML = """
<html xmlns:o="urn:schemas-microsoft-com:office:office"><body>
<h1 class="MsoTitle" style="font-family:Cambria">Summit report</h1>
<p class="MsoNormal" style="margin:0;font-family:Calibri"><span
 style="font-size:14pt;color:red"><b>Leaders</b> met in <i>Moscow</i></span><o:p></o:p></p>
<ul><li style="mso-list:l0 level1"><span style="font-family:Symbol">First point</span></li></ul>
<table border="1"><tr><td style="width:100px">Cell text</td><td>Next cell</td></tr>
<tr><td><p class=MsoNormal>Word cell<o:p></o:p></p></td></tr></table>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if
!supportLists]><span style='font-family:Symbol'>·<span style='font:7.0pt "Times New Roman"'
>&nbsp;&nbsp;&nbsp;&nbsp;
</span></span><![endif]>Word bullet one<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='mso-list:l0 level1 lfo1'><![if !supportLists]><span
style='font-family:Symbol'>·<span>&nbsp;&nbsp; </span></span><![endif]>Word bullet two<o:p
></o:p></p>
<p class=MsoListParagraph style='mso-list:l1 level1 lfo2'><![if !supportLists]><span>1.<span
>&nbsp;&nbsp;
</span></span><![endif]>Numbered one<o:p></o:p></p>
<p><font face="Arial" color="blue">Font text</font>
 <a href="https://example.org/report" style="color:blue">the report</a></p>
<script>alert(1)</script>
</body></html>
"""


class EditorBrowserTests(test_browser.BrowserTestCase):
    def open_item(self, item):
        page = self.new_page()
        self.sign_in(page, "editor")
        page.goto(self.url(f"/admin/archive/newsitem/{item.pk}/change/"))
        page.wait_for_selector(".field-body .tiptap")
        return page

    def caret_to_end(self, page):
        """
        Press Control+End in the focused editor and wait until the editor
        itself has the caret after the last character: ProseMirror reads the
        browser's selection a moment after the browser moves it, and a key
        pressed in between lands where the caret was before.
        """
        page.wait_for_function("document.activeElement.matches('.field-body .tiptap')")
        page.keyboard.press("Control+End")
        page.wait_for_function(
            """() => {
                const {selection, doc} = document.querySelector(".field-body .tiptap").editor.state;
                return selection.empty && selection.to === doc.content.size - 1;
            }"""
        )

    def save(self, page):
        page.click("input[name=_continue]")
        page.wait_for_selector(".messagelist .success")
        self.assertEqual(self.csp_violations, [], "Content Security Policy")

    def test_typed_bold_list_and_link_are_stored(self):
        item = NewsItemFactory(section=self.section, body="<p>Start</p>")
        page = self.open_item(item)
        self.check(page, "editor-news-item")
        # Into the stored paragraph, once the editor shows it: a click before
        # the editor has loaded the text would type into an empty document.
        page.locator(".field-body .tiptap p", has_text="Start").click()
        self.caret_to_end(page)
        page.keyboard.press("Enter")
        page.keyboard.press("Control+b")
        page.keyboard.type("Bold words")
        page.keyboard.press("Control+b")
        page.keyboard.press("Enter")
        page.keyboard.type("- first point")  # Markdown-like: a bullet list
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")
        page.keyboard.type("the report")
        page.keyboard.press("Shift+Home")
        page.click(".field-body button[data-name=link]")
        page.fill(".prose-editor-dialog input[name=href]", "https://example.org/report")
        page.click(".prose-editor-dialog button[type=submit]")
        self.save(page)
        item.refresh_from_db()
        self.assertEqual(
            item.body,
            "<p>Start</p><p><strong>Bold words</strong></p><ul><li><p>first point</p></li></ul>"
            '<p><a href="https://example.org/report" title="" rel="noopener noreferrer">'
            "the report</a></p>",
        )

    def test_the_russian_admin_names_the_toolbar_and_dialogs_in_russian(self):
        page = self.new_page()
        page.context.set_extra_http_headers({"Accept-Language": "ru"})
        self.sign_in(page, "editor")
        item = NewsItemFactory(section=self.section, body="<p>Саммит в Минске</p>")
        page.goto(self.url(f"/admin/archive/newsitem/{item.pk}/change/"))
        menubar = page.locator(".field-body .prose-menubar")
        names = menubar.locator("button[title]").evaluate_all(
            "buttons => buttons.map(b => [b.title, b.getAttribute('aria-label')])"
        )
        self.assertIn(["полужирный", "полужирный"], names)
        self.assertIn(["маркированный список", "маркированный список"], names)
        # No name is left in English (Latin letters).
        self.assertEqual([name for name, _ in names if name.isascii()], [])
        page.click(".field-body .tiptap")
        page.keyboard.press("Control+A")  # a link needs text chosen
        link = menubar.locator("button[title='вставить ссылку']:not(.disabled)")
        link.click()
        dialog = page.locator("dialog.prose-editor-dialog[open]")
        self.assertIn("Адрес", dialog.inner_text())
        dialog.locator("button", has_text="Отмена").click()

    def test_toolbar_offers_only_what_the_sanitizer_keeps(self):
        page = self.open_item(NewsItemFactory(section=self.section))
        buttons = page.locator(".field-body .prose-menubar button").evaluate_all(
            "buttons => buttons.map(b => b.dataset.name).filter(Boolean)"
        )
        self.assertEqual(
            sorted(buttons),
            sorted(
                [
                    "heading2",
                    "heading3",
                    "heading4",
                    "paragraph",
                    "bulletList",
                    "orderedList",
                    "orderedListProperties",
                    "blockquote",
                    "bold",
                    "italic",
                    "link",
                    "unlink",
                    "history:undo",
                    "history:redo",
                ]
            ),
        )

    def test_paste_from_word_keeps_structure_only(self):
        item = NewsItemFactory(section=self.section, body="<p>Start</p>")
        page = self.open_item(item)
        page.click(".field-body .tiptap")
        self.caret_to_end(page)
        page.keyboard.press("Enter")
        page.locator(".field-body .tiptap").evaluate(
            """(element, html) => {
                const data = new DataTransfer();
                data.setData("text/html", html);
                data.setData("text/plain", "plain");
                element.dispatchEvent(new ClipboardEvent("paste", {
                    clipboardData: data, bubbles: true, cancelable: true,
                }));
            }""",
            WORD_HTML,
        )
        self.save(page)
        item.refresh_from_db()
        for kept in (
            "<h2>Summit report</h2>",  # the page's title is its only h1
            "<strong>Leaders</strong> met in <em>Moscow</em>",
            "<li><p>First point</p></li>",
            "<p>Cell text</p><p>Next cell</p><p>Word cell</p>",
            "<ul><li><p>Word bullet one</p></li><li><p>Word bullet two</p></li></ul>",
            "<li><p>Numbered one</p></li></ol>",
            "Font text",
            '<a href="https://example.org/report" rel="noopener noreferrer">the report</a>',
        ):
            self.assertIn(kept, item.body)
        for dropped in (
            "style",
            "span",
            "font",
            "<table",
            "<td",
            "o:p",
            "class",
            "·",
            "<h1",
            "<p></p>",
        ):
            self.assertNotIn(dropped, item.body)
        self.assertNotIn("alert", item.body)

    def test_unchanged_body_saves_unchanged(self):
        for body in ("<p>One</p><p>Two</p>", "<p>One</p>\n\n<p>Two</p>"):
            with self.subTest(body=body):
                item = NewsItemFactory(section=self.section, body=body)
                before = services.snapshot(item)
                page = self.open_item(item)
                self.save(page)
                item = NewsItem.objects.get(pk=item.pk)
                self.assertEqual(item.body, body)
                revision = Revision.for_item(item).get(version=item.version)
                changed = [c.label for c in services.compare(NewsItem, before, revision.data)]
                self.assertNotIn("body", changed)

    def test_plain_text_body_opens_as_paragraphs(self):
        # Imports may have stored text without tags.
        item = NewsItemFactory(section=self.section)
        NewsItem.objects.filter(pk=item.pk).update(body="One\n\nTwo")
        page = self.open_item(item)
        self.assertEqual(page.inner_html(".field-body .tiptap"), "<p>One</p><p>Two</p>")
        self.save(page)
        item.refresh_from_db()
        self.assertEqual(item.body, "<p>One</p>\n\n<p>Two</p>")
