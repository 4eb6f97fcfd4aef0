import datetime
import html
import re

import factory
from django.utils import timezone

from archive.models import (
    Body,
    Language,
    MediaLink,
    NewsItem,
    Person,
    Section,
    Statement,
    Status,
    Topic,
)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")
    position = "CSTO Secretary General"


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    name = factory.Sequence(lambda n: f"Council {n}")
    slug = factory.Sequence(lambda n: f"council-{n}")
    acronym = "CFM"


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class NewsItemFactory(factory.django.DjangoModelFactory):
    """A public news item, published a day ago unless told otherwise."""

    class Meta:
        model = NewsItem

    title = factory.Sequence(lambda n: f"News item {n}")
    slug = factory.Sequence(lambda n: f"news-item-{n}")
    section = factory.SubFactory(SectionFactory)
    lead = "A lead."
    body = "<p>The body.</p>"
    language = Language.ENGLISH
    status = Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))


class MediaLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaLink

    news_item = factory.SubFactory(NewsItemFactory)
    outlet = "TASS"
    title = factory.Sequence(lambda n: f"Report {n}")
    url = factory.Sequence(lambda n: f"https://example.org/report-{n}/")


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    title = factory.Sequence(lambda n: f"Statement {n}")
    slug = factory.Sequence(lambda n: f"statement-{n}")
    kind = Statement.Kind.STATEMENT
    adopted_by = factory.SubFactory(BodyFactory)
    adopted_on = datetime.date(2020, 5, 26)
    text = "<p>The text.</p>"
    language = Language.ENGLISH
    status = Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        """UserFactory(role="author") or "editor": a member of that group."""
        if extracted:
            from archive.roles import give_role

            give_role(user, extracted)


# A teaser's link, as a list page draws it: its address and its title.
TEASER_LINK = re.compile(
    r'<h3 class="teaser__title"><a href="([^"?]*)[^"]*"[^>]*>(.*?)</a></h3>', re.S
)


def teasers_shown(response):
    """[(address, title)] of the teasers a list page shows, in order."""
    return [(url, html.unescape(title)) for url, title in TEASER_LINK.findall(response.text)]


def titles_shown(response):
    """The titles of the teasers a list page shows, in order."""
    return [title for _, title in teasers_shown(response)]
