import datetime

import time_machine
from django.test import TestCase
from django.utils import timezone, translation

from archive import services
from archive.models import NewsItem, PublicState, Revision, SlugRedirect, Status, Transition

from .factories import (
    MediaLinkFactory,
    NewsItemFactory,
    PersonFactory,
    SectionFactory,
    StatementFactory,
    UserFactory,
)

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


class RoleTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = UserFactory(username="author", role="author")
        cls.other_author = UserFactory(username="other", role="author")
        cls.editor = UserFactory(username="editor", role="editor")
        cls.superuser = UserFactory(username="root", is_superuser=True)

    def draft(self, **kwargs):
        return NewsItemFactory(
            **{"status": Status.DRAFT, "published_at": None, "author": self.author, **kwargs}
        )

    def in_review(self, **kwargs):
        item = self.draft(**kwargs)
        return services.submit_for_review(item=item, user=self.author)


class TransitionTests(RoleTestCase):
    def test_the_whole_path_is_recorded(self):
        item = self.draft()
        services.submit_for_review(item=item, user=self.author, comment="Ready")
        services.send_back(item=item, user=self.editor, comment="Add the date")
        services.submit_for_review(item=item, user=self.author)
        services.publish(item=item, user=self.editor)
        services.archive(item=item, user=self.editor, comment="Outdated")
        services.restore_to_draft(item=item, user=self.editor)
        steps = list(
            Transition.for_item(item)
            .order_by("id")
            .values_list("user__username", "from_status", "to_status", "comment")
        )
        self.assertEqual(
            steps,
            [
                ("author", "draft", "review", "Ready"),
                ("editor", "review", "draft", "Add the date"),
                ("author", "draft", "review", ""),
                ("editor", "review", "published", ""),
                ("editor", "published", "archived", "Outdated"),
                ("editor", "archived", "draft", ""),
            ],
        )
        item.refresh_from_db()
        self.assertEqual(item.status, Status.DRAFT)

    def test_authors_cannot_publish_send_back_archive_or_restore(self):
        item = self.in_review()
        for step in (services.publish, services.archive, services.restore_to_draft):
            with (
                self.subTest(step=step.__name__),
                self.assertRaisesMessage(services.WorkflowError, "Only an editor"),
            ):
                step(item=item, user=self.author)
        with self.assertRaisesMessage(services.WorkflowError, "Only an editor"):
            services.send_back(item=item, user=self.author, comment="no")
        item.refresh_from_db()
        self.assertEqual(item.status, Status.REVIEW)

    def test_an_author_submits_only_their_own_drafts(self):
        item = self.draft()
        with self.assertRaises(services.WorkflowError):
            services.submit_for_review(item=item, user=self.other_author)
        services.submit_for_review(item=item, user=self.editor)  # an editor may
        self.assertEqual(item.status, Status.REVIEW)

    def test_invalid_transitions_are_refused_with_a_reason(self):
        draft = self.draft(title="Ministers met")
        archived = self.draft(title="Withdrawn", status=Status.ARCHIVED)
        with self.assertRaisesMessage(
            services.WorkflowError, "“Withdrawn” is “Archived”. Only a draft, an item in review"
        ):
            services.publish(item=archived, user=self.editor)
        with self.assertRaisesMessage(services.WorkflowError, "Only a published item"):
            services.archive(item=draft, user=self.editor)
        published = NewsItemFactory()
        with self.assertRaisesMessage(services.WorkflowError, "Only a draft"):
            services.submit_for_review(item=published, user=self.editor)
        self.assertFalse(Transition.objects.exists())

    def test_sending_back_needs_a_comment(self):
        item = self.in_review()
        with self.assertRaisesMessage(services.WorkflowError, "comment is required"):
            services.send_back(item=item, user=self.editor, comment="  ")

    def test_superusers_are_editors(self):
        item = self.in_review()
        services.publish(item=item, user=self.superuser)
        self.assertEqual(item.status, Status.PUBLISHED)

    def test_statements_follow_the_same_workflow(self):
        statement = StatementFactory(status=Status.DRAFT, published_at=None, author=self.author)
        services.submit_for_review(item=statement, user=self.author)
        with self.assertRaises(services.WorkflowError):
            services.publish(item=statement, user=self.author)
        services.publish(item=statement, user=self.editor)
        self.assertTrue(statement.is_public)

    def test_available_actions(self):
        item = self.draft()
        self.assertEqual(services.available_actions(self.author, item), ["submit"])
        self.assertEqual(services.available_actions(self.other_author, item), [])
        services.submit_for_review(item=item, user=self.author)
        self.assertEqual(services.available_actions(self.author, item), [])
        self.assertEqual(services.available_actions(self.editor, item), ["send_back", "publish"])


