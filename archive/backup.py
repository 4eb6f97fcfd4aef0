"""
The whole archive as JSON Lines, and back: for backups and moves.

One record a line, `{"type": ..., "key": ..., "fields": {...}}`, in an order
where everything a record refers to comes before it. Records refer to each
other by natural keys (slugs, usernames, stored file names), never by
database ids, so an export can be loaded into another database. Lines are
sorted and their keys too: exporting, importing into an empty database and
exporting again gives the same bytes.

The last line is the end record, `{"type": "end", "counts": {...}}`, with
the number of records of each type: a file without it, or whose records do
not add up to it, was cut short or changed, and is refused whole.

Users are exported without their passwords (imported accounts must set a
new one); revisions carry their content with the same natural keys.
"""

import datetime
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from . import taxonomy
from .models import (
    Attachment,
    Body,
    GalleryImage,
    Image,
    MediaLink,
    NewsItem,
    Person,
    Revision,
    Section,
    SlugRedirect,
    Statement,
    Topic,
    Transition,
)
from .services import content_fields

# Records, in the order they are written and read.
TYPES = [
    "user",
    "section",
    "person",
    "body",
    "topic",
    "image",
    "attachment",
    "newsitem",
    "statement",
    "transition",
    "revision",
    "slugredirect",
]
ITEM_MODELS = {"newsitem": NewsItem, "statement": Statement}
SLUGGED = {"section": Section, "person": Person, "body": Body, "topic": Topic, **ITEM_MODELS}
FILED = {"image": Image, "attachment": Attachment}
USER_FIELDS = ["first_name", "last_name", "email", "is_staff", "is_superuser", "is_active"]
MEDIA_LINK_FIELDS = ["outlet", "title", "url", "date", "position"]
# Kept by the database on its own: never written from a record.
SKIPPED = {"id"}
# The type of the last line, which counts the records before it.
END = "end"


class BackupError(Exception):
    """A record that cannot be read or applied; the text says which and why."""


