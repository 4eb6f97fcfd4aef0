"""
The editorial workflow: the only way a news item or a statement changes its
state or its content.

The admin, the management commands and the tests all call these functions.
Each one checks the user's permission on the server, validates the item with
`full_clean()`, writes inside a transaction and keeps the record: a
`Transition` for every change of state, a `Revision` for every save of the
content. A refusal raises `WorkflowError`, whose text is meant for the user.

Roles: an editor holds the `publish_<model>` permission (the Editors group,
and superusers); an author holds only the change permission and may touch
nothing but their own drafts.
"""

import datetime
import difflib
import json
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .images import make_renditions, renditions_are_current
from .models import (
    Attachment,
    GalleryImage,
    Image,
    MediaLink,
    NewsItem,
    Revision,
    SlugRedirect,
    Status,
    Transition,
)
from .signals import delete_unless_shared

# Fields that belong to the workflow, not to the content a revision keeps:
# when an item goes live is the editors' decision, logged with each step.
NOT_CONTENT = {
    "id",
    "search_vector",
    "generated",
    "flags",
    "import_data",
    "status",
    "version",
    "status_changed_at",
    "created_at",
    "updated_at",
    "author",
    "published_at",
    "expire_at",
    # Restoring a revision must not bring revoked preview links back.
    "preview_key",
    "preview_revoked_at",
    "preview_revoked_by",
}
EMPTY = (None, "", [])
MEDIA_LINK_FIELDS = ["outlet", "title", "url", "date", "position"]


class WorkflowError(Exception):
    """A transition or a save that was refused; the text says why, for the user."""


class ConflictError(WorkflowError):
    """The item changed since the form was opened: saving would overwrite someone."""


def is_editor(user, item_or_model) -> bool:
    return user.has_perm(f"archive.publish_{item_or_model._meta.model_name}")


def can_edit(user, item, *, status=None, author_id=None) -> bool:
    """
    Whether `user` may change `item`'s content. Editors may change any item;
    authors only their own drafts. `status` and `author_id` default to the
    item's own, and the services pass what the database holds instead.
    """
    meta = item._meta
    if not user.has_perm(f"{meta.app_label}.change_{meta.model_name}"):
        return False
    if is_editor(user, item):
        return True
    if item.pk is None:
        return True
    status = item.status if status is None else status
    author_id = item.author_id if author_id is None else author_id
    return status == Status.DRAFT and author_id == user.pk


def editable_items(user, model):
    """The `model` items whose content `user` may change: can_edit() as a query."""
    meta = model._meta
    if not user.has_perm(f"{meta.app_label}.change_{meta.model_name}"):
        return model.objects.none()
    if is_editor(user, model):
        return model.objects.all()
    return model.objects.filter(status=Status.DRAFT, author=user)


# --- What shows on an item: media links, images, attachments -----------------


def items_showing(part) -> list:
    """The news items and statements whose pages show `part` (as the database holds it)."""
    if isinstance(part, MediaLink):
        return list(NewsItem.objects.filter(media_links=part)) if part.pk else []
    if isinstance(part, Image):
        return list(
            NewsItem.objects.filter(
                models.Q(cover_image=part) | models.Q(gallery_images__image=part)
            ).distinct()
        )
    if isinstance(part, Attachment):
        return [*part.news_items.all(), *part.statements.all()]
    raise TypeError(f"{type(part).__name__} is not shown on items.")


def can_change_part(user, part) -> bool:
    """
    Whether `user` may change or delete a media link, an image or an
    attachment: only if they may change every item that shows it, so that an
    author never reaches a published page (nor another author's) through a
    shared part.
    """
    return all(can_edit(user, item) for item in items_showing(part))


def record_part_change(*, items, user, comment: str):
    """
    A new version of each item whose page a changed part shows, so that the
    change is in the item's history (who, and which part) and a form opened
    before it can no longer overwrite it.
    """
    seen = set()
    for item in items:
        key = (type(item), item.pk)
        if key in seen:
            continue
        seen.add(key)
        with transaction.atomic():
            current = type(item).objects.select_for_update().get(pk=item.pk)
            current.version += 1
            current.save(update_fields=["version", "updated_at"])
            record_revision(item=current, user=user, comment=comment[:300])


# --- Transitions -------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    sources: tuple
    target: str
    editor_only: bool
    refusal: str  # why an item in another state cannot take this step


