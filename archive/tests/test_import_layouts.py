"""
The importer on pages in every layout of the CSTO site.

data/pages/ holds three real pages copied from a browser (see their list in
docs/import-export.md) and pages written in their style, in both languages.
Beside each NAME.txt, NAME.json says what importing it must give, field by
field, for every entry: the items made and the entries reported as cut off.
"""

import csv
import datetime
import io
import json
import shutil
import sys
import tempfile
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import SimpleTestCase, TestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import importing
from archive.management.commands.import_pages import Command
from archive.models import NewsItem, Status
from archive.sanitize import html_to_text

from .factories import (
    BodyFactory,
    NewsItemFactory,
    PersonFactory,
    SectionFactory,
    TopicFactory,
)

PAGES = Path(__file__).parent / "data" / "pages"
ITEM_FIELDS = [
    "title",
    "date",
    "language",
    "lead",
    "body",
    "signature",
    "contact",
    "media_links",
    "tags",
    "status",
    "why",
    "photos",
]
SKIPPED_FIELDS = ["title", "result", "why"]


def import_pages(*args):
    """The command's output and its report's rows."""
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.csv"
        call_command("import_pages", *args, "--report", str(report), stdout=out, stderr=out)
        with report.open(encoding="utf-8-sig", newline="") as file:
            rows = list(csv.DictReader(file))
    return out.getvalue(), rows


def fields_of(row):
    """What the import gave for one row of its report, in the form the .json files use."""
    if row["result"] == "skipped":
        return {"title": row["title"], "result": row["result"], "why": row["why"]}
    item = NewsItem.objects.get(title=row["title"], event_date=row["date"] or None)
    return {
        "title": item.title,
        "date": item.event_date.isoformat() if item.event_date else None,
        "language": item.language,
        "lead": item.lead,
        "body": html_to_text(item.body).splitlines(),
        "signature": item.signature,
        "contact": item.contact,
        "media_links": list(item.media_links.order_by("position").values_list("url", flat=True)),
        "tags": {
            "persons": sorted(item.persons.values_list("name", flat=True)),
            "bodies": sorted(item.bodies.values_list("name", flat=True)),
            "topics": sorted(item.topics.values_list("name", flat=True)),
        },
        "status": item.status,
        "why": row["why"],
        "photos": row["photos"].split(", ") if row["photos"] else [],
    }


def snapshot():
    """The archive's news as an editor sees it, without ids and times."""
    return sorted(
        NewsItem.objects.values_list(
            "title", "event_date", "lead", "body", "signature", "contact", "status", "flags"
        )
    )


class LayoutTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.news = SectionFactory(name="News", slug="csto-news", position=1)
        people = [
            ("Imangali Tasmagambetov", "Имангали Тасмагамбетов"),
            ("Valery Semerikov", "Валерий Семериков"),
            ("Yuri Khachaturov", "Юрий Хачатуров"),
            ("Stanislav Zas", "Станислав Зась"),
        ]
        for name, name_ru in people:
            PersonFactory(name=name, name_ru=name_ru)
        bodies = [
            ("Council of Foreign Ministers", "Совет министров иностранных дел", "CFM"),
            ("Collective Security Council", "Совет коллективной безопасности", "CSC"),
            ("Military Committee", "Военный комитет", ""),
            ("Permanent Council", "Постоянный совет", ""),
        ]
        for name, name_ru, acronym in bodies:
            BodyFactory(name=name, name_ru=name_ru, acronym=acronym)
        TopicFactory(name="COVID-19")
        TopicFactory(name="Peacekeeping", name_ru="Миротворческая деятельность")


