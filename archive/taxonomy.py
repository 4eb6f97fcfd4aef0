"""
Sections, persons, bodies and topics as the public pages list them: read
once per generation of the archive (archive/pagecache.py) and kept in the
cache, so that menus and filter forms cost no query per request.
"""

from django.core.cache import cache

from . import pagecache

# The number changes with what a taxonomy holds, so that a shared cache never
# hands new code an older layout.
KEY = "taxonomy:4:{}"
# This process's copy for the newest generation it has seen: a filtered list
# asks for the taxonomy seven times (menu, choices, section filter), and each
# read of the cache unpickled it again.
latest = {}
# Section objects built from that copy: {taxonomy key: {pk: Section}}.
section_objects = {}


def taxonomy():
    """
    {"section": [(slug, name), ...], "section_ids": {slug: pk}, "tree": {pk: parent_pk},
    "section_by_id": {pk: (slug, name)}, "descriptions": {pk: description},
    "top": [...], and "person", "person_ids" and the same for bodies and topics}.
    Sections are in their order (position, name); persons, bodies and topics
    are only those that a published news item or statement shows.
    """
    key = KEY.format(pagecache.generation())
    found = latest.get(key) or cache.get(key)
    if found is None:
        found = load()
        cache.set(key, found, None)
    if key not in latest:
        latest.clear()
        section_objects.clear()
        latest[key] = found
    return found


def load():
    from django.db.models import Q

    from .models import Body, NewsItem, Person, Section, Statement, Topic

    sections = list(Section.objects.values_list("pk", "slug", "name", "parent_id"))
    descriptions = Section.objects.exclude(description="").values_list("pk", "description")
    data = {
        "section": [(slug, name) for _, slug, name, _ in sections],
        "section_ids": {slug: pk for pk, slug, _, _ in sections},
        "tree": {pk: parent for pk, _, _, parent in sections},
        "section_by_id": {pk: (slug, name) for pk, slug, name, _ in sections},
        "descriptions": dict(descriptions),
        "top": [(slug, name) for _, slug, name, parent in sections if parent is None],
    }
    # Only persons, bodies and topics that a public item shows: one that only
    # drafts name is as hidden as the drafts.
    news = NewsItem.objects.published()
    statements = Statement.objects.published()
    public = {
        "person": Q(pk__in=news.values("persons")),
        "body": Q(pk__in=news.values("bodies")) | Q(pk__in=statements.values("adopted_by")),
        "topic": Q(pk__in=news.values("topics")) | Q(pk__in=statements.values("topics")),
    }
    for kind, model in (("person", Person), ("body", Body), ("topic", Topic)):
        rows = list(model.objects.filter(public[kind]).values_list("pk", "slug", "name"))
        data[kind] = [(slug, name) for _, slug, name in rows]
        data[f"{kind}_ids"] = {slug: pk for pk, slug, _ in rows}
    return data


def choices(kind):
    """Choices for a filter form: a callable, read when the form is built."""
    return lambda: taxonomy()[kind]


def section_and_below(slug):
    """The ids of section `slug` and of every section below it."""
    data = taxonomy()
    root = data["section_ids"].get(slug)
    if root is None:
        return []
    children = {}
    for pk, parent in data["tree"].items():
        children.setdefault(parent, []).append(pk)
    ids, todo = [], [root]
    while todo:
        pk = todo.pop()
        ids.append(pk)
        todo.extend(children.get(pk, []))
    return ids


def ancestors(section_pk):
    """[(slug, name), ...] of the sections above section `section_pk`, outermost first."""
    data = taxonomy()
    chain = []
    parent = data["tree"].get(section_pk)
    while parent is not None and len(chain) < len(data["tree"]):  # never loop on a bad tree
        chain.insert(0, data["section_by_id"][parent])
        parent = data["tree"].get(parent)
    return chain


def sections():
    """
    {pk: Section} of this generation, in their order, each with its name,
    slug, description and parent (the position deferred), built once per
    process: lists take an item's section from here, not from a join, and a
    section's page its section. Read only; shared by every request.
    """
    from django.db import DEFAULT_DB_ALIAS

    from .models import Section

    data = taxonomy()
    key = KEY.format(pagecache.generation())
    found = section_objects.get(key)
    if found is None:
        found = {}
        for pk, (slug, name) in data["section_by_id"].items():
            known = {
                "id": pk,
                "slug": slug,
                "name": name,
                "description": data["descriptions"].get(pk, ""),
                "parent_id": data["tree"][pk],
            }
            # from_db() takes the values in the order of the model's fields.
            names = [f.attname for f in Section._meta.concrete_fields if f.attname in known]
            found[pk] = Section.from_db(DEFAULT_DB_ALIAS, names, [known[n] for n in names])
        section_objects[key] = found
    return found


def section_by_slug(slug):
    """Section `slug` (as sections() gives it), or None."""
    pk = taxonomy()["section_ids"].get(slug)
    return sections().get(pk) if pk is not None else None


def subsections(section_pk):
    """[Section, ...] of the sections right below `section_pk`, in their order."""
    tree = taxonomy()["tree"]
    return [section for pk, section in sections().items() if tree[pk] == section_pk]