RULES = {
    "submit": Rule((Status.DRAFT,), Status.REVIEW, False, "Only a draft can be sent to review."),
    "send_back": Rule(
        (Status.REVIEW,), Status.DRAFT, True, "Only an item in review can be sent back."
    ),
    "publish": Rule(
        (Status.REVIEW,), Status.PUBLISHED, True, "Only an item in review can be published."
    ),
    "archive": Rule(
        (Status.PUBLISHED,), Status.ARCHIVED, True, "Only a published item can be unpublished."
    ),
    "restore": Rule(
        (Status.ARCHIVED,), Status.DRAFT, True, "Only an archived item can be restored to draft."
    ),
}


def _transition(*, item, user, action, comment="", published_at=None):
    rule = RULES[action]
    model = type(item)
    with transaction.atomic():
        # Locked, so that two editors acting at once take turns.
        current = model.objects.select_for_update().get(pk=item.pk)
        if rule.editor_only and not is_editor(user, current):
            raise WorkflowError(_("Only an editor may do this."))
        if not rule.editor_only and not can_edit(user, current):
            raise WorkflowError(_("Only the item's author or an editor may send it to review."))
        if current.status not in rule.sources:
            raise WorkflowError(
                _("“%(title)s” is %(state)s. %(why)s")
                % {
                    "title": current,
                    "state": current.public_state.label.lower(),
                    "why": _(rule.refusal),
                }
            )
        now = timezone.now()
        from_status = current.status
        current.status = rule.target
        current.status_changed_at = now
        if rule.target == Status.PUBLISHED:
            # "Publish now" keeps a date the editor set (an old news item keeps
            # its historical date; a future one is scheduled).
            current.published_at = published_at or current.published_at or now
        try:
            current.full_clean()
        except ValidationError as error:
            raise WorkflowError(" ".join(error.messages)) from error
        current.save(update_fields=["status", "status_changed_at", "published_at", "updated_at"])
        Transition.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=current.pk,
            user=user,
            from_status=from_status,
            to_status=rule.target,
            comment=comment,
            published_at=current.published_at if rule.target == Status.PUBLISHED else None,
            created_at=now,
        )
    for field in ("status", "status_changed_at", "published_at", "updated_at", "version"):
        setattr(item, field, getattr(current, field))
    return item


def record_system_transition(item, from_status, to_status, comment):
    """A step taken by a command (an import), not by a person: logged all the same."""
    return Transition.objects.create(
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
        user=None,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        published_at=item.published_at if to_status == Status.PUBLISHED else None,
    )


def submit_for_review(*, item, user, comment: str = ""):
    """Draft → in review. The author of the item, or an editor."""
    return _transition(item=item, user=user, action="submit", comment=comment)


def send_back(*, item, user, comment: str):
    """In review → draft, with a comment the author sees. Editors only."""
    if not comment.strip():
        raise WorkflowError(_("Say what the author should change: a comment is required."))
    return _transition(item=item, user=user, action="send_back", comment=comment)


def publish(*, item, user, at: datetime.datetime | None = None, comment: str = ""):
    """
    In review → published. Editors only. With `at` in the future (or a future
    publication time already on the item) the item is scheduled: it becomes
    public by itself at that time, with no job to run.
    """
    if at is not None and timezone.is_naive(at):
        raise WorkflowError(_("The publication time needs a time zone."))
    return _transition(item=item, user=user, action="publish", comment=comment, published_at=at)


def archive(*, item, user, comment: str = ""):
    """Published → archived: unpublished, no longer public. Editors only."""
    return _transition(item=item, user=user, action="archive", comment=comment)


def restore_to_draft(*, item, user, comment: str = ""):
    """Archived → draft, to be worked on and published again. Editors only."""
    return _transition(item=item, user=user, action="restore", comment=comment)


ACTIONS = {
    "submit": submit_for_review,
    "send_back": send_back,
    "publish": publish,
    "archive": archive,
    "restore": restore_to_draft,
}


def available_actions(user, item):
    """The workflow steps `user` may take on `item` now, as RULES keys."""
    return [
        action
        for action, rule in RULES.items()
        if item.status in rule.sources
        and (is_editor(user, item) if rule.editor_only else can_edit(user, item))
    ]


# --- Preview links -----------------------------------------------------------