class EveryFieldTests(LayoutTestCase):
    def test_every_field_of_every_page_is_right(self):
        """The accuracy the issue asks for: every field of every fixture, 100%."""
        compared, wrong, entries = 0, [], 0
        fixtures = sorted(PAGES.glob("*.txt"))
        self.assertGreaterEqual(len(fixtures), 10)
        for path in fixtures:
            expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            with transaction.atomic():
                _, rows = import_pages(str(path))
                got = [fields_of(row) for row in rows]
                transaction.set_rollback(True)
            self.assertEqual(len(got), len(expected), f"{path.name}: number of entries")
            for number, (want, have) in enumerate(zip(expected, got, strict=True), start=1):
                entries += 1
                names = SKIPPED_FIELDS if want.get("result") == "skipped" else ITEM_FIELDS
                for name in names:
                    compared += 1
                    if have[name] != want[name]:
                        wrong.append(f"{path.name} #{number} {name}: {have[name]!r}")
        right = compared - len(wrong)
        summary = (
            f"Field accuracy on {len(fixtures)} pages ({entries} entries): "
            f"{right}/{compared} fields, {100 * right / compared:.1f}%"
        )
        # The summary the issue asks for, shown with the test run's results.
        sys.stderr.write(f"\n{summary}\n")
        self.assertEqual(wrong, [], summary)

    def test_the_three_real_pages_give_what_their_readme_says(self):
        import_pages(str(PAGES / "ru_2018_khachaturov_comment.txt"))
        comment = NewsItem.objects.get(event_date=datetime.date(2018, 9, 21))
        self.assertEqual(comment.language, "ru")
        self.assertEqual(comment.signature, "Генеральный секретарь ОДКБ Ю.Хачатуров")
        for line in ("Вернуться назад", "Возврат к разделу", "Все новости", "Хачатуров"):
            self.assertNotIn(line, comment.body)

        output, _ = import_pages(str(PAGES / "en_undated_semerikov_zuev_un.txt"))
        self.assertIn("1 created", output)
        meeting = NewsItem.objects.get(signature="CSTO spokesman Vladimir Zainetdinov")
        self.assertEqual((meeting.status, meeting.flags), (Status.DRAFT, "date missing"))
        self.assertEqual(len(html_to_text(meeting.body).splitlines()), 3)  # and the lead
        self.assertNotIn("JPG", meeting.lead + meeting.body)
        self.assertNotIn("7495", meeting.body)
        self.assertIn("photos to attach: ZVF_6433.JPG, ZVF_6437.JPG, ZVF_6439.JPG", output)

        output, rows = import_pages(str(PAGES / "list_ru_2024.txt"))
        self.assertIn("3 created", output)
        seminar = NewsItem.objects.get(lead__startswith="С 8 по 11 апреля")
        self.assertLess(len(seminar.title), len(seminar.lead))
        self.assertIn("skipped   ", output)
        self.assertEqual(rows[-1]["why"], "cut off")


