import datetime
from unittest import mock, skipUnless

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from archive import pagecache, search, views
from archive.models import Status

from .factories import NewsItemFactory, SectionFactory, StatementFactory, titles_shown

ON_POSTGRES = connection.vendor == "postgresql"


def when(year, month=6, day=1):
    return datetime.datetime(year, month, day, 12, tzinfo=datetime.UTC)


def titles(response, key=None):
    """What a list shows, or the rows of `key` (the search page's results)."""
    if key is None:
        return titles_shown(response)
    return [obj.title for obj in response.context_data[key]]


class SearchTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.news = SectionFactory(name="News", slug="news")
        cls.speeches = SectionFactory(name="Speeches", slug="speeches")
        cls.title_match = NewsItemFactory(
            title="Peacekeeping exercises in Kazakhstan",
            lead="The collective forces trained together.",
            body="<p>Units from six states took part.</p>",
            section=cls.news,
            published_at=when(2021),
        )
        cls.body_match = NewsItemFactory(
            title="Ministers met in Moscow",
            lead="The ministers discussed collective security.",
            body="<p>They also spoke about peacekeeping and the pandemic.</p>",
            section=cls.speeches,
            published_at=when(2022),
        )
        cls.russian = NewsItemFactory(
            title="Заседание Совета министров иностранных дел",
            lead="Министры обсудили вопросы коллективной безопасности.",
            body="<p>Заседания проходят дважды в год.</p>",
            language="ru",
            section=cls.news,
            published_at=when(2020),
        )
        cls.statement = StatementFactory(
            title="Statement on peacekeeping",
            text="<p>The Council supports peacekeeping under the UN Charter.</p>",
            adopted_on=datetime.date(2021, 3, 1),
        )
        NewsItemFactory(title="Draft about peacekeeping", status=Status.DRAFT, section=cls.news)
        StatementFactory(title="Archived statement on peacekeeping", status=Status.ARCHIVED)

    def search(self, q, **params):
        response = self.client.get("/search/", {"q": q, **params})
        self.assertEqual(response.status_code, 200)
        return response


