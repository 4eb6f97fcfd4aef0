import datetime

from django.template import engines
from django.test import TestCase, override_settings
from django.urls import set_script_prefix
from django.utils import translation

from archive.models import NewsItem
from archive.templating import count_label

from .factories import MediaLinkFactory, NewsItemFactory, SectionFactory, StatementFactory

MOMENT = datetime.datetime(2024, 5, 16, 22, 30, tzinfo=datetime.UTC)


class DateTests(TestCase):
    """Dates are shown as 17.05.2024 in the site's time zone (Moscow), with machine-readable ISO."""

    def test_a_news_item(self):
        item = NewsItemFactory(published_at=MOMENT)
        MediaLinkFactory(news_item=item, date=datetime.date(2024, 5, 18))
        response = self.client.get(item.get_absolute_url())
        self.assertContains(
            response, '<time datetime="2024-05-17T01:30:00+03:00">17.05.2024</time>'
        )
        self.assertContains(
            response,
            '<meta property="article:published_time" content="2024-05-17T01:30:00+03:00">',
        )
        self.assertContains(response, "18.05.2024")

    def test_iso_moments_read_as_djangos_date_c(self):
        page = engines["jinja2"].from_string("{{ m|isoformat }}|{{ m|date('c') }}")
        for moment in (MOMENT, MOMENT.replace(microsecond=123), None):
            with self.subTest(moment=moment):
                ours, djangos = page.render({"m": moment}).split("|")
                self.assertEqual(ours, djangos)
        self.assertEqual(page.render({"m": MOMENT}).split("|")[0], "2024-05-17T01:30:00+03:00")

    def test_a_statement_adopted_on_a_day(self):
        statement = StatementFactory(adopted_on=datetime.date(2024, 5, 17))
        response = self.client.get(statement.get_absolute_url())
        self.assertContains(response, '<time datetime="2024-05-17">17.05.2024</time>')
        self.assertContains(response, "on 17.05.2024.")

    def test_the_sitemap_gives_the_day_of_the_last_change(self):
        item = NewsItemFactory(published_at=MOMENT)
        NewsItem.objects.filter(pk=item.pk).update(updated_at=MOMENT)
        response = self.client.get("/sitemap-news.xml")
        self.assertContains(response, "<lastmod>2024-05-17</lastmod>")


class CountTests(TestCase):
    def test_counts_group_their_digits_as_the_language_does(self):
        """A long list says "33,184 items", in Russian «33 184 материала», not 33184."""
        with translation.override("en"):
            self.assertEqual(count_label("items", 33184), "33,184 items")
            self.assertEqual(count_label("items", 1), "1 item")
        with translation.override("ru"):
            self.assertEqual(count_label("items", 33184), "33\xa0184 материала")
        # The site's templates group the counts of pages, facets and the archive's years.
        page = engines["jinja2"].from_string("{{ n|intcomma }} · {{ year }}")
        with translation.override("en"):
            self.assertEqual(page.render({"n": 1250, "year": 2024}), "1,250 · 2024")


class FragmentCacheTests(TestCase):
    """The menu, the footer and the filters are kept as HTML, yet never out of date."""

    def test_a_new_section_shows_in_the_menu_at_once(self):
        SectionFactory(slug="news", name="News")
        self.assertContains(self.client.get("/news/"), '<a href="/news/news/">News</a>')
        with self.captureOnCommitCallbacks(execute=True):  # as after a real commit
            SectionFactory(slug="events", name="Events")
        response = self.client.get("/news/")
        self.assertContains(response, '<a href="/news/events/">Events</a>')
        self.assertContains(response, '<option value="events">Events</option>', html=True)

    def test_each_script_prefix_has_its_own(self):
        SectionFactory(slug="news", name="News")
        self.client.get("/news/")
        set_script_prefix("/archive/")
        try:
            response = self.client.get("/news/")
        finally:
            set_script_prefix("/")
        self.assertContains(response, '<a href="/archive/news/news/">News</a>')
        self.assertContains(self.client.get("/news/"), '<a href="/news/news/">News</a>')

    def test_each_language_has_its_own(self):
        self.assertContains(self.client.get("/news/"), "All news")
        russian = self.client.get("/news/", headers={"accept-language": "ru"})
        self.assertContains(russian, "Все новости")
        self.assertNotContains(russian, "All news")

    def test_a_chosen_filter_shows_the_choice_and_the_others_stay_right(self):
        SectionFactory(slug="news", name="News")
        self.client.get("/news/")
        response = self.client.get("/news/", {"section": "news"})
        self.assertContains(response, '<option value="news" selected>News</option>', html=True)
        with self.captureOnCommitCallbacks(execute=True):
            SectionFactory(slug="events", name="Events")
        response = self.client.get("/news/", {"year": "2020"})
        self.assertContains(response, '<option value="events">Events</option>', html=True)
        self.assertContains(response, 'value="2020"')


class AddressTests(TestCase):
    """Links are remembered addresses, yet each follows the request's script prefix."""

    def test_teaser_links_follow_the_script_prefix(self):
        NewsItemFactory(section=SectionFactory(slug="news"), slug="meeting")
        StatementFactory(slug="on-peace")
        for prefix in ("/", "/archive/", "/"):
            with self.subTest(prefix=prefix):
                set_script_prefix(prefix)
                try:
                    home = self.client.get("/")
                finally:
                    set_script_prefix("/")
                self.assertContains(home, f'href="{prefix}news/news/meeting/"')
                self.assertContains(home, f'href="{prefix}statements/on-peace/"')
                self.assertContains(home, f'<a href="{prefix}news/news/">')

    def test_static_addresses_follow_a_changed_setting(self):
        self.assertContains(self.client.get("/"), 'href="/static/css/site.css')
        with override_settings(STATIC_URL="/assets/"):
            self.assertContains(self.client.get("/"), 'href="/assets/css/site.css')
        self.assertContains(self.client.get("/"), 'href="/static/css/site.css')


class ContactTests(TestCase):
    def test_an_item_pages_telephone_numbers_and_addresses_are_links(self):
        item = NewsItemFactory(
            contact="Тел.: +7 (495) 606-97-71, e-mail: press@odkb-csto.org <b>",
            section=SectionFactory(slug="news"),
        )
        response = self.client.get(item.get_absolute_url())
        self.assertContains(
            response, '<a href="tel:+74956069771">+7 (495) 606-97-71</a>', html=True
        )
        self.assertContains(
            response, '<a href="mailto:press@odkb-csto.org">press@odkb-csto.org</a>', html=True
        )
        # The rest of the line is text, escaped.
        self.assertContains(response, "press@odkb-csto.org</a> &lt;b&gt;")
