"""The public lists as a visitor meets them: their addresses, headings, bad filters and pages."""

import datetime
import html
import re
from unittest import mock
from urllib.parse import quote

from django.core.cache import caches
from django.test import TestCase, override_settings
from django.utils import timezone

from archive import views

from .factories import NewsItemFactory, SectionFactory, StatementFactory, titles_shown

NEWS = "/news/"


def moment(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


class ListTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.section = SectionFactory(name="CSTO news", slug="csto-news")
        cls.ministers = NewsItemFactory(
            title="Ministers met",
            slug="ministers-met",
            section=cls.section,
            published_at=moment(2020, 5, 26),
        )
        cls.exercise = NewsItemFactory(
            title="Exercise held",
            slug="exercise-held",
            section=cls.section,
            published_at=moment(2021, 9, 1),
        )

    def titles(self, response):
        return titles_shown(response)


class TrackingParameterTests(ListTestCase):
    def test_tracking_parameters_are_ignored_silently(self):
        for name in ("utm_source", "utm_campaign", "fbclid", "gclid", "yclid", "_ga", "mc_cid"):
            with self.subTest(name=name):
                response = self.client.get(NEWS, {name: "abc"})
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, 'class="notice"')
                self.assertNotContains(response, name)
                self.assertEqual(self.titles(response), ["Exercise held", "Ministers met"])

    @override_settings(PAGE_CACHE_SECONDS=300)
    def test_a_parameter_a_person_typed_is_named_and_the_list_still_shown(self):
        caches["pages"].clear()
        response = self.client.get(NEWS, {"yaer": "2020", "utm_source": "mail"})
        self.assertContains(response, "These parameters are not understood and were ignored: yaer.")
        self.assertEqual(self.titles(response), ["Exercise held", "Ministers met"])
        # Built for this request alone: the list's own page is not kept with the notice.
        self.assertFalse(response.has_header("X-Page-Cache"))
        response = self.client.get(f"{NEWS}?=x")
        self.assertContains(
            response,
            "These parameters are not understood and were ignored: (a value without a name).",
        )
        plain = self.client.get(NEWS, {"utm_source": "mail"})
        self.assertEqual(plain["X-Page-Cache"], "miss")
        self.assertNotContains(plain, 'class="notice"')


class GoBackTests(ListTestCase):
    def test_an_item_found_by_search_goes_back_to_the_results(self):
        results = self.client.get("/search/", {"q": "ministers"})
        back = "/search/?q=ministers"
        link = f"/news/csto-news/ministers-met/?back={quote(back, safe='/')}"
        self.assertContains(results, f'href="{link}"')
        item = self.client.get(link)
        self.assertContains(item, f'<a href="{back}">Go back</a>', html=True)

    @override_settings(PAGE_CACHE_SECONDS=300)
    def test_the_language_switch_keeps_the_way_back(self):
        caches["pages"].clear()
        back = "/news/?section=csto-news&page=1"
        for _ in range(2):  # built, then from the page cache
            item = self.client.get(self.ministers.get_absolute_url(), {"back": back})
            switch = re.search(r'href="(/language/ru/\?next=[^"]+)"', item.content.decode())[1]
            russian = self.client.get(html.unescape(switch), follow=True)
            self.assertEqual(
                russian.redirect_chain[-1][0],
                f"{self.ministers.get_absolute_url()}?back={quote(back, safe='/')}",
            )
            self.assertContains(russian, f'<a href="{html.escape(back)}">Вернуться назад</a>')
            self.client.get("/language/en/")

    def test_year_and_month_archives_are_lists_to_go_back_to(self):
        for back in ("/news/2020/", "/news/2020/5/"):
            with self.subTest(back=back):
                page = self.client.get(back)
                self.assertContains(page, f"ministers-met/?back={quote(back, safe='/')}")
                item = self.client.get(self.ministers.get_absolute_url(), {"back": back})
                self.assertContains(item, f'<a href="{back}">Go back</a>', html=True)

    def test_without_a_list_no_go_back_link_repeats_the_section(self):
        response = self.client.get(self.ministers.get_absolute_url())
        self.assertNotContains(response, "Go back")
        self.assertContains(
            response, '<a href="/news/csto-news/">Back to the section</a>', html=True
        )
        statement = StatementFactory(slug="a-statement")
        response = self.client.get(statement.get_absolute_url())
        self.assertNotContains(response, "Go back")
        self.assertContains(response, "Back to all statements")


