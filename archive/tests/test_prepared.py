import datetime
from unittest import mock

import psycopg
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.http import QueryDict
from django.test import TestCase
from django.utils import timezone

from archive import feeds, search, views
from archive.filters import NewsItemFilter, StatementFilter
from archive.models import (
    Attachment,
    GalleryImage,
    Image,
    Language,
    NewsItem,
    Statement,
    Status,
)
from archive.prepared import Prepared, parametrize, together

from .factories import (
    BodyFactory,
    MediaLinkFactory,
    NewsItemFactory,
    PersonFactory,
    SectionFactory,
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
        MediaLinkFactory(news_item=cls.item, date=datetime.date(2020, 5, 26))
        MediaLinkFactory(news_item=cls.item, position=1)  # no date
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
        self.assertTrue(item.has_gallery and item.has_attachments)

    def test_what_the_item_page_lists_is_what_its_querysets_give(self):
        # On PostgreSQL read with the item (views.listed_with_item), elsewhere
        # asked for apart: the same rows either way.
        [item] = views.public_item_page(slug="meeting", now=timezone.now())
        listed = views.related_of(item)
        expected = {
            "persons": self.item.persons.order_by("name"),
            "bodies": self.item.bodies.order_by("name"),
            "topics": self.item.topics.order_by("name"),
            "media_links": self.item.media_links.all(),
            "statements": self.item.statements.published(),
        }
        fields = {
            "media_links": ("outlet", "title", "url", "date"),
            "statements": ("title", "slug", "kind"),
        }
        for name, queryset in expected.items():
            with self.subTest(name):
                shown = fields.get(name, ("pk", "slug", "name"))
                self.assertEqual(
                    [tuple(getattr(row, field) for field in shown) for row in listed[name]],
                    list(queryset.values_list(*shown)),
                )
        self.assertEqual([s.title for s in listed["statements"]], ["Adopted"])
        self.assertEqual([t.name for t in listed["topics"]], ["Afghanistan", "Peacekeeping"])
        self.assertIsInstance(listed["media_links"][0].date, datetime.date)

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
                    views.list_page(views.news_list_queryset, bottom, top),
                    then=views.attach_sections,
                    now=timezone.now(),
                )
        self.assertSameRows(
            views.list_page(views.statement_list_queryset, 0, 20), now=timezone.now()
        )
        shape, values = parametrize([{"section__in": [self.item.section_id]}])
        self.assertSameRows(
            views.list_page(views.news_list_queryset, 0, 20, shape),
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

    def test_several_queries_at_once(self):
        other = NewsItemFactory()
        other.persons.add(PersonFactory(name="Stanislav Zas"))
        nothing = Prepared(lambda item: NewsItem.objects.filter(pk__in=[]), item=int)
        media_links = views.ITEM_EXTRAS["media_links"][2]
        calls = [
            (views.item_tags, {"item": self.item.pk}),
            (nothing, {"item": self.item.pk}),
            (views.item_tags, {"item": other.pk}),
            (media_links, {"item": self.item.pk, "now": timezone.now()}),
        ]
        if connection.vendor == "postgresql":
            # In one round trip: psycopg's pipeline mode.
            pipeline = psycopg.Connection.pipeline
            with (
                mock.patch.object(
                    psycopg.Connection, "pipeline", autospec=True, side_effect=pipeline
                ) as sent,
                self.assertNumQueries(3),
            ):
                found = together(calls)
            self.assertEqual(sent.call_count, 1)
        else:
            found = together(calls)
        expected = [prepared(**values) for prepared, values in calls]
        self.assertEqual(
            [[loaded(row) for row in rows] for rows in found],
            [[loaded(row) for row in rows] for rows in expected],
        )
        self.assertEqual([name for _kind, _pk, _slug, name in found[2]], ["Stanislav Zas"])
        self.assertEqual(found[1], [])
        self.assertEqual(len(found[3]), 2)

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


def moment(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)


class PreparedListTests(TestCase):
    """
    A list's first pages, with or without the visitor's filters, are read
    with a prepared query, and show what the list's queryset would.
    """

    @classmethod
    def setUpTestData(cls):
        parent = SectionFactory(slug="news", name="News")
        child = SectionFactory(slug="sessions", name="Sessions", parent=parent)
        other = SectionFactory(slug="media", name="Media")
        person, body, topic = PersonFactory(slug="zas"), BodyFactory(slug="csc"), TopicFactory()
        cls.topic = topic
        for n in range(26):
            item = NewsItemFactory(
                section=(parent, child, other)[n % 3],
                language=Language.RUSSIAN if n % 4 == 0 else Language.ENGLISH,
                # Moscow's midnight falls within a UTC day: hour 22 is the next day there.
                published_at=moment(2019 + n % 3, 1 + n % 12, 1 + n % 28, 22 if n % 5 else 12),
            )
            if n % 2:
                item.persons.add(person)
            if n % 3:
                item.bodies.add(body)
            if n % 4:
                item.topics.add(topic)
        NewsItemFactory(section=child, status=Status.DRAFT, published_at=moment(2020, 5, 5))
        NewsItemFactory(section=child, published_at=timezone.now() + datetime.timedelta(days=3))
        for n in range(4):
            StatementFactory(
                adopted_by=body if n % 2 else BodyFactory(),
                kind=Statement.Kind.DECLARATION if n % 2 else Statement.Kind.STATEMENT,
                adopted_on=datetime.date(2019 + n, 3, 1),
            ).topics.add(topic)

    # A value for each filter, so that a filter added later is checked here too.
    NEWS_VALUES = {
        "q": "body",
        "section": "news",
        "person": "zas",
        "body": "csc",
        "topic": None,  # the topic's slug, made in setUpTestData
        "language": "en",
        "date_from": "2020-03-01",
        "date_to": "2021-06-30",
        "year": "2020",
    }
    STATEMENT_VALUES = {
        "q": "text",
        "body": "csc",
        "kind": "declaration",
        "topic": None,
        "language": "en",
        "date_from": "2020-01-01",
        "date_to": "2021-12-31",
        "year": "2021",
    }

    def queries(self, values):
        values = {**values, "topic": self.topic.slug}
        yield ""
        for name, value in values.items():
            yield f"{name}={value}"
        yield "year=2020&date_from=2020-06-01&language=ru"  # two conditions on one column
        yield "year=2019&language=ru&page=1"  # the same filters, other values
        yield "&".join(f"{name}={value}" for name, value in values.items() if name != "q")

    def assertListedAsQueryset(self, url, view, queryset, query):
        calls = views.list_page.cache_info().hits + views.list_page.cache_info().misses
        response = self.client.get(f"{url}?{query}")
        self.assertEqual(response.status_code, 200)
        listed = response.context_data["object_list"]
        data = QueryDict(query)
        expected = view.filterset_class(data, queryset=queryset).qs
        if data.get("q"):
            # With the fragments where each result matches.
            expected = search.with_headlines(expected, data["q"], text_fields=view.snippet_fields)
        number = int(data.get("page", 1))
        expected = expected[(number - 1) * 20 : number * 20]
        self.assertEqual([loaded(row) for row in listed], [loaded(row) for row in expected])
        # Searches are prepared on PostgreSQL only: elsewhere words become LIKE patterns.
        prepared = search.uses_postgres() or not data.get("q")
        now = views.list_page.cache_info().hits + views.list_page.cache_info().misses
        self.assertEqual(now > calls, prepared)
        return listed

    def test_the_news_list(self):
        self.assertEqual(set(self.NEWS_VALUES), set(NewsItemFilter.base_filters))
        for query in ["page=2", *self.queries(self.NEWS_VALUES)]:
            with self.subTest(query):
                self.assertListedAsQueryset(
                    "/news/", views.NewsListView, views.news_list_queryset(), query
                )

    def test_the_text_filter_comes_first(self):
        # So it searches the list's own queryset (see SearchResultsMixin.ranked).
        for filterset_class in (NewsItemFilter, StatementFilter):
            self.assertEqual(next(iter(filterset_class.base_filters)), "q")

    def test_a_search_with_too_many_matches_to_rank(self):
        # Newest first, as search() lists them (see search.in_order).
        with mock.patch.object(search, "RANK_LIMIT", 2):
            for query in ("q=body", "q=body&page=2", "q=body&language=en"):
                with self.subTest(query):
                    listed = self.assertListedAsQueryset(
                        "/news/", views.NewsListView, views.news_list_queryset(), query
                    )
                    dates = [item.published_at for item in listed]
                    self.assertEqual(dates, sorted(dates, reverse=True))

    def test_the_statements(self):
        self.assertEqual(set(self.STATEMENT_VALUES), set(StatementFilter.base_filters))
        for query in self.queries(self.STATEMENT_VALUES):
            with self.subTest(query):
                self.assertListedAsQueryset(
                    "/statements/", views.StatementListView, views.statement_list_queryset(), query
                )

    def test_a_section_a_month_and_a_person(self):
        news = views.news_list_queryset()
        lists = {
            "/news/news/": news.filter(section__slug__in=["news", "sessions"]),
            "/news/2020/": news.filter(published_at__year=2020),
            "/news/2020/2/": news.filter(published_at__year=2020, published_at__month=2),
        }
        for url, queryset in lists.items():
            for query in ("", "language=en", "person=zas&topic=" + self.topic.slug):
                with self.subTest(url=url, query=query):
                    listed = self.assertListedAsQueryset(url, views.NewsListView, queryset, query)
                    self.assertTrue(listed or "/2/" in url)
        calls = views.list_page.cache_info().hits + views.list_page.cache_info().misses
        response = self.client.get("/persons/zas/")
        self.assertLess(
            calls, views.list_page.cache_info().hits + views.list_page.cache_info().misses
        )
        self.assertEqual(
            [item.pk for item in response.context_data["object_list"]],
            list(news.filter(persons__slug="zas").values_list("pk", flat=True)[:20]),
        )

    def test_a_prepared_page_does_not_build_the_lists_queryset(self):
        for url in ("/news/?section=news&language=en", "/news/?q=body", "/statements/?year=2021"):
            with self.subTest(url):
                self.client.get(url)  # its count is remembered
                with mock.patch.object(
                    views.ListPageMixin,
                    "get_queryset",
                    autospec=True,
                    side_effect=views.ListPageMixin.get_queryset,
                ) as get_queryset:
                    response = self.client.get(url)
                self.assertTrue(response.context_data["object_list"])
                # Searches are prepared on PostgreSQL only, their order remembered.
                self.assertEqual(get_queryset.called, "q=" in url and not search.uses_postgres())

    def test_a_filtered_page_is_not_compiled_again(self):
        url = "/news/?section=news&language=en&year=2020"
        self.client.get(url)  # its count is remembered, its query compiled
        with mock.patch.object(
            SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
        ) as as_sql:
            response = self.client.get(url)
        self.assertTrue(response.context_data["object_list"])
        self.assertEqual(as_sql.call_count, 0)