class FolderTests(LayoutTestCase):
    def test_a_folder_gives_what_its_files_give_one_by_one_and_twice_adds_nothing(self):
        with transaction.atomic():
            for path in sorted(PAGES.glob("*.txt")):
                import_pages(str(path))
            one_by_one = snapshot()
            transaction.set_rollback(True)
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        for path in PAGES.glob("*.txt"):
            shutil.copy(path, folder)
        output, _ = import_pages(str(folder))
        self.assertEqual(snapshot(), one_by_one)
        self.assertIn(f"{len(one_by_one)} created, 0 updated, 0 unchanged", output)
        again, _ = import_pages(str(folder))
        self.assertIn(f"0 created, 0 updated, {len(one_by_one)} unchanged", again)
        self.assertEqual(snapshot(), one_by_one)

    def test_a_folder_is_read_for_its_text_files_only(self):
        """data/pages/ holds a .json of expected fields beside each page: never an item."""
        with transaction.atomic():
            for path in sorted(PAGES.glob("*.txt")):
                import_pages(str(path))
            one_by_one = snapshot()
            transaction.set_rollback(True)
        import_pages(str(PAGES))
        self.assertEqual(snapshot(), one_by_one)

    def test_a_folder_with_no_text_files_is_refused(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        (folder / "notes.md").write_text("Pages to import next week.\n", encoding="utf-8")
        for path in (folder / "empty", folder):
            path.mkdir(exist_ok=True)
            with (
                self.subTest(path=path.name),
                self.assertRaisesMessage(CommandError, "Nothing could be imported."),
            ):
                call_command("import_pages", str(path), stdout=io.StringIO(), stderr=io.StringIO())
        self.assertFalse(NewsItem.objects.exists())


PAGE = """\
{address}
Состоялось заседание Постоянного совета при ОДКБ

05.03.2024

  Члены Постоянного совета обсудили ход выполнения решений.

  {second}

Пресс-секретарь ОДКБ Владимир Зайнетдинов

Вернуться назад
"""


class UpdateTests(LayoutTestCase):
    def write(self, text):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        path = folder / "page.txt"
        path.write_text(text, encoding="utf-8")
        return str(path)

    def page(self, second, address=""):
        return self.write(PAGE.format(second=second, address=address))

    def test_a_page_edited_at_the_source_updates_the_body(self):
        import_pages(self.page("Заседание прошло в Москве."))
        output, _ = import_pages(self.page("Заседание прошло в Минске."))
        self.assertIn("0 created, 1 updated", output)
        item = NewsItem.objects.get()
        self.assertIn("в Минске", item.body)
        self.assertNotIn("в Москве", item.body)
        again, _ = import_pages(self.page("Заседание прошло в Минске."))
        self.assertIn("0 created, 0 updated, 1 unchanged", again)

    def test_an_editors_body_is_kept_and_the_conflict_reported(self):
        import_pages(self.page("Заседание прошло в Москве."))
        item = NewsItem.objects.get()
        item.body = "<p>Текст редактора.</p>"
        item.save()
        output, rows = import_pages(self.page("Заседание прошло в Минске."))
        self.assertIn("conflict with an editor (body)", output)
        self.assertEqual(rows[0]["why"], "conflict with an editor (body)")
        item.refresh_from_db()
        self.assertEqual(item.body, "<p>Текст редактора.</p>")
        self.assertEqual(item.flags, "conflict with an editor (body)")
        # The same source again: the editor's text still stands, still flagged.
        again, _ = import_pages(self.page("Заседание прошло в Минске."))
        self.assertIn("(conflict with an editor (body))", again)
        item.refresh_from_db()
        self.assertEqual(item.body, "<p>Текст редактора.</p>")

    def test_a_source_address_finds_the_item_whose_title_changed(self):
        address = "https://odkb-csto.org/news/news_odkb/zasedanie-postoyannogo-soveta/"
        import_pages(self.page("Заседание прошло в Москве.", address=address))
        item = NewsItem.objects.get()
        self.assertEqual(item.source_url, address)
        retitled = PAGE.format(second="Заседание прошло в Москве.", address=address).replace(
            "Состоялось заседание", "Прошло заседание"
        )
        output, _ = import_pages(self.write(retitled))
        self.assertIn("0 created, 1 updated", output)
        item.refresh_from_db()
        self.assertEqual(item.title, "Прошло заседание Постоянного совета при ОДКБ")

    def test_without_the_address_a_retitled_published_page_is_never_overwritten(self):
        import_pages(self.page("Заседание прошло в Москве."))
        NewsItem.objects.update(status=Status.PUBLISHED)
        retitled = PAGE.format(second="Заседание прошло в Минске.", address="").replace(
            "Состоялось заседание", "Прошло заседание"
        )
        output, _ = import_pages(self.write(retitled))
        self.assertIn("1 created", output)
        original = NewsItem.objects.get(status=Status.PUBLISHED)
        self.assertIn("в Москве", original.body)


class LongTextTests(LayoutTestCase):
    def test_a_page_with_a_very_long_first_paragraph_is_imported_and_found_again(self):
        """SQLite cannot compare 50,000 characters ignoring case: such a lead is compared as is."""
        NewsItemFactory(title="Another item", lead="Another lead.")
        words = " ".join(["Члены Постоянного совета обсудили ход выполнения решений"] * 900)
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        page = folder / "page.txt"
        page.write_text(f"Долгий текст\n\n05.03.2024\n\n{words}.\n", encoding="utf-8")
        output, _ = import_pages(str(page))
        self.assertIn("1 created", output)
        self.assertGreater(len(NewsItem.objects.get(title="Долгий текст").lead), 50_000)
        again, _ = import_pages(str(page))
        self.assertIn("0 created, 0 updated, 1 unchanged", again)


class ReportTests(LayoutTestCase):
    def test_the_report_has_a_row_per_entry_with_why_it_is_flagged(self):
        output, rows = import_pages(str(PAGES / "ru_list_titles_cut.txt"))
        self.assertIn("2 created, 0 updated, 0 unchanged, 1 flagged.", output)
        self.assertEqual(
            [(row["result"], row["why"]) for row in rows],
            [("created", ""), ("created", ""), ("skipped", "cut off")],
        )
        self.assertEqual(rows[0]["source"].rsplit(":", 1)[1], "4")
        self.assertEqual((rows[0]["date"], rows[0]["language"]), ("2024-03-05", "ru"))
        self.assertEqual(rows[0]["status"], Status.REVIEW)

    def test_a_report_that_cannot_be_written_is_one_line_and_nothing_is_imported(self):
        with self.assertRaisesMessage(CommandError, "Cannot write the report /no/such/r.csv"):
            call_command(
                "import_pages", str(PAGES), "--report", "/no/such/r.csv", stdout=io.StringIO()
            )
        self.assertFalse(NewsItem.objects.exists())

    def test_a_refused_run_leaves_no_report_file_but_one_there_before(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        report, earlier = folder / "new.csv", folder / "earlier.csv"
        earlier.write_text("an earlier report")
        for path in (report, earlier):
            with (
                self.subTest(path=path.name),
                mock.patch.object(Command, "write_report", side_effect=CommandError("Disk full")),
                self.assertRaisesMessage(CommandError, "Disk full"),
            ):
                call_command(
                    "import_pages", str(PAGES), "--report", str(path), stdout=io.StringIO()
                )
        self.assertEqual(sorted(p.name for p in folder.iterdir()), ["earlier.csv"])
        self.assertFalse(NewsItem.objects.exists())

    def test_a_report_that_fails_while_written_leaves_nothing_imported(self):
        """A disk that fills up as the report is written: the import is not kept without it."""
        with self.assertRaisesMessage(CommandError, "Nothing was imported."):
            call_command("import_pages", str(PAGES), "--report", "/dev/full", stdout=io.StringIO())
        self.assertFalse(NewsItem.objects.exists())


class LayoutRuleTests(SimpleTestCase):
    def test_navigation_lines_in_both_languages(self):
        lines = [
            "Go back",
            "Back to the section",
            "Back to the all news",
            "Вернуться назад",
            "Возврат к разделу",
            "Вернуться в раздел",
            "Все новости",
            "Вернуться ко всем новостям",
        ]
        for line in lines:
            with self.subTest(line=line):
                self.assertTrue(importing.is_navigation(importing.Paragraph(line, 1, 0)))

    def test_a_made_headline_is_cut_at_a_word_near_150_characters(self):
        words = "Участники совещания обсудили вопросы совершенствования системы подготовки " * 4
        title = importing.title_from(words.strip() + ".")
        self.assertLessEqual(len(title), 151)
        self.assertTrue(title.endswith("…"))
        self.assertTrue(words.startswith(title[:-1] + " "))

    def test_sidebar_lines_before_the_title_dated_or_not_stay_out_of_the_page(self):
        page = (
            "Заседание Постоянного совета при ОДКБ\n29.05.2024\n"
            "Члены Постоянного совета обсудили ход выполнения решений.\nВернуться назад\n"
        )
        sidebars = [
            "Совет министров обороны ОДКБ провел заседание\n",
            "Последние новости\n28.05.2024\nСовет министров обороны ОДКБ провел заседание\n"
            "27.05.2024\nЗаседание Комитета секретарей советов безопасности ОДКБ\n",
        ]
        for sidebar in sidebars:
            with self.subTest(sidebar=sidebar):
                [entry] = importing.parse(sidebar + page)
                self.assertEqual(entry.title, "Заседание Постоянного совета при ОДКБ")
                self.assertEqual(entry.date, datetime.date(2024, 5, 29))

    def test_a_signature_with_a_position_and_contact_lines(self):
        text = (
            "Заседание Постоянного совета\n\n05.03.2024\n\nЧлены совета обсудили решения.\n\n"
            "Генеральный секретарь ОДКБ Ю.Хачатуров\n\nтел.: +7 495 795-27-10\n\n"
            "факс: +7 495 621-33-23\n"
        )
        [entry] = importing.parse(text)
        self.assertEqual(entry.signature, "Генеральный секретарь ОДКБ Ю.Хачатуров")
        self.assertEqual(entry.contact, "тел.: +7 495 795-27-10 факс: +7 495 621-33-23")
        self.assertEqual((entry.lead, entry.body), ("Члены совета обсудили решения.", []))

    def test_a_pasted_line_of_millions_of_letters_is_read_in_one_pass(self):
        """Patterns that started at every letter of a long run took hours on 20 MB."""
        [entry] = importing.parse("A" * 2_000_000 + "@x")
        self.assertTrue(entry.made_title)

    def test_a_position_alone_signs_a_page_but_may_begin_the_next_ones_title(self):
        text = (
            "Заседание Постоянного совета\n\n05.03.2024\n\nЧлены совета обсудили решения.\n\n"
            "Начальник информационного отдела Секретариата ОДКБ\n\n"
            "Начальник Объединенного штаба ОДКБ посетил Минск\n\n06.03.2024\n\n"
            "Состоялась встреча с министром обороны.\n"
        )
        first, second = importing.parse(text)
        self.assertEqual(first.signature, "Начальник информационного отдела Секретариата ОДКБ")
        self.assertEqual(first.body, [])
        self.assertEqual(second.title, "Начальник Объединенного штаба ОДКБ посетил Минск")
        self.assertEqual(second.date, datetime.date(2024, 3, 6))
        self.assertFalse(second.made_title)

    def test_other_ways_the_site_gives_a_page_its_date(self):
        council, text = "Заседание Постоянного совета", "Члены совета обсудили решения."
        ministers, met = "Ministers met in Minsk", "The ministers of defence met."
        pages = [
            (council, f"{council}\n\n21.09.2018 14:35\n\n{text}\n"),
            (council, f"{council}\n\n21 сентября 2018 г.\n\n{text}\n"),
            (ministers, f"{ministers}\n\nSeptember 21, 2018\n\n{met}\n"),
            (ministers, f"{ministers} 21.09.2018\n\n{met}\n\nGo back\n"),
        ]
        for title, page in pages:
            with self.subTest(page=page):
                [entry] = importing.parse(page)
                self.assertEqual((entry.title, entry.date), (title, datetime.date(2018, 9, 21)))
                self.assertIn(entry.lead, (text, met))

    def test_only_the_sites_own_address_above_or_below_the_page_is_its_source(self):
        page = (
            "{top}\n\nЗаседание Постоянного совета\n\n21.09.2018\n\n"
            "Члены совета обсудили решения.\n\nhttps://www.un.org/peacekeeping/\n\n"
            "Текст доклада опубликован.\n"
        )
        address = "https://odkb-csto.org/news/news_odkb/zasedanie/"
        [entry] = importing.parse(page.format(top=address))
        self.assertEqual(entry.source_url, address)
        self.assertIn("https://www.un.org/peacekeeping/", entry.body)
        [entry] = importing.parse(page.format(top="https://example.com/copy/"))
        self.assertEqual(entry.source_url, "")


class AnyTextTests(SimpleTestCase):
    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(
            st.one_of(
                st.sampled_from(
                    [
                        "",
                        "21.09.2018",
                        "16.01.20",
                        "Go back",
                        "Все новости",
                        "Заседание Постоянного совета",
                        "Члены совета обсудили решения.",
                        "Генеральный секретарь ОДКБ Ю.Хачатуров",
                        "+7 495 795-27-10 тел./факс",
                        "ZVF_6433.JPG",
                        "Media about the meeting: https://odkb-csto.org/news/smi/tass-x/",
                        "https://odkb-csto.org/news/news_odkb/page/",
                        "http://[",
                    ]
                ),
                st.text(max_size=80),
            ),
            max_size=30,
        )
    )
    def test_any_copy_gives_whole_entries_and_never_fails(self, lines):
        """Whatever a person pastes, each entry has a title, and no line is read twice."""
        for entry in importing.parse("\n".join(lines)):
            self.assertTrue(entry.title.strip())
            self.assertNotIn("ZVF_6433.JPG", entry.text)
            self.assertNotIn("Go back", [entry.lead, *entry.body])
