import io
import json
import os
import shutil
import stat
import tarfile
import tempfile
from pathlib import Path
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.test import TestCase
from django.utils import translation

from archive import services
from archive.backup import archive_is_empty
from archive.management.commands import import_archive
from archive.models import (
    Attachment,
    Body,
    Image,
    NewsItem,
    Person,
    Revision,
    Section,
    SlugRedirect,
    Statement,
    Topic,
    Transition,
)

from .factories import NewsItemFactory, UserFactory

# A backup of an empty archive: only the end record.
EMPTY = '{"type":"end","counts":{}}\n'


def export(*args):
    out = io.StringIO()
    call_command("export_archive", *args, stdout=out)
    return out.getvalue()


def wipe():
    """An empty archive, as on a new machine."""
    for model in (Transition, Revision, SlugRedirect, Statement, NewsItem, Image, Attachment):
        model.objects.all().delete()
    for model in (Topic, Body, Person):
        model.objects.all().delete()
    while Section.objects.exists():
        Section.objects.filter(children__isnull=True).delete()
    get_user_model().objects.all().delete()


class BackupTestCase(TestCase):
    def setUp(self):
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))

    def build_archive(self):
        """The demo archive, with workflow history, revisions and a renamed item."""
        call_command("seed_demo", verbosity=0, allow_database=True)
        editor = UserFactory(username="editor", role="editor", email="e@example.org")
        author = UserFactory(username="author", role="author")
        item = NewsItem.objects.get(slug="tasmagambetov-interview-belta")
        item.author = author
        item.save()
        services.submit_for_review(item=item, user=author, comment="Please check")
        services.publish(item=item, user=editor)
        item.slug = "interview-belta"
        item.lead = "A corrected lead."
        services.save_item(item=item, user=editor)
        services.record_revision(item=item, user=editor)
        # A translation whose partner sorts after it: linked once both are loaded.
        russian = NewsItemFactory(slug="a-russian-version", language="ru", title="Интервью")
        russian.translation = item
        services.save_item(item=russian, user=editor)

    def write(self, text, name="archive.jsonl"):
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return str(path)


class RoundTripTests(BackupTestCase):
    def test_export_import_export_is_identical(self):
        self.build_archive()
        first = export()
        self.assertEqual(len(first.splitlines()), len(set(first.splitlines())))
        kinds = {json.loads(line)["type"] for line in first.splitlines()}
        self.assertEqual(
            kinds,
            {
                "user",
                "section",
                "person",
                "body",
                "topic",
                "image",
                "attachment",
                "newsitem",
                "statement",
                "transition",
                "revision",
                "slugredirect",
                "end",
            },
        )
        wipe()
        call_command("import_archive", self.write(first), verbosity=0)
        self.assertEqual(export(), first)

        # And the restored archive works: the page, its old address, its history.
        item = NewsItem.objects.get(slug="interview-belta")
        self.assertEqual(item.lead, "A corrected lead.")
        self.assertEqual(item.translation.slug, "a-russian-version")
        self.assertRedirects(
            self.client.get("/news/interviews/tasmagambetov-interview-belta/"),
            "/news/interviews/interview-belta/",
            status_code=301,
        )
        self.assertEqual(
            list(Transition.for_item(item).values_list("user__username", "to_status")),
            [("editor", "published"), ("author", "review")],
        )
        revisions = Revision.for_item(item)
        # The last version is the Russian item's pairing, recorded in this one's history too.
        self.assertEqual([revision.version for revision in revisions], [3, 2, 1])
        self.assertEqual(revisions[0].comment_text(), "Linked to its translation “Интервью”.")
        self.assertEqual(revisions[0].data["section"], item.section_id)
        self.assertFalse(get_user_model().objects.get(username="editor").has_usable_password())
        # Names in both languages, and statements linked to their translations.
        self.assertEqual(Person.objects.get(slug="stanislav-zas").name_ru, "Станислав Зась")
        statement = Statement.objects.get(slug="zayavlenie-smid-75-letie-velikoy-pobedy")
        self.assertEqual(statement.translation.translation, statement)

    def test_to_a_file_with_media(self):
        self.build_archive()
        output = self.folder / "backup.jsonl"
        out = io.StringIO()
        call_command("export_archive", "--output", str(output), "--media", stdout=out)
        self.assertIn(f"to {output}", out.getvalue())
        files = Path(str(output) + ".media.tar")
        self.assertTrue(files.is_file())
        image = Image.objects.first()
        wipe()
        media = Path(self.enterContext(tempfile.TemporaryDirectory()))
        with self.settings(MEDIA_ROOT=media / "public", PRIVATE_MEDIA_ROOT=media / "private"):
            call_command("import_archive", str(output), "--media", verbosity=0)
            self.assertTrue((media / "public" / image.file.name).is_file())
            for rendition in image.sources:
                self.assertTrue((media / "public" / rendition["webp"]).is_file())
            # The six documents of the ministers' meeting, in English and in Russian.
            self.assertEqual(len(list((media / "private" / "documents").iterdir())), 12)


