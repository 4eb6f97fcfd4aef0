"""
Forget the deleted news items and statements that have been in the trash
longer than TrashedItem.TRASH_DAYS, with their revisions and workflow log.
The trash page purges too when it is opened; this is for a daily cron.
"""

from archive import services
from archive.management.base import ArchiveCommand


class Command(ArchiveCommand):
    help = "Purge deleted items kept in the trash for longer than 30 days."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        count = services.purge_trash(dry_run=dry_run)
        if options["verbosity"] > 0:
            if dry_run:
                self.stdout.write(f"{count} deleted items would be purged.")
            else:
                self.stdout.write(self.style.SUCCESS(f"{count} deleted items purged."))
