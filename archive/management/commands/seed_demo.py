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
        if clear_extra:
            refuse_unless_local("generated items", options["allow_database"], "removing")
        else:
            refuse_unless_local("the demo archive", options["allow_database"])
        self.created = 0
        self.named = 0
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
            if self.named:
                self.stdout.write(f"Russian names filled in for {self.named} records.")
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
        for slug, name, parent, position, description, name_ru, description_ru in demo.SECTIONS:
            sections[slug] = self.upsert(
                Section,
                slug,
                name=name,
                parent=sections.get(parent),
                position=position,
                description=description,
            )
            self.name_in_russian(sections[slug], name_ru=name_ru, description_ru=description_ru)
        persons = {}
        for slug, name, position, name_ru, position_ru in demo.PERSONS:
            persons[slug] = self.upsert(Person, slug, name=name, position=position)
            self.name_in_russian(persons[slug], name_ru=name_ru, position_ru=position_ru)
        bodies = {}
        for slug, name, acronym, name_ru in demo.BODIES:
            bodies[slug] = self.upsert(Body, slug, name=name, acronym=acronym)
            self.name_in_russian(bodies[slug], name_ru=name_ru)
        topics = {}
        for slug, name, name_ru in demo.TOPICS:
            topics[slug] = self.upsert(Topic, slug, name=name)
            self.name_in_russian(topics[slug], name_ru=name_ru)
        tags = {"persons": persons, "bodies": bodies, "topics": topics}

        news = {}
        for data in [*demo.NEWS_ITEMS, *demo.NEWS_ITEMS_RU]:
            news[data["slug"]] = self.news_item(data, sections, tags)
        for data in demo.NEWS_ITEMS_RU:
            self.pair(NewsItem, news[data["slug"]], news[data["translation_of"]])

        statements = {}
        for data in demo.STATEMENTS:
            statements[data["slug"]] = self.statement(
                data, "en", news[demo.CFM_2020], topics, bodies
            )
        for data in demo.STATEMENTS_RU:
            statement = self.statement(data, "ru", news[demo.CFM_2020_RU], topics, bodies)
            self.pair(Statement, statement, statements[data["translation_of"]])

        self.load_images(news)
        # The Russian page shows the same photo as the English one.
        for data in demo.NEWS_ITEMS_RU:
            original = NewsItem.objects.filter(slug=data["translation_of"])
            cover = original.values_list("cover_image", flat=True).get()
            NewsItem.objects.filter(slug=data["slug"], cover_image=None).update(cover_image=cover)

    def name_in_russian(self, obj, **fields):
        """Fills the Russian names an older demo database lacks; never changes one an editor set."""
        blank = {name: value for name, value in fields.items() if not getattr(obj, name)}
        if blank:
            type(obj).objects.filter(pk=obj.pk).update(**blank)
            self.named += 1

    def news_item(self, data, sections, tags):
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
            language="ru" if "translation_of" in data else "en",
            media_heading=data.get("media_heading", ""),
            signature=data.get("signature", ""),
            status=Status.PUBLISHED if date else Status.DRAFT,
            published_at=noon_in_moscow(date) if date else None,
        )
        if created:
            for field in ("persons", "bodies", "topics"):
                getattr(item, field).set([tags[field][slug] for slug in data[field]])
            for position, link in enumerate(data.get("media_links", [])):
                MediaLink.objects.create(news_item=item, position=position, **link)
                self.created += 1
        return item

    def pair(self, model, item, original):
        """Links an item and its original as translations of each other, unless either has one."""
        both = model.objects.filter(pk__in=[item.pk, original.pk])
        if not both.exclude(translation=None).exists():
            model.objects.filter(pk=item.pk).update(translation=original)
            model.objects.filter(pk=original.pk).update(translation=item)

    def statement(self, data, language, news_item, topics, bodies):
        text = demo.STATEMENT_TEXT_RU if language == "ru" else demo.STATEMENT_TEXT
        statement, created = self.get_or_create(
            Statement,
            data["slug"],
            title=data["title"],
            kind=data["kind"],
            adopted_by=bodies[demo.STATEMENTS_BODY],
            adopted_on=demo.STATEMENTS_DATE,
            text=data.get("text", text),
            language=language,
            status=Status.PUBLISHED,
            published_at=noon_in_moscow(demo.STATEMENTS_DATE),
        )
        if not statement.attachments.exists():
            statement.attachments.add(self.document(statement, text))
        if created:
            statement.news_items.set([news_item])
            statement.topics.set([topics[slug] for slug in data["topics"]])
        return statement

    def document(self, statement, text):
        """The statement's text as a DOCX, as the CSTO site attaches them."""
        attachment = Attachment.objects.filter(title=statement.title).first()
        if attachment is None:
            content = demo_media.docx([statement.title, text])
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
