import datetime
import html

from django.forms.utils import flatatt
from django.http import QueryDict
from django.test import TestCase

from archive.filters import DateInput, NewsItemFilter, NumberInput, attributes
from archive.models import NewsItem

from .factories import NewsItemFactory


def filtered(query):
    filterset = NewsItemFilter(QueryDict(query), queryset=NewsItem.objects.all())
    return filterset, {item.title for item in filterset.qs}


class FilterCopyTests(TestCase):
    """Each filter set works on copies of the filters, shared with no other request."""

    @classmethod
    def setUpTestData(cls):
        NewsItemFactory(
            title="2020", published_at=datetime.datetime(2020, 5, 1, tzinfo=datetime.UTC)
        )
        NewsItemFactory(
            title="2021", published_at=datetime.datetime(2021, 5, 1, tzinfo=datetime.UTC)
        )

    def test_two_filter_sets_filter_by_their_own_values(self):
        first, titles_2020 = filtered("year=2020")
        second, titles_2021 = filtered("year=2021")
        self.assertEqual(titles_2020, {"2020"})
        self.assertEqual(titles_2021, {"2021"})
        # The method filters still answer to their own filter set.
        self.assertEqual({item.title for item in first.qs}, {"2020"})
        for name in ("year", "q", "date_from"):
            with self.subTest(name):
                self.assertIs(first.filters[name].parent, first)
                self.assertIs(second.filters[name].parent, second)
                self.assertIs(first.filters[name].filter.f, first.filters[name])
                self.assertIsNot(first.filters[name], second.filters[name])

    def test_the_class_filters_are_left_as_they_were(self):
        filtered("year=2020&date_from=2020-01-01")
        for name, original in NewsItemFilter.base_filters.items():
            with self.subTest(name):
                self.assertFalse(hasattr(original, "parent"))


class FilterFormTests(TestCase):
    def test_each_form_has_its_own_fields_and_errors(self):
        good, _ = filtered("year=2020")
        bad, _ = filtered("year=1800")
        self.assertTrue(good.form.is_valid())
        self.assertFalse(bad.form.is_valid())
        self.assertIn("year", bad.form.errors)
        self.assertNotIn("year", good.form.errors)
        self.assertIsNot(good.form.fields["year"], bad.form.fields["year"])
        self.assertIn('value="2020"', str(good.form["year"]))
        self.assertIn('value="1800"', str(bad.form["year"]))


class ConditionsTests(TestCase):
    """What a filter set asks of the news, told as conditions for a prepared query."""

    def conditions(self, query):
        return NewsItemFilter(QueryDict(query), queryset=NewsItem.objects.all()).conditions()

    def test_each_filter_is_a_condition_of_its_own(self):
        first, second = self.conditions("year=2020&date_from=2020-06-01&language=")
        # Both bound the same column: one filter() each, as the filter set applies them.
        self.assertEqual(first["published_at__gte"].date(), datetime.date(2020, 6, 1))
        self.assertEqual(second["published_at__gte"].date(), datetime.date(2020, 1, 1))
        self.assertEqual(second["published_at__lt"].date(), datetime.date(2021, 1, 1))

    def test_no_filter_is_no_condition(self):
        self.assertEqual(self.conditions(""), [])
        self.assertEqual(self.conditions("page=3"), [])

    def test_a_search_or_a_wrong_value_cannot_be_told_so(self):
        self.assertIsNone(self.conditions("q=summit"))
        self.assertIsNone(self.conditions("year=nineteen"))
        self.assertIsNone(self.conditions("section=no-such-section"))


class WidgetHtmlTests(TestCase):
    """The filter forms' widgets write what Django's would, escaped alike."""

    def test_attributes_are_written_as_djangos(self):
        for attrs in [
            {},
            {"id": "id_q", "min": 1992, "max": 2100},
            {"placeholder": '"><script>alert(1)</script>', "required": True, "hidden": False},
            {"title": "Вопросы & ответы", "data-x": None, "disabled": True, "autofocus": True},
        ]:
            with self.subTest(attrs):
                # markupsafe writes a quote as &#34;, Django as &quot;: the same to a browser.
                self.assertEqual(html.unescape(attributes(attrs)), html.unescape(flatatt(attrs)))
                self.assertEqual(attributes(attrs).count('"'), flatatt(attrs).count('"'))
                self.assertNotIn("<", attributes(attrs))

    def test_an_input_escapes_its_value(self):
        html = NumberInput().render("year", '2020"><b>', {"id": "id_year", "min": 1992})
        self.assertEqual(
            html,
            '<input type="number" name="year" value="2020&#34;&gt;&lt;b&gt;"'
            ' id="id_year" min="1992">',
        )
        # A date input holds only a real date.
        self.assertNotIn("value", DateInput().render("date_from", "2024-02-30"))


class CalendarEdgeTests(TestCase):
    def test_the_first_and_last_days_of_the_calendar_are_plain_bounds(self):
        """0001-01-01 in Moscow is before year 1 in UTC: no moment to compare with."""
        item = NewsItemFactory()
        for query in ("date_from=0001-01-01", "date_to=9999-12-31", "date_from=0001-01-02"):
            with self.subTest(query):
                response = self.client.get(f"/news/?{query}")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, item.title)
        self.assertEqual(filtered("date_to=0001-01-01")[1], set())
