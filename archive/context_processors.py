from .models import Section


def navigation(request):
    """The top-level sections for the site's main navigation (read only when shown)."""
    return {"nav_sections": Section.objects.filter(parent=None)}
