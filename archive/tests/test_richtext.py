"""Rich text in the admin: the editor's allow-list, and read-only pages showing text, not tags."""

from django.test import SimpleTestCase
from django_prose_editor.config import allowlist_from_extensions, expand_extensions

from archive import services
from archive.models import NewsItem, Status
from archive.richtext import EXTENSIONS, RichTextWidget, same_rich_text
from archive.sanitize import (
    ALLOWED_ATTRIBUTE_VALUES,
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    html_to_text,
)

from .factories import StatementFactory
from .test_workflow_admin import AdminWorkflowTestCase, change_url


class EditorConfigTests(SimpleTestCase):
    def test_the_editor_makes_only_tags_the_sanitizer_keeps(self):
        allowed = allowlist_from_extensions(expand_extensions(EXTENSIONS))
        self.assertLessEqual(allowed["tags"], ALLOWED_TAGS)
        self.assertEqual(
            {"h2", "h3", "h4", "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a"},
            allowed["tags"],
        )
        # Attributes the editor may write but the sanitizer drops: rel is
        # replaced by its own; data-type is the editor's own mark, its kind
        # of numbers being in type as well.
        self.assertEqual(allowed["attributes"]["a"] - ALLOWED_ATTRIBUTES["a"], {"rel"})
        kept = ALLOWED_ATTRIBUTES["ol"] | set(ALLOWED_ATTRIBUTE_VALUES["ol"])
        self.assertEqual(allowed["attributes"]["ol"] - kept, {"data-type"})

    def test_plain_text_opens_as_paragraphs(self):
        html = RichTextWidget().format_value("One\n\nTwo")
        self.assertEqual(html, "<p>One</p>\n\n<p>Two</p>")
        self.assertEqual(RichTextWidget().format_value("<p>One</p>"), "<p>One</p>")

    def test_same_rich_text_ignores_spacing_between_tags_only(self):
        self.assertTrue(same_rich_text("<p>One</p><p>Two</p>", "<p>One</p>\n\n<p>Two</p>"))
        self.assertTrue(same_rich_text("One\n\nTwo", "<p>One</p><p>Two</p>"))
        self.assertFalse(same_rich_text("<p>One</p>", "<p><strong>One</strong></p>"))
        self.assertFalse(same_rich_text("<p>One two</p>", "<p>Onetwo</p>"))

    def test_html_to_text_keeps_words_apart(self):
        self.assertEqual(
            html_to_text(
                "<h2>Title</h2><p>One &amp; <b>two</b><br>three</p><ul><li>Four</li></ul>"
            ),
            "Title\nOne & two\nthree\nFour",
        )


class ReadOnlyRichTextTests(AdminWorkflowTestCase):
    def test_author_sees_the_text_of_an_item_in_review_not_its_tags(self):
        item = self.draft(body="<p>Ministers <strong>met</strong></p><p>in Minsk</p>")
        services.submit_for_review(item=item, user=self.author)
        self.login(self.author)
        page = self.client.get(change_url(item))
        self.assertNotContains(page, 'name="body"')
        self.assertContains(page, "<p>Ministers <strong>met</strong></p><p>in Minsk</p>", html=True)
        self.assertNotContains(page, "&lt;p&gt;")

    def test_read_only_text_is_sanitized_again(self):
        item = self.draft()
        NewsItem.objects.filter(pk=item.pk).update(
            body='<p onclick="x()">Hi</p><script>alert(1)</script>', status=Status.REVIEW
        )
        self.login(self.author)
        page = self.client.get(change_url(item))
        self.assertContains(page, "<p>Hi</p>", html=True)
        self.assertNotContains(page, "alert(1)")
        self.assertNotContains(page, "onclick")

    def test_comparison_shows_words_without_tags(self):
        item = self.draft(body="<p>One</p><p>Two</p>")
        services.record_revision(item=item, user=self.author)
        item.body = "<p>One</p><p>Three &amp; four</p>"
        services.save_item(item=item, user=self.author, expected_version=item.version)
        services.record_revision(item=item, user=self.author)
        self.login(self.editor)
        page = self.client.get(f"/admin/archive/newsitem/{item.pk}/history/{item.version}/")
        self.assertContains(page, "One <del>Two</del> <ins>Three &amp; four</ins>", html=True)
        self.assertNotContains(page, "&lt;p&gt;")
        self.assertNotContains(page, "OneTwo")
        history = self.client.get(f"/admin/archive/newsitem/{item.pk}/history/")
        self.assertNotContains(history, "&lt;p&gt;")

    def test_editor_gets_the_rich_text_editor_for_statements(self):
        statement = StatementFactory(text="<p>Declared</p>")
        self.login(self.editor)
        page = self.client.get(f"/admin/archive/statement/{statement.pk}/change/")
        self.assertContains(page, "data-django-prose-editor-archive")
        self.assertContains(page, "js/prose-editor.js")
        self.assertNotContains(page, "importmap")