class BothDatabasesTests(SearchTestCase):
    def test_finds_news_and_statements_together_and_only_public_ones(self):
        response = self.search("peacekeeping")
        found = titles(response, "results")
        self.assertEqual(
            set(found),
            {self.title_match.title, self.body_match.title, self.statement.title},
        )
        self.assertNotContains(response, "Draft about")
        self.assertNotContains(response, "Archived statement")

    def test_full_width_letters_and_ligatures_find_what_plain_ones_do(self):
        plain = set(titles(self.search("peacekeeping"), "results"))
        self.assertEqual(set(titles(self.search("ｐｅａｃｅｋｅｅｐｉｎｇ"), "results")), plain)
        self.assertIn(self.body_match.title, titles(self.search("paciﬁc OR pandemic"), "results"))

    def test_an_underscore_is_no_word(self):
        self.assertContains(self.client.get("/search/", {"q": "_"}), "Type at least one word")

    def test_a_list_search_shows_each_searchs_own_snippets_and_the_latest_text(self):
        for word in ("pandemic", "ministers", "pandemic"):
            with self.subTest(word=word):
                response = self.client.get("/news/", {"q": word})
                self.assertEqual(titles(response), [self.body_match.title])
                self.assertContains(response, f"<mark>{word}</mark>", count=1)
        # Read again: the ids only; the text and the query's stems are kept.
        with self.assertNumQueries(1):
            self.client.get("/news/", {"q": "pandemic"})
        self.body_match.title = "Ministers met in Minsk"
        with self.captureOnCommitCallbacks(execute=True):
            self.body_match.save()
        self.assertEqual(
            titles(self.client.get("/news/", {"q": "pandemic"})), [self.body_match.title]
        )

    def test_a_word_with_yo_is_found_and_marked_written_either_way(self):
        NewsItemFactory(
            title="Встреча", lead="Встреча партнёров.", language="ru", section=self.news
        )
        for query in ("партнеров", "партнёров", "ПАРТНЁРОВ"):
            with self.subTest(query=query):
                response = self.client.get("/news/", {"q": query})
                self.assertEqual(titles(response), ["Встреча"])
                self.assertContains(response, "<mark>партнёров</mark>", html=False)

    def test_matches_are_highlighted(self):
        response = self.search("pandemic")
        self.assertContains(response, "<mark>pandemic</mark>", html=False)
        self.assertEqual(titles(response, "results"), [self.body_match.title])

    def test_facets_count_and_narrow(self):
        response = self.search("peacekeeping")
        facets = response.context_data["facets"]
        self.assertEqual({s: n for s, _, n in facets["sections"]}, {"news": 1, "speeches": 1})
        self.assertEqual(dict(facets["years"]), {2022: 1, 2021: 2})
        self.assertEqual([k for k, _, n in facets["kinds"]], ["news", "statements"])
        self.assertContains(response, 'href="?q=peacekeeping&amp;year=2021"')
        narrowed = self.search("peacekeeping", year=2021)
        self.assertEqual(
            set(titles(narrowed, "results")), {self.title_match.title, self.statement.title}
        )
        only_section = self.search("peacekeeping", section="speeches")
        self.assertEqual(titles(only_section, "results"), [self.body_match.title])
        only_statements = self.search("peacekeeping", kind="statements")
        self.assertEqual(titles(only_statements, "results"), [self.statement.title])

    def test_on_a_phone_the_facets_are_a_button_above_the_results(self):
        page = self.search("peacekeeping").content.decode()
        fold = page.index('<details class="filters-fold" open>')
        # Folded by static/js/filters.js on a narrow screen; CSS puts them beside the results.
        self.assertLess(page.index("Narrow the results</summary>"), page.index('class="facets"'))
        self.assertLess(fold, page.index('id="results-heading"'))
        self.assertIn("js/filters", page[fold:])
        # Nothing to narrow by: no button.
        self.assertNotIn("filters-fold", self.search("nothingmatchesthis").content.decode())

    def test_a_section_holds_the_sections_below_it_as_on_the_lists(self):
        below = SectionFactory(name="Briefings", slug="briefings", parent=self.speeches)
        briefing = NewsItemFactory(
            title="Peacekeeping briefing", section=below, published_at=when(2023)
        )
        response = self.search("peacekeeping", section="speeches")
        self.assertEqual(set(titles(response, "results")), {self.body_match.title, briefing.title})
        # A section's count holds those below it, as its link does.
        sections = {s: n for s, _, n in response.context_data["facets"]["sections"]}
        self.assertEqual(sections, {"speeches": 2, "briefings": 1})
        narrowed = self.search("peacekeeping", section="briefings")
        self.assertEqual(titles(narrowed, "results"), [briefing.title])

    def test_the_section_and_year_held_to_are_named_and_kept_by_the_form(self):
        response = self.search("peacekeeping", section="news", year=2021)
        self.assertEqual(titles(response, "results"), [self.title_match.title])
        self.assertContains(response, '<input type="hidden" name="section" value="news">')
        self.assertContains(response, '<input type="hidden" name="year" value="2021">')
        self.assertContains(
            response, 'Only: News (<a href="?q=peacekeeping&amp;year=2021">all sections</a>)'
        )
        self.assertContains(
            response, '2021 (<a href="?q=peacekeeping&amp;section=news">all years</a>)'
        )

    def test_an_unknown_section_is_named_and_left_out(self):
        response = self.search("peacekeeping", section="no-such")
        self.assertContains(response, "Section: There is no section “no-such”.")
        self.assertEqual(len(titles(response, "results")), 3)

    def test_statements_with_a_section_leave_the_section_out_and_say_so(self):
        response = self.search("peacekeeping", kind="statements", section="news")
        self.assertContains(response, "Statements belong to no section: the section is left out.")
        self.assertEqual(titles(response, "results"), [self.statement.title])
        # Its links lead to addresses without the section it left out.
        self.assertNotContains(response, "section=news")
        self.assertContains(response, 'href="?q=peacekeeping&amp;kind=news"')
        # Its links lead to addresses without the section it left out.
        self.assertNotContains(response, "section=news")
        self.assertContains(response, 'href="?q=peacekeeping&amp;kind=news"')

    def test_year_and_section_counts_follow_the_kind_shown(self):
        facets = self.search("peacekeeping", kind="statements").context_data["facets"]
        self.assertEqual(dict(facets["years"]), {2021: 1})
        self.assertNotIn("sections", facets)
        # Both kinds are still counted, to switch between them.
        self.assertEqual({k: n for k, _, n in facets["kinds"]}, {"news": 2, "statements": 1})
        facets = self.search("peacekeeping", kind="news").context_data["facets"]
        self.assertEqual(dict(facets["years"]), {2022: 1, 2021: 1})

    def test_a_bad_field_is_named_and_the_others_still_apply(self):
        """As on the lists: the results without the bad field, and what was wrong."""
        response = self.search("peacekeeping", kind="zz", year=2021)
        self.assertContains(response, "Select a valid choice.")
        self.assertEqual(
            set(titles(response, "results")), {self.title_match.title, self.statement.title}
        )
        response = self.search("peacekeeping", year=1800)
        self.assertContains(response, "greater than or equal to 1992")
        self.assertEqual(len(titles(response, "results")), 3)

    def test_a_parameter_the_search_cannot_read_is_named(self):
        response = self.search("peacekeeping", yaer="2021", utm_source="mail")
        self.assertContains(response, "These parameters are not understood and were ignored: yaer.")
        self.assertNotContains(response, "utm_source")
        self.assertEqual(len(titles(response, "results")), 3)
        response = self.client.get("/search/", {"sort": "date"})
        self.assertContains(response, "These parameters are not understood and were ignored: sort.")

    def test_counts_are_remembered_until_the_archive_changes(self):
        self.search("peacekeeping")
        # The page: its results, its news, its statements. Whether each kind
        # has too many matches to rank (PostgreSQL) is remembered too.
        with self.assertNumQueries(3):
            self.search("peacekeeping")
        with self.captureOnCommitCallbacks(execute=True):
            NewsItemFactory(
                title="Peacekeeping in 2022", section=self.news, published_at=when(2022)
            )
        facets = self.search("peacekeeping").context_data["facets"]
        self.assertEqual(dict(facets["years"]), {2022: 2, 2021: 2})
        self.assertEqual({k: n for k, _, n in facets["kinds"]}, {"news": 3, "statements": 1})

    def test_q_on_lists_combines_with_filters(self):
        response = self.client.get("/news/", {"q": "peacekeeping", "section": "news"})
        self.assertEqual(titles(response), [self.title_match.title])
        self.assertEqual(
            {s: n for s, _, n in response.context_data["facets"]["sections"]}, {"news": 1}
        )
        response = self.client.get("/news/", {"q": "peacekeeping", "year": "2022"})
        self.assertEqual(titles(response), [self.body_match.title])
        response = self.client.get("/statements/", {"q": "charter"})
        self.assertEqual(titles(response), [self.statement.title])
        self.assertContains(response, "<mark>Charter</mark>")

    def test_on_a_section_or_year_page_the_counts_lead_to_pages_that_hold_them(self):
        below = SectionFactory(name="Briefings", slug="briefings", parent=self.speeches)
        NewsItemFactory(title="Peacekeeping briefing", section=below, published_at=when(2021))
        response = self.client.get("/news/speeches/", {"q": "peacekeeping"})
        self.assertContains(response, 'href="/news/briefings/?q=peacekeeping"')
        self.assertContains(response, 'href="/news/speeches/?q=peacekeeping"')
        self.assertNotContains(response, "section=")
        facets = self.client.get("/news/2021/", {"q": "peacekeeping"}).context_data["facets"]
        self.assertNotIn("years", facets)
        self.assertEqual(
            {s: n for s, _, n in facets["sections"]}, {"news": 1, "speeches": 1, "briefings": 1}
        )

    def test_a_heading_quotes_the_words_once(self):
        response = self.client.get("/news/", {"q": "“collective security”"})
        self.assertContains(response, "<h1>News: “collective security”</h1>", html=True)
        response = self.client.get("/news/", {"q": "peacekeeping"})
        self.assertContains(response, "<h1>News: “peacekeeping”</h1>", html=True)

    def test_a_list_says_its_exact_count_however_long(self):
        """Only a search counted so far (too many matches to rank) says "more than"."""
        with mock.patch.object(search, "COUNT_LIMIT", 1):
            response = self.client.get("/news/")
        self.assertContains(response, "3 items")
        self.assertNotContains(response, "More than")

    def test_without_a_query_lists_are_newest_first(self):
        response = self.client.get("/news/")
        self.assertEqual(
            titles(response), [self.body_match.title, self.title_match.title, self.russian.title]
        )

    def test_no_query_can_break_it(self):
        for q in (
            "",
            "x" * 1_000,
            "!!!",
            "' OR 1=1 --",
            "a:* & !b | (c <-> d)",
            "\\",
            '"unclosed',
            "-",
            "or",
            "%_%",
            "<script>alert(1)</script>",
        ):
            for url in ("/search/", "/news/", "/statements/"):
                with self.subTest(q=q[:20], url=url):
                    # An empty q is taken out of the address first.
                    response = self.client.get(url, {"q": q}, follow=True)
                    self.assertEqual(response.status_code, 200)
                    self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(self.client.get("/search/", {"q": "x" * 1_000}), "at most 200")
        # Past what any search needs, the address itself is refused, with the reason.
        self.assertContains(
            self.client.get("/search/", {"q": "x" * 10_000}), "too long", status_code=400
        )
        self.assertContains(self.client.get("/search/", {"q": "!!!"}), "Type at least one word")
        for url in ("/search/", "/news/", "/statements/"):
            with self.subTest(url=url, q="-nato"):
                self.assertContains(
                    self.client.get(url, {"q": "-nato -csto"}),
                    "Type a word to look for: a word after a minus sign is only left out.",
                )

    def test_quotes_or_and_exclusion(self):
        """As websearch_to_tsquery reads them; SQLite reads the query the same way."""
        self.assertEqual(
            titles(self.search('"collective security"'), "results"), [self.body_match.title]
        )
        self.assertEqual(titles(self.search('"security collective"'), "results"), [])
        # Typographic quotes, as the help prints them, mark a phrase too.
        for phrase in ("“security collective”", "«security collective»"):
            self.assertEqual(titles(self.search(phrase), "results"), [])
        self.assertEqual(
            set(titles(self.search("pandemic or Kazakhstan"), "results")),
            {self.body_match.title, self.title_match.title},
        )
        self.assertEqual(
            titles(self.search("peacekeeping -pandemic", kind="news"), "results"),
            [self.title_match.title],
        )
        # The search help's own example.
        self.assertEqual(
            set(titles(self.search("“collective security” or Kazakhstan -NATO"), "results")),
            {self.body_match.title, self.title_match.title},
        )
        # A dash or minus sign typed before a word leaves it out too; "или" is "or".
        for dash in "–—−":
            self.assertEqual(
                titles(self.search(f"peacekeeping {dash}pandemic", kind="news"), "results"),
                [self.title_match.title],
            )
        self.assertEqual(
            set(titles(self.search("pandemic ИЛИ Kazakhstan"), "results")),
            {self.body_match.title, self.title_match.title},
        )
        # Between words with spaces round it, a dash is only punctuation.
        self.assertEqual(
            titles(self.search("peacekeeping – pandemic", kind="news"), "results"),
            titles(self.search("peacekeeping pandemic", kind="news"), "results"),
        )

    def test_page_past_the_end_is_404(self):
        self.assertEqual(
            self.client.get("/search/", {"q": "peacekeeping", "page": 9}).status_code, 404
        )

    def test_a_page_that_is_not_a_number_is_the_first_page_and_says_so(self):
        """As on the lists: the results of the first page, with a notice."""
        for page in ("x", "-3"):
            with self.subTest(page=page):
                response = self.client.get("/search/", {"q": "peacekeeping", "page": page})
                self.assertContains(response, f"“{page}” is not a page number")
                self.assertEqual(response.context_data["page_obj"].number, 1)


