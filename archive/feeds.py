"""RSS 2.0 and Atom feeds: all news, each section, statements. Public items only."""

import copy

from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from . import pagecache
from .models import Section
from .queries import STATEMENT_TEASER_FIELDS, news_teasers, statement_teasers
from .seo import ORGANISATION
from .taxonomy import section_and_below

FEED_LENGTH = 30


class AbsoluteLinksFeed(Feed):
    """A feed that knows its request, to write absolute enclosure addresses."""

    def __call__(self, request, *args, **kwargs):
        # Feed instances serve every request: each one gets its own copy.
        feed = copy.copy(self)
        feed.request = request
        response = Feed.__call__(feed, request, *args, **kwargs)
        # The feed generator writes the body in hundreds of small pieces, and a
        # WSGI server sends each piece in its own write: one piece is cheaper.
        response.content = response.content
        return response

    def item_author_name(self, item):
        # Atom asks every entry for an author (RFC 4287); an item's author is
        # an editor's account, never shown, so the organisation is named.
        return ORGANISATION


class NewsFeed(AbsoluteLinksFeed):
    title = _("CSTO news")
    description = _("The latest news of the Collective Security Treaty Organization.")

    def link(self):
        return reverse("archive:news-list")

    def items(self):
        # A feed changes only with the archive's generation.
        return pagecache.cache.get_or_set(
            pagecache.key("feed:news"), lambda: list(self.news()[:FEED_LENGTH])
        )

    @staticmethod
    def news():
        # What a teaser shows is what an entry shows (not the text).
        return news_teasers().order_by("-published_at", "-pk")

    def item_title(self, item):
        return item.title

    # A feed's description is HTML to a feed reader; leads and names are
    # plain text, so they are escaped to read as written and never run.

    def item_description(self, item):
        return escape(item.lead)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.section.name]

    # The cover image, as an enclosure: its largest JPEG rendition, whose size
    # was recorded when it was made (no file is looked at here).

    def cover(self, item):
        image = item.cover_image
        return image.sources[-1] if image and image.sources else None

    def item_enclosure_url(self, item):
        cover = self.cover(item)
        return (
            self.request.build_absolute_uri(default_storage.url(cover["jpeg"])) if cover else None
        )

    def item_enclosure_length(self, item):
        cover = self.cover(item)
        return cover.get("jpeg_bytes", 0) if cover else None

    def item_enclosure_mime_type(self, item):
        return "image/jpeg" if self.cover(item) else None


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description


class SectionFeed(NewsFeed):
    def get_object(self, request, section):
        return get_object_or_404(Section, slug=section)

    def title(self, section):
        return _("CSTO news: %(section)s") % {"section": section.name}

    def about(self, section):
        return section.description or self.title(section)

    def description(self, section):
        # HTML to an RSS reader: the plain text is escaped.
        return escape(self.about(section))

    def link(self, section):
        return section.get_absolute_url()

    def items(self, section):
        below = section_and_below(section.slug)
        return pagecache.cache.get_or_set(
            pagecache.key(f"feed:section:{section.pk}"),
            lambda: list(self.news().filter(section__in=below)[:FEED_LENGTH]),
        )


class SectionAtomFeed(SectionFeed):
    feed_type = Atom1Feed

    def subtitle(self, section):
        # Atom's subtitle is text: left as written.
        return self.about(section)


class StatementFeed(AbsoluteLinksFeed):
    title = _("CSTO statements")
    description = _("Statements, declarations, decisions and appeals of the CSTO's bodies.")

    def link(self):
        return reverse("archive:statement-list")

    def items(self):
        teasers = statement_teasers().only(*STATEMENT_TEASER_FIELDS, "published_at")
        return pagecache.cache.get_or_set(
            pagecache.key("feed:statements"),
            lambda: list(teasers.order_by("-published_at", "-pk")[:FEED_LENGTH]),
        )

    def item_title(self, statement):
        return statement.title

    def item_description(self, statement):
        return escape(_("%(kind)s adopted by the %(body)s on %(date)s.")) % {
            "kind": statement.get_kind_display(),
            "body": escape(statement.adopted_by.name),
            "date": statement.adopted_on.strftime("%d.%m.%Y"),
        }

    def item_pubdate(self, statement):
        return statement.published_at

    def item_updateddate(self, statement):
        return statement.updated_at


class StatementAtomFeed(StatementFeed):
    feed_type = Atom1Feed
    subtitle = StatementFeed.description
