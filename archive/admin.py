from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.utils.translation import gettext_lazy as _

from .models import Body, MediaLink, NewsItem, Person, Section, Statement, Topic


class ArchiveModelAdmin(admin.ModelAdmin):
    def get_changelist_instance(self, request):
        # Django's date drill-down lets an absurd year (?published_at__year=
        # 99999999999) overflow; treat it like any other bad filter, which the
        # admin answers by reloading the list with a notice.
        try:
            return super().get_changelist_instance(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error


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


class MediaLinkInline(admin.TabularInline):
    model = MediaLink
    extra = 0
    fields = ["outlet", "title", "url", "date", "position"]


@admin.register(NewsItem)
class NewsItemAdmin(ArchiveModelAdmin):
    list_display = ["title", "section", "status", "published_at", "language"]
    list_filter = ["status", "section", "language", "topics"]
    list_select_related = ["section"]
    search_fields = ["title", "lead", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["section", "persons", "bodies", "topics"]
    inlines = [MediaLinkInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "section", "language", "lead", "body"]}),
        (_("Event"), {"fields": ["event_date", "location"]}),
        (_("Publication"), {"fields": ["status", "published_at", "expire_at"]}),
        (_("Related"), {"fields": ["persons", "bodies", "topics"]}),
        (_("Credits"), {"fields": ["media_heading", "signature", "source_url"]}),
    ]


@admin.register(Statement)
class StatementAdmin(ArchiveModelAdmin):
    list_display = ["title", "kind", "adopted_by", "adopted_on", "status", "language"]
    list_filter = ["status", "kind", "adopted_by", "language"]
    list_select_related = ["adopted_by"]
    search_fields = ["title", "slug", "text"]
    date_hierarchy = "adopted_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["adopted_by", "news_items", "topics"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "adopted_by", "adopted_on", "language"]}),
        (None, {"fields": ["text"]}),
        (_("Publication"), {"fields": ["status", "published_at", "expire_at"]}),
        (_("Related"), {"fields": ["news_items", "topics"]}),
    ]


@admin.register(MediaLink)
class MediaLinkAdmin(ArchiveModelAdmin):
    list_display = ["title", "outlet", "date", "news_item"]
    list_select_related = ["news_item"]
    search_fields = ["title", "outlet", "url"]
    list_filter = ["outlet"]
    autocomplete_fields = ["news_item"]