@time_machine.travel(NOW, tick=False)
class SchedulingTests(RoleTestCase):
    def test_publish_now_sets_the_time(self):
        item = services.publish(item=self.in_review(), user=self.editor)
        self.assertEqual(item.published_at, NOW)
        self.assertEqual(item.public_state, PublicState.LIVE)

    def test_publish_keeps_a_historical_date(self):
        old = datetime.datetime(2020, 5, 26, 9, tzinfo=datetime.UTC)
        item = services.publish(item=self.in_review(published_at=old), user=self.editor)
        self.assertEqual(item.published_at, old)
        self.assertTrue(item.is_public)

    def test_scheduled_item_goes_live_by_itself(self):
        at = NOW + datetime.timedelta(hours=2)
        item = services.publish(item=self.in_review(), user=self.editor, at=at)
        self.assertEqual(item.public_state, PublicState.SCHEDULED)
        self.assertFalse(NewsItem.objects.published().filter(pk=item.pk).exists())
        self.assertEqual(Transition.for_item(item).first().published_at, at)
        with time_machine.travel(at, tick=False):
            self.assertTrue(NewsItem.objects.published().filter(pk=item.pk).exists())

    def test_the_log_names_a_scheduled_step_and_not_one_that_changed_nothing(self):
        at = NOW + datetime.timedelta(hours=2)
        item = services.publish(item=self.in_review(), user=self.editor, at=at)
        self.assertEqual(str(Transition.for_item(item).first()), "In review → Scheduled")
        # Published again with no new time: it stays scheduled, and no step is logged.
        services.publish(item=item, user=self.editor)
        self.assertEqual((item.public_state, item.published_at), (PublicState.SCHEDULED, at))
        self.assertEqual(Transition.for_item(item).count(), 2)
        # Moved to now, it goes live: that is a step.
        services.publish(item=item, user=self.editor, at=NOW)
        self.assertEqual(str(Transition.for_item(item).first()), "Scheduled → Published")
        self.assertEqual(Transition.for_item(item).count(), 3)

    def test_naive_time_is_refused(self):
        with self.assertRaisesMessage(services.WorkflowError, "time zone"):
            services.publish(
                item=self.in_review(), user=self.editor, at=datetime.datetime(2030, 1, 1)
            )

    def test_expiry_before_publication_is_refused(self):
        item = self.in_review(expire_at=NOW - datetime.timedelta(days=1))
        with self.assertRaisesMessage(services.WorkflowError, "expiry time must come after"):
            services.publish(item=item, user=self.editor)
        item.refresh_from_db()
        self.assertEqual(item.status, Status.REVIEW)


