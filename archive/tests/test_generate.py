import io
from unittest import mock

from django.core.management import call_command
from django.db.models import Count
from django.test import TestCase

from archive import pagination
from archive.models import MediaLink, NewsItem, Statement

from .factories import titles_shown


def seed(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=err, allow_database=True)
    return out.getvalue() + err.getvalue()


class ExtraTests(TestCase):
    def test_extra_adds_generated_items_and_clear_extra_removes_them(self):
        output = seed("--extra", "120")
        self.assertIn("Generated 120 news items", output)
        self.assertIn("[##############################] 120/120", output)
        generated = NewsItem.objects.filter(generated=True)
        self.assertEqual(generated.count(), 120)
        self.assertEqual(Statement.objects.filter(generated=True).count(), 120 // 25 + 1)
        # Realistic spread: both languages, several sections, fifteen years, names linked.
        self.assertEqual(set(generated.values_list("language", flat=True)), {"en", "ru"})
        self.assertGreater(generated.values("section").distinct().count(), 3)
        years = generated.dates("published_at", "year")
        self.assertGreater(years.last().year - years.first().year, 8)
        self.assertFalse(generated.annotate(n=Count("persons")).filter(n=0).exists())
        self.assertTrue(MediaLink.objects.filter(news_item__generated=True).exists())
        self.assertGreater(NewsItem.objects.published().filter(generated=True).count(), 100)

        # The pages cope with them.
        item = NewsItem.objects.published().filter(generated=True).first()
        self.assertEqual(self.client.get(item.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get("/news/", {"page": 6}).status_code, 200)

        output = seed("--clear-extra")
        self.assertIn("Removed 120 generated news items.", output)
        self.assertFalse(NewsItem.objects.filter(generated=True).exists())
        self.assertFalse(Statement.objects.filter(generated=True).exists())
        # The demo's own (the meeting's, in English and Russian), and no orphans.
        self.assertEqual(MediaLink.objects.count(), 2)
        # The curated demo stays.
        self.assertTrue(NewsItem.objects.filter(slug="cfm-video-conference-2020-05-26").exists())

    def test_generated_items_are_listed_page_after_page_from_remembered_rows(self):
        seed("--extra", "60")
        item = NewsItem.objects.filter(generated=True).first()
        # Stored as Django stores a moment: a lookup by it finds it.
        self.assertTrue(
            NewsItem.objects.filter(published_at=item.published_at, pk=item.pk).exists()
        )
        public = list(NewsItem.objects.published().values_list("title", flat=True))
        shown = []
        with mock.patch.object(pagination, "DEEP_ROWS", 20):
            for page in range(1, len(public) // 20 + 2):
                shown += titles_shown(self.client.get("/news/", {"page": page}))
        self.assertEqual(shown, public)

    def test_reproducible_and_only_what_is_missing_is_added(self):
        seed("--extra", "30", "--seed", "7")
        first = list(
            NewsItem.objects.filter(generated=True)
            .order_by("slug")
            .values_list("slug", "title", "lead")
        )
        self.assertIn("Generated 0 news items", seed("--extra", "30", "--seed", "7"))
        seed("--clear-extra")
        seed("--extra", "10", "--seed", "7")
        seed("--extra", "30", "--seed", "7")
        again = list(
            NewsItem.objects.filter(generated=True)
            .order_by("slug")
            .values_list("slug", "title", "lead")
        )
        self.assertEqual(again, first)
        seed("--clear-extra")
        seed("--extra", "30", "--seed", "8")
        other = (
            NewsItem.objects.filter(generated=True).order_by("slug").values_list("slug", flat=True)
        )
        self.assertNotEqual(list(other), [slug for slug, _, _ in first])

    def test_a_negative_count_is_refused(self):
        from django.core.management import CommandError

        with self.assertRaisesMessage(CommandError, "--extra needs a number"):
            seed("--extra", "-5")