@skipUnless(ON_POSTGRES, "PostgreSQL full-text search; SQLite has the simple match below")
class PostgresSearchTests(SearchTestCase):
    def test_title_matches_rank_above_text_matches(self):
        self.assertEqual(
            titles(self.search("peacekeeping", kind="news"), "results"),
            [self.title_match.title, self.body_match.title],
        )

    def test_english_and_russian_stemming(self):
        self.assertEqual(
            titles(self.search("exercise", kind="news"), "results"), [self.title_match.title]
        )
        self.assertEqual(titles(self.search("заседания"), "results"), [self.russian.title])
        self.assertEqual(titles(self.search("безопасность"), "results"), [self.russian.title])

    def test_a_page_asks_how_the_words_of_all_its_results_are_stemmed_at_once(self):
        NewsItemFactory.create_batch(
            6, title="Peacekeeping", lead="Peacekeepers, peacekeeping.", section=self.news
        )
        with CaptureQueriesContext(connection) as queries:
            response = self.search("peacekeeping")
        self.assertEqual(len(titles(response, "results")), 9)
        self.assertContains(response, "<mark>Peacekeepers</mark>", html=False)
        stemming = [query for query in queries if "to_tsvector" in query["sql"]]
        self.assertEqual(len(stemming), 1)  # all in English: one dictionary

    def test_snippets_mark_every_form_of_a_stemmed_word_and_no_stop_word(self):
        response = self.client.get("/news/", {"q": "the minister -exercises"})
        self.assertEqual(titles(response), [self.body_match.title])
        self.assertContains(response, "The <mark>ministers</mark> discussed", html=False)
        self.assertContains(response, " the pandemic.", html=False)
        self.assertNotContains(response, "<mark>the</mark>", html=False)
        # A word English keeps but Russian drops is not marked in a Russian text.
        russian_and = self.client.get("/news/", {"q": "безопасности и"})
        self.assertContains(russian_and, "коллективной <mark>безопасности</mark>", html=False)
        self.assertNotContains(russian_and, "<mark>и</mark>", html=False)
        russian = self.search("безопасность")
        self.assertContains(russian, "коллективной <mark>безопасности</mark>", html=False)
        # The search page's results are marked the same way.
        self.assertContains(self.search("state"), "six <mark>states</mark> took part")

    def test_a_query_of_only_common_words_says_so(self):
        for response in (self.search("the"), self.client.get("/news/", {"q": "и"})):
            self.assertContains(response, "has only words too common to search for")
        russian = self.client.get("/news/", {"q": "и"}, headers={"accept-language": "ru"})
        self.assertContains(russian, "только слишком частые слова")
        self.assertNotContains(self.search("zzzunknown"), "too common")

    def test_too_many_matches_to_rank_are_listed_newest_first(self):
        # body_match (2022) is newer than title_match (2021), which ranks higher.
        ranked = self.search("peacekeeping", kind="news")
        self.assertNotIn("newest_first", ranked.context_data)
        with mock.patch.object(search, "RANK_LIMIT", 1):
            for response in (
                self.search("peacekeeping", kind="news"),
                self.client.get("/news/", {"q": "peacekeeping"}),
            ):
                names = "results" if "results" in response.context_data else None
                self.assertEqual(
                    titles(response, names), [self.body_match.title, self.title_match.title]
                )
                self.assertContains(response, "More than 1 items match, so they are listed")
            both = self.search("peacekeeping")
            self.assertEqual(
                titles(both, "results"),
                # 1 June 2022, 1 June 2021, 1 March 2021.
                [self.body_match.title, self.title_match.title, self.statement.title],
            )
            self.assertEqual(both.context_data["paginator"].count, 3)

    def test_a_common_word_is_counted_only_so_far_for_the_kind_shown(self):
        with (
            mock.patch.object(search, "RANK_LIMIT", 0),
            mock.patch.object(search, "COUNT_LIMIT", 1),
        ):
            both = self.search("peacekeeping")
            self.assertContains(both, "More than 1 results")
            self.assertEqual(
                {k: n for k, _, n in both.context_data["facets"]["kinds"]},
                {"news": "1+", "statements": 1},
            )
            # One statement matches: it is counted, with its years, under the news' cap.
            statements = self.search("peacekeeping", kind="statements")
            self.assertContains(statements, "1 result")
            self.assertNotContains(statements, "More than 1")
            self.assertEqual(dict(statements.context_data["facets"]["years"]), {2021: 1})

    def test_a_search_narrowed_by_other_filters_is_ranked_when_few_enough_match(self):
        with mock.patch.object(search, "RANK_LIMIT", 1):
            # Two news match "peacekeeping"; in their section only one does.
            response = self.client.get("/news/", {"q": "peacekeeping", "section": "news"})
            self.assertNotIn("newest_first", response.context_data)
            self.assertNotContains(response, "so they are listed")
            self.assertEqual(titles(response), [self.title_match.title])

    def test_newest_first_pages_interleave_news_and_statements_by_date(self):
        for year in (2019, 2023):
            StatementFactory(title=f"Peacekeeping statement {year}", adopted_on=when(year).date())
        NewsItemFactory(title="Peacekeeping news 2018", section=self.news, published_at=when(2018))
        expected = [
            "Peacekeeping statement 2023",
            self.body_match.title,  # 1 June 2022
            self.title_match.title,  # 1 June 2021
            self.statement.title,  # 1 March 2021
            "Peacekeeping statement 2019",
            "Peacekeeping news 2018",
        ]
        with (
            mock.patch.object(search, "RANK_LIMIT", 1),
            mock.patch.object(views.SearchView, "paginate_by", 2),
        ):
            pages = [titles(self.search("peacekeeping", page=n), "results") for n in (1, 2, 3)]
            # Either kind alone, in the same order.
            statements = self.search("peacekeeping", kind="statements", page=2)
            news = self.search("peacekeeping", kind="news", page=2)
            # A section holds news only.
            in_section = self.search("peacekeeping", section="speeches")
        self.assertEqual(pages, [expected[0:2], expected[2:4], expected[4:6]])
        self.assertEqual(titles(in_section, "results"), [self.body_match.title])
        self.assertEqual(titles(statements, "results"), ["Peacekeeping statement 2019"])
        self.assertEqual(titles(news, "results"), ["Peacekeeping news 2018"])

    def test_whether_to_rank_a_list_search_is_worked_out_once_per_change(self):
        with mock.patch.object(search, "more_than", wraps=search.more_than) as check:
            for page in ("1", "1", "2"):
                self.client.get("/news/", {"q": "peacekeeping", "page": page})
            self.assertEqual(check.call_count, 1)
            self.client.get("/news/", {"q": "peacekeeping", "year": "2021"})
            self.assertEqual(check.call_count, 2)
            pagecache.bump()  # as the commit of any change does
            self.client.get("/news/", {"q": "peacekeeping"})
            self.assertEqual(check.call_count, 3)

    def test_vectors_are_kept_up_to_date_at_write_time(self):
        item = self.title_match
        item.title = "Exercises renamed"
        item.save()
        self.assertEqual(titles(self.search("renamed"), "results"), [item.title])


