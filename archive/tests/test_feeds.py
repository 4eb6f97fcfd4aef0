import datetime
import re
import xml.etree.ElementTree as ET
from unittest import mock

import feedparser
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive import pagination, services, sitemaps
from archive.models import Image, NewsItem, Statement, Status

from . import media
from .factories import (
    BodyFactory,
    NewsItemFactory,
    PersonFactory,
    SectionFactory,
    StatementFactory,
    TopicFactory,
)

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z))?$")
HIDDEN = [
    {"status": Status.DRAFT},
    {"status": Status.REVIEW},
    {"status": Status.ARCHIVED},
    {"published_at": timezone.now() + datetime.timedelta(days=1)},
]


class FeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.section = SectionFactory(name="Speeches", slug="speeches")
        image = Image(alt_text="Ministers")
        image.file = ContentFile(media.image_bytes(size=(1600, 900)), name="cover.jpg")
        services.save_image(image=image)
        cls.item = NewsItemFactory(
            title="Ministers met",
            lead="A short lead.",
            section=cls.section,
            cover_image=image,
            published_at=timezone.now() - datetime.timedelta(hours=1),
        )
        cls.other = NewsItemFactory(
            title="Elsewhere", published_at=timezone.now() - datetime.timedelta(days=2)
        )
        for number, state in enumerate(HIDDEN):
            NewsItemFactory(title=f"Hidden news {number}", section=cls.section, **state)
        cls.statement = StatementFactory(title="Statement on peace")
        StatementFactory(title="Hidden statement", status=Status.DRAFT)

    def parse(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        feed = feedparser.parse(response.content)
        self.assertFalse(feed.bozo, feed.get("bozo_exception"))
        return feed

    def test_news_feeds_parse_and_hold_only_public_items(self):
        for url, version in (("/feeds/news/", "rss20"), ("/feeds/news/atom/", "atom10")):
            with self.subTest(url=url):
                feed = self.parse(url)
                self.assertEqual(feed.version, version)
                self.assertEqual([e.title for e in feed.entries], ["Ministers met", "Elsewhere"])
                self.assertEqual(
                    feed.entries[0].link, "http://testserver/news/speeches/" + self.item.slug + "/"
                )

    def test_the_cover_image_is_an_enclosure(self):
        entry = self.parse("/feeds/news/").entries[0]
        enclosure = entry.enclosures[0]
        largest = self.item.cover_image.sources[-1]
        self.assertEqual(enclosure.href, f"http://testserver/media/{largest['jpeg']}")
        self.assertEqual(enclosure.type, "image/jpeg")
        self.assertEqual(int(enclosure.length), largest["jpeg_bytes"])

    def test_section_feed(self):
        for url in ("/feeds/news/speeches/", "/feeds/news/speeches/atom/"):
            with self.subTest(url=url):
                self.assertEqual([e.title for e in self.parse(url).entries], ["Ministers met"])
        self.assertEqual(self.client.get("/feeds/news/nowhere/").status_code, 404)

    def test_statement_feeds(self):
        for url in ("/feeds/statements/", "/feeds/statements/atom/"):
            with self.subTest(url=url):
                self.assertEqual([e.title for e in self.parse(url).entries], ["Statement on peace"])

    def test_every_atom_entry_has_an_author_and_every_feed_is_valid(self):
        """RFC 4287 asks each Atom entry for an author: feed validators fail every feed without."""
        feeds = ("/feeds/news/", "/feeds/news/speeches/", "/feeds/statements/")
        for url in feeds + tuple(f"{url}atom/" for url in feeds):
            with self.subTest(url=url):
                feed = self.parse(url)
                self.assertTrue(feed.entries)
                for entry in feed.entries:
                    self.assertEqual(entry.author, "Collective Security Treaty Organization")

    def test_pages_advertise_their_feeds(self):
        self.assertContains(
            self.client.get("/"),
            '<link rel="alternate" type="application/rss+xml" title="CSTO news (RSS)" '
            'href="/feeds/news/">',
            html=True,
        )
        self.assertContains(self.client.get("/news/speeches/"), 'href="/feeds/news/speeches/atom/"')
        self.assertContains(self.client.get("/statements/"), 'href="/feeds/statements/"')


def only_query(queries, text):
    """The one captured query whose SQL holds `text`."""
    (sql,) = [query["sql"] for query in queries if text in query["sql"]]
    return sql


class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.section = SectionFactory(slug="news")
        cls.person, cls.body, cls.topic = PersonFactory(), BodyFactory(), TopicFactory()
        cls.item = NewsItemFactory(section=cls.section, slug="public-item")
        cls.item.persons.add(cls.person)
        cls.item.bodies.add(cls.body)
        cls.item.topics.add(cls.topic)
        for number, state in enumerate(HIDDEN):
            hidden = NewsItemFactory(slug=f"hidden-{number}", section=cls.section, **state)
            hidden.persons.add(PersonFactory(slug=f"only-in-hidden-{number}"))
        # A body and a topic that only a public statement shows have pages, and are listed.
        cls.adopting = BodyFactory(slug="adopting-council")
        statement = StatementFactory(slug="public-statement", adopted_by=cls.adopting)
        statement.topics.add(TopicFactory(slug="a-statements-topic"))
        draft = StatementFactory(
            slug="hidden-statement",
            status=Status.DRAFT,
            adopted_by=BodyFactory(slug="draft-only-council"),
        )
        draft.topics.add(TopicFactory(slug="a-drafts-topic"))
        SectionFactory(slug="empty-section")

    def xml(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/xml")
        return ET.fromstring(response.content)

    def check_urlset(self, root):
        """The rules of the sitemap protocol's schema (sitemaps.org, 0.9)."""
        self.assertEqual(root.tag, f"{SITEMAP}urlset")
        locations = []
        for url in root:
            self.assertEqual(url.tag, f"{SITEMAP}url")
            children = [child.tag for child in url]
            self.assertEqual(children[0], f"{SITEMAP}loc")
            self.assertLessEqual(
                set(children),
                {f"{SITEMAP}{n}" for n in ("loc", "lastmod", "changefreq", "priority")}
                | {f"{NEWS}news"},
            )
            location = url.find(f"{SITEMAP}loc").text
            self.assertRegex(location, r"^https?://")
            self.assertLessEqual(len(location), 2048)
            lastmod = url.find(f"{SITEMAP}lastmod")
            if lastmod is not None:
                self.assertRegex(lastmod.text, W3C_DATETIME)
            changefreq = url.find(f"{SITEMAP}changefreq")
            if changefreq is not None:
                self.assertIn(
                    changefreq.text,
                    {"always", "hourly", "daily", "weekly", "monthly", "yearly", "never"},
                )
            locations.append(location)
        self.assertLessEqual(len(locations), 50_000)
        return locations

    def test_the_index_lists_every_sitemap_with_lastmod(self):
        root = self.xml("/sitemap.xml")
        self.assertEqual(root.tag, f"{SITEMAP}sitemapindex")
        locations = [entry.find(f"{SITEMAP}loc").text for entry in root]
        self.assertEqual(
            locations,
            [
                f"http://testserver/sitemap-{name}.xml"
                for name in ("sections", "news", "statements", "persons", "bodies", "topics")
            ]
            # Today's news: the Google News sitemap has something to list.
            + ["http://testserver/news-sitemap.xml"],
        )
        lastmods = {
            entry.find(f"{SITEMAP}loc").text.removeprefix("http://testserver/"): (
                entry.findtext(f"{SITEMAP}lastmod")
            )
            for entry in root
        }
        for name in ("sitemap-sections", "sitemap-news", "sitemap-statements", "news-sitemap"):
            self.assertRegex(lastmods[f"{name}.xml"], W3C_DATETIME)
        # Tags list no dates: their sitemaps are not dated by the news' last change.
        for name in ("persons", "bodies", "topics"):
            self.assertIsNone(lastmods[f"sitemap-{name}.xml"])

    def test_the_sections_sitemap_is_dated_by_the_newest_news_it_lists(self):
        newest = self.item.published_at
        # An edit of an item changes no section's date: its news are dated by going live.
        NewsItem.objects.filter(pk=self.item.pk).update(updated_at=timezone.now())
        index = self.xml("/sitemap.xml")
        sections = next(e for e in index if e.findtext(f"{SITEMAP}loc").endswith("-sections.xml"))
        lastmod = datetime.datetime.fromisoformat(sections.findtext(f"{SITEMAP}lastmod"))
        self.assertEqual(lastmod, newest)

    def test_the_latest_change_is_the_public_items_read_from_their_table_alone(self):
        """
        Joined to the sections, PostgreSQL read every row for it (0.5 s at
        1,000,000 items) instead of the newest entries of the updated_at index.
        """
        with CaptureQueriesContext(connection) as queries:
            root = self.xml("/sitemap.xml")
        latest = [q["sql"] for q in queries if 'MAX("archive_newsitem"."updated_at")' in q["sql"]]
        self.assertTrue(latest)
        for sql in latest:
            self.assertNotIn("JOIN", sql)
        news = next(
            entry for entry in root if entry.find(f"{SITEMAP}loc").text.endswith("-news.xml")
        )
        # The hidden items were written after the public one; they do not count.
        self.assertEqual(
            datetime.datetime.fromisoformat(news.find(f"{SITEMAP}lastmod").text),
            self.item.updated_at,
        )

    def test_a_scheduled_item_changes_when_it_goes_live_not_when_it_was_saved(self):
        saved = timezone.now() - datetime.timedelta(days=3)
        live = timezone.now() - datetime.timedelta(hours=1)
        item = NewsItemFactory(section=self.section, slug="went-live", published_at=live)
        NewsItem.objects.filter(pk=item.pk).update(updated_at=saved)
        # The news sitemap gives the day, the Google News one the moment.
        for address, expected in (
            ("/sitemap-news.xml", str(timezone.localdate(live))),
            ("/news-sitemap.xml", live),
        ):
            with self.subTest(address=address):
                root = self.xml(address)
                entry = next(
                    url for url in root if url.find(f"{SITEMAP}loc").text.endswith("/went-live/")
                )
                lastmod = entry.find(f"{SITEMAP}lastmod").text
                if isinstance(expected, str):
                    self.assertEqual(lastmod, expected)
                else:
                    self.assertEqual(datetime.datetime.fromisoformat(lastmod), expected)

    def test_pages_past_the_first_list_the_same_items_from_the_index(self):
        """Deeper pages read their ids first, without a join: every public item once, in order."""
        subsection = SectionFactory(slug="sub", parent=self.section)
        for day in range(5):
            NewsItemFactory(
                section=subsection, published_at=timezone.now() - datetime.timedelta(days=day)
            )
        public = NewsItem.objects.published().order_by("-published_at", "-pk")
        expected = [f"http://testserver{item.get_absolute_url()}" for item in public]
        listed, pages = [], (len(expected) + 1) // 2
        # Two items a page, and every page past the first read ids first.
        with (
            mock.patch.object(sitemaps.NewsSitemap, "limit", 2),
            mock.patch.object(pagination, "DEEP_ROWS", 1),
        ):
            for page in range(1, pages + 1):
                with CaptureQueriesContext(connection) as queries:
                    listed += self.check_urlset(self.xml(f"/sitemap-news.xml?p={page}"))
                if page > 1:
                    ids = only_query(queries, 'SELECT "archive_newsitem"."id" AS "pk" FROM')
                    self.assertNotIn("JOIN", ids)
            self.assertEqual(self.client.get(f"/sitemap-news.xml?p={pages + 1}").status_code, 404)
        self.assertEqual(listed, expected)

    def test_a_section_is_dated_by_the_newest_news_of_its_subsections_too(self):
        parent = SectionFactory(slug="parent")
        child = SectionFactory(slug="child", parent=parent)
        NewsItemFactory(section=parent, published_at=timezone.now() - datetime.timedelta(days=9))
        newest = NewsItemFactory(
            section=child, published_at=timezone.now() - datetime.timedelta(hours=2)
        )
        root = self.xml("/sitemap-sections.xml")
        dates = {url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod").text for url in root}
        # The child's news of two hours ago, not the parent's own of nine days ago.
        self.assertEqual(
            dates["http://testserver/news/parent/"], dates["http://testserver/news/child/"]
        )
        self.assertEqual(
            dates["http://testserver/news/child/"][:10],
            str(timezone.localdate(newest.published_at)),
        )

    def test_each_sitemap_is_valid_and_public_only(self):
        expected = {
            "sections": ["http://testserver/news/news/"],
            "news": ["http://testserver/news/news/public-item/"],
            "statements": ["http://testserver/statements/public-statement/"],
            "persons": [f"http://testserver/persons/{self.person.slug}/"],
            "bodies": [
                "http://testserver/bodies/adopting-council/",
                f"http://testserver/bodies/{self.body.slug}/",
            ],
            "topics": [
                "http://testserver/topics/a-statements-topic/",
                f"http://testserver/topics/{self.topic.slug}/",
            ],
        }
        for name, locations in expected.items():
            with self.subTest(sitemap=name):
                root = self.xml(f"/sitemap-{name}.xml")
                self.assertEqual(self.check_urlset(root), locations)
                if name in ("sections", "news", "statements"):
                    for url in root:
                        self.assertIsNotNone(url.find(f"{SITEMAP}lastmod"))

    def test_news_sitemap_of_the_last_two_days(self):
        with time_machine.travel(timezone.now() - datetime.timedelta(days=3)):
            NewsItemFactory(slug="old-news", section=self.section)
        root = self.xml("/news-sitemap.xml")
        self.assertEqual(self.check_urlset(root), ["http://testserver/news/news/public-item/"])
        news = root[0].find(f"{NEWS}news")
        self.assertEqual(news.find(f"{NEWS}title").text, self.item.title)
        self.assertEqual(news.find(f"{NEWS}publication/{NEWS}language").text, "en")
        self.assertRegex(news.find(f"{NEWS}publication_date").text, W3C_DATETIME)

    def test_an_empty_sitemap_is_left_out_of_the_index_and_is_404(self):
        """The sitemaps.org schema has no empty urlset: a search engine would reject it."""
        NewsItem.objects.update(published_at=timezone.now() - datetime.timedelta(days=3))
        self.item.topics.clear()
        Statement.objects.get(slug="public-statement").topics.clear()
        locations = [entry.find(f"{SITEMAP}loc").text for entry in self.xml("/sitemap.xml")]
        self.assertNotIn("http://testserver/news-sitemap.xml", locations)
        self.assertNotIn("http://testserver/sitemap-topics.xml", locations)
        self.assertIn("http://testserver/sitemap-news.xml", locations)
        for url in ("/news-sitemap.xml", "/sitemap-topics.xml"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_bad_sitemap_addresses_are_404(self):
        for url in ("/sitemap-nothing.xml", "/sitemap-news.xml?p=abc", "/sitemap-news.xml?p=99"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_robots_txt_points_to_the_sitemaps(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        text = response.content.decode()
        self.assertIn("Sitemap: http://testserver/sitemap.xml", text)
        # The index names the Google News sitemap, while it has news.
        self.assertNotIn("news-sitemap.xml", text)
        self.assertIn("Disallow: /admin/", text)
        # Search results are not for crawlers, on the search page or a list.
        for rule in ("Disallow: /search/", "Disallow: /*?q=", "Disallow: /*&q="):
            self.assertIn(rule, text.splitlines())


class RememberedSitemapTests(TestCase):
    """The sitemaps' heavy reads are made once per change of the archive."""

    def test_read_once_then_renewed_by_a_publish(self):
        section = SectionFactory(slug="news")
        first = NewsItemFactory(section=section)
        first.persons.add(PersonFactory(slug="first-person"))
        self.client.get("/sitemap.xml")
        self.client.get("/sitemap-persons.xml")
        with self.assertNumQueries(0):
            self.assertContains(self.client.get("/sitemap-persons.xml"), "/persons/first-person/")
        with self.assertNumQueries(0):
            self.client.get("/sitemap.xml")

        with self.captureOnCommitCallbacks(execute=True):
            second = NewsItemFactory(section=section)
            second.persons.add(PersonFactory(slug="second-person"))
        self.assertContains(self.client.get("/sitemap-persons.xml"), "/persons/second-person/")
