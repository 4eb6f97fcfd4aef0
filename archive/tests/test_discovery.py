"""Archives by date, page metadata, and items linked to their translation."""

import datetime
import json
import re

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import RequestFactory, TestCase
from django.utils import timezone, translation
from PIL import Image

from archive import navigation, pagecache, services
from archive.models import NewsItem, Revision, Status, TrashedItem
from archive.views.site import database_unavailable, server_error

from .factories import NewsItemFactory, SectionFactory, UserFactory, titles_shown


def when(year, month, day=10):
    return datetime.datetime(year, month, day, 12, tzinfo=datetime.UTC)


def archive_nav(response):
    """(year or month, count) of each entry of the archive navigation, as shown."""
    nav = re.search(r'<nav class="archive-nav".*?</nav>', response.content.decode(), re.S)
    return re.findall(r'>([^<>]+)</(?:a|span)> <span class="count">(\d+)</span>', nav[0])


def json_ld(response):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S)
    return json.loads(match[1])


def titles(response):
    return titles_shown(response)


class DateArchiveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        section = SectionFactory(slug="news")
        NewsItemFactory(title="May 2020", section=section, published_at=when(2020, 5))
        NewsItemFactory(title="Also May 2020", section=section, published_at=when(2020, 5, 20))
        NewsItemFactory(title="December 2020", section=section, published_at=when(2020, 12))
        NewsItemFactory(title="July 2024", section=section, published_at=when(2024, 7))
        NewsItemFactory(title="Draft 2020", status=Status.DRAFT, published_at=when(2020, 5))

    def setUp(self):
        cache.clear()  # the archive navigation is counted at most every few minutes

    def test_year_and_month_pages(self):
        response = self.client.get("/news/2020/")
        self.assertEqual(titles(response), ["December 2020", "Also May 2020", "May 2020"])
        self.assertContains(response, "<h1>News of 2020</h1>", html=True)
        response = self.client.get("/news/2020/5/")
        self.assertEqual(titles(response), ["Also May 2020", "May 2020"])
        self.assertContains(response, "<h1>News of May 2020</h1>", html=True)
        self.assertEqual(
            response.context_data["crumbs"],
            [("All news", "/news/"), ("2020", "/news/2020/"), ("May 2020", None)],
        )

    def test_a_month_is_named_as_a_date_names_it(self):
        response = self.client.get("/news/2020/5/", headers={"accept-language": "ru"})
        self.assertContains(response, "<h1>Новости мая 2020 года</h1>", html=True)

    def test_an_address_with_leading_zeros_leads_to_the_one_without(self):
        for address, own in (
            ("/news/2020/05/", "/news/2020/5/"),
            ("/news/02020/", "/news/2020/"),
            ("/news/2020/005/?q=May", "/news/2020/5/?q=May"),
        ):
            with self.subTest(address=address):
                response = self.client.get(address)
                self.assertRedirects(response, own, status_code=301)

    def test_archive_pages_keep_the_other_filters(self):
        response = self.client.get("/news/2020/", {"q": "December"})
        self.assertEqual(titles(response), ["December 2020"])
        self.assertNotContains(response, 'name="year"')

    def test_navigation_counts_years_and_months(self):
        response = self.client.get("/news/")
        self.assertEqual(archive_nav(response), [("2024", "1"), ("2020", "3")])
        response = self.client.get("/news/2020/")
        self.assertEqual(
            archive_nav(response),
            [("2024", "1"), ("2020", "3"), ("May", "2"), ("December", "1")],
        )
        self.assertContains(response, '<a href="/news/2020/12/">December</a>', html=True)
        self.assertContains(response, '<span aria-current="page">2020</span>', html=True)

    def test_a_sections_page_says_its_navigation_counts_all_news(self):
        other = SectionFactory(slug="statements-section", name="Other")
        NewsItemFactory(title="Elsewhere", section=other, published_at=when(2024, 8))
        response = self.client.get("/news/news/")
        # Its counts and links are the whole archive's, and its heading says so.
        self.assertEqual(archive_nav(response), [("2024", "2"), ("2020", "3")])
        self.assertContains(response, "Archive of all news")
        self.assertContains(response, '<a href="/news/2024/">2024</a>', html=True)
        with translation.override("ru"):
            response = self.client.get("/news/news/", headers={"accept-language": "ru"})
        self.assertContains(response, "Архив всех новостей")

    def test_navigation_follows_a_publish(self):
        # The navigation is kept as HTML between requests, for each state of the archive.
        self.assertEqual(archive_nav(self.client.get("/news/")), [("2024", "1"), ("2020", "3")])
        with self.captureOnCommitCallbacks(execute=True):
            NewsItemFactory(title="Late May 2020", published_at=when(2020, 5, 25))
        self.assertEqual(archive_nav(self.client.get("/news/")), [("2024", "1"), ("2020", "4")])
        self.assertEqual(archive_nav(self.client.get("/news/2020/"))[2], ("May", "3"))

    def test_navigation_follows_every_kind_of_change(self):
        # A year's count is kept until news of that year change (after a
        # publish only its year is counted again): each change shows at once.
        def nav():
            return archive_nav(self.client.get("/news/"))

        self.assertEqual(nav(), [("2024", "1"), ("2020", "3")])
        item = NewsItem.objects.get(title="July 2024")
        with self.captureOnCommitCallbacks(execute=True):  # moved to another year
            item.published_at = when(2020, 8)
            item.save()
        self.assertEqual(nav(), [("2020", "4")])
        with self.captureOnCommitCallbacks(execute=True):  # back, and unpublished
            item.published_at, item.status = when(2024, 7), Status.DRAFT
            item.save()
        self.assertEqual(nav(), [("2020", "3")])
        with self.captureOnCommitCallbacks(execute=True):
            NewsItem.objects.filter(title="May 2020").delete()
        self.assertEqual(nav(), [("2020", "2")])
        self.assertEqual(archive_nav(self.client.get("/news/2020/"))[1], ("May", "1"))

    def test_a_publish_counts_only_its_own_year_again(self):
        self.assertEqual(navigation.archive_years(), [(2024, 1), (2020, 3)])
        with self.captureOnCommitCallbacks(execute=True):
            NewsItemFactory(title="Late May 2020", published_at=when(2020, 5, 25))
        pagecache.current_generation()  # the next scheduled change, as every page asks first
        with self.assertNumQueries(3):  # its newest and oldest moments, and 2020
            self.assertEqual(navigation.archive_years(), [(2024, 1), (2020, 4)])
        # A change that may touch any year (a bulk write, a scheduled moment):
        # every year from 2024 to 2020 is counted again.
        pagecache.bump()
        pagecache.current_generation()
        with self.assertNumQueries(2 + 5):
            self.assertEqual(navigation.archive_years(), [(2024, 1), (2020, 4)])

    def test_a_forgotten_year_stamp_is_never_stale(self):
        self.assertEqual(navigation.archive_years(), [(2024, 1), (2020, 3)])
        # The cache forgets 2020's stamp (evicted), and the count changes
        # without a signal; a new stamp starts from the clock.
        pagecache.cache.delete(pagecache.YEAR.format(2020))
        NewsItem.objects.filter(title="May 2020").update(status=Status.DRAFT)
        pagecache.bump(years=())  # a new generation, no year named
        self.assertEqual(navigation.archive_years(), [(2024, 1), (2020, 2)])

    def test_impossible_dates_are_404(self):
        for url in ("/news/2020/13/", "/news/2020/0/", "/news/1800/", "/news/99999999999/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        # A year or month in range without public news is no page either (no soft 404).
        for url in ("/news/2019/", "/news/2020/6/", "/news/2100/12/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get("/news/2020/5/").status_code, 200)

    def test_a_section_cannot_be_named_like_a_year(self):
        section = SectionFactory.build(slug="2020", name="Odd")
        with self.assertRaises(ValidationError):
            section.full_clean()


class MetadataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.item = NewsItemFactory(
            title='Ministers "met" </script><script>alert(1)</script>',
            lead="A lead with <b>tags</b> & ampersands.",
            section=SectionFactory(slug="news"),
            slug="ministers-met",
        )

    def test_item_page_metadata(self):
        response = self.client.get("/news/news/ministers-met/")
        content = response.content.decode()
        self.assertIn(
            '<link rel="canonical" href="http://testserver/news/news/ministers-met/">', content
        )
        self.assertIn('<meta property="og:type" content="article">', content)
        self.assertIn(
            # (Jinja2 writes a quotation mark as &#34;, Django as &quot;.)
            '<meta property="og:title" content="Ministers &#34;met&#34; '
            '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;">',
            content,
        )
        self.assertIn('<meta name="twitter:card" content="summary_large_image">', content)
        self.assertIn('<link rel="alternate" hreflang="en"', content)
        self.assertNotIn("<script>alert(1)</script>", content)

        match = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
        self.assertNotIn("<", match[1])
        data = json.loads(match[1])
        self.assertEqual(data["@type"], "NewsArticle")
        self.assertEqual(data["headline"], self.item.title)
        self.assertEqual(data["inLanguage"], "en")
        self.assertEqual(data["publisher"]["name"], "Collective Security Treaty Organization")
        self.assertIn("datePublished", data)
        self.assertIn("dateModified", data)

    def test_a_long_headline_is_cut_at_a_word(self):
        """Google reads 110 characters of a headline: it is cut at a word, with an ellipsis."""
        words = "The Council of Foreign Ministers of the Collective Security Treaty Organization"
        title = f"{words} met by video conference to discuss international and regional security"
        NewsItemFactory(title=title, section=self.item.section, slug="long")
        headline = json_ld(self.client.get("/news/news/long/"))["headline"]
        self.assertLessEqual(len(headline), 110)
        self.assertTrue(headline.endswith(" conference to…"), headline)
        self.assertTrue(title.startswith(headline[:-1]))

    def test_a_page_without_a_picture_shows_the_emblem(self):
        """Link previews and search results need an image: the emblem, wide enough for them."""
        response = self.client.get("/news/news/ministers-met/")
        emblem = "http://testserver/static/img/og-emblem.png"
        self.assertContains(response, f'<meta property="og:image" content="{emblem}">')
        self.assertEqual(json_ld(response)["image"], [emblem])
        for url in ("/", "/statements/"):
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), f'content="{emblem}"', count=2)
        with Image.open(finders.find("img/og-emblem.png")) as image:
            self.assertGreaterEqual(image.width, 1200)

    def test_error_pages_name_no_canonical_address(self):
        response = self.client.get("/news/news/no-such-item/")
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, 'rel="canonical"', status_code=404)
        self.assertNotContains(response, "og:url", status_code=404)
        request = RequestFactory().get("/news/")
        with self.assertLogs("archive.views.site", "WARNING"):
            unavailable = database_unavailable(request, "down")
        for response in (server_error(request), unavailable):
            with self.subTest(status=response.status_code):
                self.assertNotIn(b'rel="canonical"', response.content)

    def test_every_page_has_a_description_and_a_canonical_address(self):
        year = f"/news/{timezone.localtime(self.item.published_at).year}/"
        for url in ("/", "/news/", "/news/news/", "/statements/", year):
            with self.subTest(url=url):
                content = self.client.get(url).content.decode()
                self.assertIn('<meta name="description" content="', content)
                self.assertIn(f'<link rel="canonical" href="http://testserver{url}">', content)
                self.assertIn('<meta property="og:title"', content)

    def test_a_later_page_of_a_list_is_its_own_canonical_address(self):
        section = SectionFactory(slug="briefs")
        NewsItemFactory.create_batch(25, section=section)
        content = self.client.get("/news/?page=2").content.decode()
        self.assertIn('<link rel="canonical" href="http://testserver/news/?page=2">', content)
        self.assertIn('<meta property="og:url" content="http://testserver/news/?page=2">', content)
        # A filtered list stands for the whole one.
        content = self.client.get("/news/?section=briefs&page=2").content.decode()
        self.assertIn('<link rel="canonical" href="http://testserver/news/">', content)


class TranslationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = UserFactory(username="editor", role="editor")
        section = SectionFactory(slug="news")
        cls.english = NewsItemFactory(title="Ministers met", section=section, slug="ministers-met")
        cls.russian = NewsItemFactory(
            title="Министры встретились", language="ru", section=section, slug="ministry-vstretilis"
        )

    def link(self, item, partner):
        item.translation = partner
        services.save_item(item=item, user=self.editor)

    def test_a_link_goes_both_ways_and_pages_show_it(self):
        self.link(self.english, self.russian)
        self.russian.refresh_from_db()
        self.assertEqual(self.russian.translation, self.english)
        response = self.client.get("/news/news/ministers-met/")
        self.assertContains(
            response,
            '<a href="/news/news/ministry-vstretilis/" hreflang="ru" lang="ru">'
            "Читать эту новость на русском</a>",
            html=True,
        )
        self.assertContains(response, '<link rel="alternate" hreflang="ru"')
        response = self.client.get("/news/news/ministry-vstretilis/")
        self.assertContains(response, "Read this news in English")

    def test_a_new_partner_releases_the_old_one(self):
        self.link(self.english, self.russian)
        other = NewsItemFactory(title="Другая новость", language="ru", slug="drugaya")
        self.link(self.english, other)
        self.russian.refresh_from_db()
        other.refresh_from_db()
        self.assertIsNone(self.russian.translation)
        self.assertEqual(other.translation, self.english)
        self.assertEqual(NewsItem.objects.exclude(translation=None).count(), 2)

    def test_the_language_switch_leads_to_the_translation_in_that_language(self):
        self.link(self.english, self.russian)
        russian_page = "/news/news/ministry-vstretilis/"
        # A Russian visitor switching to English on the Russian item gets the English one.
        page = self.client.get(russian_page, headers={"accept-language": "ru"})
        self.assertContains(page, 'href="/language/en/?next=/news/news/ministers-met/"')
        # An English visitor switching to Russian is on the Russian item already.
        page = self.client.get(russian_page, headers={"accept-language": "en"})
        self.assertContains(page, f'href="/language/ru/?next={russian_page}"')
        # With a way back to the list, that way is kept.
        page = self.client.get(
            russian_page, {"back": "/news/?page=2"}, headers={"accept-language": "ru"}
        )
        self.assertContains(
            page,
            'href="/language/en/?next=/news/news/ministers-met/%3Fback%3D/news/%253Fpage%253D2"',
        )

    def test_a_partner_paired_already_leaves_its_old_translation(self):
        self.link(self.english, self.russian)
        other = NewsItemFactory(title="Ministers met again", slug="again")
        self.link(other, self.russian)
        self.russian.refresh_from_db()
        self.english.refresh_from_db()
        self.assertEqual(self.russian.translation, other)
        self.assertIsNone(self.english.translation)

    def test_an_older_version_whose_translation_was_deleted_is_restored_without_it(self):
        partner = NewsItemFactory(title="Черновик", language="ru", slug="chernovik")
        self.link(self.english, partner)
        paired = services.record_revision(item=self.english, user=self.editor)
        partner.delete()
        self.english.refresh_from_db()
        services.restore_revision(revision=paired, user=self.editor)
        self.english.refresh_from_db()
        self.assertIsNone(self.english.translation)

    def test_a_draft_restored_from_the_trash_is_linked_both_ways_again(self):
        draft = NewsItemFactory(title="Draft", slug="draft", status=Status.DRAFT, published_at=None)
        self.link(draft, self.russian)
        services.delete_item(item=draft, user=self.editor)
        self.russian.refresh_from_db()
        self.assertIsNone(self.russian.translation)
        restored = services.restore_from_trash(trashed=TrashedItem.objects.get(), user=self.editor)
        self.russian.refresh_from_db()
        self.assertEqual((restored.translation, self.russian.translation), (self.russian, restored))

    def test_the_other_items_history_says_who_paired_and_unpaired_it(self):
        self.link(self.english, self.russian)
        latest = Revision.for_item(self.russian).first()
        self.assertEqual(latest.user, self.editor)
        self.assertEqual(latest.comment_text(), "Linked to its translation “Ministers met”.")
        other = NewsItemFactory(title="Другая новость", language="ru", slug="drugaya")
        self.link(self.english, other)
        latest = Revision.for_item(self.russian).first()
        self.assertEqual(
            latest.comment_text(), "The link to its translation “Ministers met” was removed."
        )
        self.assertEqual(latest.data["translation"], None)

    def test_a_form_opened_on_the_partner_before_the_pairing_cannot_undo_it(self):
        opened_at = self.russian.version
        self.link(self.english, self.russian)
        # A colleague's form on the Russian item still shows it unpaired.
        stale = NewsItem.objects.get(pk=self.russian.pk)
        stale.translation, stale.title = None, "Министры встретились в Минске"
        with self.assertRaises(services.ConflictError):
            services.save_item(item=stale, user=self.editor, expected_version=opened_at)
        self.english.refresh_from_db()
        self.assertEqual(self.english.translation, self.russian)

    def test_an_unpublished_translation_is_not_linked(self):
        self.link(self.english, self.russian)
        services.archive(item=self.russian, user=self.editor)
        response = self.client.get("/news/news/ministers-met/")
        self.assertNotContains(response, "ministry-vstretilis")

    def test_a_translation_must_be_in_the_other_language(self):
        same = NewsItemFactory(title="Also English", slug="also-english")
        self.english.translation = same
        with self.assertRaisesMessage(services.WorkflowError, "the other language"):
            services.save_item(item=self.english, user=self.editor)

    def test_language_filters_lists(self):
        self.assertEqual(
            titles(self.client.get("/news/", {"language": "ru"})), ["Министры встретились"]
        )


class FaviconTests(TestCase):
    def test_the_site_has_an_icon(self):
        """Browsers ask for /favicon.ico whatever a page says: it answers, and pages link it."""
        response = self.client.get("/favicon.ico")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/x-icon")
        self.assertEqual(response.content[:4], b"\x00\x00\x01\x00")  # an ICO file
        page = self.client.get("/")
        self.assertContains(page, '<link rel="icon" href="/static/img/emblem.svg"')
        self.assertContains(page, '<link rel="icon" href="/static/img/favicon.ico"')
