"""
The admin: where editors and authors work.

News items and statements go through the editorial workflow of
archive/services.py: the state is never a form field, only a step
(submit, send back, publish or schedule, unpublish, restore) that the
services check and record. Every save is a revision, refused if someone
else saved the item since the form was opened.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AdminFileWidget
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import presence, services
from .models import (
    Attachment,
    Body,
    GalleryImage,
    Image,
    MediaLink,
    NewsItem,
    Person,
    PublicState,
    Revision,
    Section,
    Statement,
    Status,
    Topic,
    Transition,
)
from .preview import can_preview, preview_url


class ArchiveModelAdmin(admin.ModelAdmin):
    def get_changelist_instance(self, request):
        # Django's date drill-down lets an absurd year (?published_at__year=
        # 99999999999) overflow; treat it like any other bad filter, which the
        # admin answers by reloading the list with a notice.
        try:
            return super().get_changelist_instance(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error


class ObjectRuleAdmin(ArchiveModelAdmin):
    """Change and delete permissions narrowed, object by object, by a rule of the services."""

    def may_change(self, user, obj):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.may_change(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.may_change(request.user, obj))


@admin.register(Section)
class SectionAdmin(ArchiveModelAdmin):
    list_display = ["name", "slug", "parent", "position"]
    list_editable = ["position"]
    list_filter = ["parent"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Person)
class PersonAdmin(ArchiveModelAdmin):
    list_display = ["name", "position", "slug"]
    search_fields = ["name", "position", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Body)
class BodyAdmin(ArchiveModelAdmin):
    list_display = ["name", "acronym", "slug"]
    search_fields = ["name", "acronym", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(ArchiveModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ItemPartAdmin(ObjectRuleAdmin):
    """
    Media links, images and attachments: what a news item or a statement
    shows. Whoever may not change every item showing a part may not change or
    delete the part (services.can_change_part), and each change is recorded
    in the history of the items that show it.
    """

    def may_change(self, user, obj):
        return services.can_change_part(user, obj)

    def save_model(self, request, obj, form, change):
        # A media link moved to another item leaves the history of both.
        before = services.items_showing(type(obj).objects.get(pk=obj.pk)) if change else []
        self.store(obj)
        if change and not form.has_changed():
            return
        message = _("%(part)s “%(name)s” changed") if change else _("%(part)s “%(name)s” added")
        services.record_part_change(
            items=[*before, *services.items_showing(obj)],
            user=request.user,
            comment=message % {"part": capfirst(self.opts.verbose_name), "name": obj},
        )

    def store(self, obj):
        obj.save()

    def delete_model(self, request, obj):
        items = services.items_showing(obj)
        name = str(obj)
        super().delete_model(request, obj)
        services.record_part_change(
            items=items,
            user=request.user,
            comment=_("%(part)s “%(name)s” deleted")
            % {"part": capfirst(self.opts.verbose_name), "name": name},
        )

    def delete_queryset(self, request, queryset):
        # One by one, so that each deletion is in its items' history.
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Image)
class ImageAdmin(ItemPartAdmin):
    list_display = ["thumbnail", "alt_text", "caption", "credit", "size", "created_at"]
    search_fields = ["alt_text", "caption", "credit"]
    readonly_fields = ["size", "format", "preview"]
    fields = ["file", "alt_text", "caption", "credit", "size", "format", "preview"]

    def store(self, obj):
        # Validated again and saved with its renditions, made here once.
        services.save_image(image=obj)

    @admin.display(description=gettext_lazy("image"))
    def thumbnail(self, obj):
        sources = obj.sources
        if not sources:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="80" height="{}" loading="lazy">',
            default_storage.url(sources[0]["jpeg"]),
            round(80 * sources[0]["height"] / sources[0]["width"]),
        )

    @admin.display(description=gettext_lazy("size"))
    def size(self, obj):
        return f"{obj.width} × {obj.height}" if obj.width else "—"

    @admin.display(description=gettext_lazy("renditions"))
    def preview(self, obj):
        if not obj.sources:
            return "—"
        largest = obj.sources[-1]
        return format_html(
            '<img src="{}" alt="" style="max-width: 32rem; height: auto" width="{}" height="{}">'
            "<br>{}",
            default_storage.url(largest["jpeg"]),
            largest["width"],
            largest["height"],
            ", ".join(f"{s['width']} px" for s in obj.sources),
        )


class StoredDocument:
    """A stored document as the file widget shows it: its name, linked to its download view."""

    def __init__(self, field_file):
        self.name = field_file.name
        self.url = field_file.instance.get_absolute_url()

    def __str__(self):
        return self.name


class DocumentInput(AdminFileWidget):
    """
    The admin's file input for documents, whose private storage has no public
    URL: the current file links to the download view instead.
    """

    def is_initial(self, value):
        return bool(value and getattr(value, "instance", None) and value.instance.pk)

    def format_value(self, value):
        if self.is_initial(value):
            return StoredDocument(value)
        return None


@admin.register(Attachment)
class AttachmentAdmin(ItemPartAdmin):
    list_display = ["title", "kind", "human_size", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title"]
    readonly_fields = ["kind", "human_size"]
    fields = ["title", "file", "kind", "human_size"]
    formfield_overrides = {models.FileField: {"widget": DocumentInput}}

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Read only, the admin would show the file by its (missing) public URL.
            fields = ["document" if name == "file" else name for name in fields]
        return fields

    @admin.display(description=gettext_lazy("file"))
    def document(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.file.name)

    @admin.display(description=gettext_lazy("size"))
    def human_size(self, obj):
        return obj.label if obj.kind else "—"


class GalleryImageInline(admin.TabularInline):
    model = GalleryImage
    extra = 0
    fields = ["image", "position"]
    autocomplete_fields = ["image"]


# --- The editorial workflow ----------------------------------------------------


class NeedsAttentionFilter(admin.SimpleListFilter):
    """Items the importer flagged, e.g. with no date."""

    title = gettext_lazy("needs attention")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(flags="")
        if self.value() == "no":
            return queryset.filter(flags="")
        return queryset


class PublicStateFilter(admin.SimpleListFilter):
    """Status, with scheduled and expired items told apart from live ones."""

    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return PublicState.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == PublicState.LIVE:
            return queryset.published()
        if value == PublicState.SCHEDULED:
            return queryset.scheduled()
        if value == PublicState.EXPIRED:
            return queryset.expired()
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset


class WorkflowForm(forms.ModelForm):
    """A change form that knows which version of the item it was opened at."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Why the services refused this very form a moment ago (see
    # WorkflowAdmin.changeform_view): shown as the form's error.
    refusal = None
    # What someone else changed since this form was opened (find_conflict()).
    conflict = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        # Each error below brings the form back with everything typed in it.
        if self.instance.pk:
            self.conflict = self.find_conflict(cleaned)
        # A save refused for someone else's save (a race past the check
        # below) is explained by the conflict panel's message instead.
        if self.conflict is not None:
            raise ValidationError(self.conflict["message"])
        if self.refusal:
            raise ValidationError(self.refusal)
        if not self.instance.pk:
            return cleaned
        expected = cleaned.get("expected_version")
        if expected is None:
            raise ValidationError(
                _(
                    "This form did not say which version of the item it was opened at, "
                    "so saving it could overwrite someone else's changes. Nothing was "
                    "saved. Your text is still in the form below: copy what you need, "
                    "reload the page, and apply it again."
                )
            )
        self.take_theirs(cleaned)
        return cleaned

    def find_conflict(self, cleaned):
        """Someone else's save since `expected_version`: their changes beside what was typed."""
        expected = cleaned.get("expected_version")
        if expected is None:
            return None
        model = type(self.instance)
        current = model.objects.get(pk=self.instance.pk)
        if not services.changed_since(current, expected):
            return None
        base = Revision.for_item(current).filter(version=expected).first()
        typed = services.form_snapshot(model, cleaned)
        fields = services.conflicts(
            model,
            # Without the version the form was opened at, compare with what was typed.
            base=base.data if base else typed,
            theirs=services.as_stored(services.snapshot(current)),
            typed=typed,
        )
        for field in fields:
            # Who changed what is unknown without the opened version: keep what was typed.
            field.both = field.both or (base is None and field.choosable)
            chosen = self.data.get(f"conflict-{field.name}")
            # Unless chosen otherwise, their change stays where this user typed nothing.
            field.take_theirs = chosen == "theirs" if chosen else not field.both
        shown = {field.name for field in fields}
        # Choices made in an earlier conflict panel for fields not in this one still hold.
        carried = [
            (key, value)
            for key, value in self.data.items()
            if key.startswith("conflict-") and key.removeprefix("conflict-") not in shown
        ]
        # Saved again, the form goes on top of their version, with the choices
        # the user makes in the conflict panel they now see.
        self.data = self.data.copy()
        self.data["expected_version"] = current.version
        return {
            "message": services.conflict_message(current, expected, compared=True),
            "fields": fields,
            "carried": carried,
            "known": base is not None,
            "version": current.version,
        }

    def take_theirs(self, cleaned):
        """The stored values of the fields where the conflict panel's choice was "take theirs"."""
        current = self.instance
        for field in services.content_fields(type(current)):
            if field.name not in self.fields or field.name not in cleaned:
                continue
            if self.data.get(f"conflict-{field.name}") != "theirs":
                continue
            if field.many_to_many:
                cleaned[field.name] = list(getattr(current, field.name).all())
            else:
                cleaned[field.name] = getattr(current, field.name)


