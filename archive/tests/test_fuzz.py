"""
Generated hostile input (Hypothesis) for every public URL: query strings of
any keys and values, and any text in each path segment. Whatever comes, the
answer is a page, a redirect, a 400 or a 404: never a 500, never a traceback.
"""

from unittest import mock
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from archive import search
from archive.models import Status

from .factories import (
    BodyFactory,
    NewsItemFactory,
    PersonFactory,
    SectionFactory,
    StatementFactory,
    TopicFactory,
)

# Every public page, with {} where a path segment goes.
PAGES = [
    "/",
    "/news/",
    "/news/{}/",
    "/news/{}/{}/",
    "/news/2020/",
    "/news/2020/05/",
    "/search/",
    "/statements/",
    "/statements/{}/",
    "/persons/",
    "/persons/{}/",
    "/bodies/",
    "/bodies/{}/",
    "/topics/",
    "/topics/{}/",
    "/feeds/news/",
    "/feeds/news/{}/",
    "/feeds/news/{}/atom/",
    "/feeds/statements/",
    "/sitemap.xml",
    "/sitemap-{}.xml",
    "/news-sitemap.xml",
    "/robots.txt",
    "/preview/{}/",
    "/documents/{}/",
    "/language/{}/",
]
# Names the pages read, so that generated values reach the code behind them.
KNOWN_KEYS = [
    "q", "page", "section", "person", "body", "topic", "language", "kind",
    "date_from", "date_to", "year", "back", "p", "next",
]  # fmt: skip
SEGMENTS = ["news", "n0", "s0", "p0", "2020", "05", "99999999999999999999", "..", "-"]

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # no lone surrogates: not UTF-8
    max_size=60,
)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), text)
values = st.one_of(
    text,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(str),
    st.sampled_from(SEGMENTS),
)
query = st.lists(st.tuples(keys, values), max_size=8)
segment = st.one_of(st.sampled_from(SEGMENTS), text.filter(lambda s: s.strip("/")))
ALLOWED = {200, 301, 302, 304, 400, 404}


def FUZZ(max_examples):  # noqa: N802 (reads as the decorator it makes)
    # No example database on disk: each run draws afresh, and leaves no files.
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


class FuzzTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        section = SectionFactory(slug="news")
        item = NewsItemFactory(section=section, slug="n0")
        item.persons.add(PersonFactory(slug="p0"))
        item.bodies.add(BodyFactory(slug="b0"))
        item.topics.add(TopicFactory(slug="t0"))
        NewsItemFactory(section=section, slug="draft", status=Status.DRAFT)
        StatementFactory(slug="s0")

    def answer(self, url):
        response = self.client.get(url)
        self.assertIn(response.status_code, ALLOWED, url)
        return response

    @settings(
        max_examples=1500,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(page=st.sampled_from(PAGES), parts=st.lists(segment, min_size=2, max_size=2), q=query)
    def test_any_address_and_query_string(self, page, parts, q):
        path = page.format(*(quote(part, safe="") for part in parts))
        self.answer(f"{path}?{urlencode(q)}")

    @settings(
        max_examples=500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(page=st.sampled_from(PAGES), raw=st.binary(max_size=200))
    def test_raw_bytes_in_the_query_string(self, page, raw):
        # Not even valid percent-encoding or UTF-8: as a hostile client sends it.
        path = page.format("n0", "n0")
        self.answer(f"{path}?{quote(raw, safe='=&%+')}")

    @FUZZ(300)
    @given(
        params=st.dictionaries(
            st.sampled_from(["q", "kind", "section", "year", "page", "language", "person"]),
            st.sampled_from(["news", "item", "statement", "text", "statements", "en", "p0", "2"]),
            max_size=6,
        )
    )
    def test_filters_with_searches_too_common_to_rank(self, params):
        # Such searches (a common word in a large archive) take other paths:
        # newest first, bounded per kind, counted up to a limit. The small
        # archive here reaches them with the limits brought down.
        with (
            mock.patch.object(search, "RANK_LIMIT", 0),
            mock.patch.object(search, "COUNT_LIMIT", 1),
        ):
            for page in ("/news/", "/news/news/", "/news/2020/", "/statements/", "/search/"):
                self.answer(f"{page}?{urlencode(params)}")