def revoke_preview_links(*, item, user):
    """
    Every preview link made so far for `item` stops working; links made
    afterwards work. Editors only; who did it and when is kept on the item.
    """
    if not is_editor(user, item):
        raise WorkflowError(_("Only an editor may do this."))
    now = timezone.now()
    # An update, not a save: the content, its version and the public pages are untouched.
    type(item).objects.filter(pk=item.pk).update(
        preview_key=models.F("preview_key") + 1, preview_revoked_at=now, preview_revoked_by=user
    )
    item.refresh_from_db(fields=["preview_key", "preview_revoked_at", "preview_revoked_by"])
    return item


# --- Saving content ----------------------------------------------------------


def save_item(*, item, user, expected_version: int | None = None):
    """
    Save `item`'s content (a new item starts as the user's draft).

    `expected_version` is the version the user's form was opened at: if the
    item has been saved since, nothing is written and ConflictError says so.
    Renaming the slug of a published item keeps its old address working.
    Call `record_revision()` once the item's relations are saved too.
    """
    model = type(item)
    with transaction.atomic():
        if item.pk is None:
            meta = model._meta
            if not user.has_perm(f"{meta.app_label}.add_{meta.model_name}"):
                raise WorkflowError(_("You may not add this item."))
            item.author = item.author or user
            item.status = Status.DRAFT
            item.version = 1
            _clean(item)
            item.save()
            return item

        current = model.objects.select_for_update().get(pk=item.pk)
        if not can_edit(user, item, status=current.status, author_id=current.author_id):
            raise WorkflowError(
                _("You may not change “%(title)s”: authors edit their own drafts only.")
                % {"title": current}
            )
        if expected_version is not None and changed_since(current, expected_version):
            raise ConflictError(conflict_message(current, expected_version))
        # The state is the workflow's to change, never a content save's.
        item.status = current.status
        item.version = current.version + 1
        _clean(item)
        if current.slug != item.slug:
            _keep_old_address(current, new_slug=item.slug)
        if isinstance(item, NewsItem):
            _pair_translations(item, previous=current.translation_id)
        item.save()
        if isinstance(item, NewsItem) and item.translation_id:
            NewsItem.objects.filter(pk=item.translation_id).update(translation=item)
    return item


def _pair_translations(item, *, previous):
    """
    A translation link goes both ways: the item's new partner leaves its old
    one, and the item's old partner is let go. Runs before the item is saved,
    so that no two items ever point at the same partner.
    """
    partner = item.translation_id
    if previous and previous != partner:
        NewsItem.objects.filter(pk=previous, translation=item.pk).update(translation=None)
    if partner:
        NewsItem.objects.filter(translation=partner).exclude(pk=item.pk).update(translation=None)
        NewsItem.objects.filter(pk=partner).exclude(translation=None).exclude(
            translation=item.pk
        ).update(translation=None)


def changed_since(current, version: int) -> bool:
    """
    Whether `current`'s content differs from what it was at `version`. A new
    version that left the content as it was (an image or a document replaced
    in its own page) cannot be overwritten by a form opened before it.
    """
    if version == current.version:
        return False
    then = Revision.for_item(current).filter(version=version).first()
    # Compared as stored: the revision's dates and times are JSON text.
    now = json.loads(json.dumps(snapshot(current), cls=DjangoJSONEncoder))
    return then is None or then.data != now


def conflict_message(current, expected_version, *, compared=False):
    """Why a save was refused; `compared`: the page shows their changes beside the form."""
    last = Revision.for_item(current).select_related("user").first()
    who = last.user.get_username() if last and last.user else _("someone else")
    when = timezone.localtime(last.created_at if last else current.updated_at)
    if compared:
        message = _(
            "Someone else saved this item while you were editing it (%(who)s on %(when)s, "
            "version %(theirs)s; you opened version %(yours)s). Nothing was saved. Your "
            "text is still in the form below, and their changes are listed above it: "
            "choose for each field whether to keep yours or take theirs, and save again."
        )
    else:
        message = _(
            "Someone else saved this item while you were editing it (%(who)s on %(when)s, "
            "version %(theirs)s; you opened version %(yours)s). Nothing was saved. Your text "
            "is still in the form below: copy what you need, reload the page to see their "
            "changes, and apply yours again."
        )
    return message % {
        "who": who,
        "when": when.strftime("%d.%m.%Y %H:%M"),
        "theirs": current.version,
        "yours": expected_version,
    }