class SaveItemTests(RoleTestCase):
    def test_a_new_item_is_the_users_draft(self):
        item = NewsItemFactory.build(section=SectionFactory(), status=Status.PUBLISHED)
        services.save_item(item=item, user=self.author)
        self.assertEqual((item.status, item.author, item.version), (Status.DRAFT, self.author, 1))

    def test_each_save_adds_a_version(self):
        item = self.draft()
        item.title = "Changed"
        services.save_item(item=item, user=self.author, expected_version=1)
        item.refresh_from_db()
        self.assertEqual((item.title, item.version), ("Changed", 2))

    def test_authors_change_only_their_own_drafts(self):
        item = self.draft()
        with self.assertRaisesMessage(services.WorkflowError, "authors edit their own drafts"):
            services.save_item(item=item, user=self.other_author)
        services.submit_for_review(item=item, user=self.author)
        item.title = "Changed in review"
        with self.assertRaises(services.WorkflowError):
            services.save_item(item=item, user=self.author)
        item.refresh_from_db()
        self.assertNotEqual(item.title, "Changed in review")

    def test_editors_change_published_items(self):
        item = NewsItemFactory(author=self.author)
        item.title = "Corrected"
        services.save_item(item=item, user=self.editor)
        item.refresh_from_db()
        self.assertEqual(item.title, "Corrected")

    def test_a_save_never_changes_the_state(self):
        item = self.draft()
        item.status = Status.PUBLISHED
        services.save_item(item=item, user=self.author)
        item.refresh_from_db()
        self.assertEqual(item.status, Status.DRAFT)

    def test_a_stale_save_is_refused_and_writes_nothing(self):
        item = self.draft(title="Original")
        first = NewsItem.objects.get(pk=item.pk)
        second = NewsItem.objects.get(pk=item.pk)
        first.title = "First editor's title"
        services.save_item(item=first, user=self.author, expected_version=1)
        second.title = "Second editor's title"
        with self.assertRaisesMessage(services.ConflictError, "Someone else saved this item"):
            services.save_item(item=second, user=self.editor, expected_version=1)
        item.refresh_from_db()
        self.assertEqual((item.title, item.version), ("First editor's title", 2))

    def test_renaming_a_published_item_keeps_the_old_address(self):
        item = NewsItemFactory(slug="old-name")
        item.slug = "new-name"
        services.save_item(item=item, user=self.editor)
        self.assertEqual(services.find_redirect(NewsItem, "old-name"), item)
        # Renaming back frees the old name again.
        item.slug = "old-name"
        services.save_item(item=item, user=self.editor)
        self.assertIsNone(services.find_redirect(NewsItem, "old-name"))
        self.assertEqual(services.find_redirect(NewsItem, "new-name"), item)

    def test_renaming_a_draft_keeps_no_address(self):
        item = self.draft(slug="draft-name")
        item.slug = "better-name"
        services.save_item(item=item, user=self.author)
        self.assertFalse(SlugRedirect.objects.exists())


