import datetime
import io
import os
from pathlib import Path
from unittest import mock

from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import translation

from archive import importing
from archive.models import NewsItem, Revision, Status, Transition

from .factories import BodyFactory, PersonFactory, SectionFactory, TopicFactory

# A copy of shared/seed/000_1f1a87be68132e59.txt, so that the tests need nothing
# outside the repository.
SEED = Path(__file__).parent / "data" / "csto_seed.txt"
CFM_TITLE = (
    "On May 26, the CSTO Council of Foreign Ministers in a video conference discussed "
    "prospects for the development of international and regional security"
)

LIST_PAGE = f"""\
26.05.2020

{CFM_TITLE}

The ministers discussed the situation.


19.07.2024

The CSTO Secretary General took part in the UN Security Council debate
"""

RUSSIAN_PAGE = """\
Заседание Совета министров иностранных дел ОДКБ

Заседание Совета министров иностранных дел ОДКБ 26.05.2020

Министры обсудили перспективы развития международной и региональной безопасности.

Заседание прошло в формате видеоконференции.

Пресс-секретарь ОДКБ Владимир Зайнетдинов

Назад
"""


def run(*args, stdin=None):
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        import sys

        real = sys.stdin
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
        try:
            call_command("import_pages", *args, stdout=out, stderr=err)
        finally:
            sys.stdin = real
    else:
        call_command("import_pages", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


class ImporterTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.news = SectionFactory(name="News", slug="csto-news", position=1)
        cls.speeches = SectionFactory(name="Speeches", slug="speeches", position=2)
        cls.interviews = SectionFactory(name="Interviews", slug="interviews", position=3)

    def write(self, text, name="page.txt", mode="w"):
        path = Path(self.enterContext(__import__("tempfile").TemporaryDirectory())) / name
        if mode == "wb":
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return str(path)


class SeedImportTests(ImporterTestCase):
    def test_the_seed_gives_the_curated_page_and_the_teasers(self):
        PersonFactory(name="Sergey Lavrov")
        BodyFactory(name="Council of Foreign Ministers", acronym="CFM")
        TopicFactory(name="COVID-19")
        output = run(str(SEED))
        # Two teasers have no date; all four teasers have no title of their own.
        self.assertIn("5 created, 0 updated, 0 unchanged, 4 flagged.", output)
        self.assertIn("csto_seed.txt:5: Allow me to thank", output)
        self.assertIn("(date missing, no title)", output)

        page = NewsItem.objects.get(title=CFM_TITLE)
        self.assertEqual(page.status, Status.REVIEW)
        self.assertEqual(page.section, self.news)
        self.assertEqual(page.event_date, datetime.date(2020, 5, 26))
        self.assertEqual(page.published_at.date(), datetime.date(2020, 5, 26))
        self.assertTrue(
            page.lead.startswith(
                "Statements were approved on the occasion of the 75th anniversary of the Great "
                "Victory in the Great Patriotic War; on confirmation of adherence"
            )
        )
        self.assertIn("UN Charter; on solidarity", page.lead)
        self.assertTrue(page.body.startswith("<p>On May 26, 2020, a regular meeting"))
        self.assertEqual(page.body.count("<p>"), 10)
        self.assertNotIn("Go back", page.body)
        self.assertNotIn("Media about", page.body)
        self.assertEqual(page.signature, "CSTO Press Secretary Vladimir Zaynetdinov")
        self.assertEqual(
            page.media_heading, "Media about the meeting of the CSTO Council of Foreign Ministers"
        )
        link = page.media_links.get()
        self.assertEqual(link.outlet, "TASS")
        self.assertTrue(link.url.startswith("https://odkb-csto.org/news/smi/tass-rossiya"))
        self.assertEqual(list(page.persons.values_list("name", flat=True)), ["Sergey Lavrov"])
        self.assertEqual(page.bodies.get().acronym, "CFM")
        self.assertEqual(page.topics.get().name, "COVID-19")
        step = Transition.for_item(page).get()
        self.assertEqual((step.from_status, step.to_status, step.user), ("draft", "review", None))

        graduates = NewsItem.objects.get(event_date=datetime.date(2024, 7, 25))
        self.assertTrue(graduates.title.startswith("Staff of the CSTO Secretariat met with"))
        self.assertEqual(graduates.status, Status.REVIEW)
        debate = NewsItem.objects.get(event_date=datetime.date(2024, 7, 19))
        self.assertIn("held on 19 July 2024", debate.lead)

        speech = NewsItem.objects.get(lead__startswith="Allow me to thank")
        self.assertEqual((speech.status, speech.flags), (Status.DRAFT, "date missing"))
        self.assertEqual(speech.section, self.speeches)
        self.assertIn("I highly appreciate", speech.body)
        interview = NewsItem.objects.get(lead__contains="BELTA")
        self.assertEqual((interview.section, interview.flags), (self.interviews, "date missing"))

    def test_the_seed_matches_what_seed_demo_curated(self):
        call_command("seed_demo", verbosity=0, allow_database=True)
        curated = NewsItem.objects.get(slug="cfm-video-conference-2020-05-26")
        curated_url = curated.media_links.get().url
        output = run(str(SEED))
        self.assertIn("0 created, 0 updated, 5 unchanged", output)
        # The same page, imported into an empty archive, gives the same fields.
        NewsItem.objects.all().delete()
        run(str(SEED))
        imported = NewsItem.objects.get(title=curated.title)
        for field in ("title", "lead", "body", "event_date", "media_heading", "signature"):
            self.assertEqual(getattr(imported, field), getattr(curated, field), field)
        self.assertEqual(imported.published_at, curated.published_at)
        self.assertEqual(
            list(imported.media_links.values_list("outlet", "url", "title")),
            [("TASS", curated_url, "")],
        )

    def test_importing_twice_changes_nothing(self):
        run(str(SEED))
        before = list(NewsItem.objects.order_by("pk").values())
        output = run(str(SEED))
        self.assertIn("0 created, 0 updated, 5 unchanged", output)
        self.assertEqual(list(NewsItem.objects.order_by("pk").values()), before)

    def test_dry_run_saves_nothing(self):
        output = run(str(SEED), "--dry-run")
        self.assertIn("Dry run, nothing saved: 5 created", output)
        self.assertFalse(NewsItem.objects.exists())

    def test_publish_and_section(self):
        run(str(SEED), "--publish", "--section", "speeches")
        self.assertEqual(NewsItem.objects.filter(status=Status.PUBLISHED).count(), 3)
        self.assertEqual(NewsItem.objects.filter(status=Status.DRAFT).count(), 2)  # no date
        self.assertEqual(
            set(NewsItem.objects.values_list("section__slug", flat=True)), {"speeches"}
        )
        self.assertTrue(NewsItem.objects.published().filter(title=CFM_TITLE).exists())


class FormatTests(ImporterTestCase):
    def test_list_page(self):
        entries = importing.parse(LIST_PAGE)
        self.assertEqual([e.kind for e in entries], ["list", "list"])
        self.assertEqual(entries[0].title, CFM_TITLE)
        self.assertEqual(entries[0].lead, "The ministers discussed the situation.")
        self.assertEqual(entries[0].date, datetime.date(2020, 5, 26))
        self.assertEqual(entries[1].date, datetime.date(2024, 7, 19))
        self.assertIn("2 created", run(self.write(LIST_PAGE)))

    def test_russian_page(self):
        run(self.write(RUSSIAN_PAGE))
        item = NewsItem.objects.get()
        self.assertEqual(item.language, "ru")
        self.assertEqual(item.title, "Заседание Совета министров иностранных дел ОДКБ")
        self.assertEqual(item.slug, "zasedanie-soveta-ministrov-inostrannykh-del-odkb")
        self.assertEqual(item.signature, "Пресс-секретарь ОДКБ Владимир Зайнетдинов")
        self.assertEqual(item.event_date, datetime.date(2020, 5, 26))
        self.assertNotIn("Назад", item.body)
        # Its history says where it came from, in the language of whoever reads it.
        revision = Revision.for_item(item).get()
        self.assertRegex(revision.comment_text(), r"^Imported from .+")
        with translation.override("ru"):
            self.assertRegex(revision.comment_text(), r"^Импортировано из .+")

    def test_dates_read_from_teasers(self):
        cases = {
            "On 25 July 2024, staff met graduates.": datetime.date(2024, 7, 25),
            "On May 26, 2020, a meeting was held.": datetime.date(2020, 5, 26),
            "The debate held on 19 July 2024 at the UN.": datetime.date(2024, 7, 19),
            "26 мая 2020 года состоялось заседание.": datetime.date(2020, 5, 26),
            "Встреча прошла 3 декабря 2021 г. в Минске.": datetime.date(2021, 12, 3),
            "No date in this one.": None,
            "On 31 February 2020 nothing happened.": None,
        }
        for text, date in cases.items():
            with self.subTest(text=text):
                self.assertEqual(importing.find_date(text), date)

    def test_teaser_titles_leave_out_the_date(self):
        self.assertEqual(
            importing.title_from("On 25 July 2024, staff of the Secretariat met graduates. More."),
            "Staff of the Secretariat met graduates",
        )
        self.assertEqual(
            importing.title_from("26 мая 2020 года состоялось заседание Совета."),
            "Состоялось заседание Совета",
        )


class UpdateTests(ImporterTestCase):
    TEASER = (
        "26.05.2020\n\n" + CFM_TITLE + "\n\nStatements were approved on the occasion of the "
        "75th anniversary.\n"
    )

    def test_a_teaser_then_the_whole_page_updates_and_keeps_editors_changes(self):
        run(self.write(self.TEASER))
        item = NewsItem.objects.get()
        self.assertEqual(item.body, "")
        # An editor rewrites the lead meanwhile.
        NewsItem.objects.filter(pk=item.pk).update(lead="The editor's lead.")
        output = run(str(SEED))
        self.assertIn("4 created, 1 updated", output)
        item.refresh_from_db()
        self.assertEqual(NewsItem.objects.filter(title=CFM_TITLE).count(), 1)
        self.assertEqual(item.lead, "The editor's lead.")  # kept
        self.assertIn("a regular meeting", item.body)  # filled in
        self.assertEqual(item.signature, "CSTO Press Secretary Vladimir Zaynetdinov")
        self.assertEqual(item.media_links.count(), 1)

    def test_a_date_found_later_clears_the_flag(self):
        run(self.write("Imangali Tasmagambetov gave an interview to BELTA.\n"))
        item = NewsItem.objects.get()
        self.assertEqual((item.status, item.flags), (Status.DRAFT, "date missing"))
        run(self.write("12.06.2024\n\nImangali Tasmagambetov gave an interview to BELTA.\n"))
        item.refresh_from_db()
        self.assertEqual((item.status, item.flags), (Status.REVIEW, ""))
        self.assertEqual(item.event_date, datetime.date(2024, 6, 12))


class WeakMatchTests(ImporterTestCase):
    def list_page(self, date, title, lead):
        return self.write(f"{date}\n\n{title}\n\n{lead}\n")

    def test_a_published_item_with_the_same_lead_is_never_overwritten(self):
        run(self.list_page("12.03.2024", "Ministers met in Minsk", "The meeting was held."))
        published = NewsItem.objects.get()
        published.status = Status.PUBLISHED
        published.save()
        output = run(self.list_page("20.09.2024", "Defence chiefs met", "The meeting was held."))
        self.assertIn("1 created, 0 updated, 0 unchanged, 1 flagged.", output)
        self.assertIn("Defence chiefs met (like the published “Ministers met in Minsk”)", output)
        published.refresh_from_db()
        self.assertEqual(published.title, "Ministers met in Minsk")
        self.assertEqual(published.event_date, datetime.date(2024, 3, 12))
        new = NewsItem.objects.exclude(pk=published.pk).get()
        self.assertEqual((new.title, new.status), ("Defence chiefs met", Status.REVIEW))
        self.assertEqual(new.flags, "like the published “Ministers met in Minsk”")
        # And the same text again finds its own item.
        again = run(self.list_page("20.09.2024", "Defence chiefs met", "The meeting was held."))
        self.assertIn("0 created, 0 updated, 1 unchanged", again)

    def test_publish_never_publishes_an_item_like_a_published_one(self):
        run(self.list_page("12.03.2024", "Ministers met in Minsk", "The meeting was held."))
        NewsItem.objects.update(status=Status.PUBLISHED)
        path = self.list_page("12.03.2024", "Ministers met in Minsk", "A different lead.")
        run(path, "--publish", "--section", "speeches")
        self.assertEqual(NewsItem.objects.filter(status=Status.PUBLISHED).count(), 1)
        self.assertEqual(NewsItem.objects.get(section=self.speeches).status, Status.REVIEW)

    def test_the_same_title_date_and_section_update_a_published_item(self):
        run(self.list_page("12.03.2024", "Ministers met in Minsk", "The meeting was held."))
        NewsItem.objects.update(status=Status.PUBLISHED)
        output = run(self.list_page("12.03.2024", "Ministers met in Minsk", "A corrected lead."))
        self.assertIn("0 created, 1 updated", output)
        self.assertEqual(NewsItem.objects.get().lead, "A corrected lead.")


class ImpossibleDateTests(ImporterTestCase):
    def test_an_impossible_date_on_a_page_is_reported(self):
        page = (
            "Ministers met in Minsk\n\nMinisters met in Minsk 31.02.2024\n\n"
            "The ministers of defence met in Minsk.\n\nGo back\n"
        )
        output = run(self.write(page))
        self.assertIn(":1: Ministers met in Minsk (impossible date 31.02.2024)", output)
        item = NewsItem.objects.get()
        self.assertEqual((item.status, item.flags), (Status.DRAFT, "impossible date 31.02.2024"))

    def test_an_impossible_date_on_a_list_page_is_reported(self):
        text = "31.02.2024\n\nMinisters met in Minsk\n\nThe ministers met in Minsk.\n"
        output = run(self.write(text))
        self.assertIn(":1: Ministers met in Minsk (impossible date 31.02.2024)", output)
        item = NewsItem.objects.get()
        self.assertEqual(item.lead, "The ministers met in Minsk.")
        self.assertEqual(item.flags, "impossible date 31.02.2024")


class BadInputTests(ImporterTestCase):
    def test_files_that_are_not_text_or_empty_are_reported_and_skipped(self):
        binary = self.write(b"\x89PNG\r\n\x1a\n\x00\x00\x00", name="photo.png", mode="wb")
        latin1 = self.write("caf\xe9".encode("latin-1"), name="old.txt", mode="wb")
        empty = self.write("  \n\n", name="empty.txt")
        output = run(binary, latin1, empty, self.write(LIST_PAGE), "/no/such/file.txt")
        self.assertIn("2 created", output)
        self.assertIn("photo.png: not a UTF-8 text file, skipped", output)
        self.assertIn("old.txt: not a UTF-8 text file, skipped", output)
        self.assertIn("empty.txt: empty, skipped", output)
        self.assertIn("/no/such/file.txt: no such file or folder", output)
        output = run(os.devnull, self.write(LIST_PAGE))
        self.assertIn(f"{os.devnull}: not a file or folder (a device or a pipe)", output)

    def test_nothing_importable_is_an_error(self):
        with self.assertRaisesMessage(CommandError, "Nothing could be imported."):
            run(self.write("", name="empty.txt"))

    def test_unknown_section(self):
        with self.assertRaisesMessage(CommandError, "No section with the slug “nope”."):
            run(str(SEED), "--section", "nope")

    def test_a_page_that_cannot_be_saved_is_reported_with_its_line_and_the_rest_stays(self):
        real = importing.import_entry

        def failing_on_the_first(entry, **kwargs):
            outcome = real(entry, **kwargs)
            if entry.line == 1:  # half-written, then fails: must leave nothing
                raise ValidationError("Title too odd.")
            return outcome

        target = "archive.management.commands.import_pages.import_entry"
        out, err = io.StringIO(), io.StringIO()
        with (
            mock.patch(target, side_effect=failing_on_the_first),
            # Non-zero, so that a script notices; the rest was imported.
            self.assertRaisesMessage(CommandError, "1 of the entries could not be imported"),
        ):
            call_command("import_pages", self.write(LIST_PAGE), stdout=out, stderr=err)
        self.assertIn("1 created", out.getvalue())
        self.assertIn("page.txt:1: could not be imported (Title too odd.)", err.getvalue())
        self.assertEqual(NewsItem.objects.count(), 1)

    def test_a_copy_cut_off_mid_page_never_shortens_the_item(self):
        page = (
            "Ministers met in Minsk\n\nMinisters met in Minsk 12.03.2024\n\n"
            "The ministers of defence met in Minsk.\n\nThey discussed the situation and its "
            "impact on the region.\n\nCSTO Press Secretary Vladimir Zaynetdinov\n\nGo back\n"
        )
        run(self.write(page), "--publish")
        item = NewsItem.objects.get()
        self.assertEqual(item.status, Status.PUBLISHED)
        cut = page[: page.index("impact") + 2]
        output = run(self.write(cut))
        self.assertIn("skipped", output)
        self.assertIn("cut off: its text is the start of the stored one", output)
        self.assertIn("0 created, 0 updated, 0 unchanged", output)
        stored = NewsItem.objects.get()
        self.assertEqual((stored.body, stored.signature), (item.body, item.signature))
        self.assertEqual(stored.version, item.version)
        # The whole page again is as before: unchanged.
        self.assertIn("0 created, 0 updated, 1 unchanged", run(self.write(page)))

    def test_standard_input_and_folders(self):
        self.assertIn("2 created", run("-", stdin=LIST_PAGE))
        folder = Path(self.write(RUSSIAN_PAGE, name="a.txt")).parent
        (folder / "b.txt").write_text(LIST_PAGE, encoding="utf-8")
        self.assertIn("1 created, 0 updated, 2 unchanged", run(str(folder)))
