"""
Import text copied from the CSTO site as news items, ready for an editor.

    manage.py import_pages seed.txt more-pages/ [--section SLUG] [--publish] [--dry-run]
                           [--report report.csv]
    cat page.txt | manage.py import_pages -

A folder is read for its .txt files (in its subfolders too); a file named
on the command line is read whatever its name.

Whole pages, list pages and loose teasers are recognized (archive/importing.py).
New items go to review (published with --publish); a page or teaser with no
date is a draft flagged "date missing". Each page is saved in its own transaction:
one that fails is reported with its file and line, and the others stay.
Importing the same text again changes nothing; a published item is never
changed by a page that matches it only by its title or lead, and no item
by a copy whose text is the start of its own (a page cut off mid-text).
The command exits non-zero when an entry failed, after the others were
imported.

It ends with one line per entry (created, updated, unchanged, skipped or
failed, and why it is flagged); --report writes the same as CSV for the
editor who checks the import.
"""

import contextlib
import csv
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction

from archive.importing import import_entry, parse
from archive.management.base import ArchiveCommand
from archive.models import Section

DEFAULT_SECTION_NAMES = ("news", "новости")
INTERVIEW_WORDS = ("interview", "news agency correspondent", "интервью", "корреспондент")
SPEECH_WORDS = ("allow me to thank", "dear colleagues", "позвольте поблагодарить", "уважаемые")
# (words in the text, names of the section that fits)
SECTION_HINTS = [
    (INTERVIEW_WORDS, ("interviews", "интервью")),
    (SPEECH_WORDS, ("speeches", "выступления")),
]


DATE_MISSING = "date missing"
NO_TITLE = "no title"
CUT_OFF = "cut off"
REPORT_COLUMNS = ["source", "result", "title", "date", "language", "status", "why", "photos"]


@dataclass
class Row:
    """One line of the report: what became of one entry of the copy."""

    source: str
    result: str  # created, updated, unchanged, skipped or failed
    title: str
    date: str = ""
    language: str = ""
    status: str = ""
    why: str = ""
    photos: str = ""

    def line(self):
        why = f" ({self.why})" if self.why else ""
        photos = f"; photos to attach: {self.photos}" if self.photos else ""
        return f"  {self.result:<9} {self.source}: {self.title[:70]}{why}{photos}"


def hinted(flag, entry):
    """“date missing”, with the day the text names, so that the editor knows where to look."""
    if flag == DATE_MISSING and entry.date_hint:
        return f"{flag} (the text says “{entry.date_hint}”)"
    return flag


