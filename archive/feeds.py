"""
RSS 2.0 and Atom feeds: all news, each section, statements. Public items
only. Each feed is in one language, its address's (English without one,
/feeds/ru/... Russian): its items, title and `<language>` are that
language's whatever the visitor's interface language.
"""

import copy
import io

from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.http import http_date, parse_http_date
from django.utils.translation import gettext_lazy as _

from . import pagecache
from .models import Section, in_language
from .queries import STATEMENT_TEASER_FIELDS, news_teasers, statement_teasers
from .seo import ORGANISATION
from .taxonomy import section_and_below
from .templating import url

FEED_LENGTH = 30


class WrittenWhole:
    """
    A feed generator that writes its document into a string and hands it to
    the response in one piece: into the response itself it wrote hundreds
    of small pieces, each encoded and appended on its own.
    """

    def write(self, outfile, encoding):
        text = io.StringIO()
        super().write(text, encoding)
        outfile.write(text.getvalue())


class RssFeed(WrittenWhole, Rss201rev2Feed):
    pass


class AtomFeed(WrittenWhole, Atom1Feed):
    pass


class LanguageFeed(Feed):
    """
    A feed in the language its address names, that knows its request, to
    write absolute enclosure addresses.
    """

    language = "en"

    feed_type = RssFeed

    def __call__(self, request, *args, language="en", **kwargs):
        # Feed instances serve every request: each one gets its own copy.
        feed = copy.copy(self)
        feed.request = request
        feed.language = language
        # The feed's labels are in its own language, not the visitor's.
        with translation.override(language):
            response = Feed.__call__(feed, request, *args, **kwargs)
        if response.has_header("Last-Modified"):
            # Django dates a feed by its newest entry; entries show other
            # records too (a section's name), which change with the generation.
            newest = parse_http_date(response["Last-Modified"])
            response["Last-Modified"] = http_date(max(newest, pagecache.last_change()))
        return response

    def item_author_name(self, item):
        # Atom asks every entry for an author (RFC 4287); an item's author is
        # an editor's account, never shown, so the organisation is named.
        return ORGANISATION


class NewsFeed(LanguageFeed):
    title = _("CSTO news")
    description = _("The latest news of the Collective Security Treaty Organization.")

    def link(self):
        return reverse("archive:news-list")

    def items(self):
        # A feed changes only with the archive's generation.
        return pagecache.kept(f"feed:news:{self.language}", lambda: list(self.news()[:FEED_LENGTH]))

    def news(self):
        # What a teaser shows is what an entry shows (not the text).
        return news_teasers().filter(language=self.language).order_by("-published_at", "-pk")

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        # The templates' remembered reverse(): thirty addresses a request.
        return url("archive:news-detail", item.section.slug, item.slug)

    # A feed's description is HTML to a feed reader; leads and names are
    # plain text, so they are escaped to read as written and never run.

    def item_description(self, item):
        return escape(item.lead)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.section.name_in(self.language)]

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
    feed_type = AtomFeed
    subtitle = NewsFeed.description


class SectionFeed(NewsFeed):
    def get_object(self, request, section):
        return get_object_or_404(Section, slug=section)

    def title(self, section):
        return _("CSTO news: %(section)s") % {"section": section.name_in(self.language)}

    def about(self, section):
        description = in_language(self.language, section.description, section.description_ru)
        return description or self.title(section)

    def description(self, section):
        # HTML to an RSS reader: the plain text is escaped.
        return escape(self.about(section))

    def link(self, section):
        return section.get_absolute_url()

    def items(self, section):
        below = section_and_below(section.slug)
        return pagecache.kept(
            f"feed:section:{section.pk}:{self.language}",
            lambda: list(self.news().filter(section__in=below)[:FEED_LENGTH]),
        )


class SectionAtomFeed(SectionFeed):
    feed_type = AtomFeed

    def subtitle(self, section):
        # Atom's subtitle is text: left as written.
        return self.about(section)


class StatementFeed(LanguageFeed):
    title = _("CSTO statements")
    description = _("Statements, declarations, decisions and appeals of the CSTO's bodies.")

    def link(self):
        return reverse("archive:statement-list")

    def items(self):
        teasers = (
            statement_teasers()
            .filter(language=self.language)
            .only(*STATEMENT_TEASER_FIELDS, "published_at")
        )
        return pagecache.kept(
            f"feed:statements:{self.language}",
            lambda: list(teasers.order_by("-published_at", "-pk")[:FEED_LENGTH]),
        )

    def item_title(self, statement):
        return statement.title

    def item_link(self, statement):
        return url("archive:statement-detail", statement.slug)

    def item_description(self, statement):
        return escape(_("%(kind)s adopted by the %(body)s on %(date)s.")) % {
            "kind": statement.get_kind_display(),
            "body": escape(statement.adopted_by.name_in(self.language)),
            "date": statement.adopted_on.strftime("%d.%m.%Y"),
        }

    def item_pubdate(self, statement):
        return statement.published_at

    def item_updateddate(self, statement):
        return statement.updated_at


class StatementAtomFeed(StatementFeed):
    feed_type = AtomFeed
    subtitle = StatementFeed.description
