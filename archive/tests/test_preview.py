import datetime

import time_machine
from django.test import TestCase, override_settings
from django.utils import timezone

from archive import services
from archive.models import NewsItem, Revision, Status
from archive.preview import preview_url

from .factories import (
    NewsItemFactory,
    PersonFactory,
    SectionFactory,
    StatementFactory,
    UserFactory,
)
from .test_media import make_attachment

NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


class StaffPreviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = UserFactory(username="editor", role="editor")
        cls.author = UserFactory(username="author", role="author")
        cls.draft = NewsItemFactory(status=Status.DRAFT, published_at=None, title="Draft item")

    def test_staff_see_any_item_with_a_banner_and_no_caching(self):
        for user in (self.editor, self.author):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(self.draft.get_absolute_url())
                self.assertContains(response, "Preview: this item is “Draft”")
                self.assertIn("no-store", response["Cache-Control"])
                self.assertEqual(response["X-Robots-Tag"], "noindex")

    def test_staff_and_preview_links_see_the_items_persons(self):
        self.draft.persons.add(PersonFactory(name="Imangali Tasmagambetov"))
        self.client.force_login(self.editor)
        self.assertContains(self.client.get(self.draft.get_absolute_url()), "Tasmagambetov")
        self.client.logout()
        self.assertContains(self.client.get(preview_url(self.draft)), "Tasmagambetov")

    def test_visitors_get_a_404(self):
        self.assertEqual(self.client.get(self.draft.get_absolute_url()).status_code, 404)
        staff_without_rights = UserFactory(username="clerk")
        self.client.force_login(staff_without_rights)
        self.assertEqual(self.client.get(self.draft.get_absolute_url()).status_code, 404)

    def test_public_items_have_no_banner(self):
        self.client.force_login(self.editor)
        response = self.client.get(NewsItemFactory().get_absolute_url())
        self.assertNotContains(response, "Preview:")
        self.assertNotIn("no-store", response.get("Cache-Control", ""))


class PreviewLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.item = NewsItemFactory(status=Status.REVIEW, published_at=None, title="Under review")
        cls.statement = StatementFactory(status=Status.DRAFT, title="Draft statement")

    def test_a_valid_link_shows_the_item_as_it_will_appear(self):
        for obj in (self.item, self.statement):
            with self.subTest(obj=obj):
                response = self.client.get(preview_url(obj))
                self.assertContains(response, obj.title)
                self.assertContains(response, "Preview: this item is")
                self.assertIn("no-store", response["Cache-Control"])

    def test_the_link_holder_downloads_the_items_documents_and_no_others(self):
        document = make_attachment(title="Draft communiqué")
        self.item.attachments.add(document)
        other = make_attachment(title="Another draft's annex")
        NewsItemFactory(status=Status.DRAFT, published_at=None).attachments.add(other)
        link = preview_url(self.item)
        page = self.client.get(link)
        download = f"{link}documents/{document.pk}/"
        self.assertContains(page, f'href="{download}"')
        self.assertNotContains(page, f'href="/documents/{document.pk}/"')  # a 404 for them
        response = self.client.get(download)
        self.assertEqual(response.status_code, 200)
        self.assertIn("no-store", response["Cache-Control"])
        self.assertEqual(response["X-Robots-Tag"], "noindex")
        self.assertEqual(self.client.get(f"{link}documents/{other.pk}/").status_code, 404)
        # Revoked, the link gives neither the page nor its documents.
        services.revoke_preview_links(item=self.item, user=UserFactory(role="editor"))
        self.assertEqual(self.client.get(download).status_code, 404)

    def test_a_preview_names_no_address_to_search_engines_or_sharers(self):
        page = self.client.get(preview_url(self.item)).content.decode()
        for tag in ('rel="canonical"', 'property="og:url"', 'rel="alternate" hreflang', "ld+json"):
            self.assertNotIn(tag, page)
        self.assertIn('<meta name="robots" content="noindex">', page)

    def test_an_expired_link_is_404(self):
        with time_machine.travel(NOW, tick=False):
            url = preview_url(self.item)
        with time_machine.travel(NOW + datetime.timedelta(days=6, hours=23), tick=False):
            self.assertEqual(self.client.get(url).status_code, 200)
        with time_machine.travel(NOW + datetime.timedelta(days=7, seconds=1), tick=False):
            self.assertEqual(self.client.get(url).status_code, 404)

    @override_settings(PREVIEW_LINK_DAYS=1)
    def test_the_lifetime_is_a_setting(self):
        with time_machine.travel(NOW, tick=False):
            url = preview_url(self.item)
        with time_machine.travel(NOW + datetime.timedelta(days=1, seconds=1), tick=False):
            self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_tampered_link_is_404(self):
        url = preview_url(self.item)
        token = url.rstrip("/").rsplit("/", 1)[1]
        for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", token + "x", "a:b:c"):
            with self.subTest(forged=forged):
                self.assertEqual(self.client.get(f"/preview/{forged}/").status_code, 404)

    def test_a_link_to_a_deleted_item_is_404(self):
        url = preview_url(self.item)
        self.item.delete()
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_link_sends_to_the_public_page_once_the_item_is_published(self):
        editor = UserFactory(username="editor", role="editor")
        url = preview_url(self.item)
        services.publish(item=self.item, user=editor)
        self.item.title = "Changed after publication"
        services.save_item(item=self.item, user=editor)
        response = self.client.get(url)
        self.assertRedirects(response, self.item.get_absolute_url())
        self.assertIn("no-store", response["Cache-Control"])

    def test_a_link_to_an_archived_or_expired_item_is_404(self):
        editor = UserFactory(username="editor", role="editor")
        url = preview_url(self.item)
        services.publish(item=self.item, user=editor)
        services.archive(item=self.item, user=editor)
        self.assertEqual(self.client.get(url).status_code, 404)
        expired = NewsItemFactory(
            published_at=timezone.now() - datetime.timedelta(days=2),
            expire_at=timezone.now() - datetime.timedelta(days=1),
        )
        self.assertEqual(self.client.get(preview_url(expired)).status_code, 404)

    def test_a_link_shows_a_scheduled_item_until_it_goes_live(self):
        go_live = NOW + datetime.timedelta(hours=1)
        scheduled = NewsItemFactory(title="Scheduled item", published_at=go_live)
        with time_machine.travel(NOW, tick=False):
            url = preview_url(scheduled)
            self.assertContains(self.client.get(url), "Scheduled item")
        with time_machine.travel(go_live, tick=False):
            self.assertRedirects(self.client.get(url), scheduled.get_absolute_url())

    def test_a_link_keeps_working_for_newer_versions_but_not_older_ones(self):
        editor = UserFactory(username="editor", role="editor")
        url = preview_url(self.item)
        self.item.title = "Edited under review"
        services.save_item(item=self.item, user=editor)
        self.assertContains(self.client.get(url), "Edited under review")
        # An older version of the item (brought back from a backup, say).
        newer = preview_url(self.item)
        NewsItem.objects.filter(pk=self.item.pk).update(version=self.item.version - 1)
        self.assertEqual(self.client.get(newer).status_code, 404)

    def test_an_editor_revokes_every_link_of_an_item(self):
        editor = UserFactory(username="editor", role="editor")
        old, other = preview_url(self.item), preview_url(self.statement)
        services.record_revision(item=self.item, user=editor)
        services.revoke_preview_links(item=self.item, user=editor)
        self.assertEqual(self.client.get(old).status_code, 404)
        self.assertContains(self.client.get(preview_url(self.item)), "Under review")
        self.assertContains(self.client.get(other), "Draft statement")
        self.item.refresh_from_db()
        self.assertEqual(self.item.preview_revoked_by, editor)
        # Restoring a revision made before does not bring the revoked links back.
        revision = Revision.for_item(self.item).get()
        services.restore_revision(revision=revision, user=editor)
        self.assertEqual(self.client.get(old).status_code, 404)

    def test_an_author_cannot_revoke_links(self):
        author = UserFactory(username="author", role="author")
        url = preview_url(self.item)
        with self.assertRaises(services.WorkflowError):
            services.revoke_preview_links(item=self.item, user=author)
        self.assertEqual(self.client.get(url).status_code, 200)


