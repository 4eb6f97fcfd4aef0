from django import template

from archive.search import snippet

register = template.Library()


@register.simple_tag
def search_snippet(obj, query):
    """Where `obj` matches `query`, with the matches in <mark>."""
    return snippet(obj, query)
