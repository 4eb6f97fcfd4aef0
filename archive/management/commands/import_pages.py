"""
Import text copied from the CSTO site as news items, ready for an editor.

    manage.py import_pages seed.txt more-pages/ [--section SLUG] [--publish] [--dry-run]
    cat page.txt | manage.py import_pages -

Whole pages, list pages and loose teasers are recognized (archive/importing.py).
New items go to review (published with --publish); a teaser with no date is
a draft flagged "date missing". Each page is saved in its own transaction:
one that fails is reported with its file and line, and the others stay.
Importing the same text again changes nothing; a published item is never
changed by a page that matches it only by its title or lead.
"""

import sys
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

    def handle(self, *args, paths, section=None, publish=False, dry_run=False, **options):
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
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}
        self.flagged, self.problems = [], []
        with transaction.atomic():
            for name, text in self.read(paths):
                self.import_text(name, text, fixed_section, publish)
            if dry_run:
                transaction.set_rollback(True)
        self.report(dry_run)
        if self.problems and not any(self.counts.values()):
            raise CommandError("Nothing could be imported.")

    def read(self, paths):
        """(name, text) of every readable file; the others are reported."""
        for path in paths:
            if path == "-":
                yield from self.decoded("standard input", sys.stdin.buffer.read())
                continue
            target = Path(path)
            if target.is_dir():
                files = sorted(p for p in target.rglob("*") if p.is_file())
            elif target.is_file():
                files = [target]
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
                continue
            self.counts[outcome.result] += 1
            if outcome.flags:
                self.flagged.append(
                    f"{where}: {outcome.item.title[:70]} ({', '.join(outcome.flags)})"
                )
            if self.verbosity > 1:
                self.stdout.write(f"  {outcome.result}: {where} {outcome.item.title[:70]}")

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
        prefix = "Dry run, nothing saved: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{counts}, {len(self.flagged)} flagged."))
        for line in self.flagged:
            self.stdout.write(f"  flagged: {line}")
        for line in self.problems:
            self.stderr.write(self.style.WARNING(f"  not imported: {line}"))
