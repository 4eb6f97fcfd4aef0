"""
The archive's domain: sections, news items, statements and what they refer to.

Publication state lives on `PublishedQuerySet.published()`: every public read
(views, lists, feeds, sitemaps, template tags) goes through it, so that a
draft, a scheduled, an expired or an archived item can never leak.
"""

import datetime
from pathlib import PurePath
from typing import NamedTuple
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .compat import is_new_upload
from .documents import attachment_storage, check_document, document_upload_to, human_size
from .images import check_image, image_upload_to
from .sanitize import clean_text_fields, sanitize_html

# The archive's years: the Collective Security Treaty was signed in 1992. The
# lists filter by them, and a publication time must fall in them.
FIRST_YEAR, LAST_YEAR = 1992, 2100


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class PublicState(models.TextChoices):
    """What a visitor sees of an item: its status, with time taken into account."""

    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    SCHEDULED = "scheduled", _("Scheduled")
    LIVE = "live", _("Published")
    EXPIRED = "expired", _("Expired")
    ARCHIVED = "archived", _("Archived")


def active_language():
    """The interface language of this request, "en" or "ru"."""
    return "ru" if (get_language() or "").startswith("ru") else "en"


def in_language(language, english, russian):
    """`english` or `russian`, whichever `language` asks for, or the other when it is blank."""
    if language == "ru":
        return russian or english
    return english or russian


class TwoLanguageNames:
    """
    A section, person, body or topic named in English (`name`) and Russian
    (`name_ru`), and so its description or position where it has one: pages
    show the visitor's language, or the other when it is blank.
    """

    def text_in(self, field, language):
        return in_language(language, getattr(self, field), getattr(self, f"{field}_ru"))

    def name_in(self, language):
        return self.text_in("name", language)

    @property
    def display_name(self):
        return self.text_in("name", active_language())

    @property
    def display_description(self):
        return self.text_in("description", active_language())

    @property
    def display_position(self):
        return self.text_in("position", active_language())

    def __str__(self):
        return self.display_name


class LocalName(NamedTuple):
    """A name in both languages, kept as such (in a cache), printed in the visitor's."""

    english: str
    russian: str

    def __str__(self):
        return in_language(active_language(), self.english, self.russian)


def russian_name():
    """The `name_ru` field of a section, person, body or topic."""
    return models.CharField(
        _("name (Russian)"),
        max_length=200,
        blank=True,
        help_text=_("Left blank, Russian pages show the English name."),
    )


def public_at(now, through=""):
    """
    The rule as a condition: on the item, or, with `through` ("translation__"),
    on the item a relation leads to.
    """
    return (Q(**{f"{through}expire_at__isnull": True}) | Q(**{f"{through}expire_at__gt": now})) & Q(
        **{f"{through}status": Status.PUBLISHED, f"{through}published_at__lte": now}
    )


class PublishedQuerySet(models.QuerySet):
    """
    The rule of what is public, in one place: an item is public while its
    status is published, from its publication time until its expiry time
    (if it has one). The other methods here, Publishable.public_state and
    the page cache's next change follow from it (test_pagecache.PublicRuleTests).
    """

    def published(self, now=None):
        """Items a visitor may see: published, due, and not expired."""
        return self.filter(public_at(now or timezone.now()))

    def scheduled(self, now=None):
        """Published items whose publication time has not come yet."""
        return self.filter(status=Status.PUBLISHED, published_at__gt=now or timezone.now())

    def expired(self, now=None):
        """Published items whose expiry time has come."""
        return self.filter(status=Status.PUBLISHED, expire_at__lte=now or timezone.now())

    def next_change(self, now=None):
        """
        When what is public among these items next changes by itself: the
        first publication time of a scheduled item or expiry time of a
        public one, or None.
        """
        now = now or timezone.now()
        goes_live = self.scheduled(now).aggregate(at=models.Min("published_at"))["at"]
        # expire_at__gt repeats what published() implies, so that the expiry index is used.
        leaves = self.published(now).filter(expire_at__gt=now).aggregate(at=models.Min("expire_at"))
        return min((at for at in (goes_live, leaves["at"]) if at), default=None)