def dumps(record):
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def plain(value):
    """A field value as JSON: times in UTC, dates ISO."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def natural_key(obj):
    if obj is None:
        return None
    if isinstance(obj, (Image, Attachment)):
        return obj.file.name
    if isinstance(obj, get_user_model()):
        return obj.get_username()
    return obj.slug


# --- Export --------------------------------------------------------------------


def export_lines():
    """The lines of a backup file (without newlines), the end record last."""
    counts = dict.fromkeys(TYPES, 0)
    for record in export_records():
        counts[record["type"]] += 1
        yield dumps(record)
    yield dumps({"type": END, "counts": counts})


def export_records():
    """Every record of the archive, in file order."""
    User = get_user_model()
    for user in User.objects.order_by("username").prefetch_related("groups"):
        fields = {name: getattr(user, name) for name in USER_FIELDS}
        fields["date_joined"] = plain(user.date_joined)
        fields["groups"] = sorted(group.name for group in user.groups.all())
        yield {"type": "user", "key": user.get_username(), "fields": fields}
    # Parents first, so that an import finds each section's parent made.
    sections = list(Section.objects.select_related("parent"))
    tree = taxonomy.tree_of(sections)
    for section in sorted(sections, key=lambda s: (len(taxonomy.ids_above(tree, s.pk)), s.slug)):
        yield {"type": "section", "key": section.slug, "fields": model_fields(section)}
    for kind in ("person", "body", "topic"):
        for obj in SLUGGED[kind].objects.order_by("slug"):
            yield {"type": kind, "key": obj.slug, "fields": model_fields(obj)}
    for kind, model in FILED.items():
        for obj in model.objects.order_by("file", "pk"):
            yield {"type": kind, "key": obj.file.name, "fields": model_fields(obj)}
    yield from export_items("newsitem", NewsItem)
    yield from export_items("statement", Statement)
    yield from export_log()


def export_items(kind, model):
    related = [
        f.name
        for f in model._meta.get_fields()
        if f.many_to_many and not f.auto_created and f.name != "gallery"
    ]
    foreign_keys = [
        f.name for f in model._meta.get_fields() if f.concrete and (f.many_to_one or f.one_to_one)
    ]
    queryset = model.objects.order_by("slug").select_related(*foreign_keys)
    queryset = queryset.prefetch_related(*related)
    if model is NewsItem:
        queryset = queryset.prefetch_related("media_links", "gallery_images__image")
    for item in queryset.iterator(chunk_size=2000):
        fields = model_fields(item)
        for name in related:
            fields[name] = sorted(natural_key(obj) for obj in getattr(item, name).all())
        if model is NewsItem:
            fields["media_links"] = [
                {name: plain(getattr(link, name)) for name in MEDIA_LINK_FIELDS}
                for link in item.media_links.all()
            ]
            fields["gallery"] = [
                [entry.image.file.name, entry.position] for entry in item.gallery_images.all()
            ]
        yield {"type": kind, "key": item.slug, "fields": fields}


def model_fields(obj):
    """Concrete fields by name; relations by natural key."""
    fields = {}
    for field in obj._meta.get_fields():
        if not field.concrete or field.many_to_many or field.name in SKIPPED:
            continue
        if field.is_relation:
            fields[field.name] = natural_key(getattr(obj, field.name))
        elif isinstance(field, models.FileField):
            fields[field.name] = getattr(obj, field.name).name
        else:
            fields[field.name] = plain(field.value_from_object(obj))
    return fields


def export_log():
    slugs = {
        kind: dict(model.objects.values_list("pk", "slug")) for kind, model in ITEM_MODELS.items()
    }
    kinds = {
        ContentType.objects.get_for_model(model).pk: kind for kind, model in ITEM_MODELS.items()
    }

    def item_key(record):
        kind = kinds.get(record.content_type_id)
        slug = slugs.get(kind, {}).get(record.object_id)
        return [kind, slug] if slug else None

    transitions = []
    for step in Transition.objects.select_related("user"):
        key = item_key(step)
        if key:
            at = plain(step.created_at)
            transitions.append(
                {
                    "type": "transition",
                    "key": [*key, at, step.from_status, step.to_status],
                    "fields": {
                        "user": natural_key(step.user),
                        "comment": step.comment,
                        "published_at": plain(step.published_at),
                    },
                }
            )
    yield from sorted(transitions, key=lambda record: dumps(record["key"]))

    revisions = []
    for revision in Revision.objects.select_related("user"):
        key = item_key(revision)
        if key:
            model = ITEM_MODELS[key[0]]
            revisions.append(
                {
                    "type": "revision",
                    "key": [*key, revision.version],
                    "fields": {
                        "user": natural_key(revision.user),
                        "comment": revision.comment,
                        "note": revision.note,
                        "created_at": plain(revision.created_at),
                        "data": data_to_keys(model, revision.data),
                    },
                }
            )
    yield from sorted(revisions, key=lambda record: dumps(record["key"]))

    redirects = []
    for redirect in SlugRedirect.objects.all():
        key = item_key(redirect)
        if key:
            redirects.append(
                {
                    "type": "slugredirect",
                    "key": [key[0], redirect.old_slug],
                    "fields": {"item": key[1], "created_at": plain(redirect.created_at)},
                }
            )
    yield from sorted(redirects, key=lambda record: dumps(record["key"]))


def data_to_keys(model, data):
    """Revision content with database ids replaced by natural keys."""
    return translate_ids(model, data, lambda related, pks: keys_of(related, pks))


def data_to_ids(model, data):
    return translate_ids(model, data, lambda related, keys: ids_of(related, keys))


def translate_ids(model, data, convert):
    result = dict(data)
    for field in content_fields(model):
        if field.is_relation and field.name in data:
            value = data[field.name]
            if field.many_to_many:
                result[field.name] = convert(field.related_model, value)
            elif value is not None:
                result[field.name] = convert(field.related_model, [value])[0]
    if "gallery" in data:
        result["gallery"] = convert(Image, data["gallery"])
    return result


def keys_of(model, pks):
    found = {obj.pk: natural_key(obj) for obj in model.objects.filter(pk__in=pks)}
    return [found.get(pk) for pk in pks]


def ids_of(model, keys):
    field = "file" if model in (Image, Attachment) else "slug"
    found = dict(model.objects.filter(**{f"{field}__in": keys}).values_list(field, "pk"))
    return [found.get(key) for key in keys]


# --- Import --------------------------------------------------------------------


class Loader:
    """Applies records in file order; `merge` updates what exists instead of refusing."""

    # Links between records of one type, made once all of them are loaded.
    DEFERRED = {"translation"}

    def __init__(self, *, merge=False):
        self.merge = merge
        self.counts = dict.fromkeys(TYPES, 0)
        self.pending = []
        self.end = None
        # Items the database holds in a newer version than the file: left as they are.
        self.kept_newer = []

    def finish(self):
        """Check the end record, then make the links that waited for their targets."""
        if self.end is None:
            raise BackupError(
                "the file has no end record: it was cut short or is not a complete backup"
            )
        expected = {kind: self.end.get(kind, 0) for kind in TYPES}
        if expected != self.counts or set(self.end) - set(TYPES):
            differ = [
                f"{kind} {expected.get(kind, '?')} (read {self.counts.get(kind, 0)})"
                for kind in sorted(set(self.end) | set(TYPES))
                if expected.get(kind) != self.counts.get(kind)
            ]
            raise BackupError(
                f"the end record's counts do not match the records: {', '.join(differ)}"
            )
        for model, pk, name, key in self.pending:
            target = self.find(model, key, name)
            model.objects.filter(pk=pk).update(**{name: target})

    def load(self, record):
        if self.end is not None:
            raise BackupError("a record after the end record")
        if isinstance(record, dict) and record.get("type") == END:
            if not isinstance(record.get("counts"), dict):
                raise BackupError("the end record needs counts")
            self.end = record["counts"]
            return
        if not isinstance(record, dict) or record.get("type") not in TYPES:
            raise BackupError("not a record of this archive (unknown or missing type)")
        if "key" not in record or not isinstance(record.get("fields"), dict):
            raise BackupError("a record needs a key and fields")
        kind = record["type"]
        try:
            getattr(self, f"load_{kind}")(record["key"], record["fields"])
        except ValidationError as error:
            raise BackupError(explain(error)) from error
        self.counts[kind] += 1

    @staticmethod
    def describe(record):
        """“newsitem “slug”: ” for a record that has a type and a key, else nothing."""
        if not isinstance(record, dict) or record.get("type") not in TYPES:
            return ""
        key = record.get("key")
        return f"{record['type']} “{key if isinstance(key, str) else dumps(key)}”: "

    # Helpers

    def find(self, model, key, what):
        if key is None:
            return None
        field = "file" if model in (Image, Attachment) else "slug"
        if model is get_user_model():
            field = model.USERNAME_FIELD
        obj = model.objects.filter(**{field: key}).first()
        if obj is None:
            raise BackupError(f"refers to a {what} “{key}” that is not in the archive")
        return obj

    def existing(self, model, **lookup):
        obj = model.objects.filter(**lookup).first()
        if obj is not None and not self.merge:
            raise BackupError(f"{model._meta.verbose_name} {lookup} already exists (use --merge)")
        return obj or model(**lookup)

    def assign(self, obj, fields, relations=()):
        """Set plain fields from a record; relations by natural key."""
        timestamps = {}
        self.deferred = {}
        for field in obj._meta.get_fields():
            if not field.concrete or field.many_to_many:
                continue
            if field.name in SKIPPED or field.name not in fields:
                continue
            value = fields[field.name]
            if field.name in self.DEFERRED:
                self.deferred[field.name] = value
                continue
            if field.is_relation:
                setattr(obj, field.name, self.find(field.related_model, value, field.name))
            elif isinstance(field, models.FileField):
                setattr(obj, field.name, value)
            else:
                try:
                    value = field.to_python(value)
                except ValidationError as error:
                    raise BackupError(f"{field.name}: {explain(error)}") from error
                except Exception as error:
                    raise BackupError(f"{field.name}: {error}") from error
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    timestamps[field.name] = value
                else:
                    setattr(obj, field.name, value)
        return timestamps

    def save(self, obj, timestamps):
        obj.save()
        if timestamps:
            # auto_now fields take the clock on save(); a restore keeps the record's.
            type(obj).objects.filter(pk=obj.pk).update(**timestamps)

    # One method a type

    def load_user(self, key, fields):
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: key}).first()
        if user is None:
            user = User(**{User.USERNAME_FIELD: key})
            user.set_unusable_password()
        elif not self.merge:
            raise BackupError(f"user “{key}” already exists (use --merge)")
        for name in USER_FIELDS:
            setattr(user, name, fields.get(name, getattr(user, name)))
        if fields.get("date_joined"):
            user.date_joined = datetime.datetime.fromisoformat(fields["date_joined"])
        user.full_clean(exclude=["password"], validate_unique=False)
        user.save()
        user.groups.set(
            Group.objects.get_or_create(name=name)[0] for name in fields.get("groups", [])
        )

    def load_slugged(self, kind, key, fields):
        model = SLUGGED[kind]
        obj = self.existing(model, slug=key)
        timestamps = self.assign(obj, {**fields, "slug": key})
        obj.full_clean(validate_unique=False, exclude=["file"])
        self.save(obj, timestamps)
        return obj

    def load_section(self, key, fields):
        self.load_slugged("section", key, fields)

    def load_person(self, key, fields):
        self.load_slugged("person", key, fields)

    def load_body(self, key, fields):
        self.load_slugged("body", key, fields)

    def load_topic(self, key, fields):
        self.load_slugged("topic", key, fields)

    def load_filed(self, model, key, fields):
        obj = self.existing(model, file=key)
        timestamps = self.assign(obj, {**fields, "file": key})
        # The file itself comes with --media, or is already in storage.
        obj.full_clean(validate_unique=False, exclude=["file"])
        self.save(obj, timestamps)

    def load_image(self, key, fields):
        self.load_filed(Image, key, fields)

    def load_attachment(self, key, fields):
        self.load_filed(Attachment, key, fields)

    def load_item(self, kind, key, fields):
        model = ITEM_MODELS[kind]
        item = self.existing(model, slug=key)
        version = fields.get("version")
        if item.pk and isinstance(version, int) and item.version > version:
            # An older backup merged in must not undo an editor's later saves.
            self.kept_newer.append(f"{kind} “{key}” (version {item.version}, file {version})")
            return item
        timestamps = self.assign(item, {**fields, "slug": key})
        # The record's version and times are the archive's own, kept as they are.
        item.full_clean(validate_unique=False, exclude=list(self.DEFERRED))
        self.save(item, timestamps)
        for name, key in self.deferred.items():
            if key is not None:
                self.pending.append((model, item.pk, name, key))
        links = [f for f in model._meta.get_fields() if f.many_to_many and not f.auto_created]
        for field in links:
            if field.name in fields and field.name != "gallery":
                keys = fields[field.name]
                related = [self.find(field.related_model, k, field.name) for k in keys]
                getattr(item, field.name).set(related)
        if model is NewsItem:
            item.media_links.all().delete()
            for link in fields.get("media_links", []):
                media_link = MediaLink(
                    news_item=item,
                    outlet=link.get("outlet") or "",
                    title=link.get("title") or "",
                    url=link.get("url") or "",
                    date=link.get("date"),
                    position=link.get("position") or 0,
                )
                media_link.full_clean()
                media_link.save()
            item.gallery_images.all().delete()
            for file_name, position in fields.get("gallery", []):
                GalleryImage.objects.create(
                    news_item=item, image=self.find(Image, file_name, "image"), position=position
                )
        return item

    def load_newsitem(self, key, fields):
        self.load_item("newsitem", key, fields)

    def load_statement(self, key, fields):
        self.load_item("statement", key, fields)

    def item_of(self, kind, slug):
        if kind not in ITEM_MODELS:
            raise BackupError(f"unknown kind of item “{kind}”")
        return self.find(ITEM_MODELS[kind], slug, kind)

    def load_transition(self, key, fields):
        kind, slug, at, from_status, to_status = key
        item = self.item_of(kind, slug)
        lookup = {
            "content_type": ContentType.objects.get_for_model(item),
            "object_id": item.pk,
            "created_at": datetime.datetime.fromisoformat(at),
            "from_status": from_status,
            "to_status": to_status,
        }
        if Transition.objects.filter(**lookup).exists():
            return  # the log only grows: a step already there stays as it is
        Transition.objects.create(
            **lookup,
            user=self.find(get_user_model(), fields.get("user"), "user"),
            comment=fields.get("comment", ""),
            published_at=parse_time(fields.get("published_at")),
        )

    def load_revision(self, key, fields):
        kind, slug, version = key
        item = self.item_of(kind, slug)
        Revision.objects.update_or_create(
            content_type=ContentType.objects.get_for_model(item),
            object_id=item.pk,
            version=version,
            defaults={
                "user": self.find(get_user_model(), fields.get("user"), "user"),
                "comment": fields.get("comment", ""),
                "note": fields["note"] if isinstance(fields.get("note"), dict) else {},
                "created_at": parse_time(fields.get("created_at")) or timezone.now(),
                "data": data_to_ids(type(item), fields.get("data", {})),
            },
        )

    def load_slugredirect(self, key, fields):
        kind, old_slug = key
        item = self.item_of(kind, fields.get("item"))
        redirect, _ = SlugRedirect.objects.update_or_create(
            content_type=ContentType.objects.get_for_model(item),
            old_slug=old_slug,
            defaults={"object_id": item.pk},
        )
        if fields.get("created_at"):
            SlugRedirect.objects.filter(pk=redirect.pk).update(
                created_at=parse_time(fields["created_at"])
            )


def explain(error):
    """A ValidationError on one line: "field: message. field: message."."""
    if hasattr(error, "error_dict"):
        return " ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def parse_time(value):
    return datetime.datetime.fromisoformat(value) if value else None


def archive_is_empty():
    return not any(
        model.objects.exists()
        for model in (Section, Person, Body, Topic, NewsItem, Statement, Image, Attachment)
    )