class SnippetTests(TestCase):
    """The snippet a result shows, made from its text (search.snippet_of)."""

    def test_a_long_text_shows_the_words_around_its_first_match(self):
        text = "Opening words. " * 30 + "Joint exercises began. " + "More. " * 60
        snippet = search.snippet_of(text, "exercise")
        self.assertIn("Joint <mark>exercises</mark> began.", snippet)
        self.assertTrue(snippet.startswith("… ") and snippet.endswith(" …"))
        self.assertLessEqual(len(snippet), search.SNIPPET_LENGTH + 20)

    def test_a_plain_lead_keeps_its_angle_brackets_and_rich_text_loses_its_tags(self):
        item = NewsItemFactory.build(lead="5 < 7 and 9 > 3", body="<p>R&amp;D <b>plan</b></p>")
        self.assertEqual(
            search.snippet(item, "plan"), "5 &lt; 7 and 9 &gt; 3 R&amp;D <mark>plan</mark>"
        )

    def test_without_stems_the_words_beginning_with_a_word_of_the_query_are_marked(self):
        self.assertEqual(
            search.snippet_of("Peacekeepers & peacekeeping, not unpeacekeep", "PEACEKEEP"),
            "<mark>Peacekeepers</mark> &amp; <mark>peacekeeping</mark>, not unpeacekeep",
        )

    def test_a_text_without_a_match_shows_its_beginning(self):
        self.assertEqual(search.snippet_of("Nothing  here.", "treaty"), "Nothing here.")