class MergeTests(BackupTestCase):
    def test_refuses_a_non_empty_database_without_merge(self):
        self.build_archive()
        text = export()
        with self.assertRaisesMessage(CommandError, "use --merge"):
            call_command("import_archive", self.write(text), verbosity=0)

    def test_merge_updates_by_slug_and_adds_what_is_new(self):
        self.build_archive()
        text = export()
        NewsItem.objects.filter(slug="interview-belta").update(title="Changed here")
        NewsItem.objects.filter(slug="speech-un-security-council-debate-2024-07-19").delete()
        extra = NewsItemFactory(slug="only-here")
        call_command("import_archive", self.write(text), "--merge", verbosity=0)
        self.assertNotEqual(NewsItem.objects.get(slug="interview-belta").title, "Changed here")
        self.assertTrue(
            NewsItem.objects.filter(slug="speech-un-security-council-debate-2024-07-19").exists()
        )
        self.assertTrue(NewsItem.objects.filter(pk=extra.pk).exists())
        # Merging the same file again adds nothing to the log.
        steps = Transition.objects.count()
        call_command("import_archive", self.write(text), "--merge", verbosity=0)
        self.assertEqual(Transition.objects.count(), steps)

    def test_an_older_backup_never_undoes_a_later_save(self):
        self.build_archive()
        text = export()
        item = NewsItem.objects.get(slug="interview-belta")
        NewsItem.objects.filter(pk=item.pk).update(title="Saved after the backup", version=9)
        err = io.StringIO()
        call_command("import_archive", self.write(text), "--merge", verbosity=0, stderr=err)
        item.refresh_from_db()
        self.assertEqual((item.title, item.version), ("Saved after the backup", 9))
        self.assertIn(
            "newer in the database than in the file: newsitem “interview-belta”", err.getvalue()
        )


class BadFileTests(BackupTestCase):
    def assertRefused(self, text, message):
        with self.assertRaisesMessage(CommandError, message):
            call_command("import_archive", self.write(text), verbosity=0)

    def test_a_malformed_line_stops_and_rolls_everything_back(self):
        self.build_archive()
        lines = export().splitlines()
        wipe()
        broken = [*lines[:10], '{"type": "person", "key": "x", "fields": ', *lines[11:]]
        self.assertRefused("\n".join(broken), "Line 11: not valid JSON")
        self.assertFalse(Section.objects.exists())
        self.assertFalse(get_user_model().objects.exists())

    def test_inconsistent_records(self):
        section = '{"type":"section","key":"news","fields":{"name":"News","position":1}}'
        item = (
            '{"type":"newsitem","key":"a","fields":{"title":"A","section":"nowhere",'
            '"status":"draft","language":"en"}}'
        )
        self.assertRefused(
            section + "\n" + item, "Line 2: newsitem “a”: refers to a section “nowhere”"
        )
        self.assertFalse(Section.objects.exists())
        self.assertRefused('{"type":"spaceship","key":1,"fields":{}}', "Line 1: not a record")
        self.assertRefused("[1, 2]", "Line 1: not a record")
        self.assertRefused(
            '{"type":"section","key":"news","fields":{"name":"News","position":"first"}}',
            "Line 1: section “news”: position",
        )

    def test_a_line_too_long_for_a_record_is_refused_before_it_is_read_whole(self):
        section = '{"type":"section","key":"news","fields":{"name":"News","position":1}}'
        huge = '{"type":"user","key":"' + "x" * 200 + '"}'
        with mock.patch.object(import_archive, "MAX_LINE_CHARACTERS", 100):
            self.assertRefused(section + "\n" + huge, "Line 2: longer than 100 characters")
        self.assertFalse(Section.objects.exists())

    def test_missing_file_and_media_without_output(self):
        with self.assertRaisesMessage(CommandError, "Cannot read /no/such.jsonl"):
            call_command("import_archive", "/no/such.jsonl", verbosity=0)
        # The file is looked at first, before the database is.
        NewsItemFactory()
        with self.assertRaisesMessage(CommandError, "Cannot read /no/such.jsonl"):
            call_command("import_archive", "/no/such.jsonl", verbosity=0)
        with self.assertRaisesMessage(CommandError, "--media needs --output"):
            call_command("export_archive", "--media", stdout=io.StringIO())

    def test_a_media_archive_cannot_write_outside_storage(self):
        path = self.write(EMPTY, name="empty.jsonl")
        with tarfile.open(path + ".media.tar", "w") as archive:
            info = tarfile.TarInfo("media/../../escape.txt")
            info.size = 2
            archive.addfile(info, io.BytesIO(b"hi"))
        with self.assertRaisesMessage(CommandError, "unexpected file"):
            call_command("import_archive", path, "--media", verbosity=0)


