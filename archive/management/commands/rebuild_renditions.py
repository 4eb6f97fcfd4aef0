"""
Make the renditions of every image again (or only those missing), e.g. after
changing RENDITION_WIDTHS, with a progress bar.
"""

import sys

from archive.images import make_renditions, renditions_are_current, renditions_are_stored
from archive.management.base import ArchiveCommand
from archive.management.progress import progress_bar
from archive.models import Image


class Command(ArchiveCommand):
    help = "Rebuild image renditions (all, or with --missing only those not made yet)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Only images whose renditions are missing (not made yet, or lost from storage).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args, missing=False, dry_run=False, **options):
        images = list(Image.objects.order_by("pk"))
        if missing:
            # Missing from the row, or from storage: files lost since they were made count too.
            images = [
                image
                for image in images
                if not renditions_are_current(image) or not renditions_are_stored(image)
            ]
        verbose = options["verbosity"] > 0
        if dry_run:
            self.stdout.write(f"{len(images)} images would be rebuilt.")
            return
        failed = []
        for done, image in enumerate(images, start=1):
            try:
                make_renditions(image)
            except (OSError, ValueError) as error:
                # "No such file or directory", not Python's "[Errno 2] ...: '/path'".
                reason = getattr(error, "strerror", None) or error
                failed.append(f"image {image.pk} ({image.file.name}): {reason}")
            if verbose:
                self.progress(done, len(images))
        if verbose and images:
            self.stderr.write("")
        for line in failed:
            self.stderr.write(self.style.ERROR(f"Could not rebuild {line}"))
        if verbose:
            self.stdout.write(
                self.style.SUCCESS(f"Rebuilt the renditions of {len(images) - len(failed)} images.")
            )
        if failed:
            sys.exit(1)

    def progress(self, done, total):
        progress_bar(self.stderr, done, total)
