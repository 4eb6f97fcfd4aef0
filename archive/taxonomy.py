"""
Sections, persons, bodies and topics as the public pages list them, and the
one place where the section tree is walked.

The taxonomy is read once per generation of the archive (archive/pagecache.py)
and kept in the cache, so that menus and filter forms cost no query per request.
"""

import functools
import operator

from django.core.cache import cache
from django.db.models import OuterRef, Q, Subquery

from . import pagecache
from .models import Body, NewsItem, Person, Section, Statement, Topic, active_language, in_language

# The number changes with what a taxonomy holds, so that a shared cache never
# hands new code an older layout.
KEY = "taxonomy:6:{}"
LANGUAGES = ("en", "ru")
# This process's copy for the newest generation it has seen: a page asks for
# the taxonomy several times, and each read of the cache would unpickle it again.
latest = {}


def taxonomy():
    """
    The taxonomy in the visitor's language: names are in that language, or
    in the other where it has none. Both languages are read and kept together.

    {"sections": {pk: Section}, "section": [(slug, name), ...], "section_ids": {slug: pk},
    "tree": {pk: parent_pk}, "section_by_id": {pk: (slug, name)},
    "descriptions": {pk: description}, "top": [...], and "person", "person_ids"
    and the same for bodies and topics}.
    Sections are in their order (position, name); persons, bodies and topics
    are only those that a published news item or statement shows, by name in each language.
    """
    key = KEY.format(pagecache.generation())
    found = latest.get(key) or cache.get(key)
    if found is None:
        found = load()
        cache.set(key, found, None)
    if key not in latest:
        latest.clear()
        latest[key] = found
    return found[active_language()]


def load():
    """{language: taxonomy} for both languages, from one reading of the database."""
    sections = list(Section.objects.all())
    kinds = public_tags()
    return {language: in_one(language, sections, kinds) for language in LANGUAGES}


def in_one(language, sections, kinds):
    data = {
        "sections": {section.pk: section for section in sections},
        "section": [(section.slug, section.name_in(language)) for section in sections],
        "section_ids": {section.slug: section.pk for section in sections},
        "tree": tree_of(sections),
        "section_by_id": {
            section.pk: (section.slug, section.name_in(language)) for section in sections
        },
        "descriptions": {
            section.pk: in_language(language, section.description, section.description_ru)
            for section in sections
        },
        "top": [
            (section.slug, section.name_in(language))
            for section in sections
            if section.parent_id is None
        ],
    }
    for kind, rows in kinds.items():
        # In the order of their names in this language, as a visitor looks for them.
        data[kind] = sorted(
            ((slug, in_language(language, name, name_ru)) for _, slug, name, name_ru in rows),
            key=lambda choice: choice[1].casefold(),
        )
        data[f"{kind}_ids"] = {slug: pk for pk, slug, _, _ in rows}
    return data


def public_tags():
    """{kind: [(pk, slug, name, name_ru), ...]} of the persons, bodies, topics public items show."""
    # Only persons, bodies and topics that a public item shows: one that only
    # drafts name is as hidden as the drafts.
    news, statements = NewsItem.objects.published(), Statement.objects.published()
    shown = {
        Person: [first_link(NewsItem.persons.through, "person", news)],
        Body: [
            first_link(NewsItem.bodies.through, "body", news),
            Subquery(statements.filter(adopted_by=OuterRef("pk")).values("pk")[:1]),
        ],
        Topic: [
            first_link(NewsItem.topics.through, "topic", news),
            first_link(Statement.topics.through, "topic", statements, "statement"),
        ],
    }
    found = {}
    for kind, model in (("person", Person), ("body", Body), ("topic", Topic)):
        links = {f"link{number}": link for number, link in enumerate(shown[model])}
        rows = model.objects.annotate(**links).filter(
            functools.reduce(operator.or_, [Q(**{f"{name}__isnull": False}) for name in links])
        )
        found[kind] = list(rows.values_list("pk", "slug", "name", "name_ru"))
    return found


def first_link(through, field, public, item_field="newsitem"):
    """
    The first link of a tag to a public record, as a subquery: a first row
    per tag, not a join of every link, which PostgreSQL made of EXISTS and
    of IN and which read the whole archive after each publish.
    """
    links = through.objects.filter(**{field: OuterRef("pk"), f"{item_field}__in": public})
    return Subquery(links.values("pk")[:1])


def choices(kind):
    """Choices for a filter form: a callable, read when the form is built."""
    return lambda: taxonomy()[kind]


# --- Walking the tree ---------------------------------------------------------
# A tree is {section pk: parent pk or None}; these work on any such tree, the
# cached one or one just read from the database.


def tree_of(sections):
    """{pk: parent pk} of `sections` (Section objects)."""
    return {section.pk: section.parent_id for section in sections}


def ids_below(tree, root):
    """[root, and the id of every section below it]."""
    children = {}
    for pk, parent in tree.items():
        children.setdefault(parent, []).append(pk)
    ids, todo = [], [root]
    while todo:
        pk = todo.pop()
        if pk in ids:  # never loop on a bad tree
            continue
        ids.append(pk)
        todo.extend(children.get(pk, []))
    return ids


def ids_above(tree, pk):
    """[ids of the sections above `pk`], outermost first."""
    chain = []
    parent = tree.get(pk)
    while parent is not None and parent not in chain and parent != pk:  # never loop on a bad tree
        chain.insert(0, parent)
        parent = tree.get(parent)
    return chain


def section_and_below(slug):
    """The ids of section `slug` and of every section below it."""
    data = taxonomy()
    root = data["section_ids"].get(slug)
    return [] if root is None else ids_below(data["tree"], root)


def ancestors(section_pk):
    """[(slug, name), ...] of the sections above section `section_pk`, outermost first."""
    data = taxonomy()
    return [data["section_by_id"][pk] for pk in ids_above(data["tree"], section_pk)]


def sections():
    """
    {pk: Section} of this generation, in their order: lists take an item's
    section from here, not from a join. Read only; shared by every request.
    """
    return taxonomy()["sections"]


def section_by_slug(slug):
    """Section `slug` (as sections() gives it), or None."""
    pk = taxonomy()["section_ids"].get(slug)
    return sections().get(pk) if pk is not None else None


def subsections(section_pk):
    """[Section, ...] of the sections right below `section_pk`, in their order."""
    tree = taxonomy()["tree"]
    return [section for pk, section in sections().items() if tree[pk] == section_pk]