# The button of each workflow step on the change form.
STEP_BUTTONS = {
    "submit": gettext_lazy("Save and send to review"),
    "send_back": gettext_lazy("Save and send back to the author"),
    "publish": gettext_lazy("Save and publish or schedule"),
    "archive": gettext_lazy("Save and unpublish (archive)"),
    "restore": gettext_lazy("Save and restore to draft"),
}


class WorkflowAdmin(ObjectRuleAdmin):
    """What news items and statements share in the admin."""

    form = WorkflowForm
    change_form_template = "admin/archive/workflow_change_form.html"
    object_history_template = "admin/archive/history.html"
    actions = [
        "submit_selected",
        "publish_selected",
        "archive_selected",
        "revoke_previews_selected",
    ]
    list_filter = [PublicStateFilter, "status", "language", "author"]
    list_select_related = ["author"]

    # Permissions, checked on the server for every page, form and action.

    def may_change(self, user, obj):
        return services.can_edit(user, obj)

    def has_publish_permission(self, request):
        return services.is_editor(request.user, self.model)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # A read-only view has no form, so no version to check.
            fieldsets = [
                (
                    name,
                    {
                        **options,
                        "fields": [f for f in options["fields"] if f != "expected_version"],
                    },
                )
                for name, options in fieldsets
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status", "author", "version"]
        if not services.is_editor(request.user, self.model):
            # Authors propose content; when it goes live is an editor's call.
            readonly += ["published_at", "expire_at"]
        return readonly

    # Saving: through the services, with the version check and a revision.

    def save_model(self, request, obj, form, change):
        expected = form.cleaned_data.get("expected_version") if change else None
        services.save_item(item=obj, user=request.user, expected_version=expected)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.record_revision(item=form.instance, user=request.user)
        action = request.POST.get("workflow")
        if action:
            # Still inside the admin's transaction: a refused step undoes the save.
            self.take_step(request, form.instance, action, change=change)

    def take_step(self, request, item, action, *, change):
        if not change:
            raise services.WorkflowError(_("Save the new item first, then take a workflow step."))
        step = services.ACTIONS.get(action)
        if step is None:
            raise services.WorkflowError(_("Unknown workflow step."))
        comment = request.POST.get("workflow_comment", "")[:5000]
        if action == "publish":
            at = self.read_time(request.POST.get("workflow_at"))
            step(item=item, user=request.user, comment=comment, at=at)
        else:
            step(item=item, user=request.user, comment=comment)

    def response_change(self, request, obj):
        if request.POST.get("workflow"):
            self.message_user(request, self.done_message(obj), messages.SUCCESS)
            return HttpResponseRedirect(reverse(self.url_name("change"), args=[obj.pk]))
        return super().response_change(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "workflow_refusal", None)
        if refusal:
            form = type(form.__name__, (form,), {"refusal": refusal})
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.WorkflowError as error:
            # The admin's transaction was rolled back, so nothing was written.
            # Render the same POST again with the reason as the form's error,
            # so that everything typed comes back.
            request.workflow_refusal = str(error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.workflow_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workflow_context(self, request, obj):
        transitions = Transition.for_item(obj).select_related("user")
        last = transitions.first()
        return {
            "state": obj.public_state,
            "workflow_steps": [
                {"action": action, "button": STEP_BUTTONS[action]}
                for action in services.available_actions(request.user, obj)
            ],
            "transitions": transitions[:10],
            "sent_back": last if last and last.to_status == Status.DRAFT and last.comment else None,
            "preview_link": request.build_absolute_uri(preview_url(obj))
            if can_preview(obj)
            else None,
            "revoke_previews_url": reverse(self.url_name("revoke_previews"), args=[obj.pk])
            if services.is_editor(request.user, obj)
            else None,
            "history_url": reverse(self.url_name("history"), args=[obj.pk]),
            "now_local": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            **self.presence_context(request, obj),
        }

    def presence_context(self, request, obj):
        # Rendered on the page too, so that the notice is there before (or without) the script.
        presence.touch(user=request.user, item=obj)
        return {
            "presence_notice": presence.notice(presence.others(user=request.user, item=obj)),
            "presence_url": reverse(self.url_name("presence"), args=[obj.pk]),
            "presence_interval": int(presence.HEARTBEAT.total_seconds()),
        }

    @admin.display(description=gettext_lazy("state"), ordering="status")
    def state_badge(self, obj):
        state = obj.public_state
        return format_html('<span class="state-badge state-{}">{}</span>', state.value, state.label)

    # Extra pages: history, comparison, restore.

    def url_name(self, name):
        meta = self.model._meta
        return f"admin:{meta.app_label}_{meta.model_name}_{name}"

    def get_urls(self):
        meta = self.model._meta
        prefix = f"{meta.app_label}_{meta.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/history/<int:version>/",
                wrap(self.revision_view),
                name=f"{prefix}_revision",
            ),
            path(
                "<int:pk>/history/<int:version>/restore/",
                wrap(self.restore_view),
                name=f"{prefix}_restore",
            ),
            path(
                "<int:pk>/presence/",
                wrap(self.presence_view),
                name=f"{prefix}_presence",
            ),
            path(
                "<int:pk>/revoke-previews/",
                wrap(self.revoke_previews_view),
                name=f"{prefix}_revoke_previews",
            ),
            *super().get_urls(),
        ]

    def get_item(self, request, pk):
        item = self.get_object(request, str(pk))
        if item is None:
            raise Http404(_("No such item."))
        if not self.has_view_or_change_permission(request, item):
            raise PermissionDenied
        return item

    @staticmethod
    def read_time(value):
        """A datetime-local value from the form, in the site's time zone."""
        if not value:
            return None
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError as error:
            raise services.WorkflowError(_("Enter a valid publication time.")) from error
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment

    @staticmethod
    def done_message(item):
        state = item.public_state
        if state == PublicState.SCHEDULED:
            when = timezone.localtime(item.published_at).strftime("%d.%m.%Y %H:%M")
            return _("Saved: “%(item)s” is scheduled: it goes live on %(when)s.") % {
                "item": item,
                "when": when,
            }
        return _("Saved: “%(item)s” is now %(state)s.") % {
            "item": item,
            "state": state.label.lower(),
        }

    def history_view(self, request, object_id, extra_context=None):
        item = self.get_item(request, object_id)
        revisions = Revision.for_item(item).select_related("user")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": item,
            "title": _("History: %(item)s") % {"item": item},
            "revisions": revisions,
            "transitions": Transition.for_item(item).select_related("user"),
            "can_restore": services.can_edit(request.user, item),
            "revision_url_name": self.url_name("revision"),
        }
        return TemplateResponse(request, self.object_history_template, context)

    def revision_view(self, request, pk, version):
        item = self.get_item(request, pk)
        revisions = Revision.for_item(item)
        revision = get_object_or_404(revisions, version=version)
        previous = revisions.filter(version__lt=version).first()
        current = services.snapshot(item)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": item,
            "title": _("Version %(version)s of “%(item)s”") % {"version": version, "item": item},
            "revision": revision,
            "previous": previous,
            "changes_from_previous": services.compare(
                self.model, previous.data if previous else {}, revision.data
            ),
            "changes_to_current": services.compare(self.model, revision.data, current),
            "can_restore": services.can_edit(request.user, item)
            and revision.version != item.version,
            "restore_url": reverse(self.url_name("restore"), args=[item.pk, version]),
            "history_url": reverse(self.url_name("history"), args=[item.pk]),
        }
        return TemplateResponse(request, "admin/archive/revision.html", context)

    def restore_view(self, request, pk, version):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        item = self.get_item(request, pk)
        revision = get_object_or_404(Revision.for_item(item), version=version)
        try:
            expected = int(request.POST.get("expected_version", ""))
            services.restore_revision(
                revision=revision, user=request.user, expected_version=expected
            )
        except ValueError:
            # Without the version the page showed, a restore could undo a newer save.
            self.message_user(
                request,
                _("Reload the page and restore again: nothing was changed."),
                messages.ERROR,
            )
        except services.WorkflowError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                _("Version %(version)s was restored.") % {"version": version},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse(self.url_name("change"), args=[item.pk]))

    def presence_view(self, request, pk):
        """
        The change form's heartbeat: its user is still there (or, with
        `leave`, gone); answers who else is.
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        item = self.get_item(request, pk)
        if request.POST.get("leave"):
            presence.leave(user=request.user, item=item)
            return JsonResponse({"others": [], "notice": ""})
        presence.touch(user=request.user, item=item)
        present = presence.others(user=request.user, item=item)
        return JsonResponse({"others": present, "notice": presence.notice(present)})

    def revoke_previews_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        item = self.get_item(request, pk)
        try:
            services.revoke_preview_links(item=item, user=request.user)
        except services.WorkflowError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                _("The preview links of “%(item)s” made until now no longer work.")
                % {"item": item},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse(self.url_name("change"), args=[item.pk]))

    # Bulk actions: the same rules, item by item, with a report.

    def run_bulk(self, request, queryset, step, **kwargs):
        done, refused = [], []
        for item in queryset:
            try:
                step(item=item, user=request.user, **kwargs)
                done.append(str(item))
            except services.WorkflowError as error:
                refused.append(str(error))
        if done:
            self.message_user(
                request,
                _("Done for %(count)d: %(items)s.")
                % {"count": len(done), "items": "; ".join(done)},
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(
                request, _("Refused: %(reason)s") % {"reason": reason}, messages.WARNING
            )

    @admin.action(description=gettext_lazy("Send selected items to review"), permissions=["change"])
    def submit_selected(self, request, queryset):
        self.run_bulk(request, queryset, services.submit_for_review)

    @admin.action(description=gettext_lazy("Publish selected items"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self.run_bulk(request, queryset, services.publish)

    @admin.action(
        description=gettext_lazy("Unpublish (archive) selected items"), permissions=["publish"]
    )
    def archive_selected(self, request, queryset):
        self.run_bulk(request, queryset, services.archive)

    @admin.action(
        description=gettext_lazy("Revoke the preview links of selected items"),
        permissions=["publish"],
    )
    def revoke_previews_selected(self, request, queryset):
        self.run_bulk(request, queryset, services.revoke_preview_links)


class MediaLinkInline(admin.TabularInline):
    model = MediaLink
    extra = 0
    fields = ["outlet", "title", "url", "date", "position"]


@admin.register(NewsItem)
class NewsItemAdmin(WorkflowAdmin):
    list_display = [
        "title",
        "section",
        "state_badge",
        "published_at",
        "language",
        "author",
        "flags",
    ]
    list_filter = [*WorkflowAdmin.list_filter, NeedsAttentionFilter, "section", "topics"]
    list_select_related = ["section", "author"]
    search_fields = ["title", "lead", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = [
        "section",
        "persons",
        "bodies",
        "topics",
        "cover_image",
        "attachments",
        "translation",
    ]
    inlines = [GalleryImageInline, MediaLinkInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "expected_version",
                    "title",
                    "slug",
                    "section",
                    "language",
                    "translation",
                    "lead",
                    "body",
                ]
            },
        ),
        (gettext_lazy("Event"), {"fields": ["event_date", "location"]}),
        (
            gettext_lazy("Publication"),
            {"fields": ["status", "published_at", "expire_at", "author", "version", "flags"]},
        ),
        (gettext_lazy("Pictures and documents"), {"fields": ["cover_image", "attachments"]}),
        (gettext_lazy("Related"), {"fields": ["persons", "bodies", "topics"]}),
        (gettext_lazy("Credits"), {"fields": ["media_heading", "signature", "source_url"]}),
    ]


@admin.register(Statement)
class StatementAdmin(WorkflowAdmin):
    list_display = [
        "title",
        "kind",
        "adopted_by",
        "adopted_on",
        "state_badge",
        "language",
        "author",
    ]
    list_filter = [*WorkflowAdmin.list_filter, "kind", "adopted_by"]
    list_select_related = ["adopted_by", "author"]
    search_fields = ["title", "slug", "text"]
    date_hierarchy = "adopted_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["adopted_by", "news_items", "topics", "attachments"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "expected_version",
                    "title",
                    "slug",
                    "kind",
                    "adopted_by",
                    "adopted_on",
                    "language",
                ]
            },
        ),
        (None, {"fields": ["text"]}),
        (
            gettext_lazy("Publication"),
            {"fields": ["status", "published_at", "expire_at", "author", "version"]},
        ),
        (gettext_lazy("Related"), {"fields": ["news_items", "topics", "attachments"]}),
    ]


@admin.register(MediaLink)
class MediaLinkAdmin(ItemPartAdmin):
    list_display = ["title", "outlet", "date", "news_item"]
    list_select_related = ["news_item"]
    search_fields = ["title", "outlet", "url"]
    list_filter = ["outlet"]
    autocomplete_fields = ["news_item"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "news_item":
            # A link may go only on an item its writer may change.
            kwargs["queryset"] = services.editable_items(request.user, NewsItem)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- The editors' start page -------------------------------------------------------

admin.site.site_header = gettext_lazy("CSTO News Archive")
admin.site.site_title = gettext_lazy("CSTO News Archive")
admin.site.index_title = gettext_lazy("All content")


def desk_login(request):
    """The admin's sign-in, which leads to the editorial queue unless asked for another page."""
    if REDIRECT_FIELD_NAME in request.GET or REDIRECT_FIELD_NAME in request.POST:
        return admin.site.login(request)
    return admin.site.login(request, {REDIRECT_FIELD_NAME: reverse("editorial-queue")})


QUEUE_LENGTH = 20


def editorial_queue(request):
    """Items in review (oldest first), scheduled, my drafts, recently published."""
    now = timezone.now()
    queues = []
    for model in (NewsItem, Statement):
        meta = model._meta
        if not request.user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            continue
        items = model.objects.select_related("author")
        queues.append(
            {
                "opts": meta,
                "review": items.filter(status=Status.REVIEW).order_by("status_changed_at")[
                    :QUEUE_LENGTH
                ],
                "scheduled": items.scheduled(now).order_by("published_at")[:QUEUE_LENGTH],
                "drafts": items.filter(status=Status.DRAFT, author=request.user).order_by(
                    "-updated_at"
                )[:QUEUE_LENGTH],
                "published": items.published(now).order_by("-published_at")[:QUEUE_LENGTH],
                "counts": dict(items.values_list("status").annotate(n=Count("id")).order_by()),
            }
        )
    context = {
        **admin.site.each_context(request),
        "title": _("Editorial queue"),
        "queues": queues,
    }
    return TemplateResponse(request, "admin/archive/queue.html", context)
