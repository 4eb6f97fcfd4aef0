"""Persons, statutory bodies and topics: their indexes, and each one's news."""

import itertools

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from .. import queries, taxonomy
from ..models import Body, Person, Topic
from .mixins import PublicListMixin

INDEX_TITLES = {
    "person": gettext_lazy("Persons"),
    "body": gettext_lazy("Statutory bodies"),
    "topic": gettext_lazy("Topics"),
}


class RelatedNewsView(PublicListMixin, ListView):
    """A person, a statutory body or a topic, with its news, newest first."""

    model = None
    # How news items point to the object, e.g. "persons".
    news_lookup = None
    context_object_name = "items"
    # Its name in the taxonomy, which holds only what public items show.
    kind = None

    def get(self, request, *args, **kwargs):
        pk = taxonomy.taxonomy()[f"{self.kind}_ids"].get(kwargs["slug"])
        if pk is None:
            raise Http404(_("Nothing public is filed under this name."))
        self.object = get_object_or_404(self.model, pk=pk)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return queries.news_teasers().filter(**{self.news_lookup: self.object.pk})

    def get_context_data(self, **kwargs):
        index = (INDEX_TITLES[self.kind], reverse(f"archive:{self.kind}-list"))
        crumbs = [index, (self.object.display_name, None)]
        return super().get_context_data(object=self.object, crumbs=crumbs, **kwargs)


class PersonDetailView(RelatedNewsView):
    model = Person
    kind = "person"
    news_lookup = "persons"
    template_name = "archive/person_detail.html"


class BodyDetailView(RelatedNewsView):
    model = Body
    kind = "body"
    news_lookup = "bodies"
    template_name = "archive/body_detail.html"

    def get_context_data(self, **kwargs):
        statements = queries.statement_teasers().filter(adopted_by=self.object)
        return super().get_context_data(
            statements=statements[: queries.RELATED_STATEMENTS], **kwargs
        )


class TopicDetailView(RelatedNewsView):
    model = Topic
    kind = "topic"
    news_lookup = "topics"
    template_name = "archive/topic_detail.html"

    def get_context_data(self, **kwargs):
        statements = queries.statement_teasers().filter(topics=self.object)
        return super().get_context_data(
            statements=statements[: queries.RELATED_STATEMENTS], **kwargs
        )


def filed_as(name):
    """`name` as an index files it: lower case, from its first letter or digit («Rubezh»: R)."""
    text = name.casefold().replace("ё", "е")
    start = next((i for i, char in enumerate(text) if char.isalnum()), len(text))
    return text[start:] or text


def alphabetical_key(name, language):
    """
    Where `name` goes in an index read in `language`: names in the reader's
    alphabet first (Cyrillic for Russian, Latin for English), case ignored,
    ё filed with е as Russian dictionaries do.
    """
    text = filed_as(name)
    cyrillic = "\u0400" <= text[:1] <= "\u04ff"
    return (cyrillic != (language == "ru"), text, name)


def initial(name):
    """The letter `name` is filed under in an index."""
    return filed_as(name)[:1].upper() or "?"


class IndexView(TemplateView):
    """
    /persons/, /bodies/, /topics/: every one of a kind that public items
    show (the taxonomy's), alphabetically in the visitor's language, under
    their initials, each with its number of public items.
    """

    template_name = "archive/index.html"
    # Its name in the taxonomy.
    kind = None
    # Reads no parameter: the page cache drops any query string (see pagecache.used_params).
    query_params = ()

    def get_context_data(self, **kwargs):
        data = taxonomy.taxonomy()
        ids = data[f"{self.kind}_ids"]
        counts = queries.public_counts(self.kind)
        language = get_language()
        entries = sorted(
            (
                (
                    name,
                    reverse(f"archive:{self.kind}-detail", args=[slug]),
                    counts.get(ids[slug], 0),
                )
                for slug, name in data[self.kind]
            ),
            key=lambda entry: alphabetical_key(entry[0], language),
        )
        letters = [
            (letter, list(group))
            for letter, group in itertools.groupby(entries, key=lambda entry: initial(entry[0]))
        ]
        return super().get_context_data(
            title=INDEX_TITLES[self.kind],
            letters=letters,
            crumbs=[(INDEX_TITLES[self.kind], None)],
            **kwargs,
        )
