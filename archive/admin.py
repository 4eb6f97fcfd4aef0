"""
The admin: where editors and authors work.

News items and statements go through the editorial workflow of
archive/services.py: the state is never a form field, only a step
(submit, send back, publish or schedule, unpublish, restore) that the
services check and record. Every save is a revision, refused if someone
else saved the item since the form was opened.
"""

import datetime
import functools
import operator
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.options import IS_POPUP_VAR, IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AdminFileWidget, AutocompleteSelect
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import (
    Http404,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst, smart_split, unescape_string_literal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext, pgettext_lazy

from . import presence, services, taxonomy
from .models import (
    Attachment,
    Body,
    GalleryImage,
    Image,
    Language,
    MediaLink,
    NewsItem,
    NotificationSettings,
    Person,
    PublicState,
    Revision,
    Section,
    Statement,
    Status,
    Topic,
    Transition,
    TrashedItem,
)
from .preview import can_preview, preview_url
from .richtext import RichTextField, render_rich_text, same_rich_text

# Either letter, in either case: what "е" and "ё" match in an admin search.
YO = re.compile("[еёЕЁ]")
# The words an admin search looks for at most; more are left out, with a notice.
MAX_SEARCH_WORDS = 10


class ArchiveModelAdmin(admin.ModelAdmin):
    # The model's name as object of a verb ("Select … to change"), where
    # Russian declines it: "Выберите персону", not Django's "персона".
    name_as_object = None

    def titled(self, pattern):
        return pattern % self.name_as_object

    def changelist_view(self, request, extra_context=None):
        if self.name_as_object:
            may_change = self.has_change_permission(request)
            pattern = (
                pgettext("declined name", "Select %s to change")
                if may_change
                else pgettext("declined name", "Select %s to view")
            )
            extra_context = {"title": self.titled(pattern), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "refusal", None)
        if refusal:
            form = type(form.__name__, (RefusedForm, form), {"refusal": refusal})
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.WorkflowError as error:
            # The admin's transaction was rolled back, so nothing was written.
            # Render the same POST again with the reason as the form's error,
            # so that everything typed comes back.
            request.refusal = str(error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if self.name_as_object:
            if add:
                context["title"] = self.titled(pgettext("declined name", "Add %s"))
            elif self.has_change_permission(request, obj):
                context["title"] = self.titled(pgettext("declined name", "Change %s"))
            else:
                context["title"] = self.titled(pgettext("declined name", "View %s"))
        form = context["adminform"].form
        refused = getattr(request, "refusal", None) or getattr(form, "conflict", None)
        if refused and form.errors.keys() == {NON_FIELD_ERRORS}:
            # A refusal or a colleague's save is no mistake in the form: said at
            # the top, without Django's "Please correct the error below" (and
            # "Error:" in the title) over fields that are right.
            for error in form.non_field_errors():
                messages.error(request, error)
            context["errors"] = None
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_search_results(self, request, queryset, search_term):
        """
        Django's search (each word in one of the search fields), in any case
        of any alphabet, where SQLite's LIKE folds only ASCII letters, and
        with е and ё alike, as Russian writes either and the public search
        reads them.
        """
        fields = self.get_search_fields(request)
        if not (fields and search_term):
            return super().get_search_results(request, queryset, search_term)
        words = list(smart_split(search_term))
        if len(words) > MAX_SEARCH_WORDS:
            # Each word is one more scan of every row: a thousand would hold the database.
            words = words[:MAX_SEARCH_WORDS]
            messages.warning(
                request,
                _("Only the first %(count)d words were searched for.")
                % {"count": MAX_SEARCH_WORDS},
            )
        for word in words:
            if word[0] in "\"'" and word[-1] == word[0] and len(word) > 1:
                word = unescape_string_literal(word)
            pattern = YO.sub("[её]", re.escape(word))
            found = [Q(**{f"{field}__iregex": pattern}) for field in fields]
            queryset = queryset.filter(functools.reduce(operator.or_, found))
        return queryset, False

    def get_changelist_instance(self, request):
        # Django's date drill-down lets an absurd year (?published_at__year=
        # 99999999999) overflow; treat it like any other bad filter, which the
        # admin answers by reloading the list with a notice.
        try:
            return super().get_changelist_instance(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error

    def get_deleted_objects(self, objs, request):
        """
        Django's list of what a delete takes with it, without the rows that
        only link two records (an item and its persons, bodies or topics):
        it named each "NewsItem_persons object (12)", which told an editor
        nothing, and the records themselves stay.
        """
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        links = [
            opts
            for opts in link_tables(self.model)
            if not self.admin_site.is_registered(opts.model)
        ]
        labels = tuple(f"{capfirst(opts.verbose_name)}: " for opts in links)
        plurals = {str(opts.verbose_name_plural) for opts in links}

        def without_links(entries):
            kept = []
            for entry in entries:
                if isinstance(entry, list):
                    inner = without_links(entry)
                    if inner:
                        kept.append(inner)
                elif not str(entry).startswith(labels):
                    kept.append(entry)
            return kept

        counts = {name: count for name, count in counts.items() if str(name) not in plurals}
        return without_links(deleted), counts, perms_needed, protected


class RefusedForm(forms.BaseForm):
    """
    The form of a save the services refused a moment ago (see
    ArchiveModelAdmin.changeform_view): bound to what was posted, with why
    as its error, so that nothing is saved and everything typed is shown.
    """

    refusal = ""

    def clean(self):
        super().clean()
        raise ValidationError(self.refusal)


def link_tables(model):
    """The options of each table that links `model` to another, many to many, on either side."""
    tables = []
    for field in model._meta.get_fields():
        if field.many_to_many:
            through = field.remote_field.through if field.concrete else field.through
            tables.append(through._meta)
    return tables


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
    list_display = ["name", "name_ru", "slug", "parent", "position"]
    list_editable = ["position"]
    list_filter = ["parent"]
    search_fields = ["name", "name_ru", "slug", "description", "description_ru"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": [("name", "name_ru"), ("description", "description_ru")]}),
        (None, {"fields": ["slug", "parent", "position"]}),
    ]


class PublicPageAdmin(ArchiveModelAdmin):
    """
    Persons, bodies and topics have a public page only while a public item
    shows them (archive/taxonomy.py): "View on site" and the "public page"
    column and field link to it then, and otherwise say why there is none.
    """

    # Its name in the taxonomy.
    kind = None
    readonly_fields = ["public_page"]

    def public_url(self, obj):
        """The address of `obj`'s public page, or None while it has none (a 404)."""
        if obj is None or obj.pk is None:
            return None
        if taxonomy.taxonomy()[f"{self.kind}_ids"].get(obj.slug) != obj.pk:
            return None
        return obj.get_absolute_url()

    def view_on_site(self, obj):
        # None hides the button: it would lead to a 404.
        return self.public_url(obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            return fieldsets
        # Something not yet saved has no page to speak of.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "public_page"]})
            for name, options in fieldsets
        ]

    @admin.display(description=gettext_lazy("public page"))
    def public_page(self, obj):
        url = self.public_url(obj)
        if url is None:
            return _("Not public yet: no published item shows it.")
        return format_html('<a href="{}">{}</a>', url, url)


@admin.register(Person)
class PersonAdmin(PublicPageAdmin):
    kind = "person"
    name_as_object = pgettext_lazy("object of a verb", "person")
    list_display = ["name", "name_ru", "position", "slug", "public_page"]
    search_fields = ["name", "name_ru", "position", "position_ru", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": [("name", "name_ru"), ("position", "position_ru")]}),
        (None, {"fields": ["slug", "public_page"]}),
    ]


@admin.register(Body)
class BodyAdmin(PublicPageAdmin):
    kind = "body"
    list_display = ["name", "name_ru", "acronym", "slug", "public_page"]
    search_fields = ["name", "name_ru", "acronym", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": [("name", "name_ru"), ("description", "description_ru")]}),
        (None, {"fields": ["acronym", "slug", "public_page"]}),
    ]


@admin.register(Topic)
class TopicAdmin(PublicPageAdmin):
    kind = "topic"
    name_as_object = pgettext_lazy("object of a verb", "topic")
    list_display = ["name", "name_ru", "slug", "public_page"]
    search_fields = ["name", "name_ru", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [(None, {"fields": [("name", "name_ru"), "slug", "public_page"]})]


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
        if change:
            message = gettext_noop("%(part)s “%(name)s” changed")
        else:
            message = gettext_noop("%(part)s “%(name)s” added")
        services.record_part_change(
            items=[*before, *services.items_showing(obj)],
            user=request.user,
            note=services.note(message, part=self.model, name=obj),
        )

    def store(self, obj):
        with services.storing_files():
            obj.save()

    def delete_model(self, request, obj):
        items = services.items_showing(obj)
        name = str(obj)
        super().delete_model(request, obj)
        services.record_part_change(
            items=items,
            user=request.user,
            note=services.note(
                gettext_noop("%(part)s “%(name)s” deleted"), part=self.model, name=name
            ),
        )

    def delete_queryset(self, request, queryset):
        # One by one, so that each deletion is in its items' history.
        for obj in queryset:
            self.delete_model(request, obj)


def thumbnail_url(image):
    """The address of the smallest rendition of `image`, or "" before it has any."""
    smallest = image.thumbnail
    return default_storage.url(smallest["jpeg"]) if smallest else ""


class ArchiveAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete answers, with each image's thumbnail."""

    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        # Django takes a reverse relation's name (a section's "news_items")
        # for a field and fails on it with a 500: no form has such a field.
        if not isinstance(source_field, models.Field):
            raise PermissionDenied
        return term, model_admin, source_field, to_field_name

    def get_queryset(self):
        """
        Only what the form the chooser sits on accepts for this user (its
        formfield_for_foreignkey, as MediaLinkAdmin's items the user may
        change): nothing offered is then refused on save.
        """
        queryset = super().get_queryset()
        try:
            source_admin = self.admin_site.get_model_admin(self.source_field.model)
        except admin.sites.NotRegistered:
            return queryset  # a chooser of an inline row: its item's form decides
        if isinstance(self.source_field, models.ForeignKey):
            field = source_admin.formfield_for_foreignkey(self.source_field, self.request)
        else:
            field = source_admin.formfield_for_manytomany(self.source_field, self.request)
        if field is None:
            return queryset
        return queryset.filter(pk__in=field.queryset.values("pk"))

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Image):
            # Read from the row itself: no query for each result.
            result["thumbnail"] = thumbnail_url(obj)
        elif isinstance(obj, (NewsItem, Statement)):
            # Two items of one title (a stray draft and the one to pair) told apart.
            details = [obj.public_state.label, Language(obj.language).label]
            if obj.published_at:
                details.insert(1, date_format(timezone.localtime(obj.published_at), "d.m.Y"))
            result["text"] = " · ".join([result["text"], *map(str, details)])
        return result


def autocomplete_view(request):
    return ArchiveAutocompleteJsonView.as_view(admin_site=admin.site)(request)


# The site's own view, replaced before its URLs are made (admin.site.urls).
admin.site.autocomplete_view = autocomplete_view


class ImageChooser(AutocompleteSelect):
    """
    The autocomplete for an image, showing thumbnails: in each result, and
    beside the field for the image chosen (static/js/image-chooser.js).
    """

    template_name = "archive/widgets/image_chooser.html"

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["class"] += " image-chooser"
        return attrs

    def optgroups(self, name, value, attr=None):
        """The chosen image with its thumbnail, from the one query the admin's widget makes."""
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        chosen = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        for image in self.choices.queryset.using(self.db).filter(pk__in=chosen):
            label = self.choices.field.label_from_instance(image)
            option = self.create_option(name, image.pk, label, True, len(options))
            option["attrs"]["data-thumbnail"] = thumbnail_url(image)
            options.append(option)
        return [(None, options, 0)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = [
            option["attrs"]["data-thumbnail"]
            for _group, options, _index in context["widget"]["optgroups"]
            for option in options
            if option["value"] != ""
        ]
        context["widget"]["preview"] = chosen[0] if chosen else ""
        return context

    @property
    def media(self):
        # Named after autocomplete.js, the last of select2's own scripts, so
        # that the merged list loads this one after them.
        return super().media + forms.Media(
            js=["admin/js/autocomplete.js", "js/image-chooser.js"],
            css={"screen": ["admin/css/autocomplete.css", "css/image-chooser.css"]},
        )


class ImageChooserMixin:
    """Image foreign keys chosen with thumbnails (ImageChooser)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Image and "widget" not in kwargs:
            kwargs["widget"] = ImageChooser(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Image)
class ImageAdmin(ItemPartAdmin):
    list_display = ["thumbnail", "alt_text", "caption", "credit", "size", "created_at"]
    # The autocomplete of the image choosers searches these too.
    search_fields = ["alt_text", "caption", "credit", "original_name"]
    readonly_fields = ["original_name", "size", "format", "preview"]
    fields = ["file", "alt_text", "caption", "credit", "original_name", "size", "format", "preview"]

    def store(self, obj):
        # Validated again and saved with its renditions, made here once.
        services.save_image(image=obj)

    @admin.display(description=gettext_lazy("image"))
    def thumbnail(self, obj):
        smallest = obj.thumbnail
        if not smallest:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="80" height="{}" loading="lazy">',
            thumbnail_url(obj),
            round(80 * smallest["height"] / smallest["width"]),
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
    # Newest first, in the list and in an item's document picker: the one just
    # uploaded is at the top, not below older documents of the same title.
    ordering = ["-created_at", "-pk"]
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


class GalleryImageInline(ImageChooserMixin, admin.TabularInline):
    model = GalleryImage
    extra = 0
    fields = ["image", "position"]
    autocomplete_fields = ["image"]


# --- The editorial workflow ----------------------------------------------------


class NeedsAttentionFilter(admin.SimpleListFilter):
    """Items the importer flagged, e.g. with no date."""

    # Django heads a filter "By <title>": a noun, and the choices say the rest.
    title = gettext_lazy("import check")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", _("Needs attention")), ("no", _("Nothing to check"))]

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


def rich_text_display(model, field_name):
    """The read-only display of a rich-text field: its HTML, not its escaped tags."""

    @admin.display(description=model._meta.get_field(field_name).verbose_name)
    def display(model_admin, obj):
        return render_rich_text(getattr(obj, field_name))

    return display


def typed_text(item, posted, *, rich):
    """
    [{label, value, rich}] of the text fields where `posted` differs from `item`
    as stored: what a refused save would lose. The rich-text field's value is
    its HTML, sanitized, so that a copy keeps its paragraphs and lists.
    """
    typed = []
    for field in services.content_fields(type(item)):
        text_field = isinstance(field, (models.CharField, models.TextField))
        if not text_field or field.choices or field.name not in posted:
            continue
        value = posted[field.name].strip()
        stored = getattr(item, field.name) or ""
        if field.name == rich:
            if same_rich_text(value, stored):
                continue
            value = render_rich_text(value)
        elif value == stored.strip():
            continue
        typed.append(
            {"label": capfirst(field.verbose_name), "value": value, "rich": field.name == rich}
        )
    return typed


# The times an editor sets on the form and the workflow's steps set too.
WORKFLOW_TIMES = ("published_at", "expire_at")


class WorkflowForm(forms.ModelForm):
    """A change form that knows which version of the item it was opened at."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The state the item was in when the form was opened, to say after a
    # save that it went live meanwhile (published from the queue).
    opened_state = forms.CharField(widget=forms.HiddenInput, required=False)
    # What someone else changed since this form was opened (find_conflict()).
    conflict = None
    # Set by WorkflowAdmin.get_form: who is saving, to tell their own other window from a colleague.
    editing_user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
            self.fields["opened_state"].initial = self.instance.public_state.value
        # Each workflow time goes with the value the form showed (a hidden
        # copy): one left as shown is not sent back over what a step set
        # since (another editor published or scheduled the item meanwhile).
        for name in WORKFLOW_TIMES:
            if name in self.fields:
                self.fields[name].show_hidden_initial = True

    def clean(self):
        cleaned = super().clean()
        stored = self.instance  # as stored: the form is not applied yet
        if stored.pk:
            # A time left as the form showed it (empty too, on an item
            # published meanwhile) keeps the one stored now.
            for name in WORKFLOW_TIMES:
                if name in cleaned and name not in self.changed_data:
                    cleaned[name] = getattr(stored, name)
            if stored.public_state == PublicState.LIVE:
                self.keep_live(cleaned)
        # Each error below brings the form back with everything typed in it.
        if self.instance.pk:
            self.conflict = self.find_conflict(cleaned)
        # A save refused for someone else's save (a race past the check
        # below) is explained by the conflict panel's message instead.
        if self.conflict is not None:
            raise ValidationError(self.conflict["message"])
        if not self.instance.pk:
            return cleaned
        for name, field in self.fields.items():
            # The editor writes stored HTML back in its own spacing: an
            # untouched text keeps its stored form, so no change is recorded.
            stored = getattr(self.instance, name, None)
            rich = isinstance(field, RichTextField) and name in cleaned
            if rich and same_rich_text(cleaned[name], stored or ""):
                cleaned[name] = stored
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

    def keep_live(self, cleaned):
        """
        A save does not take a live item off the site by its times: that is
        the workflow's step (unpublish), which its log records and editors are told of.
        """
        now = timezone.now()
        published = cleaned.get("published_at")
        if "published_at" in self.changed_data and published is not None and published > now:
            self.add_error(
                "published_at",
                _(
                    "This item is on the public site: with a publication time still to "
                    "come, it would leave the site with no step in its log. To schedule it "
                    "again, unpublish it first, then publish it at that time."
                ),
            )
        expires = cleaned.get("expire_at")
        if "expire_at" in self.changed_data and expires is not None and expires <= now:
            self.add_error(
                "expire_at",
                _(
                    "This item is on the public site: an expiry time that has passed would "
                    "take it off now, with no step in its log. Unpublish it instead, or "
                    "choose a time still to come."
                ),
            )

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
        fields += self.time_conflicts(current, cleaned)
        for field in fields:
            chosen = self.data.get(f"conflict-{field.name}")
            # Unless chosen otherwise, their change stays where this user typed
            # nothing; without the opened version, who changed what is unknown,
            # and what was typed stays.
            keep_mine = field.both or (base is None and field.choosable)
            field.take_theirs = chosen == "theirs" if chosen else not keep_mine
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
            "message": services.conflict_message(
                current, expected, compared=True, user=self.editing_user
            ),
            "fields": fields,
            "carried": carried,
            # Saved by this same user, in another window or tab.
            "mine": services.saved_last_by(current, self.editing_user),
            "known": base is not None,
            "version": current.version,
        }

    def time_conflicts(self, current, cleaned):
        """
        The go-live and expiry times differ from the stored ones: a step
        (publish, reschedule) sets them, and revisions do not keep them, so
        they are shown against what the form holds; its user typed nothing
        there if the form still has them empty.
        """
        found = []
        for name in PUBLICATION_TIMES:
            theirs, mine = getattr(current, name), cleaned.get(name)
            if name not in self.fields or theirs == mine:
                continue
            field = current._meta.get_field(name)
            theirs_text, mine_text = services.display(field, theirs), services.display(field, mine)
            found.append(
                services.FieldConflict(
                    name=name,
                    label=str(field.verbose_name),
                    theirs=theirs_text,
                    yours=mine_text,
                    diff=services.word_diff(mine_text, theirs_text),
                    both=mine is not None,
                    choosable=True,
                )
            )
        return found

    def take_theirs(self, cleaned):
        """The stored values of the fields where the conflict panel's choice was "take theirs"."""
        current = self.instance
        fields = [*services.content_fields(type(current))]
        fields += [current._meta.get_field(name) for name in PUBLICATION_TIMES]
        for field in fields:
            if field.name not in self.fields or field.name not in cleaned:
                continue
            if self.data.get(f"conflict-{field.name}") != "theirs":
                continue
            if field.many_to_many:
                cleaned[field.name] = list(getattr(current, field.name).all())
            else:
                cleaned[field.name] = getattr(current, field.name)


# What the editor's toolbar offers is what the sanitizer keeps (archive/richtext.py).
RICH_TEXT_HELP = gettext_lazy(
    "Paragraphs, headings, bold, italic, lists, links and quotations; text pasted "
    "from Word or a web page keeps only these."
)

# Set by workflow steps as well as typed: a stale form's may be out of date.
PUBLICATION_TIMES = ("published_at", "expire_at")
# A publication time this far before the moment of publishing is named in the message.
BACKDATED = datetime.timedelta(minutes=5)


def time_zone_label(now=None) -> str:
    """The site's time zone as editors name it: "Moscow time, UTC+3"."""
    zone = timezone.get_default_timezone()
    offset = timezone.localtime(now or timezone.now(), zone).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    hours, rest = divmod(abs(minutes), 60)
    utc = "UTC" if not minutes else f"UTC{'+' if minutes > 0 else '−'}{hours}"
    if rest:
        utc += f":{rest:02d}"
    name = ZONE_NAMES.get(str(zone))
    return f"{name}, {utc}" if name else utc


# Readable names of the zones the site is likely run in; others go by their offset.
ZONE_NAMES = {"Europe/Moscow": gettext_lazy("Moscow time")}


class NewsItemForm(WorkflowForm):
    """
    The news item form, with an image to upload right here (no popup): it is
    checked like any upload (Image.clean), needs its alternative text, and
    becomes the cover or joins the gallery when the item is saved.
    """

    new_image = forms.FileField(
        label=gettext_lazy("New image"),
        required=False,
        help_text=gettext_lazy(
            "JPEG, PNG, WebP or GIF, up to 10 MB and 40 megapixels. If the form comes "
            "back with an error, choose the file again: a browser does not keep it."
        ),
    )
    new_image_alt_text = forms.CharField(
        label=gettext_lazy("Alternative text of the new image"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("What the image shows, for people who cannot see it. Required."),
    )
    new_image_caption = forms.CharField(
        label=gettext_lazy("Caption of the new image"), max_length=500, required=False
    )
    new_image_credit = forms.CharField(
        label=gettext_lazy("Credit of the new image"), max_length=200, required=False
    )
    new_image_place = forms.ChoiceField(
        label=gettext_lazy("Use the new image"),
        choices=[
            ("cover", gettext_lazy("as the cover image")),
            ("gallery", gettext_lazy("at the end of the gallery")),
        ],
        initial="cover",
        required=False,
        widget=forms.RadioSelect,
    )
    # Set by NewsItemAdmin.get_form: whether this user may add images.
    may_upload_images = False
    new_image_instance = None

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("new_image")
        if not upload:
            described = [
                name
                for name in ("new_image_alt_text", "new_image_caption", "new_image_credit")
                if cleaned.get(name, "").strip()
            ]
            if described and self.may_upload_images:
                # Saved without its file, what was typed for the image would be lost unsaid.
                self.add_error(
                    "new_image",
                    _(
                        "Choose the image file: the text typed for the new image is kept "
                        "only with it (a browser does not keep a chosen file when the form "
                        "comes back). Or clear that text to save without a new image."
                    ),
                )
            return cleaned
        if not self.may_upload_images:
            # The upload fields are not on this user's form: the error goes on top.
            self.add_error(None, _("You may not upload images."))
            return cleaned
        image = Image(
            file=upload,
            alt_text=cleaned.get("new_image_alt_text", ""),
            caption=cleaned.get("new_image_caption", ""),
            credit=cleaned.get("new_image_credit", ""),
        )
        try:
            image.full_clean()
        except ValidationError as error:
            errors = error.message_dict
            if "alt_text" in errors:
                self.add_error(
                    "new_image_alt_text",
                    _(
                        "Write the alternative text of the new image: what it shows, for "
                        "people who cannot see it. Then choose the image file again: a "
                        "browser does not keep it when the form comes back."
                    ),
                )
            for message in errors.get("file", []):
                self.add_error("new_image", message)
            if "file" in errors:
                self.add_error(
                    "new_image", _("Then choose a file again: a browser does not keep it.")
                )
            for field in set(errors) - {"alt_text", "file"}:
                self.add_error(f"new_image_{field}", errors[field])
        else:
            self.new_image_instance = image
        return cleaned


# The button of each workflow step on the change form.
STEP_BUTTONS = {
    "submit": gettext_lazy("Save and send to review"),
    "send_back": gettext_lazy("Save and send back to the author"),
    "publish": gettext_lazy("Save and publish or schedule"),
    # A scheduled item only: live at once, whatever time it was scheduled for.
    "publish_now": gettext_lazy("Save and publish now"),
    "unschedule": gettext_lazy("Save and cancel the schedule (back to draft)"),
    "archive": gettext_lazy("Save and unpublish (archive)"),
    "restore": gettext_lazy("Save and restore to draft"),
}


# A bulk action's message names this many items, then counts the others.
NAMED_ITEMS = 5


def named(items):
    """“A”; “B” and 12 more: the first NAMED_ITEMS of `items`, quoted as the language quotes."""
    names = "; ".join(_("“%(text)s”") % {"text": item} for item in items[:NAMED_ITEMS])
    if len(items) > NAMED_ITEMS:
        return _("%(names)s and %(count)d more") % {
            "names": names,
            "count": len(items) - NAMED_ITEMS,
        }
    return names


def delete_if_allowed(modeladmin, request, queryset):
    """
    Django's "Delete selected", unless the choice holds an item this user may
    not delete: then nothing is deleted, and the message names those items
    and says why, where Django spoke of permissions for a whole kind of item.
    """
    items = list(queryset)
    refused = [item for item in items if not modeladmin.has_delete_permission(request, item)]
    if refused:
        modeladmin.message_user(
            request,
            _(
                "Nothing was deleted. Items that have been published are unpublished "
                "(archived), not deleted: %(items)s."
            )
            % {"items": named(refused)},
            messages.WARNING,
        )
        return None
    gone = [item for item in items if not services.goes_to_trash(item)]
    kept = [item for item in items if services.goes_to_trash(item)]
    if kept and not request.POST.get("post"):
        modeladmin.message_user(
            request,
            _("These go to the trash, where they can be restored for %(days)s days: %(items)s.")
            % {"items": named(kept), "days": TrashedItem.TRASH_DAYS},
            messages.INFO,
        )
    if gone and not request.POST.get("post"):
        # Shown on Django's confirmation page, which says only "will be deleted".
        modeladmin.message_user(
            request,
            _(
                "These have been published, so they are deleted for good, not kept in "
                "the trash: %(items)s."
            )
            % {"items": named(gone)},
            messages.WARNING,
        )
    return delete_selected(modeladmin, request, queryset)


class WorkflowAdmin(ObjectRuleAdmin):
    """What news items and statements share in the admin."""

    form = WorkflowForm
    change_form_template = "admin/archive/workflow_change_form.html"
    change_list_template = "admin/archive/workflow_change_list.html"
    delete_confirmation_template = "admin/archive/delete_confirmation.html"
    object_history_template = "admin/archive/history.html"
    actions = [
        "submit_selected",
        "publish_selected",
        "archive_selected",
        "revoke_previews_selected",
    ]
    # The state tells scheduled and expired items apart, which the status alone does not.
    list_filter = [PublicStateFilter, "language", "author"]
    list_select_related = ["author"]
    # The field edited with the rich-text editor and shown as text when read-only.
    rich_text_field = None

    # Permissions, checked on the server for every page, form and action.

    def may_change(self, user, obj):
        return services.can_edit(user, obj)

    def has_publish_permission(self, request):
        return services.is_editor(request.user, self.model)

    def has_delete_permission(self, request, obj=None):
        # Published and archived items are archived, not deleted (but by a superuser).
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or services.may_delete(request.user, obj))

    def delete_view(self, request, object_id, extra_context=None):
        item = self.get_object(request, unquote(object_id))
        # Django's 403 says nothing of why: the reason is said on the admin's 403 page.
        if item is not None and (refusal := services.delete_refusal(request.user, item)):
            raise PermissionDenied(refusal)
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not services.is_editor(request.user, self.model):
            # An author deletes a draft of their own from its page: in bulk, Django
            # refused most choices with a message about permissions they never asked for.
            actions.pop("delete_selected", None)
        elif "delete_selected" in actions:
            _django_action, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_if_allowed, name, description)
        return actions

    class Media:
        js = ["js/unsaved-changes.js"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"editing_user": request.user})

    def get_changeform_initial_data(self, request):
        # An editor working in Russian mostly writes in Russian.
        initial = super().get_changeform_initial_data(request)
        if request.LANGUAGE_CODE in Language.values:
            initial.setdefault("language", request.LANGUAGE_CODE)
        return initial

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        hidden, shown = set(), {}
        if obj is not None and not self.has_change_permission(request, obj):
            # A read-only view has no form, so no version to check, and shows
            # the text formatted rather than as HTML source.
            hidden |= {"expected_version", "opened_state"}
            shown[self.rich_text_field] = "rich_text"
        if not services.is_editor(request.user, self.model):
            # Authors see what they write; the state is in the workflow panel.
            hidden |= services.EDITOR_ONLY_FIELDS
        fieldsets = [
            (
                name,
                {
                    **options,
                    "fields": [shown.get(f, f) for f in options["fields"] if f not in hidden],
                },
            )
            for name, options in fieldsets
        ]
        return [(name, options) for name, options in fieldsets if options["fields"]]

    def get_prepopulated_fields(self, request, obj=None):
        if not services.is_editor(request.user, self.model):
            return {}
        return super().get_prepopulated_fields(request, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == self.rich_text_field:
            kwargs["form_class"] = RichTextField
            kwargs["help_text"] = RICH_TEXT_HELP
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in ("published_at", "expire_at"):
            field.help_text = format_html(
                "{} {}",
                db_field.help_text,
                _("Date and time in %(zone)s.") % {"zone": time_zone_label()},
            )
        return field

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status", "author", "version"]
        if not services.is_editor(request.user, self.model):
            # Authors propose content; when it goes live is an editor's call.
            readonly += ["published_at", "expire_at"]
        return readonly

    # Saving: through the services, with the version check and a revision.

    def save_model(self, request, obj, form, change):
        expected = form.cleaned_data.get("expected_version") if change else None
        if not obj.slug:
            # The author's form has no slug: the address comes from the title.
            obj.slug = services.free_slug(type(obj), obj.title)
        elif change and "title" in form.changed_data and "slug" not in form.changed_data:
            # An item never public follows its new title with its address, while
            # that address is still the one made from the old title.
            # The stored title, which a merged conflict may have taken as it is.
            old_title = form.initial.get("title", "")
            if (
                obj.title != old_title
                and obj.published_at is None
                and services.slug_made_from(obj.slug, old_title)
            ):
                obj.slug = services.free_slug(type(obj), obj.title, item=obj)
        partner = obj.translation
        # Taken from another item it was the translation of (services._release_partners).
        left = partner.translation if partner and partner.translation_id != obj.pk else None
        services.save_item(item=obj, user=request.user, expected_version=expected)
        if left is not None:
            self.message_user(
                request,
                _(
                    "“%(partner)s” was paired with “%(left)s”: it is paired with this item "
                    "now, and “%(left)s” has no translation."
                )
                % {"partner": partner, "left": left},
                messages.WARNING,
            )

    def render_delete_form(self, request, context):
        # Django's page says only "will be deleted": where it goes is said too.
        context.update(
            goes_to_trash=services.goes_to_trash(context["object"]),
            trash_days=TrashedItem.TRASH_DAYS,
        )
        return super().render_delete_form(request, context)

    def delete_model(self, request, obj):
        self.delete_items(request, [obj])

    def delete_queryset(self, request, queryset):
        self.delete_items(request, list(queryset))

    def response_delete(self, request, obj_display, obj_id):
        if not getattr(request, "trashed", None) or IS_POPUP_VAR in request.POST:
            return super().response_delete(request, obj_display, obj_id)
        # Said already: "in the trash". Django's "deleted successfully" would contradict it.
        changelist = reverse(self.url_name("changelist"))
        preserved = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
        return HttpResponseRedirect(add_preserved_filters(preserved, changelist))

    def delete_items(self, request, items):
        # One by one: each draft goes to the trash, and each is checked.
        trashed = [item for item in items if services.goes_to_trash(item)]
        request.trashed = trashed
        for item in items:
            try:
                services.delete_item(item=item, user=request.user)
            except services.WorkflowError as error:
                raise PermissionDenied(str(error)) from error
        if len(trashed) == 1:
            message = _("“%(item)s” is in the trash, where it can be restored for %(days)s days.")
            self.message_user(
                request, message % {"item": trashed[0], "days": TrashedItem.TRASH_DAYS}
            )
        elif trashed:
            message = _("In the trash, where they can be restored for %(days)s days: %(items)s.")
            self.message_user(
                request, message % {"items": named(trashed), "days": TrashedItem.TRASH_DAYS}
            )

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
        self.refuse_if_state_changed(request, item)
        comment = request.POST.get("workflow_comment", "")[:5000]
        if action == "publish_now":
            if item.public_state != PublicState.SCHEDULED:
                raise services.WorkflowError(_("Only a scheduled item can be published now."))
            services.publish(item=item, user=request.user, comment=comment, at=timezone.now())
            return
        step = services.ACTIONS.get(action)
        if step is None:
            raise services.WorkflowError(_("Unknown workflow step."))
        if action == "publish":
            at = self.read_time(request.POST.get("workflow_at"))
            step(item=item, user=request.user, comment=comment, at=at)
        else:
            step(item=item, user=request.user, comment=comment)

    def refuse_if_state_changed(self, request, item):
        """
        A step pressed on a form opened while the item was in another state
        (sent back, published or unpublished meanwhile) is refused once, so
        that nobody publishes what a colleague has just sent back unawares.
        """
        try:
            opened = PublicState(request.POST.get("opened_state", ""))
        except ValueError:
            return  # a form without it (a script's post) is checked by the rules alone
        if opened == item.public_state:
            return
        # The form comes back knowing the state now: the step sent again is taken.
        request.POST = request.POST.copy()
        request.POST["opened_state"] = item.public_state.value
        raise services.WorkflowError(
            _(
                "“%(item)s” is “%(state)s” now, not “%(opened)s” as when this form was "
                "opened: the step was not taken and nothing was saved. See its workflow "
                "log, then take the step again if it still applies."
            )
            % {"item": item, "state": item.public_state.label, "opened": opened.label}
        )

    def response_change(self, request, obj):
        if request.POST.get("workflow"):
            self.message_user(request, self.done_message(obj), messages.SUCCESS)
            return HttpResponseRedirect(reverse(self.url_name("change"), args=[obj.pk]))
        opened = request.POST.get("opened_state")
        if opened and opened != PublicState.LIVE and obj.public_state == PublicState.LIVE:
            step = Transition.for_item(obj).filter(to_status=Status.PUBLISHED).first()
            self.message_user(
                request,
                _(
                    "“%(item)s” was published while this form was open (%(who)s, %(when)s): "
                    "what you saved is on the public site now."
                )
                % {
                    "item": obj,
                    "who": (step and step.user) or _("an editor"),
                    "when": step and date_format(timezone.localtime(step.created_at), "d.m.Y H:i"),
                },
                messages.WARNING,
            )
        elif opened == PublicState.LIVE and obj.public_state != PublicState.LIVE:
            self.message_user(
                request,
                _(
                    "“%(item)s” left the public site while this form was open (it is "
                    "“%(state)s” now): what you saved is not public."
                )
                % {"item": obj, "state": obj.public_state.label},
                messages.WARNING,
            )
        return super().response_change(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PermissionDenied:
            # The admin refused a save; nothing was written. An author's own
            # item, sent to review or published while the form was open, is
            # shown with what was typed; any other refusal stays a 403.
            item = None
            if request.method == "POST" and object_id is not None:
                item = self.get_object(request, unquote(object_id))
            if (
                item is None
                or item.author_id != request.user.pk
                or self.has_change_permission(request, item)
                or not self.has_view_permission(request, item)
            ):
                raise
            return self.no_longer_changeable(request, item, object_id, form_url, extra_context)

    def no_longer_changeable(self, request, item, object_id, form_url, extra_context):
        """
        A save posted after the item left this user's hands (sent to review
        from another tab, published by an editor): nothing is saved, and the
        page shows the item as it now is, with what was typed beside it to copy.
        """
        last = Transition.for_item(item).select_related("user").first()
        values = {"title": item, "state": item.public_state.label}
        if last:
            when = timezone.localtime(last.created_at).strftime("%d.%m.%Y %H:%M")
            values.update(who=last.user or "—", when=when)
            message = _(
                "You may no longer change “%(title)s”: %(who)s made it “%(state)s” on "
                "%(when)s. Nothing was saved. What you typed is below, to copy."
            )
            if last.user_id == request.user.pk:  # from another tab, say
                message = _(
                    "You may no longer change “%(title)s”: you made it “%(state)s” on "
                    "%(when)s. Nothing was saved. What you typed is below, to copy."
                )
        else:
            message = _(
                "You may no longer change “%(title)s”: it is now “%(state)s”. "
                "Nothing was saved. What you typed is below, to copy."
            )
        message %= values
        messages.error(request, message)
        typed = typed_text(item, request.POST, rich=self.rich_text_field)
        # Shown, never saved: the page is the read-only one this user may see.
        request.method = "GET"
        return super().changeform_view(
            request, object_id, form_url, {**(extra_context or {}), "typed": typed}
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.workflow_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def steps(self, request, obj):
        """The workflow steps offered on `obj`'s form: the services' own, and "publish now"."""
        steps = services.available_actions(request.user, obj)
        if "publish" in steps and obj.public_state == PublicState.SCHEDULED:
            steps.insert(steps.index("publish") + 1, "publish_now")
        return steps

    def workflow_context(self, request, obj):
        steps = self.steps(request, obj)
        transitions = Transition.for_item(obj).select_related("user")
        last = transitions.first()
        return {
            "state": obj.public_state,
            "workflow_steps": [
                {"action": action, "button": STEP_BUTTONS[action]} for action in steps
            ],
            # Only a step that sends an item back needs its comment.
            "can_send_back": "send_back" in steps,
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
            "time_zone": time_zone_label(),
            **self.presence_context(request, obj),
        }

    def presence_context(self, request, obj):
        # Rendered on the page too, so that the notice is there before (or without) the script.
        notice = presence.notice(presence.others(user=request.user, item=obj))
        if not self.has_change_permission(request, obj):
            # Someone who may only read the item is not editing it.
            return {"presence_notice": notice}
        page = presence.new_page()
        presence.touch(user=request.user, item=obj, page=page)
        return {
            "presence_notice": notice,
            "presence_url": reverse(self.url_name("presence"), args=[obj.pk]),
            "presence_page": page,
            "presence_interval": int(presence.HEARTBEAT.total_seconds()),
        }

    @admin.display(description=gettext_lazy("title"), ordering="title")
    def headline(self, obj):
        # Clipped to two lines in the list (admin.css): the whole title shows on hover.
        return format_html('<span title="{}">{}</span>', obj.title, obj.title)

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
            path("trash/", wrap(self.trash_view), name=f"{prefix}_trash"),
            path(
                "trash/<int:pk>/restore/",
                wrap(self.trash_restore_view),
                name=f"{prefix}_trash_restore",
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
    def done_message(item, *, saved=True):
        state = item.public_state
        if state == PublicState.SCHEDULED:
            when = timezone.localtime(item.published_at).strftime("%d.%m.%Y %H:%M")
            return _("Saved: “%(item)s” is scheduled: it goes live on %(when)s.") % {
                "item": item,
                "when": when,
            }
        if not saved:
            # A step taken from the queue: nothing was typed, nothing saved.
            return _("“%(item)s” is now %(state)s.") % {
                "item": item,
                "state": state.label.lower(),
            }
        if state == PublicState.DRAFT:
            return _("Saved: “%(item)s” is a draft again.") % {"item": item}
        if state == PublicState.LIVE and item.published_at < timezone.now() - BACKDATED:
            # A go-live time typed in the visitor's own clock rather than the
            # site's may have passed already: the editor is told what it became.
            when = timezone.localtime(item.published_at).strftime("%d.%m.%Y %H:%M")
            return _(
                "Saved: “%(item)s” is now published, dated %(when)s (%(zone)s), "
                "which has already passed: it appears among the news of that time."
            ) % {"item": item, "when": when, "zone": time_zone_label()}
        return _("Saved: “%(item)s” is now %(state)s.") % {
            "item": item,
            "state": state.label.lower(),
        }

    def history_view(self, request, object_id, extra_context=None):
        item = self.get_item(request, object_id)
        revisions = list(Revision.for_item(item).select_related("user"))
        # Newest first: a workflow step saves the form too, often with nothing changed.
        for newer, older in zip(revisions, revisions[1:], strict=False):
            newer.unchanged = newer.data == older.data
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
        to_current = services.compare(self.model, revision.data, current)
        kept = {
            str(self.model._meta.get_field(name).verbose_name)
            for name in services.kept_on_restore(request.user, item)
        }
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
            "changes_to_current": to_current,
            "kept_on_restore": [change.label for change in to_current if change.label in kept],
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
        except services.ConflictError:
            # A restore carries no typed text: nothing to copy, only to look again.
            item.refresh_from_db()
            self.message_user(
                request,
                _(
                    "Someone else saved this item since its history was shown (now version "
                    "%(version)s), so nothing was restored. Look at the history again, and "
                    "restore if you still need to."
                )
                % {"version": item.version},
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
        page = request.POST.get("page", "")[:32]
        if request.POST.get("leave"):
            presence.leave(user=request.user, item=item, page=page)
            return JsonResponse({"user": request.user.pk, "others": [], "notice": ""})
        # Someone who may only read the item is not editing it.
        if self.has_change_permission(request, item):
            presence.touch(user=request.user, item=item, page=page)
        present = presence.others(user=request.user, item=item)
        # Who is signed in: the page's script holds a save made for someone else.
        return JsonResponse(
            {"user": request.user.pk, "others": present, "notice": presence.notice(present)}
        )

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

    def trash_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        # Purged when looked at too, so nothing older than promised is ever offered.
        services.purge_trash()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Deleted %(items)s") % {"items": self.model._meta.verbose_name_plural},
            "trash": services.trash_for(request.user, self.model).select_related(
                "author", "deleted_by"
            ),
            "restore_url_name": self.url_name("trash_restore"),
            "trash_days": TrashedItem.TRASH_DAYS,
        }
        return TemplateResponse(request, "admin/archive/trash.html", context)

    def trash_restore_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        trashed = get_object_or_404(services.trash_for(request.user, self.model), pk=pk)
        try:
            item = services.restore_from_trash(trashed=trashed, user=request.user)
        except services.WorkflowError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(reverse(self.url_name("trash")))
        message = _("“%(item)s” was restored as a draft.") % {"item": item}
        if item.slug != trashed.data.get("slug"):
            message += " " + _(
                "Its old address “%(old)s” is used by another item now, so its address "
                "is “%(new)s”."
            ) % {"old": trashed.data.get("slug"), "new": item.slug}
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse(self.url_name("change"), args=[item.pk]))

    # Bulk actions: the same rules, item by item, with a report.

    def run_bulk(self, request, queryset, step, result=None):
        """
        `step` taken on each selected item, and one line for each state the
        items are now in ("Published: …", "Scheduled: …"), or `result`'s
        for a step that changes no state, and one for each refusal.
        """
        done, refused = {}, {}
        for item in queryset:
            try:
                step(item=item, user=request.user)
            except services.WorkflowError as error:
                refused.setdefault(str(error), []).append(str(item))
                continue
            done.setdefault(str(result or item.public_state.label), []).append(str(item))
        for state, items in done.items():
            self.message_user(
                request,
                _("%(result)s: %(items)s.") % {"result": state, "items": named(items)},
                messages.SUCCESS,
            )
        for reason, items in refused.items():
            if all(item in reason for item in items):
                message = _("Refused: %(reason)s") % {"reason": reason}
            else:
                # A reason that does not name its items ("Only the item's author…").
                message = _("Refused for %(items)s: %(reason)s") % {
                    "items": named(items),
                    "reason": reason,
                }
            self.message_user(request, message, messages.WARNING)

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
        self.run_bulk(
            request,
            queryset,
            services.revoke_preview_links,
            result=_("Preview links made until now no longer work"),
        )


class MediaLinkInline(admin.TabularInline):
    model = MediaLink
    extra = 0
    fields = ["outlet", "title", "url", "date", "position"]


UPLOAD_FIELDS = [
    "new_image",
    "new_image_alt_text",
    "new_image_caption",
    "new_image_credit",
    "new_image_place",
]


@admin.register(NewsItem)
class NewsItemAdmin(ImageChooserMixin, WorkflowAdmin):
    form = NewsItemForm
    list_display = [
        "headline",
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
    rich_text_field = "body"
    rich_text = rich_text_display(NewsItem, "body")
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "expected_version",
                    "opened_state",
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
        (gettext_lazy("Upload a new image"), {"fields": UPLOAD_FIELDS}),
        (gettext_lazy("Related"), {"fields": ["persons", "bodies", "topics"]}),
        (
            gettext_lazy("Credits"),
            {"fields": ["media_heading", "signature", "contact", "source_url"]},
        ),
    ]

    # Uploading an image on the item's own form.

    def may_upload_images(self, request, obj):
        may_change = obj is None or self.has_change_permission(request, obj)
        return may_change and request.user.has_perm("archive.add_image")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.may_upload_images(request, obj):
            fieldsets = [each for each in fieldsets if each[1]["fields"] != UPLOAD_FIELDS]
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        allowed = self.may_upload_images(request, obj)
        return type(form.__name__, (form,), {"may_upload_images": allowed})

    def save_model(self, request, obj, form, change):
        image = form.new_image_instance
        if image is not None:
            services.save_image(image=image)
            # Known to changeform_view, which removes its files if the save is undone.
            request.new_image = image
            if form.cleaned_data.get("new_image_place") != "gallery":
                obj.cover_image = image
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        image = form.new_image_instance
        if image is not None and form.cleaned_data.get("new_image_place") == "gallery":
            services.add_to_gallery(item=form.instance, image=image)
        super().save_related(request, form, formsets, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        image = getattr(request, "new_image", None)
        if image is not None:
            # A refused workflow step rolls the image's row back; its files go too.
            services.discard_image_files(image)
        return response


@admin.register(Statement)
class StatementAdmin(WorkflowAdmin):
    list_display = [
        "headline",
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
    autocomplete_fields = ["adopted_by", "news_items", "topics", "attachments", "translation"]
    rich_text_field = "text"
    rich_text = rich_text_display(Statement, "text")
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "expected_version",
                    "opened_state",
                    "title",
                    "slug",
                    "kind",
                    "adopted_by",
                    "adopted_on",
                    "language",
                    "translation",
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
    name_as_object = pgettext_lazy("object of a verb", "media link")
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


def with_last_step(items, model):
    """
    `items` with their last workflow step (comment, states, who, when) as
    columns of the same query, so that the queue's count of queries does not
    grow with its length.
    """
    steps = Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk")
    ).order_by("-created_at", "-id")
    return items.annotate(
        last_comment=Subquery(steps.values("comment")[:1]),
        last_from=Subquery(steps.values("from_status")[:1]),
        last_to=Subquery(steps.values("to_status")[:1]),
        last_by=Subquery(steps.values("user__username")[:1]),
        last_at=Subquery(steps.values("created_at")[:1]),
    )


def editorial_queue(request):
    """
    Items in review (oldest first), sent back to me, scheduled, my drafts,
    recently published: one table each, with how long each item has waited
    and its last workflow comment.
    """
    now = timezone.now()
    queues = []
    for model in (NewsItem, Statement):
        meta = model._meta
        if not request.user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            continue
        items = with_last_step(model.objects.select_related("author"), model)
        if model is NewsItem:
            items = items.select_related("section")
        mine = items.filter(status=Status.DRAFT, author=request.user)
        lists = {
            "review": items.filter(status=Status.REVIEW).order_by("status_changed_at"),
            "sent_back": mine.filter(
                last_from=Status.REVIEW, last_to=Status.DRAFT, last_comment__gt=""
            ).order_by("-status_changed_at"),
            "scheduled": items.scheduled(now).order_by("published_at"),
            "drafts": mine.order_by("-updated_at"),
            "published": items.published(now).order_by("-published_at"),
        }
        queue = {
            "opts": meta,
            "is_editor": services.is_editor(request.user, model),
            "trash_url": reverse(f"admin:{meta.app_label}_{meta.model_name}_trash"),
        }
        for name, rows in lists.items():
            queue[name] = list(rows[:QUEUE_LENGTH])
            for item in queue[name]:
                item.preview_link = preview_url(item) if can_preview(item) else None
        # A draft sent back is listed once, under "Sent back to you".
        sent_back = {item.pk for item in queue["sent_back"]}
        queue["drafts"] = [item for item in queue["drafts"] if item.pk not in sent_back]
        queue["counts"] = dict(items.values_list("status").annotate(n=Count("id")).order_by())
        queues.append(queue)
    context = {
        **admin.site.each_context(request),
        "title": _("Editorial queue"),
        "queues": queues,
    }
    return TemplateResponse(request, "admin/archive/queue.html", context)


QUEUE_MODELS = {"newsitem": NewsItem, "statement": Statement}


def session_check(request):
    """
    Asked by a new item's form before it is sent (static/js/presence.js):
    who is signed in here, for a request with the session's CSRF token.
    Signed out, the admin answers with its sign-in page; with a token the
    session no longer takes (signed in again elsewhere), the CSRF check
    answers 403, and the script asks again with the session's new one.
    """
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return JsonResponse({"user": request.user.pk})


def queue_publish(request, model_name, pk):
    """
    The queue's Publish button: the item goes live (or is scheduled for the
    time already set on it), as from its own page, and the editor is back
    on the queue.
    """
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    model = QUEUE_MODELS.get(model_name)
    if model is None:
        raise Http404(_("No such item."))
    item = get_object_or_404(model, pk=pk)
    if not services.is_editor(request.user, item):
        raise PermissionDenied
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponseBadRequest(_("The item's version is missing or not a number."))
    if version != item.version:
        # The queue was out of date: the editor publishes what they saw or nothing.
        messages.error(
            request,
            _("“%(item)s” was changed since the queue was loaded: open it and check it first.")
            % {"item": item},
        )
    else:
        try:
            services.publish(item=item, user=request.user)
        except services.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, WorkflowAdmin.done_message(item, saved=False))
    return HttpResponseRedirect(reverse("editorial-queue"))


class NotificationsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["email"]


def my_notifications(request):
    """The signed-in user's own notification settings; nobody else's are reachable."""
    own = NotificationSettings.objects.filter(user=request.user).first()
    form = NotificationsForm(
        request.POST if request.method == "POST" else None,
        instance=own or NotificationSettings(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings were saved."))
        return HttpResponseRedirect(reverse("my-notifications"))
    context = {
        **admin.site.each_context(request),
        "title": _("My notifications"),
        "form": form,
        "has_email": bool(request.user.email),
    }
    return TemplateResponse(request, "admin/archive/notifications.html", context)