class FailedExportTests(BackupTestCase):
    def test_an_unreachable_database_leaves_the_previous_backup_as_it_was(self):
        NewsItemFactory()
        output = self.folder / "backup.jsonl"
        output.write_text("yesterday's backup\n", encoding="utf-8")
        Path(f"{output}.media.tar").write_bytes(b"yesterday's files")
        refused = OperationalError('connection to server failed\n\tIs the server running on "db"?')
        with (
            mock.patch("django.db.models.query.QuerySet._fetch_all", side_effect=refused),
            self.assertRaisesMessage(
                CommandError, "Cannot export: database error (connection to server failed)."
            ),
        ):
            call_command("export_archive", "--output", str(output), "--media", verbosity=0)
        self.assertEqual(output.read_text(encoding="utf-8"), "yesterday's backup\n")
        self.assertEqual(Path(f"{output}.media.tar").read_bytes(), b"yesterday's files")
        self.assertEqual(
            sorted(p.name for p in self.folder.iterdir()),
            ["backup.jsonl", "backup.jsonl.media.tar"],
        )

    def test_a_backup_is_replaced_whole_or_not_at_all(self):
        NewsItemFactory()
        output = self.folder / "backup.jsonl"
        output.write_text("yesterday's backup\n", encoding="utf-8")
        tar = Path(f"{output}.media.tar")
        tar.write_bytes(b"yesterday's files")
        replace = os.replace

        def refuse_the_files(source, target):
            if str(target).endswith(".media.tar"):
                raise PermissionError(1, "Operation not permitted", source)
            return replace(source, target)

        with (
            mock.patch("os.replace", side_effect=refuse_the_files),
            self.assertRaisesMessage(CommandError, f"Cannot write {tar}: Operation not permitted."),
        ):
            call_command("export_archive", "--output", str(output), "--media", verbosity=0)
        # The records were renamed first: they are yesterday's again, beside yesterday's files.
        self.assertEqual(output.read_text(encoding="utf-8"), "yesterday's backup\n")
        self.assertEqual(tar.read_bytes(), b"yesterday's files")
        self.assertEqual(sorted(p.name for p in self.folder.iterdir()), [output.name, tar.name])

    def test_stored_files_missing_or_unreadable_fail_the_export(self):
        media = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.enterContext(
            self.settings(MEDIA_ROOT=media / "public", PRIVATE_MEDIA_ROOT=media / "private")
        )
        self.build_archive()
        output = self.folder / "backup.jsonl"
        image = Image.objects.first()
        rendition = image.sources[0]["webp"]
        default_storage.delete(rendition)
        err = io.StringIO()
        with self.assertRaisesMessage(
            CommandError, "1 stored files were missing and are not in the backup"
        ):
            call_command("export_archive", "--output", str(output), "--media", stderr=err)
        self.assertIn(f"Missing, left out: {rendition}", err.getvalue())
        # Written all the same, without that file.
        with tarfile.open(f"{output}.media.tar") as archive:
            self.assertNotIn(f"media/{rendition}", archive.getnames())
        # A folder where a file should be is named, not the backup being written.
        Path(default_storage.path(rendition)).mkdir()
        with self.assertRaisesMessage(
            CommandError, f"Cannot read the stored file {rendition}: Is a directory."
        ):
            call_command("export_archive", "--output", str(output), "--media", verbosity=0)

    def test_a_backup_ends_with_the_count_of_its_records(self):
        NewsItemFactory.create_batch(2)
        output = self.folder / "backup.jsonl"
        call_command("export_archive", "--output", str(output), verbosity=0)
        last = json.loads(output.read_text(encoding="utf-8").splitlines()[-1])
        self.assertEqual(last["type"], "end")
        self.assertEqual(last["counts"]["newsitem"], 2)
        self.assertEqual(last["counts"]["section"], Section.objects.count())