@skipUnless(ON_POSTGRES, "the database's stems")
class StemmedSnippetTests(TestCase):
    """A word is marked when the database stems it as the query's words."""

    def test_the_dictionarys_stems_find_each_form_of_a_word(self):
        english = search.snippet_of(
            "Countries of the country's treaty", "", "'countri' & !'treati'", "english"
        )
        self.assertEqual(
            english, "<mark>Countries</mark> of the <mark>country</mark>&#x27;s treaty"
        )
        # "договор и": the Russian dictionary drops "и".
        russian = search.snippet_of(
            "Статьи договора, договор и протокол", "", "'договор'", "russian"
        )
        self.assertEqual(russian, "Статьи <mark>договора</mark>, <mark>договор</mark> и протокол")

    def test_words_stemmed_otherwise_by_other_snowball_versions_are_marked(self):
        # "organ", "intern", "univers" to the database; newer stemmers keep more.
        for word in ("organization", "international", "universities"):
            with self.subTest(word=word):
                text = f"The {word.title()} met."
                self.assertEqual(
                    search.snippet(NewsItemFactory.build(lead=text, body=""), word),
                    f"The <mark>{word.title()}</mark> met.",
                )

    def test_a_word_written_with_yo_is_marked(self):
        # The database reads "ё" as "е": "партнёров" is found by "партнеров" and itself.
        text = "Встреча партнёров и договорённости"
        for query in ("партнеров", "партнёров", "договоренности"):
            with self.subTest(query=query):
                item = NewsItemFactory.build(lead=text, body="", language="ru")
                self.assertIn("<mark>", search.snippet(item, query))

    def test_a_word_found_by_the_other_dictionarys_reading_is_marked(self):
        # Russian reads "Лавров" as "лавр", "Лаврова" as "лавров"; English leaves "лавров".
        item = NewsItemFactory.build(lead="Заявление Сергея Лаврова", body="", language="ru")
        self.assertEqual(search.snippet(item, "Лавров"), "Заявление Сергея <mark>Лаврова</mark>")

    def test_a_phrase_left_out_is_not_marked(self):
        terms = "'secur' & !( 'foreign' <-> 'minist' )"
        self.assertEqual(
            search.snippet_of("Foreign ministers on security", "", terms),
            "Foreign ministers on <mark>security</mark>",
        )

    def test_each_word_is_asked_of_the_database_once(self):
        text = "Ministers of defence met the minister."
        with self.assertNumQueries(1):
            search.snippet_of(text, "", "'minist'")
        with self.assertNumQueries(0):
            snippet = search.snippet_of(text + " Ministers again.", "", "'minist'")
        self.assertEqual(snippet.count("<mark>"), 3)