def _clean(item):
    try:
        item.full_clean()
    except ValidationError as error:
        raise WorkflowError(" ".join(error.messages)) from error


def _keep_old_address(current, *, new_slug):
    content_type = ContentType.objects.get_for_model(current)
    # The new slug is live now; it can no longer be an old address.
    SlugRedirect.objects.filter(content_type=content_type, old_slug=new_slug).delete()
    if current.status in (Status.PUBLISHED, Status.ARCHIVED):
        SlugRedirect.objects.update_or_create(
            content_type=content_type,
            old_slug=current.slug,
            defaults={"object_id": current.pk},
        )


def find_redirect(model, slug):
    """The item that used to live at `slug`, if any."""
    content_type = ContentType.objects.get_for_model(model)
    old = SlugRedirect.objects.filter(content_type=content_type, old_slug=slug).first()
    return model.objects.filter(pk=old.object_id).first() if old else None


# --- Revisions ---------------------------------------------------------------


def content_fields(model):
    return [
        field
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        # The gallery is kept with its order, apart (see snapshot()).
        if field.name not in NOT_CONTENT and field.name != "gallery"
    ]


def snapshot(item) -> dict:
    """The item's content as plain data, for a revision."""
    data = {}
    for field in content_fields(type(item)):
        if field.many_to_many:
            data[field.name] = sorted(getattr(item, field.name).values_list("pk", flat=True))
        else:
            data[field.name] = field.value_from_object(item)
    if isinstance(item, NewsItem):
        data["media_links"] = list(item.media_links.values(*MEDIA_LINK_FIELDS))
        data["gallery"] = list(item.gallery_images.values_list("image_id", flat=True))
    return data


def record_revision(*, item, user, comment: str = ""):
    """Keep the item's content as saved now, under its current version."""
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
        version=item.version,
        data=snapshot(item),
        user=user,
        comment=comment,
    )


def restore_revision(*, revision, user, expected_version: int | None = None):
    """Bring the item's content back to `revision`: itself a new revision."""
    item = revision.item
    model = type(item)
    with transaction.atomic():
        data = revision.data
        for field in content_fields(model):
            if field.name not in data or field.many_to_many:
                continue
            if field.is_relation:
                setattr(item, field.attname, data[field.name])
            else:
                setattr(item, field.attname, field.to_python(data[field.name]))
        save_item(item=item, user=user, expected_version=expected_version)
        for field in model._meta.many_to_many:
            if field.name in data:
                getattr(item, field.name).set(
                    field.related_model.objects.filter(pk__in=data[field.name])
                )
        if "media_links" in data:
            item.media_links.all().delete()
            MediaLink.objects.bulk_create(
                MediaLink(news_item=item, **link) for link in data["media_links"]
            )
        if "gallery" in data:
            item.gallery_images.all().delete()
            existing = set(
                Image.objects.filter(pk__in=data["gallery"]).values_list("pk", flat=True)
            )
            GalleryImage.objects.bulk_create(
                GalleryImage(news_item=item, image_id=pk, position=position)
                for position, pk in enumerate(data["gallery"])
                if pk in existing  # an image deleted since cannot come back
            )
        record_revision(
            item=item,
            user=user,
            comment=_("Restored version %(version)s") % {"version": revision.version},
        )
    return item


@dataclass
class Change:
    label: str
    before: str
    after: str
    diff: str  # HTML, safe: words removed in <del>, added in <ins>


def compare(model, before: dict, after: dict) -> list[Change]:
    """Field by field, what differs between two snapshots of a `model` item."""
    changes = []
    for field in content_fields(model):
        old, new = before.get(field.name), after.get(field.name)
        if old == new or (old in EMPTY and new in EMPTY):
            continue
        old_text, new_text = _display(field, old), _display(field, new)
        changes.append(
            Change(str(field.verbose_name), old_text, new_text, word_diff(old_text, new_text))
        )
    extras = [
        ("gallery", _("gallery"), _display_gallery),
        ("media_links", _("media links"), _display_links),
    ]
    for key, label, display in extras:
        old, new = before.get(key) or [], after.get(key) or []
        if old != new:
            old_text, new_text = display(old), display(new)
            changes.append(Change(str(label), old_text, new_text, word_diff(old_text, new_text)))
    return changes