class RevisionTests(RoleTestCase):
    def save(self, item, user, **changes):
        for name, value in changes.items():
            setattr(item, name, value)
        services.save_item(item=item, user=user)
        return services.record_revision(item=item, user=user)

    def test_revisions_compare_and_restore(self):
        zas = PersonFactory(name="Stanislav Zas")
        item = self.draft(title="Ministers met", lead="First lead.")
        MediaLinkFactory(news_item=item, outlet="TASS", title="Report")
        first = services.record_revision(item=item, user=self.author)
        item.persons.add(zas)
        item.media_links.all().delete()
        second = self.save(item, self.author, title="Ministers met by video", lead="New lead.")
        self.assertEqual((first.version, second.version), (1, 2))

        changes = {c.label: c for c in services.compare(NewsItem, first.data, second.data)}
        self.assertEqual(set(changes), {"title", "lead", "persons", "media links"})
        self.assertEqual(changes["persons"].after, "Stanislav Zas")
        self.assertIn("<ins>by video</ins>", changes["title"].diff)
        self.assertIn("<del>First</del>", changes["lead"].diff)

        services.restore_revision(revision=first, user=self.author)
        item.refresh_from_db()
        self.assertEqual((item.title, item.lead, item.version), ("Ministers met", "First lead.", 3))
        self.assertEqual(list(item.persons.all()), [])
        self.assertEqual(list(item.media_links.values_list("outlet", flat=True)), ["TASS"])
        latest = Revision.for_item(item).first()
        self.assertEqual((latest.version, latest.comment_text()), (3, "Restored version 1"))
        self.assertEqual(services.compare(NewsItem, first.data, latest.data), [])
        # The site's note is read in the reader's language, whoever restored in which.
        with translation.override("ru"):
            self.assertEqual(latest.comment_text(), "Восстановлена версия 1")

    def test_first_version_lists_what_was_filled_in(self):
        item = self.draft(title="Ministers met", event_date=datetime.date(2020, 5, 26))
        revision = services.record_revision(item=item, user=self.author)
        changes = {c.label: c for c in services.compare(NewsItem, {}, revision.data)}
        self.assertIn("title", changes)
        self.assertNotIn("location", changes)
        self.assertNotIn("persons", changes)
        self.assertEqual(changes["event date"].after, "26.05.2020")

    def test_diff_escapes_html(self):
        self.assertEqual(
            services.word_diff("<b>old</b>", "<b>new</b>"),
            "<del>&lt;b&gt;old&lt;/b&gt;</del> <ins>&lt;b&gt;new&lt;/b&gt;</ins>",
        )

    def test_restoring_needs_the_right_to_edit(self):
        item = self.draft()
        revision = services.record_revision(item=item, user=self.author)
        with self.assertRaises(services.WorkflowError):
            services.restore_revision(revision=revision, user=self.other_author)

    def test_an_authors_restore_keeps_what_only_an_editor_sets(self):
        published = NewsItemFactory(language="ru", title="Опубликовано")
        item = self.draft(title="Draft", slug="drafts-name", language="en")
        first = services.record_revision(item=item, user=self.author)
        # The editor pairs it with a published item and names its address, then unpairs it.
        self.save(item, self.editor, slug="editors-name", translation=published)
        paired = Revision.for_item(item).first()
        self.save(item, self.editor, translation=None, title="Retitled")
        for revision in (paired, first):
            services.restore_revision(revision=revision, user=self.author)
            item.refresh_from_db()
            published.refresh_from_db()
            # The text comes back; the address and the pairing stay as the editor left them.
            self.assertEqual(item.title, "Draft")
            self.assertEqual((item.slug, item.translation_id), ("editors-name", None))
            self.assertIsNone(published.translation_id)
        # An editor's restore brings the address back, but never changes a pairing:
        # that is a link between two items, not this item's content.
        services.restore_revision(revision=paired, user=self.editor)
        item.refresh_from_db()
        published.refresh_from_db()
        self.assertEqual((item.slug, item.translation_id), ("editors-name", None))
        self.assertIsNone(published.translation_id)
        self.save(item, self.editor, translation=published)
        services.restore_revision(revision=first, user=self.editor)
        item.refresh_from_db()
        self.assertEqual((item.slug, item.translation_id), ("drafts-name", published.pk))

    def test_a_restore_from_a_stale_page_is_refused(self):
        item = self.draft(title="One")
        revision = services.record_revision(item=item, user=self.author)
        self.save(item, self.author, title="Two")
        with self.assertRaises(services.ConflictError):
            services.restore_revision(revision=revision, user=self.author, expected_version=1)
        item.refresh_from_db()
        self.assertEqual(item.title, "Two")


class QuerySetTests(TestCase):
    @time_machine.travel(NOW, tick=False)
    def test_scheduled_and_expired(self):
        scheduled = NewsItemFactory(published_at=NOW + datetime.timedelta(seconds=1))
        expired = NewsItemFactory(expire_at=NOW, published_at=NOW - datetime.timedelta(days=1))
        live = NewsItemFactory(published_at=NOW)
        self.assertEqual(list(NewsItem.objects.scheduled()), [scheduled])
        self.assertEqual(list(NewsItem.objects.expired()), [expired])
        self.assertEqual(list(NewsItem.objects.published()), [live])
        self.assertEqual(
            [i.public_state for i in (scheduled, expired, live)],
            [PublicState.SCHEDULED, PublicState.EXPIRED, PublicState.LIVE],
        )
        self.assertEqual(timezone.now(), NOW)