class Command(ArchiveCommand):
    help = "Import news from text copied from the CSTO site (files, folders, or - for stdin)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Text files, folders of them, or -.")
        parser.add_argument("--section", help="Put every item in this section (its slug).")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish dated items instead of sending them to review.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report, then roll everything back."
        )
        parser.add_argument(
            "--report", metavar="FILE", help="Also write the report, one row per entry, as CSV."
        )

    def handle(
        self, *args, paths, section=None, publish=False, dry_run=False, report=None, **options
    ):
        self.verbosity = options["verbosity"]
        fixed_section = None
        if section:
            fixed_section = Section.objects.filter(slug=section).first()
            if fixed_section is None:
                raise CommandError(f"No section with the slug “{section}”.")
        elif not Section.objects.exists():
            raise CommandError(
                "There is no section to put news in: create one first (or run seed_demo)."
            )
        # Only a report file this run made is removed when the run fails.
        report_is_new = bool(report) and not os.path.lexists(report)
        report_file = self.open_report(report) if report else None
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}
        self.rows, self.problems = [], []
        try:
            with transaction.atomic():
                for name, text in self.read(paths):
                    self.import_text(name, text, fixed_section, publish)
                if report_file is not None:
                    # Written before the import is committed: a report that cannot be
                    # written (a full disk) leaves the archive as it was.
                    self.write_report(report_file, report)
                if dry_run:
                    transaction.set_rollback(True)
        except BaseException:
            # Nothing imported, so no report of it either, not even an empty file.
            if report_file is not None:
                with contextlib.suppress(OSError):
                    report_file.close()
                if report_is_new:
                    with contextlib.suppress(OSError):
                        os.remove(report)
            raise
        self.report(dry_run)
        if self.problems and not any(self.counts.values()):
            raise CommandError("Nothing could be imported.")
        failed = sum(1 for row in self.rows if row.result == "failed")
        if failed:
            # The rest stays imported; a script running the import still has to know.
            raise CommandError(
                f"{failed} of the entries could not be imported (listed above); the rest was."
            )

    @staticmethod
    def open_report(path):
        """The report file, opened before importing, so that a bad path costs nothing."""
        try:
            # With a byte order mark, spreadsheets read the Russian titles right.
            return open(path, "w", newline="", encoding="utf-8-sig")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot write the report {path}: {error.strerror}.") from error

    def write_report(self, report_file, path):
        try:
            with report_file:
                writer = csv.DictWriter(report_file, fieldnames=REPORT_COLUMNS)
                writer.writeheader()
                writer.writerows(vars(row) for row in self.rows)
        except OSError as error:
            raise CommandError(
                f"Cannot write the report {path}: {error.strerror}. Nothing was imported."
            ) from error

    def read(self, paths):
        """(name, text) of every readable file; the others are reported."""
        for path in paths:
            if path == "-":
                yield from self.decoded("standard input", sys.stdin.buffer.read())
                continue
            target = Path(path)
            if target.is_dir():
                # Only .txt files: beside them may lie anything (notes, expected results).
                files = sorted(p for p in target.rglob("*.txt") if p.is_file())
                if not files:
                    self.problems.append(f"{path}: no .txt files in it")
            elif target.is_file():
                files = [target]
            elif target.exists():
                self.problems.append(f"{path}: not a file or folder (a device or a pipe)")
                continue
            else:
                self.problems.append(f"{path}: no such file or folder")
                continue
            for file in files:
                try:
                    yield from self.decoded(str(file), file.read_bytes())
                except OSError as error:
                    self.problems.append(f"{file}: cannot be read ({error.strerror})")

    def decoded(self, name, data):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.problems.append(f"{name}: not a UTF-8 text file, skipped")
            return
        if "\x00" in text:
            self.problems.append(f"{name}: not a text file, skipped")
        elif not text.strip():
            self.problems.append(f"{name}: empty, skipped")
        else:
            yield name, text

    def import_text(self, name, text, fixed_section, publish):
        entries = parse(text)
        if not entries:
            self.problems.append(f"{name}: no news found in it")
        for entry in entries:
            where = f"{name}:{entry.line}"
            if entry.cut_off:
                # Half an item would be published as if it were whole.
                self.rows.append(Row(where, "skipped", entry.title, why=CUT_OFF))
                continue
            try:
                with transaction.atomic():
                    outcome = import_entry(
                        entry,
                        section=fixed_section or self.guess_section(entry),
                        publish=publish,
                        source=where,
                    )
            except (ValidationError, DatabaseError, ValueError) as error:
                reason = "; ".join(getattr(error, "messages", [str(error)]))
                self.problems.append(f"{where}: could not be imported ({reason})")
                self.rows.append(Row(where, "failed", entry.title, why=reason))
                continue
            if outcome.result == "skipped":
                self.rows.append(Row(where, "skipped", entry.title, why=", ".join(outcome.flags)))
                continue
            self.counts[outcome.result] += 1
            item = outcome.item
            why = [hinted(flag, entry) for flag in outcome.flags]
            why += [NO_TITLE] if entry.made_title else []
            self.rows.append(
                Row(
                    where,
                    outcome.result,
                    item.title,
                    date=item.event_date.isoformat() if item.event_date else "",
                    language=item.language,
                    status=item.status,
                    why=", ".join(why),
                    photos=", ".join(entry.photos),
                )
            )

    def guess_section(self, entry):
        text = entry.text.casefold()
        for words, names in SECTION_HINTS:
            if any(word in text for word in words):
                found = self.section_named(names)
                if found:
                    return found
        return self.section_named(DEFAULT_SECTION_NAMES) or Section.objects.first()

    @staticmethod
    def section_named(names):
        for section in Section.objects.all():
            if section.name.casefold() in names:
                return section
        return None

    def report(self, dry_run):
        counts = ", ".join(f"{number} {what}" for what, number in self.counts.items())
        flagged = sum(1 for row in self.rows if row.why and row.result != "failed")
        prefix = "Dry run, nothing saved: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{counts}, {flagged} flagged."))
        if self.verbosity > 0:
            for row in self.rows:
                self.stdout.write(row.line())
        for line in self.problems:
            self.stderr.write(self.style.WARNING(f"  not imported: {line}"))
