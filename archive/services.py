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

import contextlib
import datetime
import difflib
import errno
import json
import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from . import notifications
from .images import delete_renditions, make_renditions, renditions_are_current
from .models import (
    Attachment,
    GalleryImage,
    Image,
    MediaLink,
    NewsItem,
    PublicState,
    Revision,
    SlugRedirect,
    Status,
    Transition,
    TrashedItem,
)
from .sanitize import clean_text_fields, html_to_text
from .signals import delete_unless_shared
from .slugs import slug_for

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


def record_part_change(*, items, user, note):
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
            record_revision(item=current, user=user, note=note)


# --- Transitions -------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    sources: tuple
    target: str
    editor_only: bool
    refusal: str  # why an item in another state cannot take this step
    # From `published`, only while the item has not gone live yet.
    scheduled_only: bool = False

    def applies_to(self, item) -> bool:
        if item.status not in self.sources:
            return False
        if self.scheduled_only and item.status == Status.PUBLISHED:
            return item.public_state == PublicState.SCHEDULED
        return True


RULES = {
    "submit": Rule(
        (Status.DRAFT,), Status.REVIEW, False, gettext_lazy("Only a draft can be sent to review.")
    ),
    "send_back": Rule(
        (Status.REVIEW,),
        Status.DRAFT,
        True,
        gettext_lazy("Only an item in review can be sent back."),
    ),
    # Editors publish their own drafts in one step, and reschedule a scheduled item.
    "publish": Rule(
        (Status.DRAFT, Status.REVIEW, Status.PUBLISHED),
        Status.PUBLISHED,
        True,
        gettext_lazy("Only a draft, an item in review or a scheduled item can be published."),
        scheduled_only=True,
    ),
    "unschedule": Rule(
        (Status.PUBLISHED,),
        Status.DRAFT,
        True,
        gettext_lazy("Only a scheduled item can have its schedule cancelled."),
        scheduled_only=True,
    ),
    "archive": Rule(
        (Status.PUBLISHED,),
        Status.ARCHIVED,
        True,
        gettext_lazy("Only a published item can be unpublished."),
    ),
    "restore": Rule(
        (Status.ARCHIVED,),
        Status.DRAFT,
        True,
        gettext_lazy("Only an archived item can be restored to draft."),
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
        # The state first: an author's own item already in review is refused for
        # that, not as if it were someone else's.
        if not rule.applies_to(current):
            raise WorkflowError(
                _("“%(title)s” is “%(state)s”. %(why)s")
                % {"title": current, "state": current.public_state.label, "why": rule.refusal}
            )
        if not rule.editor_only and not can_edit(user, current):
            raise WorkflowError(_("Only the item's author or an editor may send it to review."))
        now = timezone.now()
        from_status, from_published_at = current.status, current.published_at
        current.status = rule.target
        current.status_changed_at = now
        if rule.target == Status.PUBLISHED:
            # "Publish now" keeps a date the editor set (an old news item keeps
            # its historical date; a future one is scheduled).
            current.published_at = published_at or current.published_at or now
        elif action == "unschedule":
            # The schedule is cancelled: publishing again asks for a new time.
            current.published_at = None
        if (current.status, current.published_at) == (from_status, from_published_at):
            # Published again at the time it already has (a scheduled item with
            # no new time): nothing changes, so nothing is logged or announced.
            return item
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
    notifications.step_taken(item=current, user=user, action=action, comment=comment)
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
    Draft or in review → published, and a scheduled item rescheduled. Editors
    only. With `at` in the future (or a future publication time already on the
    item) the item is scheduled: it becomes public by itself at that time,
    with no job to run.
    """
    if at is not None and timezone.is_naive(at):
        raise WorkflowError(_("The publication time needs a time zone."))
    return _transition(item=item, user=user, action="publish", comment=comment, published_at=at)


def unschedule(*, item, user, comment: str = ""):
    """Scheduled → draft: the go-live time is cancelled before it came. Editors only."""
    return _transition(item=item, user=user, action="unschedule", comment=comment)


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
    "unschedule": unschedule,
    "archive": archive,
    "restore": restore_to_draft,
}


def available_actions(user, item):
    """The workflow steps `user` may take on `item` now, as RULES keys."""
    return [
        action
        for action, rule in RULES.items()
        if rule.applies_to(item)
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
            raise ConflictError(conflict_message(current, expected_version, user=user))
        _keep_unrecorded_version(current)
        # The state is the workflow's to change, never a content save's.
        item.status = current.status
        item.version = current.version + 1
        _clean(item)
        if current.slug != item.slug:
            _keep_old_address(current, new_slug=item.slug)
        _release_partners(item, previous=current.translation_id, user=user)
        item.save()
        if item.translation_id:
            _set_translation(model, item.translation_id, item, user=user)
    return item


def _keep_unrecorded_version(current):
    """
    The version about to be replaced stays in the history, even one made
    without a revision (demo, generated or bulk-imported items): a later
    conflict with it then shows who changed what.
    """
    if not Revision.for_item(current).filter(version=current.version).exists():
        record_revision(
            item=current, user=None, note=note(gettext_noop("Before the first recorded save"))
        )


def free_slug(model, title: str, item=None) -> str:
    """
    An address made from a title: ASCII, and not yet taken (by another item
    than `item`, one being renamed).
    """
    base = slug_for(title) or model._meta.model_name
    slug, n = base, 2
    others = model.objects.exclude(pk=item.pk) if item is not None else model.objects
    while (
        others.filter(slug=slug).exists()
        or SlugRedirect.objects.filter(
            content_type=ContentType.objects.get_for_model(model), old_slug=slug
        ).exists()
    ):
        slug, n = f"{base}-{n}", n + 1
    return slug


def slug_made_from(slug, title):
    """Whether `slug` is what free_slug() makes of `title` (with or without its -2, -3)."""
    base = slug_for(title)
    return bool(base) and re.fullmatch(re.escape(base) + r"(-\d+)?", slug) is not None


def _release_partners(item, *, previous, user):
    """
    A translation link goes both ways: the item's new partner leaves its old
    one, and the item's old partner is let go. Runs before the item is saved,
    so that no two items ever point at the same partner.
    """
    model = type(item)
    partner = item.translation_id
    if previous and previous != partner:
        _set_translation(model, previous, None, user=user, only_if_pointing_at=item.pk)
    if partner:
        for pk in (
            model.objects.filter(translation=partner)
            .exclude(pk=item.pk)
            .values_list("pk", flat=True)
        ):
            _set_translation(model, pk, None, user=user)


def _set_translation(model, pk, translation, *, user, only_if_pointing_at=None):
    """
    Points item `pk` at `translation` (an item, or None) as a new version of
    it with its revision: the other item's history says who paired or
    unpaired it, and a form opened on it before can no longer undo that.
    Given `only_if_pointing_at`, an item that points elsewhere is left as it is.
    """
    other = model.objects.select_for_update().filter(pk=pk).first()
    new = translation.pk if translation else None
    if other is None or other.translation_id == new:
        return
    if only_if_pointing_at and other.translation_id != only_if_pointing_at:
        return
    _keep_unrecorded_version(other)
    if translation:
        said = note(gettext_noop("Linked to its translation “%(title)s”."), title=translation)
    else:
        said = note(
            gettext_noop("The link to its translation “%(title)s” was removed."),
            title=other.translation,
        )
    other.translation = translation
    other.version += 1
    other.save(update_fields=["translation", "version", "updated_at"])
    record_revision(item=other, user=user, note=said)


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


def saved_last_by(current, user):
    """Whether `user` saved the item's latest version (for a form of theirs, in another window)."""
    last = Revision.for_item(current).first()
    return bool(last and user and last.user_id == user.pk)


def conflict_message(current, expected_version, *, compared=False, user=None):
    """
    Why a save was refused; `compared`: the page shows the other changes
    beside the form. Saved last by `user` (the one saving now), the other
    save was theirs, in another window or tab.
    """
    last = Revision.for_item(current).select_related("user").first()
    values = {
        "who": last.user.get_username() if last and last.user else _("someone else"),
        "when": timezone.localtime(last.created_at if last else current.updated_at).strftime(
            "%d.%m.%Y %H:%M"
        ),
        "theirs": current.version,
        "yours": expected_version,
    }
    if saved_last_by(current, user):
        if compared:
            message = _(
                "You saved this item in another window or tab while this form was open (on "
                "%(when)s, version %(theirs)s; this form is version %(yours)s). Nothing was "
                "saved. This form's text is still below, and what the other save changed is "
                "listed above it: choose for each field which to keep, and save again."
            )
        else:
            message = _(
                "You saved this item in another window or tab while this form was open (on "
                "%(when)s, version %(theirs)s; this form is version %(yours)s). Nothing was "
                "saved. This form's text is still below: copy what you need, reload the page "
                "to see the other save, and apply this form's changes again."
            )
    elif compared:
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
    return message % values


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


# --- Deleting: the trash ----------------------------------------------------


def may_delete(user, item) -> bool:
    """
    Whether `user` may delete `item`. Whatever has been public is archived,
    not deleted: only a superuser deletes a published or archived item, or
    one unpublished once and restored to a draft since.
    """
    return not delete_refusal(user, item)


def delete_refusal(user, item) -> str:
    """Why `user` may not delete `item`, in a sentence; "" if they may."""
    meta = item._meta
    if not user.is_superuser and (
        item.status in (Status.PUBLISHED, Status.ARCHIVED) or has_been_public(item)
    ):
        return _(
            "“%(title)s” has been public, so it stays on record: only a superuser "
            "may delete it. To take it off the site, unpublish (archive) it."
        ) % {"title": item}
    if not user.has_perm(f"{meta.app_label}.delete_{meta.model_name}") or not can_edit(user, item):
        return _("You may not delete “%(title)s”: an author deletes only their own drafts.") % {
            "title": item
        }
    return ""


def has_been_public(item) -> bool:
    """Whether `item` was unpublished (archived) once: it was public then."""
    return Transition.for_item(item).filter(to_status=Status.ARCHIVED).exists()


def goes_to_trash(item):
    """Whether deleting `item` keeps it in the trash: one never public does."""
    return item.status in (Status.DRAFT, Status.REVIEW) and not has_been_public(item)


def delete_item(*, item, user):
    """
    Delete `item`. A draft or an item in review goes to the trash, from which
    it can be restored for TrashedItem.TRASH_DAYS days; its revisions and
    workflow log stay, keyed by its id.
    """
    with transaction.atomic():
        current = type(item).objects.select_for_update().get(pk=item.pk)
        if refusal := delete_refusal(user, current):
            raise WorkflowError(refusal)
        if goes_to_trash(current):
            TrashedItem.objects.create(
                content_type=ContentType.objects.get_for_model(current),
                object_id=current.pk,
                title=str(current)[:500],
                data=snapshot(current),
                author=current.author,
                deleted_by=user,
            )
        current.delete()


def trash_for(user, model):
    """The `model` items in the trash that `user` may restore: an editor all, an author theirs."""
    meta = model._meta
    trash = TrashedItem.objects.filter(content_type=ContentType.objects.get_for_model(model))
    if not user.has_perm(f"{meta.app_label}.change_{meta.model_name}"):
        return trash.none()
    if is_editor(user, model):
        return trash
    return trash.filter(author=user)


def purge_trash(*, now=None, dry_run=False) -> int:
    """Forget what has been in the trash longer than TRASH_DAYS, with its history."""
    now = now or timezone.now()
    old = TrashedItem.objects.filter(
        deleted_at__lt=now - datetime.timedelta(days=TrashedItem.TRASH_DAYS)
    )
    count = old.count()
    if dry_run:
        return count
    with transaction.atomic():
        for trashed in old.select_for_update():
            for record in (Revision, Transition):
                record.objects.filter(
                    content_type=trashed.content_type_id, object_id=trashed.object_id
                ).delete()
            trashed.delete()
    return count


def restore_from_trash(*, trashed, user):
    """
    Bring a deleted item back as a draft, under its old id when it is free,
    with the content it had, its revisions and its workflow log.
    """
    model = trashed.content_type.model_class()
    if not trash_for(user, model).filter(pk=trashed.pk).exists():
        raise WorkflowError(_("Only the item's author or an editor may restore it."))
    data = trashed.data
    with transaction.atomic():
        item = model(status=Status.DRAFT, author_id=trashed.author_id)
        if not model.objects.filter(pk=trashed.object_id).exists():
            item.pk = trashed.object_id
        for field in content_fields(model):
            if field.name not in data or field.many_to_many:
                continue
            value = data[field.name]
            if field.is_relation:
                setattr(item, field.attname, still_there(field, value))
            else:
                setattr(item, field.attname, field.to_python(value))
        if model.objects.filter(translation=None, pk=item.translation_id).exists():
            # Its translation let go of it when it was deleted: linked both ways again.
            _release_partners(item, previous=None, user=user)
        else:
            item.translation_id = None  # it has another translation now
        if model.objects.filter(slug=item.slug).exists():
            # Its address went to another item meanwhile: the draft takes a
            # free one made from it (the admin says which).
            item.slug = free_slug(model, item.slug)
        records = {"content_type": trashed.content_type_id, "object_id": trashed.object_id}
        item.version = (
            Revision.objects.filter(**records).aggregate(v=models.Max("version"))["v"] or 0
        ) + 1
        _clean(item)
        item.save(force_insert=True)
        if item.pk != trashed.object_id:
            # Its old id was taken: its history follows it to the new one.
            for record in (Revision, Transition):
                record.objects.filter(**records).update(object_id=item.pk)
        links = [f for f in model._meta.get_fields() if f.many_to_many and not f.auto_created]
        for field in links:
            if field.name in data and field.name != "gallery":
                getattr(item, field.name).set(
                    field.related_model.objects.filter(pk__in=data[field.name])
                )
        if "media_links" in data:
            MediaLink.objects.bulk_create(restored_links(item, data["media_links"]))
        if "gallery" in data:
            existing = set(
                Image.objects.filter(pk__in=data["gallery"]).values_list("pk", flat=True)
            )
            GalleryImage.objects.bulk_create(
                GalleryImage(news_item=item, image_id=pk, position=position)
                for position, pk in enumerate(data["gallery"])
                if pk in existing
            )
        # Who deleted it and when, which the trash's row held, stay in the history.
        said = note(
            gettext_noop("Restored from the trash (deleted by %(who)s on %(when)s)"),
            who=trashed.deleted_by or "—",
            when=timezone.localtime(trashed.deleted_at).strftime("%d.%m.%Y %H:%M"),
        )
        record_revision(item=item, user=user, note=said)
        if item.translation_id:
            _set_translation(model, item.translation_id, item, user=user)
        trashed.delete()
    return item


def still_there(field, value):
    """The id `value` of relation `field`, or None if what it pointed to has gone since."""
    if value is not None and not field.related_model.objects.filter(pk=value).exists():
        return None
    return value


# --- Revisions ---------------------------------------------------------------


def restored_links(item, links):
    """The media links of a snapshot as records of `item`, written together, so cleaned here."""
    restored = [MediaLink(news_item=item, **link) for link in links]
    for link in restored:
        clean_text_fields(link)
    return restored


# Technical fields: the services or the editors set them, authors never
# (their forms do not show them, and a restore by an author keeps them).
EDITOR_ONLY_FIELDS = {
    "slug",
    "translation",
    "status",
    "published_at",
    "expire_at",
    "author",
    "version",
    "flags",
}


def content_fields(model):
    return [
        field
        for field in model._meta.get_fields()
        if field.concrete or (field.many_to_many and not field.auto_created)
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


def record_revision(*, item, user, comment: str = "", note=None):
    """
    Keep the item's content as saved now, under its current version, with
    the comment of whoever saved it or a note of the site's (see note()).
    """
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
        version=item.version,
        data=snapshot(item),
        user=user,
        comment=comment,
        note=note or {},
    )


def note(text, part=None, **values):
    """
    A note the site writes in an item's history: `text` is the English
    message (marked with gettext_noop) with %(name)s for each of `values`,
    and %(part)s for the model `part` (an image, a document), each put in
    the reader's language when the history is shown (Revision.comment_text).
    """
    found = {"text": text, "values": {name: str(value) for name, value in values.items()}}
    if part is not None:
        found["part"] = part._meta.label
    return found


def kept_on_restore(user, item):
    """
    The fields a restore by `user` leaves as they are. An author's restore
    brings back what an author may write, not the address or the pairing an
    editor chose since. Nobody's restore changes a pairing: it is a link
    between two items, not this item's content.
    """
    return {"translation"} if is_editor(user, item) else set(EDITOR_ONLY_FIELDS)


def restore_revision(*, revision, user, expected_version: int | None = None):
    """Bring the item's content back to `revision`: itself a new revision."""
    item = revision.item
    model = type(item)
    # What is kept is kept as stored now, not as a copy read earlier holds it.
    item.refresh_from_db()
    kept = kept_on_restore(user, item)
    with transaction.atomic():
        data = revision.data
        for field in content_fields(model):
            if field.name not in data or field.many_to_many or field.name in kept:
                continue
            if field.is_relation:
                # A translation or an image deleted since is not brought back.
                setattr(item, field.attname, still_there(field, data[field.name]))
            else:
                setattr(item, field.attname, field.to_python(data[field.name]))
        save_item(item=item, user=user, expected_version=expected_version)
        links = [f for f in model._meta.get_fields() if f.many_to_many and not f.auto_created]
        for field in links:
            if field.name in data:
                getattr(item, field.name).set(
                    field.related_model.objects.filter(pk__in=data[field.name])
                )
        if "media_links" in data:
            item.media_links.all().delete()
            MediaLink.objects.bulk_create(restored_links(item, data["media_links"]))
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
            note=note(gettext_noop("Restored version %(version)s"), version=revision.version),
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
    # A revision holds dates as JSON text, a fresh snapshot as dates: compared as stored.
    before, after = as_stored(before), as_stored(after)
    changes = []
    for field in content_fields(model):
        old, new = before.get(field.name), after.get(field.name)
        if old == new or (old in EMPTY and new in EMPTY):
            continue
        old_text, new_text = display(field, old), display(field, new)
        changes.append(
            Change(str(field.verbose_name), old_text, new_text, word_diff(old_text, new_text))
        )
    extras = [
        ("gallery", _("gallery"), _display_gallery),
        ("media_links", _("media links"), _display_links),
    ]
    for key, label, show in extras:
        old, new = before.get(key) or [], after.get(key) or []
        if old != new:
            old_text, new_text = show(old), show(new)
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
    rows: bool = False  # a formset's rows (the gallery, media links), not a field


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
        old_text, new_text = display(field, old), display(field, new)
        choosable = field.name in typed
        mine = typed.get(field.name)
        found.append(
            FieldConflict(
                name=field.name,
                label=str(field.verbose_name),
                theirs=new_text,
                yours=display(field, mine) if choosable else "",
                diff=word_diff(old_text, new_text),
                both=choosable and differ(old, mine),
                choosable=choosable,
            )
        )
    for key, label, show in [
        ("gallery", _("gallery"), _display_gallery),
        ("media_links", _("media links"), _display_links),
    ]:
        old, new = base.get(key) or [], theirs.get(key) or []
        if old != new:
            old_text, new_text = show(old), show(new)
            found.append(
                FieldConflict(
                    key,
                    str(label),
                    new_text,
                    "",
                    word_diff(old_text, new_text),
                    both=False,
                    choosable=False,
                    rows=True,
                )
            )
    return found


def display(field, value) -> str:
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
        return html_to_text(str(value))
    if isinstance(field, models.DateTimeField):
        value = field.to_python(value)
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d.%m.%Y %H:%M")
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


@contextlib.contextmanager
def storing_files():
    """A file that cannot be written (a full disk, a folder not writable) refuses the save."""
    try:
        yield
    except OSError as error:
        full = error.errno in (errno.ENOSPC, errno.EDQUOT)
        reason = _("the disk is full") if full else error.strerror or str(error)
        raise WorkflowError(
            _(
                "The file could not be stored (%(reason)s), so nothing was saved. "
                "Try again later, or tell the site's administrators."
            )
            % {"reason": reason}
        ) from error


def save_image(*, image):
    """
    Validate and save an uploaded image, and make its renditions (once, here,
    never when a page is shown). A file replaced by a new upload goes; if
    the renditions cannot be made, nothing of this save stays stored.
    """
    with storing_files(), transaction.atomic():
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


def add_to_gallery(*, item, image) -> GalleryImage:
    """Put `image` at the end of the gallery of the news item `item`."""
    last = item.gallery_images.aggregate(last=models.Max("position"))["last"]
    return GalleryImage.objects.create(
        news_item=item, image=image, position=0 if last is None else last + 1
    )


def discard_image_files(image):
    """
    Delete the stored file and renditions of an image whose row was rolled
    back (a save refused after the upload was stored): nothing refers to them.
    """
    if image.pk and Image.objects.filter(pk=image.pk).exists():
        return
    delete_renditions(image.renditions)
    if image.file.name:
        delete_unless_shared(Image, image.file)
