import datetime

from django.http import QueryDict
from django.test import TestCase

from archive.filters import DateInput, NewsItemFilter
from archive.models import NewsItem, Status

from .factories import NewsItemFactory, PersonFactory


def filtered(query):
    filterset = NewsItemFilter(QueryDict(query), queryset=NewsItem.objects.all())
    return filterset, {item.title for item in filterset.qs}


class FilterSetTests(TestCase):
    """Each request's filter set filters by its own values."""

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
        self.assertEqual({item.title for item in first.qs}, {"2020"})

    def test_each_form_has_its_own_values_and_errors(self):
        good, _ = filtered("year=2020")
        bad, _ = filtered("year=1800")
        self.assertTrue(good.form.is_valid())
        self.assertFalse(bad.form.is_valid())
        self.assertIn("year", bad.form.errors)
        self.assertNotIn("year", good.form.errors)
        self.assertIn('value="2020"', str(good.form["year"]))
        self.assertIn('value="1800"', str(bad.form["year"]))


class FilterFormChoicesTests(TestCase):
    def test_a_person_is_offered_once_public_news_names_them(self):
        """The form class is built once; the persons it offers still follow the archive."""
        person = PersonFactory(name="Anna Petrova")
        item = NewsItemFactory(status=Status.DRAFT)
        item.persons.add(person)
        self.assertNotIn(person.slug, dict(NewsItemFilter().form.fields["person"].choices))
        with self.captureOnCommitCallbacks(execute=True):  # a new generation
            item.status = Status.PUBLISHED
            item.save()
        self.assertIn(person.slug, dict(NewsItemFilter().form.fields["person"].choices))


class FilterFormHtmlTests(TestCase):
    def test_what_was_typed_is_escaped(self):
        filterset, _ = filtered("q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
        html = str(filterset.form["q"])
        self.assertNotIn("<script>", html)
        self.assertIn("&lt;script&gt;", html)

    def test_a_date_input_holds_only_a_real_date(self):
        """A browser blanks a date input holding no date: what was typed comes back as text."""
        wrong = DateInput().render("date_from", "2024-02-30")
        self.assertIn('type="text"', wrong)
        self.assertIn('value="2024-02-30"', wrong)
        right = DateInput().render("date_from", "2024-02-29")
        self.assertIn('type="date"', right)
        self.assertIn('value="2024-02-29"', right)


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
