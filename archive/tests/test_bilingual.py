"""
Two languages all the way: names of sections, persons, bodies and topics in
the visitor's interface language (falling back to the other), and feeds in
their content's language whatever the visitor's.
"""

import datetime

import feedparser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import timezone

from archive import services
from archive.models import Status

from .factories import (
    BodyFactory,
    NewsItemFactory,
    PersonFactory,
    SectionFactory,
    StatementFactory,
    TopicFactory,
    UserFactory,
)
from .test_media import FreshMediaMixin, make_image

RUSSIAN = {"accept-language": "ru"}
ENGLISH = {"accept-language": "en"}


class NamesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.news = SectionFactory(
            slug="csto-news",
            name="News",
            name_ru="Новости",
            description="News of the Secretariat.",
            description_ru="Новости Секретариата.",
        )
        cls.sessions = SectionFactory(slug="csc-sessions", name="CSC sessions", parent=cls.news)
        cls.person = PersonFactory(
            slug="stanislav-zas",
            name="Stanislav Zas",
            name_ru="Станислав Зась",
            position="CSTO Secretary General",
            position_ru="Генеральный секретарь ОДКБ",
        )
        cls.body = BodyFactory(
            slug="cfm",
            name="Council of Foreign Ministers",
            name_ru="Совет министров иностранных дел",
            acronym="",
        )
        cls.topic = TopicFactory(slug="peacekeeping", name="Peacekeeping", name_ru="Миротворчество")
        cls.item = NewsItemFactory(
            title="Ministers met",
            section=cls.sessions,
            published_at=timezone.now() - datetime.timedelta(hours=1),
        )
        cls.item.persons.add(cls.person)
        cls.item.bodies.add(cls.body)
        cls.item.topics.add(cls.topic)

    def setUp(self):
        cache.clear()

    def test_topics_are_offered_in_the_order_of_their_names_in_each_language(self):
        # First in English, last in Russian ("Разоружение" after "Миротворчество").
        self.item.topics.add(TopicFactory(slug="arms", name="Arms control", name_ru="Разоружение"))
        for headers, first, second in (
            (ENGLISH, "Arms control", "Peacekeeping"),
            (RUSSIAN, "Миротворчество", "Разоружение"),
        ):
            with self.subTest(first=first):
                content = self.client.get("/news/", headers=headers).content.decode()
                self.assertLess(
                    content.index(f">{first}</option>"), content.index(f">{second}</option>")
                )

    def test_the_russian_interface_names_sections_in_russian(self):
        response = self.client.get("/news/", headers=RUSSIAN)
        # The menu and the filter's choices.
        self.assertContains(response, '<a href="/news/csto-news/">Новости</a>', html=True)
        self.assertContains(response, '<option value="csto-news">Новости</option>', html=True)
        self.assertContains(
            response, '<option value="stanislav-zas">Станислав Зась</option>', html=True
        )
        response = self.client.get("/news/csto-news/", headers=RUSSIAN)
        self.assertContains(response, "<h1>Новости</h1>", html=True)
        self.assertContains(response, "<title>Новости · ОДКБ</title>", html=True)
        self.assertContains(response, '<p class="intro">Новости Секретариата.</p>', html=True)

    def test_the_english_interface_keeps_english_names(self):
        self.client.get("/news/", headers=RUSSIAN)  # the Russian page is kept apart
        response = self.client.get("/news/", headers=ENGLISH)
        self.assertContains(response, '<a href="/news/csto-news/">News</a>', html=True)
        self.assertContains(response, '<option value="csto-news">News</option>', html=True)
        self.assertNotContains(response, "Новости")
        self.assertNotContains(response, "Станислав")

    def test_breadcrumbs_and_tags_of_an_item(self):
        url = self.item.get_absolute_url()
        russian = self.client.get(url, headers=RUSSIAN)
        self.assertContains(russian, '<a href="/news/csto-news/">Новости</a>', html=True)
        self.assertContains(
            russian, '<a href="/persons/stanislav-zas/">Станислав Зась</a>', html=True
        )
        self.assertContains(
            russian, '<a href="/topics/peacekeeping/">Миротворчество</a>', html=True
        )
        self.assertContains(russian, '"articleSection": "CSC sessions"')
        english = self.client.get(url, headers=ENGLISH)
        self.assertContains(english, '<a href="/news/csto-news/">News</a>', html=True)
        self.assertContains(
            english, '<a href="/persons/stanislav-zas/">Stanislav Zas</a>', html=True
        )

    def test_a_missing_russian_name_falls_back_to_english(self):
        response = self.client.get("/news/csc-sessions/", headers=RUSSIAN)
        self.assertContains(response, "<h1>CSC sessions</h1>", html=True)
        # Its parent, named in Russian, is in Russian beside it.
        self.assertContains(response, '<a href="/news/csto-news/">Новости</a>', html=True)

    def test_tag_pages(self):
        pages = [
            ("/persons/stanislav-zas/", "Станислав Зась", "Stanislav Zas"),
            ("/bodies/cfm/", "Совет министров иностранных дел", "Council of Foreign Ministers"),
            ("/topics/peacekeeping/", "Миротворчество", "Peacekeeping"),
        ]
        for url, russian, english in pages:
            with self.subTest(url=url):
                response = self.client.get(url, headers=RUSSIAN)
                self.assertContains(response, f"<h1>{russian}</h1>", html=True)
                response = self.client.get(url, headers=ENGLISH)
                self.assertContains(response, f"<h1>{english}</h1>", html=True)
        response = self.client.get("/persons/stanislav-zas/", headers=RUSSIAN)
        self.assertContains(response, "Генеральный секретарь ОДКБ")
        response = self.client.get("/persons/", headers=RUSSIAN)
        self.assertContains(response, '<a href="/persons/stanislav-zas/">Станислав Зась</a>')

    def test_facets_name_sections_in_the_visitors_language(self):
        NewsItemFactory(
            title="Ministers again",
            section=self.news,
            published_at=timezone.now() - datetime.timedelta(hours=2),
        )
        english = self.client.get("/news/", {"q": "ministers"}, headers=ENGLISH)
        self.assertContains(english, 'section=csto-news">News</a>')
        # The counts are kept once for both languages; the names are the visitor's.
        russian = self.client.get("/news/", {"q": "ministers"}, headers=RUSSIAN)
        self.assertContains(russian, 'section=csto-news">Новости</a>')
        self.assertContains(russian, 'section=csc-sessions">CSC sessions</a>')

    def test_the_admin_searches_either_name(self):
        self.client.force_login(UserFactory(is_superuser=True))
        for words in ("Зась", "Stanislav"):
            with self.subTest(words=words):
                response = self.client.get("/admin/archive/person/", {"q": words})
                self.assertContains(response, f"/admin/archive/person/{self.person.pk}/change/")
        response = self.client.get(f"/admin/archive/person/{self.person.pk}/change/")
        # Side by side: both names in one row of the same fieldset.
        self.assertContains(response, 'class="form-row field-name field-name_ru"')


class FeedLanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        section = SectionFactory(slug="csto-news", name="News", name_ru="Новости")
        published = timezone.now() - datetime.timedelta(hours=1)
        cls.english = NewsItemFactory(
            title="Ministers met", section=section, published_at=published
        )
        cls.russian = NewsItemFactory(
            title="Министры встретились", section=section, language="ru", published_at=published
        )
        body = BodyFactory(name="Council of Foreign Ministers", name_ru="Совет министров")
        StatementFactory(title="Statement on peace", adopted_by=body)
        StatementFactory(title="Заявление о мире", adopted_by=body, language="ru")

    def setUp(self):
        cache.clear()

    def parse(self, url, headers=None):
        response = self.client.get(url, headers=headers or {})
        self.assertEqual(response.status_code, 200)
        feed = feedparser.parse(response.content)
        self.assertFalse(feed.bozo, feed.get("bozo_exception"))
        return feed

    def test_the_browsers_language_does_not_change_the_english_feed(self):
        for headers in (ENGLISH, RUSSIAN):
            with self.subTest(headers=headers):
                feed = self.parse("/feeds/news/", headers)
                self.assertEqual(feed.feed.title, "CSTO news")
                self.assertEqual(feed.feed.language, "en")
                self.assertEqual([e.title for e in feed.entries], ["Ministers met"])
        self.client.cookies["django_language"] = "ru"
        self.assertEqual(self.parse("/feeds/news/").feed.language, "en")

    def test_the_russian_feeds_list_only_russian_items(self):
        for headers in (ENGLISH, RUSSIAN):
            with self.subTest(headers=headers):
                feed = self.parse("/feeds/ru/news/", headers)
                self.assertEqual(feed.feed.title, "Новости ОДКБ")
                self.assertEqual(feed.feed.language, "ru")
                self.assertEqual([e.title for e in feed.entries], ["Министры встретились"])
                self.assertEqual([t.term for t in feed.entries[0].tags], ["Новости"])
        feed = self.parse("/feeds/ru/news/csto-news/atom/")
        self.assertEqual(feed.feed.title, "Новости ОДКБ: Новости")
        self.assertEqual([e.title for e in feed.entries], ["Министры встретились"])
        feed = self.parse("/feeds/ru/statements/", ENGLISH)
        self.assertEqual([e.title for e in feed.entries], ["Заявление о мире"])
        self.assertIn("Совет министров", feed.entries[0].description)
        self.assertEqual(self.client.get("/feeds/fr/news/").status_code, 404)

    def test_pages_point_at_the_feed_of_the_visitors_language(self):
        rss = '<link rel="alternate" type="application/rss+xml" href="{}" title="{}">'
        russian = self.client.get("/", headers=RUSSIAN)
        self.assertContains(russian, rss.format("/feeds/ru/news/", "Новости ОДКБ (RSS)"), html=True)
        english = self.client.get("/", headers=ENGLISH)
        self.assertContains(english, rss.format("/feeds/news/", "CSTO news (RSS)"), html=True)
        section = self.client.get("/news/csto-news/", headers=RUSSIAN)
        self.assertContains(section, 'href="/feeds/ru/news/csto-news/atom/"')