class TrashTests(RoleTestCase):
    def test_a_restored_item_has_its_tags_and_media_links_back(self):
        item = self.draft(title="With links")
        person = PersonFactory(name="The Secretary General")
        item.persons.add(person)
        MediaLinkFactory(news_item=item, title="TASS report", date=datetime.date(2026, 3, 1))
        pk = item.pk
        services.delete_item(item=item, user=self.author)
        restored = services.restore_from_trash(
            trashed=services.trash_for(self.author, NewsItem).get(), user=self.author
        )
        self.assertEqual((restored.pk, restored.status), (pk, Status.DRAFT))
        self.assertEqual(list(restored.persons.all()), [person])
        link = restored.media_links.get()
        self.assertEqual((link.title, link.date), ("TASS report", datetime.date(2026, 3, 1)))

    def test_a_statement_goes_to_the_trash_and_only_its_author_or_an_editor_restores_it(self):
        statement = StatementFactory(status=Status.DRAFT, published_at=None, author=self.author)
        services.delete_item(item=statement, user=self.author)
        trashed = services.trash_for(self.editor, type(statement)).get()
        with self.assertRaisesMessage(services.WorkflowError, "Only the item's author"):
            services.restore_from_trash(trashed=trashed, user=self.other_author)
        restored = services.restore_from_trash(trashed=trashed, user=self.editor)
        self.assertEqual(restored.title, statement.title)

    def test_published_items_are_deleted_by_superusers_only(self):
        item = NewsItemFactory()
        with self.assertRaisesMessage(services.WorkflowError, "only a superuser may delete it"):
            services.delete_item(item=item, user=self.editor)
        services.delete_item(item=item, user=self.superuser)
        self.assertFalse(NewsItem.objects.filter(pk=item.pk).exists())
        self.assertFalse(services.trash_for(self.editor, NewsItem).exists())

    def test_an_item_unpublished_and_back_to_draft_is_still_kept_on_record(self):
        item = NewsItemFactory()
        services.archive(item=item, user=self.editor)
        services.restore_to_draft(item=item, user=self.editor)
        item.refresh_from_db()
        self.assertEqual(item.status, Status.DRAFT)
        with self.assertRaisesMessage(services.WorkflowError, "has been public"):
            services.delete_item(item=item, user=self.editor)
        self.assertFalse(services.goes_to_trash(item))
        self.assertTrue(NewsItem.objects.filter(pk=item.pk).exists())


class NoteTests(TestCase):
    """The site's notes in an item's history, read in the reader's language."""

    def test_a_part_is_named_in_the_readers_language(self):
        said = services.note("%(part)s “%(name)s” changed", part=NewsItem, name="Summit")
        self.assertEqual(Revision(note=said).comment_text(), "News item “Summit” changed")
        with translation.override("ru"):
            self.assertEqual(Revision(note=said).comment_text(), "Новость «Summit»: изменено")

    def test_a_note_it_cannot_read_shows_its_words_as_kept(self):
        # From a backup of another version of the site: an unknown model, a missing value.
        unknown = {"text": "%(part)s “%(name)s” changed", "values": {"name": "x"}, "part": "a.b"}
        self.assertEqual(Revision(note=unknown).comment_text(), "%(part)s “%(name)s” changed")
        missing = {"text": "Restored version %(version)s", "values": {}}
        self.assertEqual(Revision(note=missing).comment_text(), "Restored version %(version)s")
        self.assertEqual(Revision(note={"values": 3}).comment_text(), "")
        # A comment typed by a person is shown as typed.
        self.assertEqual(Revision(comment="Fixed a typo").comment_text(), "Fixed a typo")
