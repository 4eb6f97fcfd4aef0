import datetime
import re
from unittest import mock
from urllib.parse import quote

import time_machine
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archive import pagecache, pagination, views
from archive.models import Status

from .factories import (
    BodyFactory,
    MediaLinkFactory,
    NewsItemFactory,
    PersonFactory,
    SectionFactory,
    StatementFactory,
    TopicFactory,
    titles_shown,
)
from .test_media import FreshMediaMixin, make_image

NEWS = reverse("archive:news-list")
ON_POSTGRES = connection.vendor == "postgresql"
HIDDEN_STATES = [
    {"status": Status.DRAFT},
    {"status": Status.REVIEW},
    {"status": Status.ARCHIVED},
    {"published_at": timezone.now() + datetime.timedelta(days=1)},  # scheduled
    {"expire_at": timezone.now() - datetime.timedelta(minutes=1),
     "published_at": timezone.now() - datetime.timedelta(days=2)},  # expired
]  # fmt: skip


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def titles(response):
    return titles_shown(response)


class HealthzTests(TestCase):
    def test_answers_ok_without_the_database(self):
        with self.assertNumQueries(0):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"ok")


class HomeTests(FreshMediaMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.news = SectionFactory(name="News", slug="news")
        speeches = SectionFactory(name="Speeches", slug="speeches")
        cover = make_image(alt="The ministers at the table")
        self.lead = NewsItemFactory(
            section=self.news, title="Ministers met", cover_image=cover, published_at=days_ago(3)
        )
        NewsItemFactory(section=speeches, title="A speech", published_at=days_ago(1))
        topic = TopicFactory(name="Peacekeeping", slug="peacekeeping")
        self.lead.topics.add(topic)
        NewsItemFactory(title="An older item", published_at=days_ago(400)).topics.add(topic)
        StatementFactory(title="On peace").topics.add(topic)
        StatementFactory(title="A draft on peace", status=Status.DRAFT).topics.add(topic)

    def test_the_lead_story_the_latest_news_statements_years_and_topics(self):
        response = self.client.get("/")
        lead = response.context_data["lead"]
        self.assertEqual(lead.title, "Ministers met")
        self.assertContains(response, 'alt="The ministers at the table"')
        # The newest item has no photo: it heads the latest news, the lead stays the photo's.
        latest = titles(response)
        self.assertEqual(latest, ["A speech", "An older item", "On peace"])
        self.assertContains(response, '<a href="/news/speeches/">Speeches</a>', html=True)
        self.assertContains(response, "On peace")
        this_year, last_year = days_ago(1).year, days_ago(400).year
        self.assertContains(response, f'<a href="/news/{this_year}/">{this_year}</a>', html=True)
        self.assertContains(response, f'<a href="/news/{last_year}/">{last_year}</a>', html=True)
        self.assertContains(response, '<a href="/topics/peacekeeping/">Peacekeeping</a>', html=True)
        # As the topic's page counts it: its public news and statements.
        self.assertContains(response, '<span class="count">(3)</span>', html=True)
        self.assertContains(self.client.get("/topics/"), "3 items")

    def test_in_russian(self):
        self.client.get("/language/ru/")
        response = self.client.get("/")
        for heading in ("Последние новости", "Последние заявления", "Архив по годам", "Темы"):
            self.assertContains(response, heading)
        self.assertContains(response, "Ministers met")
        self.assertContains(response, '<a href="/topics/peacekeeping/">Peacekeeping</a>', html=True)

    def test_unpublished_items_never_appear(self):
        for number, state in enumerate(HIDDEN_STATES):
            NewsItemFactory(
                section=self.news, title=f"Hidden item {number}", cover_image=make_image(), **state
            )
        StatementFactory(title="Draft statement", status=Status.DRAFT)
        response = self.client.get("/")
        self.assertEqual(response.context_data["lead"].title, "Ministers met")
        self.assertNotContains(response, "Hidden item")
        self.assertNotContains(response, "Draft statement")

    def test_the_lead_story_may_be_older_than_the_latest_news(self):
        """None of the newest items has a photo: the lead is the newest that has one, read apart."""
        for day in range(8):
            NewsItemFactory(
                section=self.news,
                title=f"Newer {day}",
                published_at=days_ago(2) - datetime.timedelta(hours=day + 1),
            )
        self.client.get(NEWS)  # the taxonomy and the years of this generation, read once
        with self.assertNumQueries(4):
            response = self.client.get("/")
        self.assertEqual(response.context_data["lead"].title, "Ministers met")
        latest = titles(response)[:6]
        self.assertEqual(
            latest, ["A speech", "Newer 0", "Newer 1", "Newer 2", "Newer 3", "Newer 4"]
        )

    def test_query_count_does_not_grow_with_the_archive(self):
        """Home reads its news, statements and topics in three queries, whatever the archive."""
        self.client.get(NEWS)  # the taxonomy and the years of this generation, read once
        with self.assertNumQueries(3):
            self.client.get("/")
        # Remembered until the archive changes.
        with self.assertNumQueries(0):
            self.client.get("/")
        # More news, as committed: a new generation.
        with self.captureOnCommitCallbacks(execute=True):
            for day in range(12):
                NewsItemFactory(section=SectionFactory(), published_at=days_ago(day + 10))
        self.client.get(NEWS)
        with self.assertNumQueries(3):
            response = self.client.get("/")
        self.assertEqual(len(response.context_data["latest"]), 6)

    def test_the_menu_follows_the_sections_at_once(self):
        # Each process keeps the sections of the newest generation it has seen.
        section = SectionFactory(name="Press releases", slug="press")
        self.assertContains(self.client.get("/"), '<a href="/news/press/">Press releases</a>')
        with self.captureOnCommitCallbacks(execute=True):
            section.name = "Press"
            section.save()
            SectionFactory(name="Photo reports", slug="photo")
        response = self.client.get("/")
        self.assertContains(response, '<a href="/news/press/">Press</a>')
        self.assertContains(response, '<a href="/news/photo/">Photo reports</a>')
        self.assertNotContains(response, "Press releases")


class NewsListTests(TestCase):
    def test_newest_first_twenty_a_page(self):
        for day in range(25):
            NewsItemFactory(title=f"Item {day:02}", published_at=days_ago(day + 1))
        response = self.client.get(NEWS)
        self.assertEqual(len(titles(response)), 20)
        self.assertEqual(titles(response)[0], "Item 00")
        self.assertContains(response, "25 items")
        response = self.client.get(NEWS, {"page": 2})
        self.assertEqual(titles(response), [f"Item {day:02}" for day in range(20, 25)])

    def test_unpublished_items_are_absent(self):
        NewsItemFactory(title="Public item")
        for number, state in enumerate(HIDDEN_STATES):
            NewsItemFactory(title=f"Hidden item {number}", **state)
        response = self.client.get(NEWS)
        self.assertEqual(titles(response), ["Public item"])
        self.assertNotContains(response, "Hidden item")

    def test_pagination_keeps_the_filters(self):
        section = SectionFactory(slug="news")
        for day in range(21):
            NewsItemFactory(section=section, published_at=days_ago(day + 1))
        response = self.client.get(NEWS, {"section": "news", "q": "item"})
        self.assertContains(response, 'href="?section=news&amp;q=item&amp;page=2"')

    def test_query_count_is_the_same_for_five_and_twenty_items(self):
        """A list page must not run a query per item (N+1)."""
        section = SectionFactory()
        NewsItemFactory.create_batch(5, section=section)
        self.client.get(NEWS)  # warm up what is cached (the filter choices, the menu)
        # The count and the page's items: nothing else.
        with self.assertNumQueries(2):
            self.client.get(NEWS, {"language": "en"})
        with self.captureOnCommitCallbacks(execute=True):  # a new generation
            NewsItemFactory.create_batch(15, section=SectionFactory())
        self.client.get(NEWS)  # its taxonomy, read once
        with self.assertNumQueries(2):
            response = self.client.get(NEWS, {"language": "en"})
        self.assertEqual(len(titles(response)), 20)

    def test_teasers_show_the_moscow_day_and_the_lead_cut_at_fifty_words(self):
        late_evening = datetime.datetime(2024, 5, 16, 22, 30, tzinfo=datetime.UTC)
        NewsItemFactory(lead=" ".join(f"w{n}" for n in range(60)), published_at=late_evening)
        response = self.client.get(NEWS)
        # Already the 17th in Moscow.
        self.assertContains(
            response, '<time datetime="2024-05-17T01:30:00+03:00">17.05.2024</time>'
        )
        self.assertContains(response, " w48 w49 …</p>")
        self.assertNotContains(response, "w50")

    def test_lists_and_feeds_leave_the_texts_unread(self):
        """A teaser or feed entry shows the lead: the text and the search vector stay unread."""
        NewsItemFactory(body="<p>The whole text of the item.</p>")
        StatementFactory(text="<p>The whole text of the statement.</p>")
        lists = (NEWS, reverse("archive:statement-list"), "/")
        for url in (*lists, reverse("archive:feed-news"), reverse("archive:feed-statements")):
            with self.subTest(url=url), CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, 200)
            read = " ".join(query["sql"].split(" FROM ")[0] for query in queries)
            for column in ('"body"', '"text"', '"search_vector"', '"import_data"'):
                self.assertNotIn(column, read)

    def test_deep_pages_list_the_same_items(self):
        """
        A deep page starts from a row the list remembered (every DEEP_ROWS
        rows), not from the top: same items, same order, ties by id.
        """
        NewsItemFactory.create_batch(7, published_at=days_ago(2))  # same moment: ordered by id
        NewsItemFactory.create_batch(6)
        pages = (1, 2, 3, 4, 5)
        with mock.patch.object(views.NewsListView, "paginate_by", 3):
            from_the_top = [titles(self.client.get(NEWS, {"page": n})) for n in pages]
            pagecache.bump()
            with (
                mock.patch.object(pagination, "DEEP_ROWS", 4),
                CaptureQueriesContext(connection) as queries,
            ):
                bookmarked = [titles(self.client.get(NEWS, {"page": n})) for n in pages]
                again = [titles(self.client.get(NEWS, {"page": n})) for n in pages]
        self.assertEqual(bookmarked, from_the_top)
        self.assertEqual(again, from_the_top)
        self.assertEqual(len({title for page in from_the_top for title in page}), 13)
        # Rows 4, 8 and 12 were found once; no page skips more than 3 rows.
        offsets = [int(n) for q in queries for n in re.findall(r"OFFSET (\d+)", q["sql"])]
        self.assertEqual(sorted(n for n in offsets if n >= 4), [4, 8, 12])

    def test_a_search_shows_where_each_item_matches(self):
        NewsItemFactory(lead="A lead.", body="<p>Far down the text: peacekeepers.</p>")
        NewsItemFactory(lead="Another.", body="<p>More peacekeepers.</p>")
        search = {"q": "peacekeepers"}
        with CaptureQueriesContext(connection) as first:
            self.client.get(NEWS, search)
        # The text the snippets are made of is read for the whole page at
        # once, not with one more query for each item...
        selects = [query["sql"].split(" FROM ")[0] for query in first.captured_queries]
        texts = [select for select in selects if '"body"' in select]
        self.assertEqual(len(texts), 1)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(NEWS, search)
        self.assertContains(response, "<mark>peacekeepers</mark>", count=2)
        # ... and kept: read again, the page reads its ids only.
        self.assertEqual(len(queries), 1)

    def test_the_total_counts_public_items_only(self):
        NewsItemFactory(published_at=days_ago(400))
        NewsItemFactory.create_batch(2, published_at=days_ago(3))
        for number, state in enumerate(HIDDEN_STATES):
            NewsItemFactory(title=f"Hidden item {number}", **state)
        self.assertContains(self.client.get(NEWS), "3 items")
        self.assertContains(self.client.get(NEWS, {"page": "1", "q": "item"}), "3 items")

    def test_the_count_is_remembered_until_the_archive_changes(self):
        NewsItemFactory.create_batch(3)
        self.client.get(NEWS)
        with self.assertNumQueries(1):  # the page's items; its count is remembered
            response = self.client.get(NEWS, {"page": "1"})
        self.assertContains(response, "3 items")
        NewsItemFactory()
        pagecache.bump()  # as the commit of the new item does
        self.assertContains(self.client.get(NEWS), "4 items")

    def test_items_link_back_to_this_list(self):
        item = NewsItemFactory()
        response = self.client.get(NEWS, {"q": "News", "page": "1"})
        back = quote("/news/?q=News&page=1", safe="/")
        self.assertContains(response, f'href="{item.get_absolute_url()}?back={back}"')


class NewsFilterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.news = SectionFactory(name="News", slug="news")
        cls.sessions = SectionFactory(name="CSC sessions", slug="sessions", parent=cls.news)
        cls.speeches = SectionFactory(name="Speeches", slug="speeches")
        cls.zas = PersonFactory(name="Stanislav Zas", slug="stanislav-zas")
        cls.cfm = BodyFactory(name="Council of Foreign Ministers", slug="cfm")
        cls.covid = TopicFactory(name="COVID-19", slug="covid-19")
        moscow = datetime.timezone(datetime.timedelta(hours=3))

        cls.meeting = NewsItemFactory(
            title="Ministers met by video conference",
            lead="Statements were approved.",
            section=cls.news,
            published_at=datetime.datetime(2020, 5, 26, 12, tzinfo=moscow),
        )
        cls.meeting.persons.add(cls.zas)
        cls.meeting.bodies.add(cls.cfm)
        cls.meeting.topics.add(cls.covid)
        cls.session = NewsItemFactory(
            title="Session of the Collective Security Council",
            section=cls.sessions,
            published_at=datetime.datetime(2020, 12, 2, 12, tzinfo=moscow),
        )
        cls.session.persons.add(cls.zas)
        cls.speech = NewsItemFactory(
            title="Speech at the UN Security Council",
            body="<p>Allow me to thank the Russian presidency.</p>",
            section=cls.speeches,
            published_at=datetime.datetime(2024, 7, 19, 12, tzinfo=moscow),
        )
        cls.russian = NewsItemFactory(
            title="Заседание Совета министров иностранных дел",
            section=cls.news,
            language="ru",
            published_at=datetime.datetime(2020, 5, 27, 12, tzinfo=moscow),
        )

    def get_titles(self, **params):
        response = self.client.get(NEWS, params)
        self.assertEqual(response.status_code, 200)
        return set(titles(response))

    def test_each_filter(self):
        meeting, session = self.meeting.title, self.session.title
        speech, russian = self.speech.title, self.russian.title
        cases = [
            ({"q": "video conference"}, {meeting}),
            ({"q": "russian PRESIDENCY"}, {speech}),  # body text, any case
            ({"q": "approved"}, {meeting}),  # lead
            ({"section": "speeches"}, {speech}),
            ({"section": "news"}, {meeting, session, russian}),  # with its subsection
            ({"section": "sessions"}, {session}),
            ({"person": "stanislav-zas"}, {meeting, session}),
            ({"body": "cfm"}, {meeting}),
            ({"topic": "covid-19"}, {meeting}),
            ({"language": "ru"}, {russian}),
            ({"language": "en"}, {meeting, session, speech}),
            ({"date_from": "2020-12-01"}, {session, speech}),
            ({"date_to": "2020-05-26"}, {meeting}),
            ({"year": "2020"}, {meeting, session, russian}),
            ({"year": "2024"}, {speech}),
        ]
        for params, expected in cases:
            with self.subTest(params=params):
                self.assertEqual(self.get_titles(**params), expected)

    def test_persons_bodies_and_topics_are_filtered_by_id(self):
        """
        Not by a join on the slug: PostgreSQL then knows from its statistics
        how common the one chosen is, and pages through a common one by date.
        """
        self.client.get(NEWS)  # the taxonomy, read once per change of the archive
        for name, slug in (("person", "stanislav-zas"), ("body", "cfm"), ("topic", "covid-19")):
            with self.subTest(name=name), CaptureQueriesContext(connection) as queries:
                self.assertIn(self.meeting.title, self.get_titles(**{name: slug}))
            for query in queries:
                self.assertNotIn(f'"archive_{name}"', query["sql"])

    def test_filters_combine(self):
        self.assertEqual(
            self.get_titles(section="news", person="stanislav-zas", year="2020", language="en"),
            {self.meeting.title, self.session.title},
        )
        self.assertEqual(
            self.get_titles(person="stanislav-zas", date_from="2020-05-01", date_to="2020-05-31"),
            {self.meeting.title},
        )
        self.assertEqual(self.get_titles(section="speeches", body="cfm"), set())

    def test_days_and_years_are_moscow_days(self):
        moscow = datetime.timezone(datetime.timedelta(hours=3))
        late = NewsItemFactory(
            title="Late on New Year's Eve",
            section=self.news,
            published_at=datetime.datetime(2020, 12, 31, 23, 30, tzinfo=moscow),
        )
        early = NewsItemFactory(
            title="Just after midnight",
            section=self.news,
            published_at=datetime.datetime(2021, 1, 1, 0, 30, tzinfo=moscow),
        )
        self.assertIn(late.title, self.get_titles(year="2020"))
        self.assertNotIn(early.title, self.get_titles(year="2020"))
        self.assertEqual(self.get_titles(year="2021"), {early.title})
        self.assertEqual(
            self.get_titles(date_from="2020-12-31", date_to="2020-12-31"), {late.title}
        )
        self.assertEqual(
            self.get_titles(date_from="2021-01-01", date_to="9999-12-31"),
            {early.title, self.speech.title},
        )

    def test_a_may_2020_range_lists_only_that_meeting(self):
        self.assertEqual(
            self.get_titles(date_from="2020-05-01", date_to="2020-05-31"),
            {self.meeting.title, self.russian.title},
        )

    def test_form_keeps_its_values(self):
        response = self.client.get(NEWS, {"q": "council", "section": "news", "year": "2020"})
        self.assertContains(response, 'name="q" value="council"')
        self.assertContains(response, '<option value="news" selected>News</option>', html=True)
        self.assertContains(response, 'name="year" value="2020"')

    def test_filter_choices_are_escaped_and_labelled(self):
        self.meeting.persons.add(PersonFactory(name="<b>Bold</b> & Co", slug="bold"))
        response = self.client.get(NEWS, {"person": "bold"})
        self.assertContains(
            response, '<option value="bold" selected>&lt;b&gt;Bold&lt;/b&gt; &amp; Co</option>'
        )
        self.assertContains(response, '<label for="id_person">Person</label>')
        self.assertContains(response, '<select name="person" id="id_person">')
        self.assertContains(response, '<option value="">All persons</option>')

    def test_the_kept_form_follows_the_taxonomy_and_never_the_choice(self):
        # With nothing chosen, the form is kept as HTML until the archive changes.
        self.assertNotContains(self.client.get(NEWS), "Newcomer")
        self.assertNotContains(self.client.get(NEWS, {"page": "1"}), "Newcomer")
        with self.captureOnCommitCallbacks(execute=True):
            self.meeting.persons.add(PersonFactory(name="Newcomer", slug="newcomer"))
        self.assertContains(self.client.get(NEWS), '<option value="newcomer">Newcomer</option>')
        # A choice shows in the form, and is not kept for the next visitor.
        chosen = self.client.get(NEWS, {"person": "newcomer"})
        self.assertContains(chosen, '<option value="newcomer" selected>Newcomer</option>')
        plain = self.client.get(NEWS, {"page": "1"})
        self.assertContains(plain, '<option value="newcomer">Newcomer</option>')
        self.assertContains(plain, '<option value="" selected>All persons</option>')
        # Kept per language too.
        russian = self.client.get(NEWS, headers={"accept-language": "ru"})
        self.assertContains(russian, '<option value="" selected>Все персоны</option>')

    def test_a_form_as_chosen_is_kept_per_choice_and_follows_the_taxonomy(self):
        # A form without errors is kept as HTML in the process, per choice.
        self.assertNotContains(self.client.get(NEWS, {"language": "en"}), "Newcomer")
        with self.captureOnCommitCallbacks(execute=True):
            self.meeting.persons.add(PersonFactory(name="Newcomer", slug="newcomer"))
        filtered = self.client.get(NEWS, {"language": "en"})
        self.assertContains(filtered, '<option value="newcomer">Newcomer</option>')
        self.assertContains(filtered, '<option value="en" selected>English</option>')
        # Each choice shows its own form; one in error is drawn anew.
        chosen = self.client.get(NEWS, {"language": "en", "person": "newcomer"})
        self.assertContains(chosen, '<option value="newcomer" selected>Newcomer</option>')
        wrong = self.client.get(NEWS, {"language": "en", "year": "1800"})
        self.assertContains(
            wrong, 'value="1800" min="1992" max="2100" aria-invalid="true" aria-describedby='
        )
        again = self.client.get(NEWS, {"language": "ru"})
        self.assertContains(again, '<option value="ru" selected>Russian</option>')
        self.assertContains(again, '<option value="newcomer">Newcomer</option>')
        self.assertContains(again, '<input type="number" name="year" min="1992" max="2100" id=')
        russian = self.client.get(NEWS, {"language": "en"}, headers={"accept-language": "ru"})
        self.assertContains(russian, '<label for="id_person">Персона</label>')
        for text in ("council", "summit", "council"):
            typed = self.client.get(NEWS, {"q": text, "language": "en"})
            self.assertContains(typed, f'name="q" value="{text}"')
            self.assertContains(typed, '<option value="en" selected>English</option>')