class StatementTranslationTests(TestCase):
    """A statement and its translation link to each other, as news items do."""

    def test_an_editor_links_a_statement_to_its_translation_both_ways(self):
        english = StatementFactory(title="Statement on peace")
        russian = StatementFactory(title="Заявление о мире", language="ru")
        russian.translation = english
        services.save_item(item=russian, user=UserFactory(role="editor"))
        english.refresh_from_db()
        self.assertEqual(english.translation, russian)
        page = self.client.get(english.get_absolute_url())
        self.assertContains(
            page,
            f'<a href="{russian.get_absolute_url()}" hreflang="ru" lang="ru">'
            "Читать этот документ на русском</a>",
            html=True,
        )
        page = self.client.get(russian.get_absolute_url())
        self.assertContains(page, "Read this document in English")

    def test_a_translation_that_is_not_public_is_not_linked(self):
        russian = StatementFactory(title="Заявление о мире", language="ru", status=Status.DRAFT)
        english = StatementFactory(title="Statement on peace", translation=russian)
        page = self.client.get(english.get_absolute_url())
        self.assertNotContains(page, russian.get_absolute_url())

    def test_a_translation_in_the_same_language_is_refused(self):
        english = StatementFactory()
        other = StatementFactory(translation=english)
        with self.assertRaises(ValidationError):
            other.full_clean()


class QueryTests(TestCase):
    def test_the_russian_page_reads_no_more_than_the_english_one(self):
        """
        Both languages' names come from one reading of the taxonomy; each
        language's home page lists its own stories (see HomeTwinTests), read
        once for each state of the archive.
        """
        for name, name_ru in (("News", "Новости"), ("Speeches", "Выступления")):
            NewsItemFactory(section=SectionFactory(name=name, name_ru=name_ru))
        self.client.get("/news/", headers=ENGLISH)  # the taxonomy of this generation, read once
        # The latest news, the lead story (none of them has a photo), statements and topics.
        for headers in (ENGLISH, RUSSIAN):
            with self.assertNumQueries(4):
                response = self.client.get("/", headers=headers)
            with self.assertNumQueries(0):
                self.client.get("/", headers=headers)
        self.assertContains(response, "Выступления</a>")
        self.assertNotContains(response, "Speeches</a>")


class HomeTwinTests(TestCase):
    """The same story in two languages is on the home page once, in the visitor's."""

    def test_each_visitor_sees_a_translated_story_in_their_language(self):
        editor = UserFactory(role="editor")
        english = NewsItemFactory(title="Ministers met in Minsk")
        english.translation = NewsItemFactory(title="Министры встретились в Минске", language="ru")
        services.save_item(item=english, user=editor)  # linked both ways
        alone = NewsItemFactory(title="Только по-русски", language="ru")
        statement = StatementFactory(title="Statement on peace")
        statement.translation = StatementFactory(title="Заявление о мире", language="ru")
        services.save_item(item=statement, user=editor)
        page = self.client.get("/", headers=ENGLISH)
        self.assertContains(page, "Ministers met in Minsk")
        self.assertNotContains(page, "Министры встретились")
        # Untranslated, it is there, marked as Russian.
        self.assertContains(page, alone.title)
        self.assertContains(page, "Statement on peace")
        self.assertNotContains(page, "Заявление о мире")
        page = self.client.get("/", headers=RUSSIAN)
        self.assertContains(page, "Министры встретились в Минске")
        self.assertNotContains(page, "Ministers met in Minsk")
        self.assertContains(page, "Заявление о мире")
        self.assertNotContains(page, "Statement on peace")

    def test_a_statement_in_the_other_language_says_so(self):
        StatementFactory(title="Заявление о мире", language="ru")
        self.assertContains(self.client.get("/statements/", headers=ENGLISH), "· Russian")


class OtherLanguageMarkTests(FreshMediaMixin, TestCase):
    def test_the_home_pages_lead_story_says_when_it_is_in_the_other_language(self):
        NewsItemFactory(title="Summit in Minsk", language="en", cover_image=make_image())
        russian = self.client.get("/", headers=RUSSIAN).content.decode()
        lead = russian[russian.index('class="front__lead"') :].split("</p>")[0]
        self.assertIn("· Английский", lead)
        english = self.client.get("/", headers=ENGLISH).content.decode()
        lead = english[english.index('class="front__lead"') :].split("</p>")[0]
        self.assertNotIn("· English", lead)