def translation_link(help_text):
    """The `translation` field of news items and statements: the same item in the other language."""
    return models.OneToOneField(
        "self",
        verbose_name=_("translation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=help_text,
    )


def check_translation(item):
    """An item's translation is another item, in the other language."""
    if item.translation_id is not None:
        if item.translation_id == item.pk:
            raise ValidationError({"translation": _("An item cannot translate itself.")})
        if item.translation.language == item.language:
            raise ValidationError(
                {"translation": _("The translation must be in the other language.")}
            )


class CleanText:
    """
    A record whose text fields lose their control characters before they
    are checked, as they do when saved (sanitize.clean_text_fields): a
    title of control characters alone is refused as empty.
    """

    def clean_fields(self, exclude=None):
        clean_text_fields(self)
        super().clean_fields(exclude)


class Publishable(CleanText, models.Model):
    """Workflow fields shared by news items and statements."""

    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text=_(
            "Only published items are public, and only from their publication "
            "time until their expiry time."
        ),
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "The public date of the item. A time in the future schedules it: "
            "the item goes live by itself at that time."
        ),
    )
    expire_at = models.DateTimeField(
        _("expiry time"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Optional. After this time the item is no longer public."),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who wrote the item. Authors may edit their own drafts only."),
    )
    # Optimistic concurrency: every save of the content adds one, and a save
    # from a form opened at an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    status_changed_at = models.DateTimeField(
        _("status changed"), default=timezone.now, editable=False
    )
    # Part of every preview link's signature (archive/preview.py): revoking
    # the links adds one, and every link made before stops working.
    preview_key = models.PositiveIntegerField(_("preview key"), default=0, editable=False)
    preview_revoked_at = models.DateTimeField(
        _("preview links revoked"), null=True, blank=True, editable=False
    )
    preview_revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("preview links revoked by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Made by `seed_demo --extra` for load tests; `--clear-extra` removes them.
    generated = models.BooleanField(_("generated"), default=False, editable=False, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        abstract = True

    def validate_unique(self, exclude=None):
        # A translation may be another item's now: the save lets it go
        # (services.save_item), so it is not refused as taken.
        super().validate_unique(exclude={*(exclude or ()), "translation"})

    def clean(self):
        super().clean()
        if self.status == Status.PUBLISHED and self.published_at is None:
            raise ValidationError({"published_at": _("A published item needs a publication time.")})
        # Year 1 in Moscow is before year 1 in UTC: such a time could not even be stored.
        outside = {
            name: _("Enter a time in the archive's years, %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
            for name in ("published_at", "expire_at")
            if getattr(self, name)
            and not FIRST_YEAR <= timezone.localtime(getattr(self, name)).year <= LAST_YEAR
        }
        if outside:
            raise ValidationError(outside)
        if self.expire_at and self.published_at and self.expire_at <= self.published_at:
            raise ValidationError(
                {"expire_at": _("The expiry time must come after the publication time.")}
            )

    @property
    def is_public(self):
        return self.public_state == PublicState.LIVE

    @property
    def public_state(self):
        """
        The status as a visitor experiences it: PublishedQuerySet's rule for
        this one item (LIVE: in published(), SCHEDULED: in scheduled(),
        EXPIRED: in expired()).
        """
        if self.status != Status.PUBLISHED:
            return PublicState(self.status)
        now = timezone.now()
        if self.published_at is None or self.published_at > now:
            return PublicState.SCHEDULED
        if self.expire_at is not None and self.expire_at <= now:
            return PublicState.EXPIRED
        return PublicState.LIVE


class Section(CleanText, TwoLanguageNames, models.Model):
    name = models.CharField(_("name (English)"), max_length=200)
    name_ru = russian_name()
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description (English)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Sections are listed by this number.")
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def get_absolute_url(self):
        return reverse("archive:section", args=[self.slug])

    def clean(self):
        super().clean()
        # /news/2020/ is the archive of 2020: a section cannot be called that.
        if self.slug and self.slug.isdigit():
            raise ValidationError({"slug": _("A section's slug cannot be only digits.")})
        # Walk up from the chosen parent: meeting this section means a cycle.
        parent = self.parent
        while parent is not None:
            if self.pk is not None and parent.pk == self.pk:
                raise ValidationError({"parent": _("A section cannot be inside itself.")})
            parent = parent.parent


class Person(CleanText, TwoLanguageNames, models.Model):
    name = models.CharField(_("name (English)"), max_length=200)
    name_ru = russian_name()
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    position = models.CharField(
        _("position (English)"),
        max_length=300,
        blank=True,
        help_text=_("E.g. CSTO Secretary General."),
    )
    position_ru = models.CharField(
        _("position (Russian)"),
        max_length=300,
        blank=True,
        help_text=_("E.g. Генеральный секретарь ОДКБ."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def get_absolute_url(self):
        return reverse("archive:person-detail", args=[self.slug])


class Body(CleanText, TwoLanguageNames, models.Model):
    """A statutory body of the CSTO."""

    name = models.CharField(_("name (English)"), max_length=200)
    name_ru = russian_name()
    acronym = models.CharField(_("acronym"), max_length=20, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description (English)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("statutory body")
        verbose_name_plural = _("statutory bodies")

    def get_absolute_url(self):
        return reverse("archive:body-detail", args=[self.slug])


class Topic(CleanText, TwoLanguageNames, models.Model):
    name = models.CharField(_("name (English)"), max_length=200)
    name_ru = russian_name()
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def get_absolute_url(self):
        return reverse("archive:topic-detail", args=[self.slug])


class Image(CleanText, models.Model):
    """A photo, checked by Pillow when uploaded, with renditions made once."""

    file = models.FileField(
        _("file"),
        upload_to=image_upload_to,
        max_length=300,
        help_text=_("JPEG, PNG, WebP or GIF, up to 10 MB and 40 megapixels."),
    )
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        help_text=_("What the image shows, for people who cannot see it. Required."),
    )
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    credit = models.CharField(
        _("credit"), max_length=200, blank=True, help_text=_("E.g. “CSTO press service”.")
    )
    # The stored name is random (images.image_upload_to); this one is what
    # the editor knows the file by, and searches for.
    original_name = models.CharField(_("file name"), max_length=255, editable=False, blank=True)
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    format = models.CharField(_("format"), max_length=8, editable=False, blank=True)
    # {"640": {"width": 640, "height": 427, "webp": name, "jpeg": name,
    #          "webp_bytes": 31337, "jpeg_bytes": 45678}, ...}
    renditions = models.JSONField(_("renditions"), default=dict, editable=False, blank=True)
    renditions_of = models.CharField(max_length=300, editable=False, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self):
        return self.alt_text

    def clean(self):
        super().clean()
        if is_new_upload(self.file):
            try:
                self.format, self.width, self.height = check_image(self.file.file)
            except ValidationError as error:
                raise ValidationError({"file": error.messages}) from error
            self.original_name = PurePath(self.file.name or "").name[-255:]

    @property
    def thumbnail(self):
        """The smallest rendition (width, height, webp, jpeg), or None before they are made."""
        sources = self.sources
        return sources[0] if sources else None

    @property
    def sources(self):
        """Renditions, smallest first, as (width, height, webp name, jpeg name)."""
        return sorted(self.renditions.values(), key=lambda rendition: rendition["width"])


class Attachment(CleanText, models.Model):
    """A document (PDF, DOCX, ODT) attached to statements and news items."""

    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(
        _("file"),
        upload_to=document_upload_to,
        storage=attachment_storage,
        max_length=300,
        help_text=_("PDF, DOCX or ODT, up to 20 MB."),
    )
    kind = models.CharField(_("type"), max_length=8, editable=False, blank=True)
    size = models.PositiveBigIntegerField(_("size"), editable=False, default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("archive:attachment", args=[self.pk])

    def clean(self):
        super().clean()
        if is_new_upload(self.file):
            try:
                self.kind = check_document(self.file.file)
            except ValidationError as error:
                raise ValidationError({"file": error.messages}) from error
            self.size = self.file.file.size

    @property
    def label(self):
        """“DOCX, 24 KB”, as the page shows it."""
        return f"{self.kind.upper()}, {human_size(self.size)}"


class NewsItem(Publishable):
    title = models.CharField(_("title"), max_length=500)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The last part of the item's address; unique in the archive."),
    )
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="news_items"
    )
    lead = models.TextField(_("lead"), blank=True, help_text=_("One or two sentences."))
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_(
            "Plain paragraphs or HTML. Anything outside the allowed tags "
            "(scripts, styles, forms, event handlers) is removed when saved."
        ),
    )
    event_date = models.DateField(
        _("event date"), null=True, blank=True, help_text=_("When what the item reports happened.")
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    persons = models.ManyToManyField(
        Person, verbose_name=_("persons"), blank=True, related_name="news_items"
    )
    bodies = models.ManyToManyField(
        Body, verbose_name=_("statutory bodies"), blank=True, related_name="news_items"
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), blank=True, related_name="news_items"
    )
    media_heading = models.CharField(
        _("media links heading"),
        max_length=300,
        blank=True,
        help_text=_("E.g. “Media about the meeting of the CSTO Council of Foreign Ministers”."),
    )
    signature = models.CharField(
        _("signature"),
        max_length=300,
        blank=True,
        help_text=_("E.g. “CSTO Press Secretary Vladimir Zaynetdinov”."),
    )
    contact = models.CharField(
        _("contact"),
        max_length=300,
        blank=True,
        help_text=_("Telephone or fax under the signature, e.g. “+7 495 795-27-10 tel/fax”."),
    )
    source_url = models.URLField(
        _("source URL"), max_length=500, blank=True, help_text=_("Where the text was taken from.")
    )
    flags = models.CharField(
        _("needs attention"),
        max_length=300,
        blank=True,
        help_text=_("What the importer could not find out, e.g. “date missing”."),
    )
    # What `import_pages` last wrote into each field: a later import changes a
    # field only while it still holds that (an editor's change is kept).
    import_data = models.JSONField(null=True, blank=True, editable=False)
    translation = translation_link(
        _("The same news in the other language. Both items then link to each other.")
    )
    # On PostgreSQL a trigger keeps this up to date on every write (see
    # migration 0007 and archive/search.py); elsewhere it stays empty.
    search_vector = SearchVectorField(null=True, editable=False)
    cover_image = models.ForeignKey(
        Image,
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="covers",
    )
    gallery = models.ManyToManyField(
        Image,
        verbose_name=_("gallery"),
        through="GalleryImage",
        blank=True,
        related_name="galleries",
    )
    attachments = models.ManyToManyField(
        Attachment, verbose_name=_("attachments"), blank=True, related_name="news_items"
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        permissions = [("publish_newsitem", _("Can review, publish, schedule and archive news"))]
        indexes = [
            # Covers the public rule and the list's order: a deep page walks
            # the index alone (an index-only scan), never the table.
            models.Index(
                fields=["status", "-published_at", "-id"],
                name="newsitem_list_idx",
                include=["expire_at"],
            ),
            # The latest news of one section (home page, section pages), in the
            # lists' order and covering like newsitem_list_idx, for deep pages.
            models.Index(
                fields=["section", "status", "-published_at", "-id"],
                name="newsitem_section_public_idx",
                include=["expire_at"],
            ),
            # The latest change of a public item (the sitemap's lastmod): read
            # from the newest end, not by a scan of every item after each change.
            models.Index(fields=["-updated_at"], name="newsitem_updated_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("archive:news-detail", args=[self.section.slug, self.slug])

    def clean(self):
        super().clean()
        check_translation(self)


class GalleryImage(CleanText, models.Model):
    """An image in a news item's gallery, at its place in the order."""

    news_item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey(
        Image, verbose_name=_("image"), on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("gallery image")
        verbose_name_plural = _("gallery")

    def __str__(self):
        return str(self.image)


class MediaLink(CleanText, models.Model):
    """A report about a news item in the press: “Media about the meeting …”."""

    news_item = models.ForeignKey(
        NewsItem, verbose_name=_("news item"), on_delete=models.CASCADE, related_name="media_links"
    )
    outlet = models.CharField(_("outlet"), max_length=200, help_text=_("E.g. TASS, BELTA."))
    title = models.CharField(
        _("title"),
        max_length=500,
        blank=True,
        help_text=_("Optional: the outlet is shown without it."),
    )
    url = models.URLField(_("URL"), max_length=1000)
    date = models.DateField(_("date"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("media link")
        verbose_name_plural = _("media links")

    def __str__(self):
        return f"{self.outlet}: {self.title}"

    def save(self, *args, **kwargs):
        # The address becomes a link on a public page: whatever wrote it (the
        # admin, an import, a script), it must be a web address, never
        # javascript: or data:, which a link would run.
        if urlsplit(self.url.strip()).scheme.lower() not in {"http", "https"}:
            raise ValidationError({"url": _("A media link must be an http or https address.")})
        super().save(*args, **kwargs)


class Statement(Publishable):
    class Kind(models.TextChoices):
        STATEMENT = "statement", _("Statement")
        DECLARATION = "declaration", _("Declaration")
        DECISION = "decision", _("Decision")
        APPEAL = "appeal", _("Appeal")

    title = models.CharField(_("title"), max_length=500)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STATEMENT)
    adopted_by = models.ForeignKey(
        Body,
        verbose_name=_("adopting body"),
        on_delete=models.PROTECT,
        related_name="statements",
    )
    adopted_on = models.DateField(_("adopted on"))
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_("Plain paragraphs or HTML; unsafe markup is removed when saved."),
    )
    news_items = models.ManyToManyField(
        NewsItem,
        verbose_name=_("related news items"),
        blank=True,
        related_name="statements",
        help_text=_("The news that reported the adoption."),
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), blank=True, related_name="statements"
    )
    attachments = models.ManyToManyField(
        Attachment, verbose_name=_("attachments"), blank=True, related_name="statements"
    )
    translation = translation_link(
        _("The same statement in the other language. Both statements then link to each other.")
    )
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-adopted_on", "-id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        permissions = [
            ("publish_statement", _("Can review, publish, schedule and archive statements"))
        ]
        indexes = [models.Index(fields=["status", "-adopted_on"], name="statement_public_idx")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.text = sanitize_html(self.text)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("archive:statement-detail", args=[self.slug])

    def clean(self):
        super().clean()
        check_translation(self)


class ItemRecord(models.Model):
    """Something kept about a news item or a statement: either model, by content type."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        abstract = True

    @classmethod
    def for_item(cls, item):
        content_type = ContentType.objects.get_for_model(item)
        return cls.objects.filter(content_type=content_type, object_id=item.pk)


class Transition(ItemRecord):
    """One step of the editorial workflow: who moved the item from which state to which."""

    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    comment = models.TextField(_("comment"), blank=True)
    published_at = models.DateTimeField(_("publication time"), null=True, blank=True)

    class Meta(ItemRecord.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        indexes = [models.Index(fields=["content_type", "object_id"], name="transition_item_idx")]

    def __str__(self):
        return f"{self.from_label()} → {self.to_label()}"

    def from_label(self):
        """The state the step left: published, then published or back to draft, it was Scheduled."""
        # Only a scheduled item can be published again or have its schedule cancelled.
        if self.from_status == Status.PUBLISHED and self.to_status in (
            Status.PUBLISHED,
            Status.DRAFT,
        ):
            return PublicState.SCHEDULED.label
        return self.get_from_status_display()

    def to_label(self):
        """The state the step led to, as lists name it: a go-live after the step is Scheduled."""
        scheduled = self.published_at and self.created_at and self.published_at > self.created_at
        if self.to_status == Status.PUBLISHED and scheduled:
            return PublicState.SCHEDULED.label
        return self.get_to_status_display()


class Revision(ItemRecord):
    """The content of an item as one save left it."""

    version = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("content"), encoder=DjangoJSONEncoder)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    # What the site itself wrote ("Restored version 3"), kept as its English
    # text and values so that each reader reads it in their own language.
    note = models.JSONField(_("note"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta(ItemRecord.Meta):
        ordering = ["-version", "-id"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        indexes = [models.Index(fields=["content_type", "object_id"], name="revision_item_idx")]

    def __str__(self):
        return _("Version %(version)s") % {"version": self.version}

    def comment_text(self):
        """The comment, or the site's note in the reader's language."""
        return read_note(self.note) if self.note else self.comment


def read_note(note):
    """
    A note of the site's (services.note) in the active language: its text
    translated, and a part of an item ("part") named as its model is.
    """
    try:
        values = dict(note.get("values", {}))
        if "part" in note:
            values["part"] = capfirst(apps.get_model(note["part"])._meta.verbose_name)
        return gettext(note["text"]) % values
    except (AttributeError, KeyError, LookupError, TypeError, ValueError):
        # A note this version of the site cannot read (from a backup, say): its words as kept.
        return str(note.get("text", "")) if isinstance(note, dict) else ""


class SlugRedirect(models.Model):
    """An old address of an item whose slug changed after it was published."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    old_slug = models.SlugField(_("old slug"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "old_slug"], name="unique_old_slug_per_model"
            )
        ]

    def __str__(self):
        return self.old_slug


class Generation(models.Model):
    """
    The archive's generation (archive/pagecache.py), one row: database
    triggers move it on in the same transaction as every write to what the
    public pages show, whatever makes the write; the cache holds a copy.
    """

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("generation")
        verbose_name_plural = _("generation")

    def __str__(self):
        return str(self.value)


class NotificationSettings(models.Model):
    """A staff member's choice of the workflow mails they get (archive/notifications.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("user"),
    )
    email = models.BooleanField(
        _("e-mail me about workflow steps"),
        default=True,
        help_text=_(
            "Editors are told when an item is sent to review; authors when their item "
            "is sent back or published."
        ),
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user)


class TrashedItem(models.Model):
    """
    A deleted draft (or item in review), kept for TRASH_DAYS so that it can
    be restored; its revisions and workflow log stay under its old id.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(_("title"), max_length=500)
    # services.snapshot() of the item, and the author who may restore it.
    data = models.JSONField(_("content"), encoder=DjangoJSONEncoder)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deleted_at = models.DateTimeField(_("deleted"), default=timezone.now, db_index=True)

    TRASH_DAYS = 30

    class Meta:
        ordering = ["-deleted_at", "-id"]
        verbose_name = _("deleted item")
        verbose_name_plural = _("deleted items")

    def __str__(self):
        return self.title

    @property
    def kept_until(self):
        return self.deleted_at + datetime.timedelta(days=self.TRASH_DAYS)


class EditingSession(models.Model):
    """
    Someone with an item's change form open (archive/presence.py): kept in
    the database, not the cache, so that presence needs nothing but the site.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    started_at = models.DateTimeField(_("since"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)
    # Which opened page beat last: a reloaded page's late goodbye is not a departure.
    page = models.CharField(_("page"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("editing session")
        verbose_name_plural = _("editing sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"], name="one_editing_session_per_user"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.content_type.model} {self.object_id}"