class OneBadFilterTests(ListTestCase):
    def test_the_valid_filters_still_apply(self):
        response = self.client.get(NEWS, {"date_from": "2020-02-31", "q": "ministers"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.titles(response), ["Ministers met"])
        self.assertContains(response, "From: “2020-02-31” is not a date.")
        # The date box shows what was typed, to be corrected.
        self.assertContains(
            response, '<input type="text" name="date_from" value="2020-02-31"', html=False
        )
        self.assertContains(response, "<title>News: “ministers” · CSTO</title>", html=False)

    def test_an_unknown_section_leaves_the_rest_applying(self):
        response = self.client.get(NEWS, {"section": "no-such", "year": "2021"})
        self.assertEqual(self.titles(response), ["Exercise held"])
        self.assertContains(response, "Section: There is no section “no-such”.")

    def test_start_after_end_applies_neither(self):
        response = self.client.get(NEWS, {"date_from": "2021-01-01", "date_to": "2020-01-01"})
        self.assertContains(response, "The start date must not be after the end date.")
        self.assertEqual(self.titles(response), ["Exercise held", "Ministers met"])


class AddressAndHeadingTests(ListTestCase):
    def test_empty_fields_are_taken_out_of_the_address(self):
        response = self.client.get(
            NEWS + "?q=&section=csto-news&person=&body=&topic=&language=&date_from=&year=2020"
        )
        self.assertRedirects(response, "/news/?section=csto-news&year=2020")
        self.assertRedirects(self.client.get(NEWS + "?q=&page="), NEWS)
        self.assertRedirects(self.client.get("/search/?q=ministers&kind="), "/search/?q=ministers")

    def test_the_heading_says_what_the_list_is(self):
        response = self.client.get(NEWS, {"section": "csto-news", "year": "2020"})
        self.assertContains(response, "<h1>News: CSTO news, 2020</h1>", html=True)
        self.assertContains(response, "<title>News: CSTO news, 2020 · CSTO</title>", html=False)
        self.assertNotContains(response, "<h1>All news</h1>", html=True)
        self.assertContains(self.client.get(NEWS), "<h1>All news</h1>", html=True)
        section = self.client.get("/news/csto-news/", {"q": "ministers"})
        self.assertContains(section, "<h1>CSTO news: “ministers”</h1>", html=True)
        statements = self.client.get("/statements/", {"year": "2020"})
        self.assertContains(statements, "<h1>Statements: 2020</h1>", html=True)
        period = {"language": "en", "date_from": "2020-05-01", "date_to": "2020-05-31"}
        self.assertContains(
            self.client.get(NEWS, period),
            "<h1>News: English, from 01.05.2020 to 31.05.2020</h1>",
            html=True,
        )

    def test_an_empty_list_blames_the_filters_only_when_there_are_some(self):
        SectionFactory(slug="interviews", name="Interviews")
        empty = self.client.get("/news/interviews/")
        self.assertContains(empty, "No news yet.")
        self.assertNotContains(empty, "match these filters")
        filtered = self.client.get(NEWS, {"year": "2019"})
        self.assertContains(filtered, "No news match these filters.")
        search = self.client.get("/search/", {"q": "ministers"})
        self.assertContains(search, "<title>Search: ministers · CSTO</title>", html=False)

    def test_the_filters_button_counts_the_filters_chosen(self):
        response = self.client.get(NEWS, {"section": "csto-news", "year": "2020"})
        self.assertContains(response, "Filters (2)</summary>")
        self.assertContains(self.client.get(NEWS), ">Filters</summary>")


class PastTheEndTests(ListTestCase):
    def test_a_page_past_the_end_links_to_the_last_page(self):
        with mock.patch.object(views.NewsListView, "paginate_by", 1):
            response = self.client.get(NEWS, {"page": "999"})
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "this list has 2 pages.", status_code=404)
        self.assertContains(
            response, '<a href="/news/?page=2">Go to the last page</a>', html=True, status_code=404
        )
        self.assertContains(
            response, '<a href="/news/">Go to the first page</a>', html=True, status_code=404
        )

    def test_a_list_of_one_page_links_to_it_once(self):
        response = self.client.get(NEWS, {"page": "999"})
        self.assertContains(response, "this list has 1 page.", status_code=404)
        self.assertContains(
            response, '<a href="/news/">Go to the first page</a>', html=True, status_code=404
        )
        self.assertNotContains(response, "Go to the last page", status_code=404)

    def test_every_paged_list_and_search(self):
        for url, first in (
            ("/news/?year=2020&page=5", "/news/?year=2020"),
            ("/news/csto-news/?page=5", "/news/csto-news/"),
            ("/news/2020/?page=5", "/news/2020/"),
            ("/statements/?page=5", "/statements/"),
            ("/search/?q=ministers&page=5", "/search/?q=ministers"),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, f'href="{first}"', status_code=404)
                self.assertContains(response, "this list has 1 page.", status_code=404)


class KeptTeaserTests(ListTestCase):
    """Each teaser is drawn once and kept (archive.teasers); what a list shows never lags."""

    def test_a_list_read_again_reads_only_its_ids(self):
        self.client.get(NEWS)
        with self.assertNumQueries(1):
            response = self.client.get(NEWS)
        self.assertEqual(self.titles(response), ["Exercise held", "Ministers met"])

    def test_an_edited_or_unpublished_item_shows_at_once(self):
        self.client.get(NEWS)
        self.exercise.title = "Exercise ended"
        with self.captureOnCommitCallbacks(execute=True):
            self.exercise.save()
        self.assertEqual(self.titles(self.client.get(NEWS)), ["Exercise ended", "Ministers met"])
        self.ministers.status = "draft"
        with self.captureOnCommitCallbacks(execute=True):
            self.ministers.save()
        self.assertEqual(self.titles(self.client.get(NEWS)), ["Exercise ended"])

    def test_each_list_links_its_items_back_to_itself(self):
        for address in (NEWS, f"{NEWS}?year=2021", "/news/csto-news/"):
            with self.subTest(address=address):
                response = self.client.get(address)
                self.assertContains(
                    response, f"/exercise-held/?back={quote(address, safe='/')}", html=False
                )

    def test_a_teaser_is_in_the_visitors_language(self):
        self.section.name_ru = "Новости ОДКБ"
        with self.captureOnCommitCallbacks(execute=True):
            self.section.save()
        self.assertContains(self.client.get(NEWS), ">CSTO news</a>")
        russian = self.client.get(NEWS, headers={"accept-language": "ru"})
        self.assertContains(russian, ">Новости ОДКБ</a>")
        self.assertContains(self.client.get(NEWS), ">CSTO news</a>")
