"""
Write the whole archive as JSON Lines (see archive/backup.py).

    manage.py export_archive --output archive.jsonl [--media]
    manage.py export_archive > archive.jsonl

With --media, the stored files (images, renditions, documents) go into a tar
archive beside the output: archive.jsonl.media.tar.
"""

import tarfile

from django.core.files.storage import default_storage, storages
from django.core.management.base import BaseCommand, CommandError

from archive.backup import dumps, export_records
from archive.models import Attachment, Image

MEDIA_PREFIX, DOCUMENTS_PREFIX = "media/", "documents/"


class Command(BaseCommand):
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
        count = 0
        if output:
            try:
                with open(output, "w", encoding="utf-8") as stream:
                    for record in export_records():
                        stream.write(dumps(record) + "\n")
                        count += 1
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        else:
            for record in export_records():
                self.stdout.write(dumps(record))
                count += 1
        files = self.write_media(f"{output}.media.tar") if media else 0
        if output and options["verbosity"] > 0:
            note = f" and {files} files to {output}.media.tar" if media else ""
            self.stdout.write(self.style.SUCCESS(f"Wrote {count} records to {output}{note}."))

    def write_media(self, path):
        written = 0
        with tarfile.open(path, "w") as archive:
            for name, storage, prefix in self.stored_files():
                if not storage.exists(name):
                    self.stderr.write(self.style.WARNING(f"Missing, left out: {name}"))
                    continue
                with storage.open(name, "rb") as handle:
                    info = tarfile.TarInfo(prefix + name)
                    info.size = storage.size(name)
                    archive.addfile(info, handle)
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