class UnchangedSaveTests(AdminWorkflowTestCase):
    def test_posting_the_stored_body_in_other_spacing_keeps_it(self):
        item = self.draft(body="<p>One</p>\n\n<p>Two</p>")
        self.login(self.editor)
        response = self.client.post(
            change_url(item), self.form_data(item, body="<p>One</p><p>Two</p>")
        )
        self.assertEqual(response.status_code, 302)
        item.refresh_from_db()
        self.assertEqual(item.body, "<p>One</p>\n\n<p>Two</p>")

    def test_an_edited_body_is_saved_sanitized(self):
        item = self.draft(body="<p>One</p>")
        self.login(self.editor)
        response = self.client.post(
            change_url(item),
            self.form_data(item, body='<p style="color:red">One <strong>two</strong></p>'),
        )
        self.assertEqual(response.status_code, 302)
        item.refresh_from_db()
        self.assertEqual(item.body, "<p>One <strong>two</strong></p>")


class WhatTheEditorShowsIsSavedTests(AdminWorkflowTestCase):
    def test_a_numbered_lists_start_and_kind_of_numbers_are_kept(self):
        item = self.draft(body="<p>One</p>")
        self.login(self.editor)
        body = '<ol start="3" type="i"><li>Third</li></ol><ol start="x" type="disc"><li>A</li></ol>'
        self.client.post(change_url(item), self.form_data(item, body=body))
        item.refresh_from_db()
        self.assertEqual(item.body, '<ol start="3" type="i"><li>Third</li></ol><ol><li>A</li></ol>')

    def test_a_link_saving_would_empty_is_a_form_error_that_keeps_the_text(self):
        item = self.draft(body="<p>One</p>")
        self.login(self.editor)
        for address in (
            "ftp://example.org/x",
            "www.odkb-csto.org",
            "javascript:alert(1)",
            # Other sites, as a browser reads these: they pass for this site's own addresses.
            "//evil.example/",
            "/\\evil.example",
            "/\t/evil.example",
        ):
            with self.subTest(address=address):
                body = f'<p>See <a href="{address}">the report</a>, typed.</p>'
                response = self.client.post(change_url(item), self.form_data(item, body=body))
                self.assertContains(response, "cannot be kept")
                self.assertContains(response, "typed.")
                item.refresh_from_db()
                self.assertEqual(item.body, "<p>One</p>")
        # Web, e-mail and telephone links, and the site's own addresses, are kept.
        body = (
            '<p><a href="https://odkb-csto.org/">Site</a> <a href="mailto:press@odkb.org">Mail</a> '
            '<a href="tel:+74957952710">Call</a> <a href="/news/">News</a></p>'
        )
        self.assertEqual(
            self.client.post(change_url(item), self.form_data(item, body=body)).status_code, 302
        )
        item.refresh_from_db()
        self.assertIn('href="tel:+74957952710"', item.body)