@dataclass
class FieldConflict:
    """A field someone else changed since a form was opened, as the conflict panel shows it."""

    name: str
    label: str
    theirs: str
    yours: str
    diff: str  # HTML, safe: their change, from the version the form was opened at
    both: bool  # whether the form's user changed it too
    choosable: bool  # a field of the form; gallery and media links are formsets
    take_theirs: bool = False  # the conflict panel's choice, set by the form


def as_stored(data: dict) -> dict:
    """Plain data as a revision keeps it (dates and times as JSON text), to compare."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def form_snapshot(model, cleaned_data: dict) -> dict:
    """What a change form's user typed, as snapshot() data, for the fields the form has."""
    data = {}
    for field in content_fields(model):
        if field.name not in cleaned_data:
            continue
        value = cleaned_data[field.name]
        if field.many_to_many:
            value = sorted(obj.pk for obj in value)
        elif field.is_relation:
            value = value.pk if value is not None else None
        data[field.name] = value
    return as_stored(data)


def conflicts(model, *, base: dict, theirs: dict, typed: dict) -> list[FieldConflict]:
    """
    The fields changed between `base` (the version a form was opened at) and
    `theirs` (the stored version), beside what the form's user typed.
    """

    def differ(old, new):
        return old != new and not (old in EMPTY and new in EMPTY)

    found = []
    for field in content_fields(model):
        old, new = base.get(field.name), theirs.get(field.name)
        if not differ(old, new):
            continue
        old_text, new_text = _display(field, old), _display(field, new)
        choosable = field.name in typed
        mine = typed.get(field.name)
        found.append(
            FieldConflict(
                name=field.name,
                label=str(field.verbose_name),
                theirs=new_text,
                yours=_display(field, mine) if choosable else "",
                diff=word_diff(old_text, new_text),
                both=choosable and differ(old, mine),
                choosable=choosable,
            )
        )
    for key, label, display in [
        ("gallery", _("gallery"), _display_gallery),
        ("media_links", _("media links"), _display_links),
    ]:
        old, new = base.get(key) or [], theirs.get(key) or []
        if old != new:
            old_text, new_text = display(old), display(new)
            found.append(
                FieldConflict(
                    key, str(label), new_text, "", word_diff(old_text, new_text), False, False
                )
            )
    return found


def _display(field, value) -> str:
    if value in EMPTY:
        return ""
    if field.many_to_many:
        return ", ".join(str(obj) for obj in field.related_model.objects.filter(pk__in=value))
    if field.is_relation:
        obj = field.related_model.objects.filter(pk=value).first()
        return str(obj) if obj else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.TextField):
        return strip_tags(str(value))
    if isinstance(field, models.DateField):
        # Revisions keep dates as ISO text (JSON); show them as the site does.
        value = field.to_python(value)
        return value.strftime("%d.%m.%Y")
    return str(value)


def _display_gallery(image_ids) -> str:
    names = dict(Image.objects.filter(pk__in=image_ids).values_list("pk", "alt_text"))
    return "\n".join(names.get(pk, f"#{pk}") for pk in image_ids)


def _display_links(links) -> str:
    return "\n".join(f"{link['outlet']}: {link['title']} <{link['url']}>" for link in links)


def word_diff(before: str, after: str) -> str:
    """Both texts as one, with removed words in <del> and added words in <ins>."""
    old_words, new_words = before.split(), after.split()
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(' '.join(old_words[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(' '.join(new_words[b1:b2]))}</ins>")
    return mark_safe(" ".join(parts))


# --- Images ------------------------------------------------------------------


def save_image(*, image):
    """
    Validate and save an uploaded image, and make its renditions (once, here,
    never when a page is shown). A file replaced by a new upload goes; if
    the renditions cannot be made, nothing of this save stays stored.
    """
    with transaction.atomic():
        old_file = None
        if image.pk:
            old_file = Image.objects.get(pk=image.pk).file
        _clean(image)
        image.save()
        if not renditions_are_current(image):
            try:
                make_renditions(image)
            except Exception:
                # The row is rolled back: the file this save stored goes too.
                if not old_file or old_file.name != image.file.name:
                    image.file.storage.delete(image.file.name)
                raise
        if old_file and old_file.name != image.file.name:
            transaction.on_commit(lambda: delete_unless_shared(Image, old_file))
    return image