@skipUnless(not ON_POSTGRES, "the simple match of databases without full-text search")
class SimpleSearchTests(SearchTestCase):
    def test_every_word_must_occur(self):
        self.assertEqual(
            titles(self.search("ministers moscow"), "results"), [self.body_match.title]
        )
        self.assertEqual(titles(self.search("ministers kazakhstan"), "results"), [])

    def test_letters_of_any_case_match_in_any_alphabet(self):
        for query in ("министры", "МИНИСТРЫ", "Министры"):
            with self.subTest(query=query):
                response = self.search(query)
                self.assertEqual(titles(response, "results"), [self.russian.title])
                self.assertContains(response, "<mark>Министры</mark>")

    def test_a_word_matches_the_words_it_begins_not_a_piece_of_a_word_or_a_tag(self):
        StatementFactory(title="Charter day", text="<p>Support of the UN.</p>")
        # "Council", "Units" and "under" hold "un", "<p>" holds "p": no word is "un" or "p".
        self.assertEqual(
            set(titles(self.search("UN"), "results")), {"Charter day", self.statement.title}
        )
        self.assertEqual(titles(self.search("p"), "results"), [])
        self.assertEqual(
            titles(self.search("peacekeeping -UN"), "results"),
            [self.body_match.title, self.title_match.title],
        )
        # A longer word finds the words that begin with it.
        self.assertEqual(titles(self.search("minister"), "results"), [self.body_match.title])
        # A word with an apostrophe or a hyphen is its words in a row.
        self.assertEqual(titles(self.search("Council's"), "results"), [])

    def test_a_word_left_out_is_not_marked(self):
        response = self.search("peacekeeping -pandemic", kind="news")
        self.assertNotContains(response, "<mark>pandemic</mark>")
