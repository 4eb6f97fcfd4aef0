"""
Load the demo archive: the real CSTO text of `shared/seed/`, curated by hand.

With --extra N, also make sure N generated news items exist (for speed tests;
see archive/generate.py): reproducible with --seed, removed with --clear-extra.

Idempotent: every record is found by its slug and created only when missing,
so a second run adds nothing and keeps what editors changed since.

Only into the local SQLite database, unless --allow-database says otherwise
(archive/management/local.py).
"""

import time

from django.core.files.base import ContentFile
from django.core.management.base import CommandError
from django.db import transaction

from archive import demo_content as demo
from archive import demo_media
from archive.generate import clear_generated, generate, generated_count
from archive.importing import noon_in_moscow
from archive.management.base import ArchiveCommand
from archive.management.local import ALLOW_HELP, refuse_unless_local
from archive.management.progress import progress_bar
from archive.models import (
    Attachment,
    Body,
    GalleryImage,
    Image,
    MediaLink,
    NewsItem,
    Person,
    Section,
    Statement,
    Status,
    Topic,
)
from archive.services import save_image


class Command(ArchiveCommand):
    help = "Load the demo archive (real CSTO text, curated). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change, then roll back."
        )
        parser.add_argument(
            "--extra",
            type=int,
            metavar="N",
            help="Also make sure N generated news items exist (adds the missing ones).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Seed of the generated items (default 1)."
        )
        parser.add_argument(
            "--clear-extra", action="store_true", help="Remove every generated item."
        )
        parser.add_argument("--allow-database", action="store_true", help=ALLOW_HELP)

    def handle(self, *args, dry_run=False, extra=None, seed=1, clear_extra=False, **options):
        refuse_unless_local("the demo archive", options["allow_database"])
        self.created = 0
        self.verbosity = options["verbosity"]
        if extra is not None and extra < 0:
            raise CommandError("--extra needs a number of items, 0 or more.")
        if clear_extra:
            removed = clear_generated()
            self.stdout.write(self.style.SUCCESS(f"Removed {removed} generated news items."))
            if extra is None:
                return
        with transaction.atomic():
            self.load()
            if dry_run:
                transaction.set_rollback(True)
        if self.verbosity > 0:
            verb = "would create" if dry_run else "created"
            self.stdout.write(
                self.style.SUCCESS(f"Demo archive loaded: {verb} {self.created} new records.")
            )
        if extra is not None and not dry_run:
            self.generate(extra, seed)

    def generate(self, total, seed):
        started = time.monotonic()
        added = generate(total, seed=seed, progress=self.progress if self.verbosity else None)
        if self.verbosity:
            if added:
                self.stderr.write("")
            seconds = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(
                    f"Generated {added} news items in {seconds:.1f} s "
                    f"({generated_count()} generated in all)."
                )
            )

    def progress(self, done, total):
        progress_bar(self.stderr, done, total)

    def get_or_create(self, model, slug, **fields):
        """The record with this slug, and whether this run created it."""
        obj, created = model.objects.get_or_create(slug=slug, defaults=fields)
        self.created += created
        if created and self.verbosity > 1:
            self.stdout.write(f"  + {model._meta.verbose_name}: {obj}")
        return obj, created

    def upsert(self, model, slug, **fields):
        return self.get_or_create(model, slug, **fields)[0]

    def load(self):
        sections = {}
        for slug, name, parent, position, description in demo.SECTIONS:
            sections[slug] = self.upsert(
                Section,
                slug,
                name=name,
                parent=sections.get(parent),
                position=position,
                description=description,
            )
        persons = {
            slug: self.upsert(Person, slug, name=name, position=position)
            for slug, name, position in demo.PERSONS
        }
        bodies = {
            slug: self.upsert(Body, slug, name=name, acronym=acronym)
            for slug, name, acronym in demo.BODIES
        }
        topics = {slug: self.upsert(Topic, slug, name=name) for slug, name in demo.TOPICS}

        news = {}
        for data in demo.NEWS_ITEMS:
            date = data["date"]
            item, created = self.get_or_create(
                NewsItem,
                data["slug"],
                title=data["title"],
                section=sections[data["section"]],
                lead=data["lead"],
                body=data["body"],
                event_date=date,
                location=data["location"],
                language="en",
                media_heading=data.get("media_heading", ""),
                signature=data.get("signature", ""),
                status=Status.PUBLISHED if date else Status.DRAFT,
                published_at=noon_in_moscow(date) if date else None,
            )
            news[data["slug"]] = item
            if not created:
                continue
            item.persons.set([persons[slug] for slug in data["persons"]])
            item.bodies.set([bodies[slug] for slug in data["bodies"]])
            item.topics.set([topics[slug] for slug in data["topics"]])
            for position, link in enumerate(data.get("media_links", [])):
                MediaLink.objects.create(news_item=item, position=position, **link)
                self.created += 1

        for data in demo.STATEMENTS:
            statement, created = self.get_or_create(
                Statement,
                data["slug"],
                title=data["title"],
                kind=data["kind"],
                adopted_by=bodies[demo.STATEMENTS_BODY],
                adopted_on=demo.STATEMENTS_DATE,
                text=data.get("text", demo.STATEMENT_TEXT),
                language="en",
                status=Status.PUBLISHED,
                published_at=noon_in_moscow(demo.STATEMENTS_DATE),
            )
            if not statement.attachments.exists():
                statement.attachments.add(self.document(statement))
            if not created:
                continue
            statement.news_items.set([news[demo.CFM_2020]])
            statement.topics.set([topics[slug] for slug in data["topics"]])

        self.load_images(news)

    def document(self, statement):
        """The statement's text as a DOCX, as the CSTO site attaches them."""
        attachment = Attachment.objects.filter(title=statement.title).first()
        if attachment is None:
            content = demo_media.docx([statement.title, demo.STATEMENT_TEXT])
            attachment = Attachment(title=statement.title)
            attachment.file = ContentFile(content, name=f"{statement.slug}.docx")
            attachment.full_clean()
            attachment.save()
            self.created += 1
        return attachment

    def load_images(self, news):
        # Older demo databases have abstract illustrations: the drawings take their place.
        Image.objects.filter(credit=demo.ILLUSTRATION_CREDIT).delete()
        for position, (slug, alt, caption, drawing, role) in enumerate(demo.IMAGES):
            item = news[slug]
            image = Image.objects.filter(alt_text=alt).first()
            if image is None:
                credit = demo.MAP_CREDIT if drawing == "member_states_map" else demo.DRAWING_CREDIT
                image = Image(alt_text=alt, caption=caption, credit=credit)
                content = demo_media.drawing(drawing, caption)
                image.file = ContentFile(content, name=f"{drawing}.jpg")
                save_image(image=image)
                self.created += 1
            if role == "cover":
                NewsItem.objects.filter(pk=item.pk, cover_image=None).update(cover_image=image)
            elif not GalleryImage.objects.filter(news_item=item, image=image).exists():
                GalleryImage.objects.create(news_item=item, image=image, position=position)