class IncompleteFileTests(BackupTestCase):
    def assertRefused(self, lines, message):
        with self.assertRaisesMessage(CommandError, message):
            call_command("import_archive", self.write("\n".join(lines) + "\n"), verbosity=0)
        self.assertTrue(archive_is_empty())
        self.assertFalse(get_user_model().objects.exists())

    def test_a_backup_cut_short_is_refused(self):
        self.build_archive()
        lines = export().splitlines()
        wipe()
        self.assertRefused(
            lines[: len(lines) // 2], "After the last line: the file has no end record"
        )

    def test_a_backup_with_a_record_taken_out_is_refused(self):
        self.build_archive()
        lines = export().splitlines()
        wipe()
        # A record nothing else refers to: only the end record's counts can tell.
        first = next(n for n, line in enumerate(lines) if '"type":"transition"' in line)
        del lines[first]
        self.assertRefused(lines, "the end record's counts do not match the records: transition")

    def test_records_after_the_end_record_are_refused(self):
        self.build_archive()
        lines = export().splitlines()
        wipe()
        self.assertRefused(
            [*lines, lines[0]],
            f"Line {len(lines) + 1}: user “author”: a record after the end record",
        )


SECTION = '{"type":"section","key":"news","fields":{"name":"News","position":1}}'


def news_record(**fields):
    fields = {"title": "A", "section": "news", "status": "draft", "language": "en", **fields}
    return json.dumps({"type": "newsitem", "key": "a", "fields": fields})


class InvalidRecordTests(BackupTestCase):
    def assertRefused(self, lines, message):
        with self.assertRaises(CommandError) as refusal:
            call_command("import_archive", self.write("\n".join(lines) + "\n"), verbosity=0)
        self.assertIn(message, str(refusal.exception))
        self.assertNotIn("\n", str(refusal.exception))
        self.assertTrue(archive_is_empty())

    def test_records_that_fail_validation_name_the_record_and_import_nothing(self):
        end = '{"type":"end","counts":{"section":1,"newsitem":1}}'
        cases = [
            (news_record(title="x" * 501), "Line 2: newsitem “a”: title: Ensure this value"),
            (news_record(status="shredded"), "Line 2: newsitem “a”: status: Value 'shredded'"),
            (
                news_record(media_links=[{"outlet": "X", "url": "javascript:alert(1)"}]),
                "Line 2: newsitem “a”: url:",
            ),
            (news_record(source_url="javascript:alert(1)"), "Line 2: newsitem “a”: source_url:"),
        ]
        for record, message in cases:
            # Django's own messages, in English whatever an earlier test left active.
            with self.subTest(message), translation.override("en"):
                self.assertRefused([SECTION, record, end], message)

    def test_users_and_files_are_validated_too(self):
        user = '{"type":"user","key":"u","fields":{"email":"not an address"}}'
        self.assertRefused(
            [user, '{"type":"end","counts":{"user":1}}'],
            "Line 1: user “u”: email: Enter a valid email address.",
        )
        self.assertFalse(get_user_model().objects.exists())
        image = json.dumps({"type": "image", "key": "a.jpg", "fields": {"alt_text": "a" * 301}})
        self.assertRefused(
            [image, '{"type":"end","counts":{"image":1}}'],
            "Line 1: image “a.jpg”: alt_text: Ensure this value has at most 300 characters",
        )

    def test_deeply_nested_json_is_one_line(self):
        self.assertRefused([SECTION, "[" * 100000 + "]" * 100000], "Line 2: nested too deeply.")


class FailedMediaImportTests(BackupTestCase):
    def setUp(self):
        super().setUp()
        media = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.public, self.private = media / "public", media / "private"
        self.enterContext(self.settings(MEDIA_ROOT=self.public, PRIVATE_MEDIA_ROOT=self.private))

    def media_archive(self, path, members):
        with tarfile.open(path + ".media.tar", "w") as archive:
            for name, content in members:
                info = tarfile.TarInfo(name)
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))

    def test_a_media_archive_broken_part_way_leaves_no_file(self):
        path = self.write(EMPTY)
        self.public.mkdir(parents=True)
        (self.public / "kept.jpg").write_bytes(b"there before")
        self.media_archive(
            path,
            [("media/first.jpg", b"a" * 2000), ("documents/second.pdf", b"b" * 20000)],
        )
        tar = Path(path + ".media.tar")
        tar.write_bytes(tar.read_bytes()[:6000])
        with self.assertRaisesMessage(CommandError, "Cannot read the media archive"):
            call_command("import_archive", path, "--media", verbosity=0)
        self.assertEqual([p.name for p in self.public.rglob("*") if p.is_file()], ["kept.jpg"])
        self.assertEqual([p for p in self.private.rglob("*") if p.is_file()], [])

    def test_storage_refusing_a_file_is_said_as_such(self):
        path = self.write(EMPTY)
        self.media_archive(path, [("media/first.jpg", b"a" * 2000), ("documents/x.pdf", b"b")])
        refused = PermissionError(1, "Operation not permitted")
        with (
            mock.patch.object(default_storage, "save", side_effect=refused),
            self.assertRaisesMessage(
                CommandError,
                f"Cannot store media/first.jpg from {path}.media.tar: Operation not permitted.",
            ),
        ):
            call_command("import_archive", path, "--media", verbosity=0)

    def test_a_refused_media_archive_leaves_no_file_nor_record(self):
        path = self.write(SECTION + "\n" + '{"type":"end","counts":{"section":1}}\n')
        self.media_archive(path, [("media/first.jpg", b"a" * 2000), ("elsewhere/x", b"x")])
        with self.assertRaisesMessage(CommandError, "unexpected file 'elsewhere/x'"):
            call_command("import_archive", path, "--media", verbosity=0)
        self.assertFalse((self.public / "first.jpg").exists())
        self.assertFalse(Section.objects.exists())