class BadInputTests(TestCase):
    """Bad query strings give the page with a message, never a 500."""

    @classmethod
    def setUpTestData(cls):
        NewsItemFactory(title="The only item")

    def assertMessage(self, params, message):
        response = self.client.get(NEWS, params)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, message)
        return response

    def test_invalid_date(self):
        self.assertMessage({"date_from": "2020-13-45"}, "From: “2020-13-45” is not a date.")

    def test_start_after_end(self):
        self.assertMessage(
            {"date_from": "2021-01-01", "date_to": "2020-01-01"},
            "The start date must not be after the end date.",
        )

    def test_year_out_of_range_or_not_a_number(self):
        self.assertMessage({"year": "99999999999999999999"}, "Year:")
        self.assertMessage({"year": "abc"}, "Enter a whole number.")

    def test_unknown_slug_in_a_filter(self):
        self.assertMessage({"section": "no-such-section"}, "There is no section “no-such-section”.")
        self.assertMessage({"person": "nobody"}, "There is no person “nobody”.")
        self.assertMessage({"topic": "<b>x</b>"}, "There is no topic “&lt;b&gt;x&lt;/b&gt;”.")
        self.assertMessage({"language": "de"}, "There is no language “de” here: English or")

    def test_very_long_text(self):
        response = self.assertMessage({"q": "x" * 1_000}, "Ensure this value has at most 200")
        # The text is left out; the list is not emptied.
        self.assertEqual(titles(response), ["The only item"])
        # Past the query-string limit the address is refused, with the reason.
        response = self.client.get(NEWS, {"q": "x" * 10_000})
        self.assertContains(response, "The address is too long", status_code=400)

    def test_non_numeric_page_shows_the_first_page(self):
        response = self.assertMessage({"page": "abc"}, "is not a page number")
        self.assertEqual(titles(response), ["The only item"])
        self.assertMessage({"page": "-3"}, "is not a page number")

    def test_page_past_the_end_is_404(self):
        for page in ("2", "99999999999999999999999"):
            with self.subTest(page=page):
                self.assertEqual(self.client.get(NEWS, {"page": page}).status_code, 404)

    def test_repeated_and_unknown_parameters(self):
        response = self.client.get(NEWS + "?q=nothing&q=item&utm_source=x")
        self.assertContains(response, "given more than once; the last value is used: q")
        # A parameter the list does not read is left out, even of its links.
        self.assertNotContains(response, "utm_source")
        self.assertEqual(titles(response), ["The only item"])

    def test_no_url_answers_500_to_hostile_query_strings(self):
        section = SectionFactory(slug="news")
        item = NewsItemFactory(section=section, slug="item")
        statement = StatementFactory(slug="statement")
        item.persons.add(person := PersonFactory())
        item.topics.add(topic := TopicFactory())
        urls = [
            "/",
            NEWS,
            section.get_absolute_url(),
            item.get_absolute_url(),
            "/statements/",
            statement.get_absolute_url(),
            f"/persons/{person.slug}/",
            f"/bodies/{statement.adopted_by.slug}/",
            f"/topics/{topic.slug}/",
        ]
        queries = [
            "page=0",
            "page=1e9",
            "page=%00",
            "q=%00",
            "section=%00",
            "person=a%00b",
            "q=' OR 1=1 --",
            "q=%27%22%3E%3Cscript%3E",
            "date_from=0000-00-00",
            "date_from=9999-12-31&date_to=0001-01-01",
            "year=-1",
            "year=1e400",
            "language=xx",
            "kind=%FF%FE",
            "back=//evil.example/",
            "back=javascript:alert(1)",
            "back=" + "a" * 5000,
            "topic[]=1&topic=2",
            "&&&==&",
            "page=" + "9" * 5000,
        ]
        for url in urls:
            for query in queries:
                with self.subTest(url=url, query=query):
                    response = self.client.get(f"{url}?{query}")
                    self.assertIn(response.status_code, (200, 400, 404))