class SlugRedirectTests(TestCase):
    def test_a_renamed_item_keeps_its_old_address(self):
        editor = UserFactory(username="editor", role="editor")
        item = NewsItemFactory(section=SectionFactory(slug="news"), slug="old-name")
        item.slug = "new-name"
        services.save_item(item=item, user=editor)
        response = self.client.get("/news/news/old-name/")
        self.assertRedirects(response, "/news/news/new-name/", status_code=301)

        statement = StatementFactory(slug="old-statement")
        statement.slug = "new-statement"
        services.save_item(item=statement, user=editor)
        response = self.client.get("/statements/old-statement/")
        self.assertRedirects(response, "/statements/new-statement/", status_code=301)

    def test_the_old_address_of_an_unpublished_item_stays_404(self):
        editor = UserFactory(username="editor", role="editor")
        item = NewsItemFactory(section=SectionFactory(slug="news"), slug="old-name")
        item.slug = "new-name"
        services.save_item(item=item, user=editor)
        services.archive(item=item, user=editor)
        self.assertEqual(self.client.get("/news/news/old-name/").status_code, 404)


class SchedulingOnEveryPublicSurfaceTests(TestCase):
    """A scheduled item appears everywhere at its time, and leaves everywhere at expiry."""

    def surfaces(self, item, person):
        yield "/"
        yield "/news/"
        yield item.section.get_absolute_url()
        yield person.get_absolute_url()

    def assertVisible(self, item, person, visible):
        self.assertEqual(
            self.client.get(item.get_absolute_url()).status_code, 200 if visible else 404
        )
        for url in self.surfaces(item, person):
            with self.subTest(url=url, visible=visible):
                response = self.client.get(url)
                if visible:
                    self.assertContains(response, item.title)
                else:
                    # A person no public item names has no page at all.
                    hidden = 404 if url == person.get_absolute_url() else 200
                    self.assertNotContains(response, item.title, status_code=hidden)

    def test_before_at_and_after(self):
        go_live = NOW + datetime.timedelta(hours=1)
        expiry = NOW + datetime.timedelta(hours=5)
        item = NewsItemFactory(title="Scheduled item", published_at=go_live, expire_at=expiry)
        person = PersonFactory()
        item.persons.add(person)
        statement = StatementFactory(
            title="Scheduled statement", published_at=go_live, expire_at=expiry
        )
        moments = [
            (NOW, False),
            (go_live - datetime.timedelta(seconds=1), False),
            (go_live, True),
            (expiry - datetime.timedelta(seconds=1), True),
            (expiry, False),
        ]
        for moment, visible in moments:
            with time_machine.travel(moment, tick=False):
                self.assertEqual(timezone.now(), moment)
                self.assertVisible(item, person, visible)
                self.assertStatementVisible(statement, visible)

    def assertStatementVisible(self, statement, visible):
        self.assertEqual(
            self.client.get(statement.get_absolute_url()).status_code, 200 if visible else 404
        )
        for url in ("/", "/statements/", statement.adopted_by.get_absolute_url()):
            with self.subTest(url=url, visible=visible):
                response = self.client.get(url)
                if visible:
                    self.assertContains(response, statement.title)
                else:
                    hidden = 404 if url == statement.adopted_by.get_absolute_url() else 200
                    self.assertNotContains(response, statement.title, status_code=hidden)