class UnreachableDatabaseTests(BackupTestCase):
    """Every command answers a database it cannot reach with one line, not a traceback."""

    def test_import_archive_says_so_in_one_line(self):
        refused = OperationalError('connection to server at "db" failed\nIs the server running?')
        path = self.write(EMPTY)
        with (
            mock.patch(
                "archive.management.commands.import_archive.archive_is_empty", side_effect=refused
            ),
            self.assertRaisesMessage(CommandError, "The database cannot be reached") as caught,
        ):
            call_command("import_archive", path, verbosity=0)
        self.assertNotIn("\n", str(caught.exception))

    def test_import_pages_says_so_in_one_line(self):
        path = self.write("Title\n\nTitle 01.02.2024\n\nText.\n", name="page.txt")
        with mock.patch("archive.management.commands.import_pages.Section") as section:
            section.objects.exists.side_effect = OperationalError("server closed the connection")
            with self.assertRaisesMessage(CommandError, "The database cannot be reached"):
                call_command("import_pages", path, verbosity=0)


class CorruptMediaArchiveTests(BackupTestCase):
    def test_a_media_archive_that_is_no_tar_is_refused_in_one_line(self):
        path = self.write(EMPTY)
        Path(path + ".media.tar").write_bytes(b"\x00not a tar archive" * 100)
        with self.assertRaisesMessage(CommandError, "not a tar file") as caught:
            call_command("import_archive", path, "--media", verbosity=0)
        self.assertNotIn("\n", str(caught.exception))


class ClosedStandardOutput:
    """Standard output that cannot take more: a full disk, or `| head` gone."""

    def __init__(self, error):
        self.error = error

    def write(self, text):
        raise self.error

    def flush(self):
        raise self.error


class ExportToWhatIsNoFileTests(TestCase):
    def test_a_device_pipe_or_folder_is_refused_and_left_as_it_is(self):
        NewsItemFactory()
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        pipe = folder / "pipe"
        os.mkfifo(pipe)
        # A device (/dev/full) is refused as a pipe is; trying it here would risk the device.
        for path in (str(pipe), str(folder)):
            with (
                self.subTest(path=path),
                self.assertRaisesMessage(CommandError, f"Cannot write {path}: it is not a file"),
            ):
                call_command("export_archive", "--output", path, stdout=io.StringIO())
        self.assertTrue(stat.S_ISFIFO(os.stat(pipe).st_mode))
        self.assertEqual(sorted(p.name for p in folder.iterdir()), ["pipe"])


class ExportToStandardOutputTests(TestCase):
    def test_a_full_disk_or_a_closed_pipe_is_one_line(self):
        NewsItemFactory()
        for error, reason in (
            (BrokenPipeError(32, "Broken pipe"), "it was closed before the end"),
            (OSError(28, "No space left on device"), "No space left on device"),
        ):
            with (
                self.subTest(reason=reason),
                # What the command points the closed stream at, not this test's own.
                mock.patch("os.dup2"),
                self.assertRaisesMessage(
                    CommandError, f"Cannot write to standard output: {reason}."
                ),
            ):
                call_command("export_archive", stdout=ClosedStandardOutput(error))
