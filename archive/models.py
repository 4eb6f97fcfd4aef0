"""
The archive's domain: sections, news items, statements and what they refer to.

Publication state lives on `PublishedQuerySet.published()`: every public read
(views, lists, feeds, sitemaps, template tags) goes through it, so that a
draft, a scheduled, an expired or an archived item can never leak.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .sanitize import sanitize_html


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class PublishedQuerySet(models.QuerySet):
    def published(self, now=None):
        """Items a visitor may see: published, due, and not expired."""
        now = now or timezone.now()
        return self.filter(
            Q(expire_at__isnull=True) | Q(expire_at__gt=now),
            status=Status.PUBLISHED,
            published_at__lte=now,
        )


class Publishable(models.Model):
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
        help_text=_("Optional. After this time the item is no longer public."),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.status == Status.PUBLISHED and self.published_at is None:
            raise ValidationError({"published_at": _("A published item needs a publication time.")})
        if self.expire_at and self.published_at and self.expire_at <= self.published_at:
            raise ValidationError(
                {"expire_at": _("The expiry time must come after the publication time.")}
            )

    @property
    def is_public(self):
        now = timezone.now()
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.expire_at is None or self.expire_at > now)
        )


class Section(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
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

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archive:section", kwargs={"section": self.slug})

    def clean(self):
        super().clean()
        # Walk up from the chosen parent: meeting this section means a cycle.
        parent = self.parent
        while parent is not None:
            if self.pk is not None and parent.pk == self.pk:
                raise ValidationError({"parent": _("A section cannot be inside itself.")})
            parent = parent.parent

    def ancestors(self):
        """The sections above this one, outermost first."""
        chain = []
        parent = self.parent
        while parent is not None:
            chain.insert(0, parent)
            parent = parent.parent
        return chain

    def descendant_ids(self):
        """This section's id and the ids of every section below it (one query)."""
        children = {}
        for pk, parent_id in Section.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        ids, todo = [], [self.pk]
        while todo:
            pk = todo.pop()
            ids.append(pk)
            todo.extend(children.get(pk, []))
        return ids


class Person(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    position = models.CharField(
        _("position"), max_length=300, blank=True, help_text=_("E.g. CSTO Secretary General.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archive:person-detail", kwargs={"slug": self.slug})


class Body(models.Model):
    """A statutory body of the CSTO."""

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=20, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("statutory body")
        verbose_name_plural = _("statutory bodies")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archive:body-detail", kwargs={"slug": self.slug})


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archive:topic-detail", kwargs={"slug": self.slug})


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
    source_url = models.URLField(
        _("source URL"), max_length=500, blank=True, help_text=_("Where the text was taken from.")
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        indexes = [models.Index(fields=["status", "-published_at"], name="newsitem_public_idx")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(
            "archive:news-detail", kwargs={"section": self.section.slug, "slug": self.slug}
        )


class MediaLink(models.Model):
    """A report about a news item in the press: “Media about the meeting …”."""

    news_item = models.ForeignKey(
        NewsItem, verbose_name=_("news item"), on_delete=models.CASCADE, related_name="media_links"
    )
    outlet = models.CharField(_("outlet"), max_length=200, help_text=_("E.g. TASS, BELTA."))
    title = models.CharField(_("title"), max_length=500)
    url = models.URLField(_("URL"), max_length=1000)
    date = models.DateField(_("date"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("media link")
        verbose_name_plural = _("media links")

    def __str__(self):
        return f"{self.outlet}: {self.title}"


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

    class Meta:
        ordering = ["-adopted_on", "-id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        indexes = [models.Index(fields=["status", "-adopted_on"], name="statement_public_idx")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.text = sanitize_html(self.text)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("archive:statement-detail", kwargs={"slug": self.slug})
