"""
Load an archive written by export_archive.

    manage.py import_archive archive.jsonl [--merge] [--media]

Into an empty database, or with --merge into one that has content (records
are matched by slug, username or stored file name, and updated). All or
nothing: a malformed or inconsistent line, a missing end record or counts
that do not add up stop the import with one line saying why, and nothing is
kept. With --media, the files of archive.jsonl.media.tar are put back into
storage (those already there are left as they are); if the import fails,
the files it wrote are removed again.
"""

import json
import sys
import tarfile
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction

from archive.backup import BackupError, Loader, archive_is_empty
from archive.management.base import ArchiveCommand, first_line

from .export_archive import DOCUMENTS_PREFIX, MEDIA_PREFIX

# One record is one line: far more than any record of the archive holds (a
# long speech's body is some hundred thousand), read no further than this.
MAX_LINE_CHARACTERS = 20_000_000


def records(stream):
    """The file's lines, refusing one too long to be a record before it fills the memory."""
    number = 0
    while line := stream.readline(MAX_LINE_CHARACTERS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARACTERS:
            raise CommandError(
                f"Line {number}: longer than {MAX_LINE_CHARACTERS:,} characters, "
                "so not a record of an archive export."
            )
        yield line


class Command(ArchiveCommand):
    help = "Import an archive written by export_archive (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON Lines file, or - for standard input.")
        parser.add_argument(
            "--merge", action="store_true", help="Merge into a database that has content."
        )
        parser.add_argument(
            "--media", action="store_true", help="Restore the files of <file>.media.tar too."
        )

    def handle(self, *args, file, merge=False, media=False, **options):
        try:
            stream = sys.stdin if file == "-" else open(file, encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        if not merge and not archive_is_empty():
            raise CommandError(
                "The database already holds an archive: use --merge to merge into it."
            )
        loader = Loader(merge=merge)
        number = 0
        # Files restored from the media archive, removed again if the import fails.
        self.written = []
        try:
            with transaction.atomic():
                for number, line in enumerate(records(stream), start=1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as error:
                        raise CommandError(
                            f"Line {number}: not valid JSON ({error.msg})."
                        ) from error
                    except RecursionError as error:
                        raise CommandError(f"Line {number}: nested too deeply.") from error
                    where = f"Line {number}: {Loader.describe(record)}"
                    try:
                        loader.load(record)
                    except RecursionError as error:
                        raise CommandError(f"{where}nested too deeply.") from error
                    except (
                        BackupError,
                        ValueError,
                        TypeError,
                        KeyError,
                        AttributeError,
                    ) as error:
                        raise CommandError(f"{where}{error}") from error
                    except DatabaseError as error:
                        raise CommandError(
                            f"{where}the database refused it ({first_line(error)})."
                        ) from error
                try:
                    loader.finish()
                except BackupError as error:
                    raise CommandError(f"After the last line: {error}") from error
                if media:
                    self.restore_media(f"{file}.media.tar")
        except UnicodeDecodeError as error:
            self.remove_written()
            raise CommandError(f"Line {number + 1}: not UTF-8 text.") from error
        except DatabaseError as error:
            # Checks the database makes only when the import commits.
            self.remove_written()
            raise CommandError(f"The database refused the import ({first_line(error)}).") from error
        except BaseException:
            self.remove_written()
            raise
        finally:
            if stream is not sys.stdin:
                stream.close()
        if loader.kept_newer:
            self.stderr.write(
                "Kept as they are, newer in the database than in the file: "
                + ", ".join(loader.kept_newer)
                + "."
            )
        if options["verbosity"] > 0:
            counts = ", ".join(f"{n} {kind}" for kind, n in loader.counts.items() if n)
            self.stdout.write(self.style.SUCCESS(f"Imported {counts or 'nothing'}."))

    def restore_media(self, path):
        try:
            archive = tarfile.open(path)  # noqa: SIM115 (closed by the with below)
        except OSError as error:
            raise CommandError(
                f"Cannot read the media archive {path}: {error.strerror}."
            ) from error
        except tarfile.TarError as error:
            # tarfile lists every compression it tried, a line each: one is enough.
            raise CommandError(f"Cannot read the media archive {path}: not a tar file.") from error
        with archive:
            try:
                for member in archive:
                    if member.isfile():
                        self.restore(path, archive, member)
            except (OSError, EOFError, tarfile.TarError) as error:
                raise CommandError(
                    f"Cannot read the media archive {path}: {first_line(error)}"
                ) from error

    def restore(self, path, archive, member):
        storage, name = self.destination(member.name)
        if storage is None:
            raise CommandError(f"{path}: unexpected file {member.name!r}.")
        if storage.exists(name):
            return
        content = archive.extractfile(member).read()
        try:
            saved = storage.save(name, ContentFile(content))
        except OSError as error:
            # The archive was read; it is storage that refused the file.
            reason = error.strerror or first_line(error)
            raise CommandError(f"Cannot store {member.name} from {path}: {reason}.") from error
        self.written.append((storage, saved))
        if saved != name:
            raise CommandError(f"{path}: {name!r} could not keep its name.")

    def remove_written(self):
        for storage, name in self.written:
            storage.delete(name)
        self.written = []

    @staticmethod
    def destination(member):
        path = PurePosixPath(member)
        # Only plain relative names: never a path that climbs out of storage.
        if path.is_absolute() or ".." in path.parts:
            return None, None
        for prefix, storage in (
            (MEDIA_PREFIX, default_storage),
            (DOCUMENTS_PREFIX, storages["attachments"]),
        ):
            if member.startswith(prefix):
                return storage, member[len(prefix) :]
        return None, None
