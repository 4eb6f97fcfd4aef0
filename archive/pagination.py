"""The public lists' paginator: Django's, told its total instead of counting it."""

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

# Pages starting this many rows down read their ids first (see ListPaginator.page).
DEEP_ROWS = 1000


class ListPaginator(Paginator):
    """
    Django's Paginator whose total comes from `total()`, which the lists
    remember for the archive's generation (a COUNT reads every matching
    row). A deep page reads its ids first, then only those rows: skipping
    thousands of whole rows with their joins is what makes a deep page slow,
    and the ids come from the list's covering index.
    """

    def __init__(self, object_list, per_page, *, total, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.total = total

    @cached_property
    def count(self):
        return self.total()

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < DEEP_ROWS:
            return super().page(number)
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        # Rows are model instances or named rows with a pk (the sitemaps').
        found = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)}
        return Page([found[pk] for pk in ids if pk in found], number, self)
