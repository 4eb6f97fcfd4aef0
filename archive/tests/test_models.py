import datetime
import importlib
import xml.etree.ElementTree as ET
from unittest import skipUnless

import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.urls import set_script_prefix
from django.utils import timezone, translation

from archive import taxonomy
from archive.models import NewsItem, Statement, Status

from .factories import NewsItemFactory, SectionFactory, StatementFactory

NOW = datetime.datetime(2024, 7, 25, 12, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


@time_machine.travel(NOW, tick=False)
class PublishedRuleTests(TestCase):
    """An item is public only when published, due, and not expired."""

    def assertPublic(self, item, public=True):
        for model in (NewsItem, Statement):
            if isinstance(item, model):
                self.assertEqual(model.objects.published().filter(pk=item.pk).exists(), public)
        self.assertEqual(item.is_public, public)

    def test_published_and_due_is_public(self):
        self.assertPublic(NewsItemFactory(published_at=NOW - SECOND))

    def test_every_other_status_is_hidden(self):
        for status in (Status.DRAFT, Status.REVIEW, Status.ARCHIVED):
            with self.subTest(status=status):
                self.assertPublic(NewsItemFactory(status=status, published_at=NOW), False)

    def test_publication_time_exactly_now_is_public(self):
        self.assertPublic(NewsItemFactory(published_at=NOW))

    def test_scheduled_item_is_hidden_until_its_time(self):
        item = NewsItemFactory(published_at=NOW + SECOND)
        self.assertPublic(item, False)
        with time_machine.travel(NOW + SECOND, tick=False):
            self.assertPublic(item)

    def test_expired_item_is_hidden_from_its_expiry_time(self):
        item = NewsItemFactory(published_at=NOW - SECOND, expire_at=NOW + SECOND)
        self.assertPublic(item)
        with time_machine.travel(NOW + SECOND, tick=False):
            self.assertPublic(item, False)

    def test_published_without_a_time_is_hidden(self):
        self.assertPublic(NewsItemFactory(published_at=None), False)

    def test_statements_follow_the_same_rule(self):
        self.assertPublic(StatementFactory(published_at=NOW - SECOND))
        self.assertPublic(StatementFactory(published_at=NOW + SECOND), False)
        self.assertPublic(StatementFactory(status=Status.DRAFT), False)

    def test_published_accepts_a_moment(self):
        item = NewsItemFactory(published_at=NOW + SECOND)
        self.assertIn(item, NewsItem.objects.published(now=NOW + SECOND))


class ValidationTests(TestCase):
    def test_published_item_needs_a_publication_time(self):
        item = NewsItemFactory.build(section=SectionFactory(), published_at=None)
        with self.assertRaises(ValidationError) as caught:
            item.full_clean()
        self.assertIn("published_at", caught.exception.message_dict)

    def test_expiry_must_follow_publication(self):
        now = timezone.now()
        item = NewsItemFactory.build(section=SectionFactory(), published_at=now, expire_at=now)
        with self.assertRaises(ValidationError) as caught:
            item.full_clean()
        self.assertIn("expire_at", caught.exception.message_dict)

    def test_section_cannot_be_inside_itself(self):
        outer = SectionFactory()
        inner = SectionFactory(parent=outer)
        outer.parent = inner
        with self.assertRaises(ValidationError):
            outer.full_clean()


class SectionTreeTests(TestCase):
    def test_ancestors_and_descendants(self):
        news = SectionFactory(slug="news", name="News")
        sessions = SectionFactory(slug="sessions", name="Sessions", parent=news)
        extra = SectionFactory(slug="extra", parent=sessions)
        SectionFactory(slug="other")
        self.assertEqual(taxonomy.ancestors(extra.pk), [("news", "News"), ("sessions", "Sessions")])
        self.assertEqual(
            sorted(taxonomy.section_and_below("news")), sorted([news.pk, sessions.pk, extra.pk])
        )
        self.assertEqual(taxonomy.section_and_below("extra"), [extra.pk])
        self.assertEqual(taxonomy.section_and_below("nowhere"), [])
        self.assertEqual(taxonomy.subsections(news.pk), [sessions])

    def test_a_looping_tree_is_walked_to_its_end(self):
        # Only a write around the model's validation can make a loop; pages must still answer.
        tree = {1: 2, 2: 1, 3: None}
        self.assertEqual(taxonomy.ids_above(tree, 1), [2])
        self.assertEqual(sorted(taxonomy.ids_below(tree, 1)), [1, 2])


class SanitizingTests(TestCase):
    def test_body_is_sanitized_when_saved(self):
        item = NewsItemFactory(
            body='<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x">y</a></p>'
        )
        item.refresh_from_db()
        self.assertNotIn("script", item.body)
        self.assertNotIn("onclick", item.body)
        self.assertNotIn("javascript:", item.body)
        self.assertIn("<p>Hi", item.body)

    def test_a_link_to_another_site_without_a_scheme_loses_its_address(self):
        # As an import would store it (the editor's form refuses it first).
        item = NewsItemFactory(
            body='<p><a href="//evil.example/">a</a> <a href="/\\evil.example">b</a> '
            '<a href="/news/">c</a> <a href="&#1;//evil.example/">d</a></p>'
        )
        self.assertEqual(
            item.body,
            '<p><a rel="noopener noreferrer">a</a> <a rel="noopener noreferrer">b</a> '
            '<a href="/news/" rel="noopener noreferrer">c</a> '
            '<a rel="noopener noreferrer">d</a></p>',
        )

    def test_plain_text_becomes_paragraphs(self):
        item = NewsItemFactory(body="First paragraph.\n\nSecond: 1 < 2 & more.")
        self.assertEqual(
            item.body, "<p>First paragraph.</p>\n\n<p>Second: 1 &lt; 2 &amp; more.</p>"
        )

    def test_statement_text_is_sanitized(self):
        statement = StatementFactory(text="<form><input></form><p>Adopted.</p>")
        self.assertEqual(statement.text, "<p>Adopted.</p>")


class ControlCharacterTests(TestCase):
    """A paste can carry control characters; no page shows them and a feed cannot hold them."""

    # A vertical tab is a word processor's line break; U+FFFF is no character at all.
    PASTED = "Ministers\x0bmet in\x0cMinsk\x02\uffff"

    def test_each_becomes_a_space_in_every_text_field(self):
        section = SectionFactory(name=self.PASTED)
        item = NewsItemFactory(
            section=section, title=self.PASTED, lead=self.PASTED, body=f"<p>{self.PASTED}</p>"
        )
        item.refresh_from_db()
        section.refresh_from_db()
        # One-line fields are kept without spaces around them, as a form gives them.
        self.assertEqual((item.title, section.name), ("Ministers met in Minsk",) * 2)
        self.assertEqual(item.lead, "Ministers met in Minsk  ")
        self.assertIn("<p>Ministers met in Minsk", item.body)
        # Tabs and line breaks are text.
        item.lead = "One\tTwo\r\nThree"
        item.save()
        item.refresh_from_db()
        self.assertEqual(item.lead, "One\tTwo\r\nThree")
        for url in ("/feeds/news/", "/feeds/news/atom/", f"/feeds/news/{section.slug}/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                ET.fromstring(response.content)  # well-formed XML
                self.assertContains(response, "Ministers met in Minsk")
        self.assertContains(self.client.get("/news/", {"q": "Minsk"}), "Ministers met in Minsk")

    def test_a_title_of_control_characters_alone_is_refused_as_empty(self):
        item = NewsItemFactory.build(title="\x02\x03\x0b", section=SectionFactory())
        with self.assertRaises(ValidationError) as raised:
            item.full_clean()
        self.assertIn("title", raised.exception.message_dict)

    def test_text_saved_before_loses_them_when_migrated(self):
        migration = importlib.import_module(
            "archive.migrations.0025_text_without_control_characters"
        )
        item = NewsItemFactory(title="Clean title")
        # As a row written before: around the model, which now takes them out.
        NewsItem.objects.filter(pk=item.pk).update(title=self.PASTED, lead="Clean\nlead")
        migration.drop_control_characters(django_apps, None)
        item.refresh_from_db()
        self.assertEqual((item.title, item.lead), ("Ministers met in Minsk", "Clean\nlead"))
        self.assertEqual(self.client.get("/feeds/news/").status_code, 200)


class AbsoluteUrlTests(TestCase):
    def test_addresses_start_with_the_script_prefix(self):
        item = NewsItemFactory(section=SectionFactory(slug="csto-news"), slug="meeting")
        for prefix in ("/", "/archive/"):
            with self.subTest(prefix=prefix):
                set_script_prefix(prefix)
                try:
                    self.assertEqual(item.get_absolute_url(), f"{prefix}news/csto-news/meeting/")
                finally:
                    set_script_prefix("/")

    def test_every_public_model_has_an_address(self):
        item = NewsItemFactory(section=SectionFactory(slug="csto-news"), slug="meeting")
        self.assertEqual(item.get_absolute_url(), "/news/csto-news/meeting/")
        self.assertEqual(item.section.get_absolute_url(), "/news/csto-news/")
        statement = StatementFactory(slug="on-peace")
        self.assertEqual(statement.get_absolute_url(), "/statements/on-peace/")
        self.assertEqual(
            statement.adopted_by.get_absolute_url(), f"/bodies/{statement.adopted_by.slug}/"
        )


@skipUnless(connection.vendor == "postgresql", "PostgreSQL's plans")
class IndexTests(TestCase):
    """The lists' deep pages read their ids from an index alone, already in order."""

    def plan(self, queryset):
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            # On a handful of test rows any plan is as cheap as another, and
            # which one wins depends on what earlier tests left in the table's
            # statistics: ask for one that reads neither the table nor a sort,
            # which only an index in the list's order, holding the filters'
            # columns, can give.
            for setting in (
                "enable_seqscan",
                "enable_bitmapscan",
                "enable_indexscan",
                "enable_sort",
            ):
                cursor.execute(f"SET LOCAL {setting} = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())

    def ids(self, **filters):
        public = NewsItem.objects.published().filter(**filters)
        return public.order_by("-published_at", "-pk").values_list("pk", flat=True)[20:40]

    def test_the_news_list(self):
        plan = self.plan(self.ids())
        self.assertIn("Index Only Scan using newsitem_list_idx", plan)
        self.assertNotIn("Sort", plan)

    def test_a_section(self):
        section = SectionFactory()
        plan = self.plan(self.ids(section__in=[section.pk]))
        self.assertIn("Index Only Scan using newsitem_section_public_idx", plan)
        self.assertNotIn("Sort", plan)


class ChoiceLabelTests(TestCase):
    """The labels teasers and item pages show, as Django's get_FOO_display() gives them."""

    def test_labels_in_the_active_language(self):
        item = NewsItem(language="ru")
        statement = Statement(kind=Statement.Kind.DECLARATION)
        self.assertEqual(item.get_language_display(), "Russian")
        self.assertEqual(statement.get_kind_display(), "Declaration")
        with translation.override("ru"):
            self.assertEqual(item.get_language_display(), "Русский")
            self.assertEqual(statement.get_kind_display(), "Декларация")

    def test_teasers_show_the_labels(self):
        # An item in the other language says which; a statement says its kind.
        NewsItemFactory(language="ru", title="Встреча")
        StatementFactory(kind=Statement.Kind.DECLARATION)
        # The label is in the interface's language, not the item's.
        self.assertContains(self.client.get("/news/"), " · Russian</p>")
        self.assertContains(self.client.get("/statements/"), " · Declaration · ")
        russian = {"accept-language": "ru"}
        self.assertContains(self.client.get("/statements/", headers=russian), " · Декларация · ")

    def test_a_value_that_is_not_a_choice_is_shown_as_it_is(self):
        self.assertEqual(NewsItem(language="xx").get_language_display(), "xx")
        self.assertEqual(Statement(kind="memo").get_kind_display(), "memo")
