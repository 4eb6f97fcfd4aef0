"""The public lists' paginator: Django's, told its total instead of counting it."""

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils.functional import cached_property

# Pages starting this many rows down read their ids first (see ListPaginator.page),
# and a list remembers the row at every such step (see ListPaginator.page_of_ids).
DEEP_ROWS = 1000


class ListPaginator(Paginator):
    """
    Django's Paginator whose total comes from `total()`, which the lists
    remember for the archive's generation (a COUNT reads every matching
    row). A deep page reads its ids first, then only those rows: skipping
    thousands of whole rows with their joins is what makes a deep page slow,
    and the ids come from the list's covering index.

    Given `bookmark(position, find)`, which remembers what `find()` gives
    for the archive's generation, and the date field that orders the list
    newest first (`by`, then the id), a deep page starts from the row
    remembered at a multiple of DEEP_ROWS above it: PostgreSQL then skips
    at most DEEP_ROWS index entries instead of every one above the page.
    """

    def __init__(self, object_list, per_page, *, total, bookmark=None, by=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.total = total
        self.bookmark = bookmark if by else None
        self.by = by

    @cached_property
    def count(self):
        return self.total()

    def page_of_ids(self, number):
        """Page `number` listing only the ids of its rows, for a list that draws them itself."""
        number = self.validate_number(number)
        rows, bottom = self.object_list, (number - 1) * self.per_page
        position = bottom // DEEP_ROWS * DEEP_ROWS
        if self.bookmark and position:
            marked = self.bookmark(position, lambda: self.row_at(position))
            if marked:
                rows, bottom = self.from_row(*marked), bottom - position
        ids = rows.values_list("pk", flat=True)[bottom : bottom + self.per_page]
        return Page(list(ids), number, self)

    def row_at(self, position):
        """(date, id) of the row at `position`, or None past the end."""
        return self.object_list.values_list(self.by, "pk")[position : position + 1].first()

    def from_row(self, date, pk):
        """The list from the row with `date` and `pk` on."""
        # The first condition alone is what an index on the date can start from.
        return self.object_list.filter(**{f"{self.by}__lte": date}).filter(
            Q(**{f"{self.by}__lt": date}) | Q(pk__lte=pk)
        )

    def page(self, number):
        number = self.validate_number(number)
        if (number - 1) * self.per_page < DEEP_ROWS:
            return super().page(number)
        ids = self.page_of_ids(number).object_list
        # Rows are model instances or named rows with a pk (the sitemaps').
        found = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)}
        return Page([found[pk] for pk in ids if pk in found], number, self)
