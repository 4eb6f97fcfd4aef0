"""
Write the whole archive as JSON Lines (see archive/backup.py).

    manage.py export_archive --output archive.jsonl [--media]
    manage.py export_archive > archive.jsonl

With --media, the stored files (images, renditions, documents) go into a tar
archive beside the output: archive.jsonl.media.tar.

The files are written under temporary names in the same folder and renamed
only once complete: a failed export (the database gone, a full disk) leaves
the previous backup as it was.
"""

import os
import shutil
import sys
import tarfile
import tempfile

from django.core.files.storage import default_storage, storages
from django.core.management.base import CommandError
from django.db import DatabaseError

from archive.backup import export_lines
from archive.management.base import NOT_MIGRATED, ArchiveCommand, first_line, is_migrated
from archive.models import Attachment, Image

MEDIA_PREFIX, DOCUMENTS_PREFIX = "media/", "documents/"


class Command(ArchiveCommand):
    help = "Export the whole archive as JSON Lines (to a file or standard output)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="The file to write (standard output if left out).")
        parser.add_argument(
            "--media",
            action="store_true",
            help="Also write the stored files to <output>.media.tar.",
        )

    def handle(self, *args, output=None, media=False, **options):
        if media and not output:
            raise CommandError("--media needs --output: the files go beside that file.")
        try:
            if output:
                count, files = self.write_files(output, media)
            else:
                count = self.write_stdout()
        except DatabaseError as error:
            if not is_migrated():
                raise CommandError(NOT_MIGRATED) from error
            raise CommandError(f"Cannot export: database error ({first_line(error)}).") from error
        if output and options["verbosity"] > 0:
            note = f" and {files} files to {output}.media.tar" if media else ""
            self.stdout.write(self.style.SUCCESS(f"Wrote {count - 1} records to {output}{note}."))
        if self.missing:
            # Written all the same, but not whole: a scheduled backup must not pass as one.
            raise CommandError(
                f"{len(self.missing)} stored files were missing and are not in the backup "
                "(named above): put them back, or run rebuild_renditions, and export again."
            )

    def write_stdout(self):
        count = 0
        try:
            for line in export_lines():
                self.stdout.write(line)
                count += 1
            self.stdout.flush()
        except OSError as error:
            # Nothing more can reach it (a full disk, a reader such as `head`
            # gone): Python's own last flush of it would fail again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            reason = (
                "it was closed before the end"
                if isinstance(error, BrokenPipeError)
                else (error.strerror or first_line(error))
            )
            raise CommandError(
                f"Cannot write to standard output: {reason}. What was written is incomplete."
            ) from error
        return count

    def write_files(self, output, media):
        """Write the backup (and its media) under temporary names, then rename them."""
        for path in (output, f"{output}.media.tar") if media else (output,):
            # Renamed over a device (/dev/full), a pipe or a folder, the file
            # would take its place: a backup is written to files only.
            if os.path.exists(path) and not os.path.isfile(path):
                raise CommandError(
                    f"Cannot write {path}: it is not a file (a device, pipe or folder). "
                    "Name a file, or leave --output out to write to standard output."
                )
        temporary = {}
        try:
            temporary[output] = self.temporary(output)
            count = 0
            with open(temporary[output], "w", encoding="utf-8") as stream:
                for line in export_lines():
                    stream.write(line + "\n")
                    count += 1
            files = 0
            if media:
                tar = f"{output}.media.tar"
                temporary[tar] = self.temporary(tar)
                files = self.write_media(temporary[tar])
            replace_together(temporary)
        except BaseException as error:
            for temp in temporary.values():
                if os.path.exists(temp):
                    os.unlink(temp)
            if isinstance(error, OSError):
                reason = error.strerror or first_line(error)
                # The file it failed on, not a temporary name of ours.
                failed = next(
                    (final for final, temp in temporary.items() if error.filename == temp),
                    error.filename or output,
                )
                raise CommandError(f"Cannot write {failed}: {reason}.") from error
            raise
        return count, files

    @staticmethod
    def temporary(path):
        """An empty file beside `path` (so that renaming it over `path` is atomic)."""
        folder, name = os.path.split(os.path.abspath(path))
        handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".partial")
        os.close(handle)
        if os.path.exists(path):
            shutil.copymode(path, temp)
        return temp

    # Stored files the records name that storage does not hold (write_media).
    missing = ()

    def write_media(self, path):
        written, self.missing = 0, []
        with tarfile.open(path, "w") as archive:
            for name, storage, prefix in self.stored_files():
                if not storage.exists(name):
                    self.stderr.write(self.style.WARNING(f"Missing, left out: {name}"))
                    self.missing.append(name)
                    continue
                try:
                    with storage.open(name, "rb") as handle:
                        info = tarfile.TarInfo(prefix + name)
                        info.size = storage.size(name)
                        archive.addfile(info, handle)
                except OSError as error:
                    reason = error.strerror or first_line(error)
                    raise CommandError(f"Cannot read the stored file {name}: {reason}.") from error
                written += 1
        return written

    def stored_files(self):
        names = set()
        for image in Image.objects.all():
            names.add(image.file.name)
            for rendition in image.renditions.values():
                names.update([rendition["webp"], rendition["jpeg"]])
        for name in sorted(names):
            yield name, default_storage, MEDIA_PREFIX
        documents = storages["attachments"]
        for name in sorted(Attachment.objects.values_list("file", flat=True)):
            yield name, documents, DOCUMENTS_PREFIX


def replace_together(renames):
    """
    Renames each temporary file of `renames` ({final: temporary}) over its
    final name, all or none: if one fails, those already renamed get their
    previous file back (kept meanwhile under a hard link), so that a backup
    is never half this run's and half the last one's.
    """
    previous = {}
    try:
        for final in renames:
            if os.path.exists(final):
                previous[final] = f"{renames[final]}.previous"
                os.link(final, previous[final])
        done = []
        try:
            for final, temp in renames.items():
                os.replace(temp, final)
                done.append(final)
        except OSError:
            for final in done:
                if final in previous:
                    os.replace(previous.pop(final), final)
                else:
                    os.unlink(final)
            raise
    finally:
        for kept in previous.values():
            if os.path.exists(kept):
                os.unlink(kept)
