import datetime
from unittest import mock

from django.db.models.sql.compiler import SQLCompiler
from django.test import TestCase
from django.utils import timezone

from archive import feeds, views
from archive.models import Attachment, GalleryImage, Image, Language, NewsItem, Status
from archive.prepared import Prepared

from .factories import (
    MediaLinkFactory,
    NewsItemFactory,
    PersonFactory,
    StatementFactory,
    TopicFactory,
)


def loaded(instance, within=()):
    """An instance's fields and annotations, and what it carries of its relations."""
    if instance is None or isinstance(instance, tuple) or instance in within:
        return instance  # nothing, a values_list() row, or a one-to-one's way back
    values = {name: value for name, value in vars(instance).items() if name != "_state"}
    related = {
        name: loaded(other, (*within, instance))
        for name, other in instance._state.fields_cache.items()
    }
    return type(instance), values, related


class PreparedQueryTests(TestCase):
    """A prepared query gives what its queryset gives: values, relations, annotations."""

    @classmethod
    def setUpTestData(cls):
        renditions = {"320": {"width": 320, "height": 240, "webp": "a.webp", "jpeg": "a.jpg"}}
        cover = Image.objects.create(file="images/a.jpg", alt_text="Cover", renditions=renditions)
        translation = NewsItemFactory(language=Language.RUSSIAN, slug="vstrecha")
        cls.item = NewsItemFactory(slug="meeting", cover_image=cover, translation=translation)
        GalleryImage.objects.create(news_item=cls.item, image=cover, position=0)
        attachment = Attachment.objects.create(title="Text", file="d/t.pdf", kind="pdf", size=9)
        cls.item.attachments.add(attachment)
        MediaLinkFactory(news_item=cls.item)
        cls.item.persons.add(PersonFactory(name="Imangali Tasmagambetov"))
        cls.item.topics.add(TopicFactory(name="Peacekeeping"), TopicFactory(name="Afghanistan"))
        StatementFactory(title="Adopted").news_items.add(cls.item)
        StatementFactory(title="Draft", status=Status.DRAFT).news_items.add(cls.item)

    def assertSameRows(self, prepared, then=list, **values):
        # `then`: what the page does with the rows that the queryset did itself.
        rows = then(prepared(**values))
        self.assertTrue(rows)
        self.assertEqual(
            [loaded(row) for row in rows],
            [
                loaded(row)
                for row in prepared.build(**{name: values[name] for name in prepared.types})
            ],
        )
        return rows

    def test_item_page(self):
        [item] = self.assertSameRows(views.public_item_page, slug="meeting", now=timezone.now())
        self.assertEqual(item.cover_image.renditions["320"]["width"], 320)
        self.assertEqual(item.translation.slug, "vstrecha")
        self.assertTrue(item.has_gallery and item.has_statements)

    def test_what_an_item_page_shows_beside_the_item(self):
        for name, (_model, _lookup, rows) in views.ITEM_EXTRAS.items():
            with self.subTest(name):
                self.assertSameRows(rows, item=self.item.pk, now=timezone.now())
        [adopted] = views.ITEM_EXTRAS["statements"][2](item=self.item.pk, now=timezone.now())
        self.assertEqual(adopted.title, "Adopted")

    def test_an_items_persons_bodies_and_topics(self):
        tags = self.assertSameRows(views.item_tags, item=self.item.pk)
        self.assertEqual(
            [(kind, name) for kind, _pk, _slug, name in tags],
            [
                ("persons", "Imangali Tasmagambetov"),
                ("topics", "Afghanistan"),
                ("topics", "Peacekeeping"),
            ],
        )

    def test_home_page(self):
        news = self.assertSameRows(views.home_news, then=views.attach_sections, now=timezone.now())
        self.assertEqual({item.slug for item in news}, {"meeting", "vstrecha"})
        statements = self.assertSameRows(views.home_statements, now=timezone.now())
        self.assertEqual([statement.title for statement in statements], ["Adopted"])

    def test_first_pages_of_the_lists(self):
        NewsItemFactory.create_batch(3)
        for bottom, top in [(0, 2), (2, 4), (4, 6)]:
            with self.subTest(bottom=bottom):
                self.assertSameRows(
                    views.news_page(bottom, top), then=views.attach_sections, now=timezone.now()
                )
        self.assertSameRows(views.statement_page(0, 20), now=timezone.now())
        self.assertSameRows(
            views.news_page(0, 20, (self.item.section_id,)),
            then=views.attach_sections,
            now=timezone.now(),
        )

    def test_the_news_feed(self):
        entries = self.assertSameRows(
            feeds.latest_news, then=views.attach_sections, now=timezone.now()
        )
        self.assertEqual({entry.slug for entry in entries}, {"meeting", "vstrecha"})

    def test_each_call_has_its_own_values(self):
        later = NewsItemFactory(
            slug="later", published_at=timezone.now() + datetime.timedelta(days=1)
        )
        tomorrow = timezone.now() + datetime.timedelta(days=2)
        self.assertEqual(views.public_item_page(slug="later", now=timezone.now()), [])
        self.assertEqual(views.public_item_page(slug="later", now=tomorrow), [later])
        self.assertEqual(views.public_item_page(slug="meeting", now=tomorrow), [self.item])

    def test_sql_is_built_once(self):
        prepared = Prepared(lambda slug: NewsItem.objects.filter(slug=slug), slug=str)
        with mock.patch.object(
            SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
        ) as as_sql:
            prepared(slug="meeting")
            self.assertEqual(as_sql.call_count, 1)
            self.assertEqual(prepared(slug="vstrecha")[0].language, Language.RUSSIAN)
            self.assertEqual(as_sql.call_count, 1)

    def test_a_query_that_can_find_nothing(self):
        prepared = Prepared(
            lambda now: NewsItem.objects.published(now).filter(pk__in=[]), now=datetime.datetime
        )
        with self.assertNumQueries(0):
            self.assertEqual(prepared(now=timezone.now()), [])

    def test_a_value_the_query_does_not_use_is_an_error(self):
        prepared = Prepared(lambda slug: NewsItem.objects.all(), slug=str)
        with self.assertRaisesMessage(ValueError, "slug is not among the query's parameters"):
            prepared(slug="meeting")
