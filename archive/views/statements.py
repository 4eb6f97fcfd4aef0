"""The statements list and a statement's page."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView
from django_filters.views import FilterView

from .. import backlink, queries
from ..filters import StatementFilter
from ..models import Statement
from ..seo import STATEMENT_TRANSLATION_LABELS
from .mixins import ItemDetailMixin, PublicListMixin


class StatementListView(PublicListMixin, FilterView):
    filterset_class = StatementFilter
    template_name = "archive/statement_list.html"
    teaser_kind = "statement"
    teaser_options = {}
    ordered_by = "adopted_on"

    def get_queryset(self):
        return queries.statement_teasers()

    def facets(self, queryset):
        return {"years": queries.year_counts(queryset, "adopted_on")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(crumbs=[(_("Statements"), None)], **kwargs)


class StatementDetailView(ItemDetailMixin, DetailView):
    model = Statement
    context_object_name = "statement"
    template_name = "archive/statement_detail.html"

    def detail_queryset(self):
        return queries.statement_page()

    def get_context_data(self, **kwargs):
        crumbs = [(_("Statements"), reverse("archive:statement-list")), (self.object.title, None)]
        translation = self.object.translation
        if translation is not None and not translation.is_public:
            translation = None
        return super().get_context_data(
            back_url=backlink.link(self.request),
            crumbs=crumbs,
            translation=translation,
            translation_label=STATEMENT_TRANSLATION_LABELS.get(
                getattr(translation, "language", "")
            ),
            **kwargs,
        )