class SectionTests(TestCase):
    def test_section_lists_its_news_and_its_subsections(self):
        news = SectionFactory(name="News", slug="news")
        sessions = SectionFactory(name="CSC sessions", slug="sessions", parent=news)
        NewsItemFactory(section=news, title="In news")
        NewsItemFactory(section=sessions, title="In sessions")
        NewsItemFactory(title="Elsewhere")
        response = self.client.get("/news/news/")
        self.assertEqual(set(titles(response)), {"In news", "In sessions"})
        self.assertContains(response, "<h1>News</h1>", html=True)
        self.assertNotContains(response, 'name="section"')
        self.assertContains(response, 'href="/news/sessions/"')

    def test_subsection_breadcrumbs(self):
        news = SectionFactory(name="News", slug="news")
        SectionFactory(name="CSC sessions", slug="sessions", parent=news)
        response = self.client.get("/news/sessions/")
        self.assertEqual(
            response.context_data["crumbs"],
            [("All news", NEWS), ("News", "/news/news/"), ("CSC sessions", None)],
        )

    def test_section_filters_still_work(self):
        section = SectionFactory(slug="news")
        NewsItemFactory(section=section, title="Old", published_at=days_ago(800))
        NewsItemFactory(section=section, title="New")
        year = str(timezone.localdate().year)
        response = self.client.get("/news/news/", {"year": year})
        self.assertIn("New", titles(response))
        self.assertNotIn("Old", titles(response))

    def test_unknown_section_is_404(self):
        self.assertEqual(self.client.get("/news/no-such-section/").status_code, 404)

    def test_the_section_and_its_subsections_come_from_the_taxonomy(self):
        news = SectionFactory(name="News", slug="news", description="What the CSTO did.")
        NewsItemFactory(section=news)
        self.client.get("/news/news/")
        # Only the page's items: its total is remembered, the rest is the taxonomy's.
        with self.assertNumQueries(1):
            response = self.client.get("/news/news/")
        self.assertContains(response, '<p class="intro">What the CSTO did.</p>', html=True)
        self.assertNotContains(response, 'class="subsections"')

    def test_an_edited_section_shows_at_once(self):
        news = SectionFactory(name="News", slug="news", description="Old words.")
        self.client.get("/news/news/")
        with self.captureOnCommitCallbacks(execute=True):
            news.description = "New words."
            news.save()
            SectionFactory(name="CSC sessions", slug="sessions", parent=news, position=2)
            SectionFactory(name="Briefings", slug="briefings", parent=news, position=1)
        response = self.client.get("/news/news/")
        self.assertContains(response, '<p class="intro">New words.</p>', html=True)
        self.assertEqual(
            [child.slug for child in response.context_data["subsections"]],
            ["briefings", "sessions"],
        )

    def test_a_section_the_taxonomy_does_not_know_yet_is_found(self):
        self.client.get("/news/")
        # Not committed, so the generation stays: the taxonomy is stale.
        press = SectionFactory(name="Press releases", slug="press", description="Releases.")
        NewsItemFactory(section=press, title="A release")
        response = self.client.get("/news/press/")
        self.assertContains(response, "<h1>Press releases</h1>", html=True)
        self.assertContains(response, "Releases.")
        self.assertEqual(titles(response), ["A release"])


class NewsDetailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.section = SectionFactory(name="News", slug="news")
        cls.item = NewsItemFactory(
            section=cls.section,
            slug="cfm-meeting",
            title="Ministers met",
            lead="Statements were approved.",
            body="<p>The meeting was attended by the Secretary General.</p>",
            signature="CSTO Press Secretary Vladimir Zaynetdinov",
            media_heading="Media about the meeting",
            published_at=datetime.datetime(2020, 5, 26, 9, tzinfo=datetime.UTC),
        )
        cls.item.persons.add(PersonFactory(name="Stanislav Zas", slug="stanislav-zas"))
        cls.item.bodies.add(BodyFactory(name="Council of Foreign Ministers"))
        cls.item.topics.add(TopicFactory(name="COVID-19"))
        MediaLinkFactory(
            news_item=cls.item,
            outlet="TASS",
            title="Russia proposed",
            date=datetime.date(2020, 5, 27),
        )
        cls.statement = StatementFactory(title="Statement on the UN Charter")
        cls.statement.news_items.add(cls.item)
        StatementFactory(title="Unpublished statement", status=Status.DRAFT).news_items.add(
            cls.item
        )

    def test_shows_the_whole_item(self):
        response = self.client.get("/news/news/cfm-meeting/")
        for text in (
            "Ministers met",
            "26.05.2020",
            "Statements were approved.",
            "<p>The meeting was attended by the Secretary General.</p>",
            "Stanislav Zas",
            "Council of Foreign Ministers",
            "COVID-19",
            "Media about the meeting",
            "Russia proposed",
            "CSTO Press Secretary Vladimir Zaynetdinov",
            "Statement on the UN Charter",
            "(TASS, 27.05.2020)",
            f'<a href="{self.statement.get_absolute_url()}">',
            '<span class="kind">(Statement)</span>',
            '<a href="/persons/stanislav-zas/">Stanislav Zas</a>',
        ):
            self.assertContains(response, text)
        self.assertNotContains(response, "Unpublished statement")

    def test_a_scheduled_statement_is_listed_once_it_goes_live(self):
        go_live = timezone.now() + datetime.timedelta(hours=1)
        StatementFactory(title="Scheduled statement", published_at=go_live).news_items.add(
            self.item
        )
        self.assertNotContains(self.client.get("/news/news/cfm-meeting/"), "Scheduled statement")
        with time_machine.travel(go_live, tick=False):
            self.assertContains(self.client.get("/news/news/cfm-meeting/"), "Scheduled statement")

    def test_query_count(self):
        """
        Once per change of the archive: one query for the item (with its
        cover; its section is the taxonomy's), one for which extras it has,
        one for its tags and one for each extra it has (here media links and
        statements). Never one per related record; the menu is cached.
        """
        self.client.get(NEWS)  # the taxonomy of this generation, read once
        with self.assertNumQueries(5):
            self.client.get("/news/news/cfm-meeting/")
        # The item and what it lists are remembered until the archive changes.
        with self.assertNumQueries(0):
            self.client.get("/news/news/cfm-meeting/")
        self.item.title = "Ministers met again"
        with self.captureOnCommitCallbacks(execute=True):
            self.item.save()
        self.assertContains(self.client.get("/news/news/cfm-meeting/"), "Ministers met again")

        plain = NewsItemFactory(section=self.item.section)
        with self.assertNumQueries(3):
            self.client.get(plain.get_absolute_url())

    def test_an_item_unpublished_after_its_page_was_seen_is_gone_at_once(self):
        self.assertEqual(self.client.get("/news/news/cfm-meeting/").status_code, 200)
        self.item.status = Status.DRAFT
        with self.captureOnCommitCallbacks(execute=True):
            self.item.save()
        self.assertEqual(self.client.get("/news/news/cfm-meeting/").status_code, 404)

    def test_back_links_and_breadcrumbs(self):
        response = self.client.get("/news/news/cfm-meeting/")
        # No list to go back to: no "Go back" that would be the section again.
        self.assertNotContains(response, "Go back")
        self.assertContains(response, '<a href="/news/news/">Back to the section</a>', html=True)
        self.assertContains(response, '<a href="/news/">Back to all news</a>', html=True)
        self.assertEqual(
            response.context_data["crumbs"],
            [("All news", NEWS), ("News", "/news/news/"), ("Ministers met", None)],
        )

    def test_deep_section_breadcrumbs_follow_a_renamed_parent(self):
        news = SectionFactory(name="News", slug="news-root")
        sessions = SectionFactory(name="CSC sessions", slug="sessions", parent=news)
        extra = SectionFactory(name="Extraordinary", slug="extra", parent=sessions)
        item = NewsItemFactory(section=extra, title="Session held")
        self.client.get(item.get_absolute_url())
        # The sections above come from the cached taxonomy, not from joins.
        with self.assertNumQueries(0):
            response = self.client.get(item.get_absolute_url())
        self.assertEqual(
            response.context_data["crumbs"],
            [
                ("All news", NEWS),
                ("News", "/news/news-root/"),
                ("CSC sessions", "/news/sessions/"),
                ("Extraordinary", "/news/extra/"),
                ("Session held", None),
            ],
        )
        news.name = "Newsroom"
        with self.captureOnCommitCallbacks(execute=True):
            news.save()
        response = self.client.get(item.get_absolute_url())
        self.assertEqual(response.context_data["crumbs"][1], ("Newsroom", "/news/news-root/"))

    def test_the_items_section_follows_a_rename_at_once(self):
        """The item page takes its section from the taxonomy, which moves with the archive."""
        section = SectionFactory(name="Briefings", slug="briefings")
        item = NewsItemFactory(section=section, title="Briefing held")
        self.assertContains(self.client.get(item.get_absolute_url()), "Briefings")
        section.name = "Press briefings"
        with self.captureOnCommitCallbacks(execute=True):
            section.save()
        response = self.client.get(item.get_absolute_url())
        self.assertContains(response, '<a href="/news/briefings/">Press briefings</a>', html=True)
        self.assertEqual(
            response.context_data["crumbs"][1], ("Press briefings", "/news/briefings/")
        )

    def test_go_back_returns_to_the_filtered_list(self):
        back = "/news/?year=2020&person=stanislav-zas&page=2"
        response = self.client.get("/news/news/cfm-meeting/", {"back": back})
        self.assertContains(
            response,
            '<a href="/news/?year=2020&amp;person=stanislav-zas&amp;page=2">Go back</a>',
            html=True,
        )

    def test_go_back_never_leaves_the_site(self):
        for back in (
            "https://evil.example/news/",
            "//evil.example/news/",
            "/\\evil.example/news/",
            "javascript:alert(1)",
            "/admin/",
            "/no-such-page/",
        ):
            with self.subTest(back=back):
                response = self.client.get("/news/news/cfm-meeting/", {"back": back})
                self.assertIsNone(response.context_data["back_url"])

    def test_wrong_section_redirects_to_the_right_address(self):
        SectionFactory(slug="speeches")
        response = self.client.get("/news/speeches/cfm-meeting/")
        self.assertRedirects(response, "/news/news/cfm-meeting/", status_code=301)

    def test_unknown_slug_is_404(self):
        self.assertEqual(self.client.get("/news/news/no-such-item/").status_code, 404)

    @override_settings(DEBUG=True)
    def test_a_missing_item_is_named_so(self):
        response = self.client.get("/news/news/no-such-item/", headers={"accept-language": "ru"})
        self.assertContains(response, "По этому адресу нет новости.", status_code=404)

    def test_unpublished_items_are_404(self):
        for state in HIDDEN_STATES:
            item = NewsItemFactory(section=self.section, **state)
            with self.subTest(state=state):
                self.assertEqual(self.client.get(item.get_absolute_url()).status_code, 404)

    @time_machine.travel(datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC), tick=False)
    def test_scheduled_item_appears_at_its_time(self):
        at = datetime.datetime(2030, 1, 1, 0, 0, 1, tzinfo=datetime.UTC)
        item = NewsItemFactory(section=self.section, published_at=at)
        pages = [NEWS, self.section.get_absolute_url(), "/"]
        self.assertEqual(self.client.get(item.get_absolute_url()).status_code, 404)
        for page in pages:
            self.assertNotContains(self.client.get(page), item.title)
        with time_machine.travel(at, tick=False):
            self.assertEqual(self.client.get(item.get_absolute_url()).status_code, 200)
            self.assertIn(item.title, titles(self.client.get(NEWS)))
            for page in pages:
                with self.subTest(page=page):
                    self.assertContains(self.client.get(page), item.title)


class StatementTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cfm = BodyFactory(name="Council of Foreign Ministers", slug="cfm")
        cls.csc = BodyFactory(name="Collective Security Council", slug="csc")
        cls.statement = StatementFactory(
            title="Statement on the UN Charter",
            slug="un-charter",
            adopted_by=cls.cfm,
            adopted_on=datetime.date(2020, 5, 26),
        )
        cls.decision = StatementFactory(
            title="Decision on quota positions",
            kind="decision",
            adopted_by=cls.csc,
            adopted_on=datetime.date(2021, 3, 1),
        )
        StatementFactory(title="Hidden declaration", status=Status.REVIEW)
        cls.news = NewsItemFactory(title="Ministers met")
        cls.statement.news_items.add(cls.news, NewsItemFactory(title="Draft news", status="draft"))

    def test_list_and_filters(self):
        response = self.client.get("/statements/")
        self.assertEqual(titles(response), [self.decision.title, self.statement.title])
        self.assertNotContains(response, "Hidden declaration")
        for params, expected in [
            ({"body": "cfm"}, [self.statement.title]),
            ({"kind": "decision"}, [self.decision.title]),
            ({"year": "2020"}, [self.statement.title]),
            ({"date_from": "2021-01-01"}, [self.decision.title]),
            ({"q": "charter"}, [self.statement.title]),
        ]:
            with self.subTest(params=params):
                self.assertEqual(titles(self.client.get("/statements/", params)), expected)
        response = self.client.get("/statements/", {"kind": "zz"})
        self.assertContains(response, "There is no kind of document “zz”.")

    def test_detail_shows_body_date_kind_and_the_news(self):
        response = self.client.get("/statements/un-charter/")
        self.assertContains(response, "Council of Foreign Ministers")
        self.assertContains(response, "26.05.2020")
        self.assertContains(response, "Statement ·")
        self.assertContains(response, f'href="{self.news.get_absolute_url()}"')
        self.assertNotContains(response, "Draft news")

    def test_unpublished_statement_is_404(self):
        statement = StatementFactory(status=Status.ARCHIVED)
        self.assertEqual(self.client.get(statement.get_absolute_url()).status_code, 404)


class RelatedPagesTests(TestCase):
    def test_person_body_and_topic_pages_list_public_items(self):
        person, body, topic = PersonFactory(), BodyFactory(), TopicFactory()
        public = NewsItemFactory(title="Public news")
        hidden = NewsItemFactory(title="Draft news", status=Status.DRAFT)
        for item in (public, hidden):
            item.persons.add(person)
            item.bodies.add(body)
            item.topics.add(topic)
        StatementFactory(title="Statement by the body", adopted_by=body).topics.add(topic)
        StatementFactory(title="Hidden statement", adopted_by=body, status=Status.DRAFT)
        for obj in (person, body, topic):
            with self.subTest(obj=obj):
                response = self.client.get(obj.get_absolute_url())
                self.assertContains(response, obj.name)
                self.assertContains(response, "Public news")
                self.assertNotContains(response, "Draft news")
                self.assertNotContains(response, "Hidden statement")
        self.assertContains(self.client.get(body.get_absolute_url()), "Statement by the body")
        self.assertContains(self.client.get(topic.get_absolute_url()), "Statement by the body")

    def test_a_later_page_says_its_number_in_its_title(self):
        person, topic = PersonFactory(name="Stanislav Zas"), TopicFactory(name="Peacekeeping")
        for item in NewsItemFactory.create_batch(25, title="Security"):
            item.persons.add(person)
            item.topics.add(topic)
        for address, title in (
            (f"{person.get_absolute_url()}?page=2", "Stanislav Zas · page 2"),
            (f"{topic.get_absolute_url()}?page=2", "Peacekeeping · page 2"),
            ("/search/?q=security&page=2", "Search: security · page 2"),
        ):
            with self.subTest(address=address):
                self.assertContains(self.client.get(address), f"<title>{title} ·")

    def test_tags_of_unpublished_items_only_are_hidden(self):
        person, body, topic = PersonFactory(), BodyFactory(), TopicFactory()
        draft = NewsItemFactory(status=Status.DRAFT, published_at=None)
        draft.persons.add(person)
        draft.bodies.add(body)
        draft.topics.add(topic)
        StatementFactory(adopted_by=body, status=Status.REVIEW).topics.add(topic)
        NewsItemFactory(published_at=timezone.now() + datetime.timedelta(days=1)).persons.add(
            person
        )
        for obj in (person, body, topic):
            with self.subTest(obj=obj):
                self.assertEqual(self.client.get(obj.get_absolute_url()).status_code, 404)
        for page in (NEWS, "/statements/"):
            with self.subTest(page=page):
                response = self.client.get(page)
                self.assertEqual(response.status_code, 200)
                for obj in (person, body, topic):
                    self.assertNotContains(response, f'value="{obj.slug}"')
        # The same names, once a public item shows them, are there.
        with self.captureOnCommitCallbacks(execute=True):
            StatementFactory(adopted_by=body).topics.add(topic)
        self.assertEqual(self.client.get(body.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(topic.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(person.get_absolute_url()).status_code, 404)
        self.assertContains(self.client.get("/statements/"), f'value="{body.slug}"')

    def test_unknown_slugs_are_404(self):
        for url in ("/persons/nobody/", "/bodies/nothing/", "/topics/none/", "/statements/x/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_query_count_does_not_grow_with_items(self):
        person = PersonFactory()
        for item in NewsItemFactory.create_batch(3):
            item.persons.add(person)
        self.client.get(person.get_absolute_url())
        with self.assertNumQueries(2):  # the person and the page's items
            self.client.get(person.get_absolute_url())
        with self.captureOnCommitCallbacks(execute=True):  # a new generation
            for item in NewsItemFactory.create_batch(17, section=SectionFactory()):
                item.persons.add(person)
        self.client.get(person.get_absolute_url())  # its taxonomy and count, read once
        with self.assertNumQueries(2):
            self.client.get(person.get_absolute_url())


class IndexPageTests(TestCase):
    """/persons/, /bodies/, /topics/: what has public items, A to Z, with counts."""

    def entries(self, response):
        """The names listed, in the page's order, with their links and counts."""
        return re.findall(
            r'<li><a href="([^"]+)">([^<]+)</a> <span class="count">([^<]+)</span>',
            response.content.decode(),
        )

    def test_each_index_lists_what_public_items_show_with_counts(self):
        person, body, topic = (
            PersonFactory(name="Imangali Tasmagambetov"),
            BodyFactory(),
            TopicFactory(),
        )
        for item in NewsItemFactory.create_batch(2):
            item.persons.add(person)
            item.bodies.add(body)
            item.topics.add(topic)
        StatementFactory(adopted_by=body).topics.add(topic)
        expected = {
            "/persons/": [(person.get_absolute_url(), person.name, "2 items")],
            "/bodies/": [(body.get_absolute_url(), body.name, "3 items")],
            "/topics/": [(topic.get_absolute_url(), topic.name, "3 items")],
        }
        for url, entries in expected.items():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(self.entries(response), entries)
                self.assertContains(response, '<a href="/">Home</a>', html=True)

    def test_what_only_unpublished_items_show_is_not_listed(self):
        public, hidden = PersonFactory(name="Public person"), PersonFactory(name="Hidden person")
        NewsItemFactory().persons.add(public)
        for state in HIDDEN_STATES:
            NewsItemFactory(**state).persons.add(public, hidden)
        body = BodyFactory(name="Hidden council")
        StatementFactory(adopted_by=body, status=Status.DRAFT)
        response = self.client.get("/persons/")
        self.assertEqual(
            self.entries(response), [(public.get_absolute_url(), public.name, "1 item")]
        )
        self.assertNotContains(response, "Hidden person")
        self.assertNotContains(self.client.get("/bodies/"), "Hidden council")
        self.assertContains(self.client.get("/topics/"), "Nothing is listed here yet.")

    def test_alphabetical_in_the_visitors_language(self):
        item = NewsItemFactory()
        names = ["zhukov", "Ёлкин", "Андреев", "«Anders»", "Борисов", "Ежов", "Yakovlev"]
        for name in names:
            item.persons.add(PersonFactory(name=name))
        english = [name for _, name, _ in self.entries(self.client.get("/persons/"))]
        self.assertEqual(
            english, ["«Anders»", "Yakovlev", "zhukov", "Андреев", "Борисов", "Ежов", "Ёлкин"]
        )
        response = self.client.get("/persons/", headers={"accept-language": "ru"})
        russian = [name for _, name, _ in self.entries(response)]
        self.assertEqual(
            russian, ["Андреев", "Борисов", "Ежов", "Ёлкин", "«Anders»", "Yakovlev", "zhukov"]
        )
        self.assertContains(response, "<h1>Персоны</h1>", html=True)
        # Under their initials, Ё with Е, quotes passed over.
        self.assertContains(response, '<h2 id="letter-4">A</h2>', html=True)
        self.assertContains(response, '<h2 id="letter-3">Е</h2>', html=True)
        self.assertContains(response, '<a href="#letter-3">Е</a>', html=True)

    def test_query_count_does_not_grow_with_the_number_listed(self):
        """
        Built in a new generation (the taxonomy and the counts read again),
        the page runs as many queries for 30 persons as for 1: one grouped
        count, not one per person.
        """
        item = NewsItemFactory()
        item.persons.add(PersonFactory())

        def cold_visit():
            pagecache.last_check.clear()  # the generation read from the database both times
            return self.client.get("/persons/")

        with CaptureQueriesContext(connection) as one:
            self.assertEqual(len(self.entries(cold_visit())), 1)
        with self.captureOnCommitCallbacks(execute=True):  # a new generation
            for person in PersonFactory.create_batch(29):
                NewsItemFactory().persons.add(person)
        with self.assertNumQueries(len(one)):
            self.assertEqual(len(self.entries(cold_visit())), 30)
        # Kept for the generation: the next visit reads nothing.
        with self.assertNumQueries(0):
            self.client.get("/persons/")

    def test_any_query_string_is_ignored(self):
        NewsItemFactory().persons.add(PersonFactory(name="Someone"))
        for query in ("?page=zz", "?page=2", "?person=x&person=y", "?utm_source=a"):
            with self.subTest(query=query):
                self.assertContains(self.client.get(f"/persons/{query}"), "Someone")

    def test_detail_pages_lead_up_to_their_index(self):
        person, body, topic = PersonFactory(), BodyFactory(), TopicFactory()
        item = NewsItemFactory()
        item.persons.add(person)
        item.bodies.add(body)
        item.topics.add(topic)
        for obj, index, label in (
            (person, "/persons/", "Persons"),
            (body, "/bodies/", "Statutory bodies"),
            (topic, "/topics/", "Topics"),
        ):
            with self.subTest(obj=obj):
                response = self.client.get(obj.get_absolute_url())
                self.assertContains(response, f'<li><a href="{index}">{label}</a></li>', html=True)
        # And every page's footer links to the three.
        footer = self.client.get("/").content.decode().split('<footer class="site-footer">')[1]
        for index in ("/persons/", "/bodies/", "/topics/"):
            self.assertIn(f'href="{index}"', footer)


class ErrorPageTests(TestCase):
    def test_not_found_page_is_the_sites_own(self):
        response = self.client.get("/news/no-such-section/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Page not found", status_code=404)
        self.assertContains(response, 'href="/news/"', status_code=404)
