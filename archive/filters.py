"""
Filters of the public lists, read from the query string.

Bad input (an impossible date, an unknown slug, a year out of range, a
10,000-character text) becomes a form error shown above the list, never an
exception.
"""

import copy
import datetime
import functools

import django_filters
from django import forms
from django.db import models
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from markupsafe import escape

from .models import Language, NewsItem, Statement
from .pagecache import count_key
from .search import search, words_of
from .taxonomy import choices, section_and_below, taxonomy

MAX_QUERY_LENGTH = 200
FIRST_YEAR, LAST_YEAR = 1992, 2100  # the Collective Security Treaty was signed in 1992


def attributes(attrs):
    """
    HTML attributes as Django's flatatt() writes them (in its order), with
    markupsafe's escape: Django's helpers check every argument for a lazy
    string first, and were a sixth of a filter form's time.
    """
    pairs = sorted((key, value) for key, value in attrs.items() if not isinstance(value, bool))
    names = sorted(key for key, value in attrs.items() if value is True)
    return "".join(
        [f' {key}="{escape(value)}"' for key, value in pairs if value is not None]
        + [f" {key}" for key in names]
    )


class QuickInput:
    """
    An <input> written in Python, for the same reason as QuickSelect: each
    one took three templates (input, attrs and its type's) to render.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value = widget["value"]
        value = f' value="{escape(value)}"' if value is not None else ""
        html = f'<input type="{escape(widget["type"])}" name="{escape(name)}"{value}'
        return mark_safe(f"{html}{attributes(widget['attrs'])}>")  # noqa: S308 (each value escaped)


class TextInput(QuickInput, forms.TextInput):
    pass


class NumberInput(QuickInput, forms.NumberInput):
    pass


class HiddenInput(QuickInput, forms.HiddenInput):
    pass


class DateInput(QuickInput, forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        # A date input may only hold a real date; the error above the list
        # still shows what was wrong with the text that was given.
        if isinstance(value, str):
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                return None
        return super().format_value(value)


class QuickSelect(forms.Select):
    """
    A <select> written in Python (without option groups, which no filter
    has). Django renders every <option> through a template of its own, and
    the filter forms' options were a third of the time a list page took to
    build (measured with cProfile); building them as Django's option
    dictionaries first was still a tenth of a filtered list.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)[:1]  # one choice at most, as Django selects it
        options = []
        for key, label in self.choices:
            key = "" if key is None else str(key)
            selected = " selected" if key in chosen else ""
            # markupsafe's escape, as the Jinja2 pages' own: Django's is
            # wrapped for lazy strings, a tenth of a filtered list's time
            # with a few hundred options.
            options.append(f'<option value="{escape(key)}"{selected}>{escape(label)}</option>')
        attrs = attributes(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{attrs}>{"".join(options)}</select>')  # noqa: S308 (each value escaped)


class ChoiceFilter(django_filters.ChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", QuickSelect)
        super().__init__(*args, **kwargs)


class NamedFilter(ChoiceFilter):
    """
    A person, body or topic (`kind`, of the taxonomy), chosen by its slug
    and filtered by the id the taxonomy keeps for it, not by a join on the
    slug: PostgreSQL then knows from its statistics how many news name it,
    and for a common one walks the date index instead of sorting all of them
    (a topic of 236,000 of 1,000,000 items: 746 ms -> 30 ms for page 50).
    """

    def __init__(self, kind, **kwargs):
        super().__init__(choices=choices(kind), **kwargs)
        self.kind = kind

    def filter(self, queryset, value):
        if value in EMPTY_VALUES:
            return queryset
        pk = taxonomy()[f"{self.kind}_ids"].get(value)
        return queryset.filter(**{self.field_name: pk}) if pk is not None else queryset.none()


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", NumberInput)
        super().__init__(*args, **kwargs)


def clean_query(value):
    """A search needs at least one word: "!!!" or "" alone find nothing."""
    if value and not words_of(value):
        raise forms.ValidationError(_("Type at least one word to search for."))
    return value


class ArchiveFilterForm(forms.Form):
    def clean_q(self):
        return clean_query(self.cleaned_data.get("q"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return cleaned


class Filters(dict):
    """
    A filter set's filters, copied shallowly for each request. django-filter
    deep-copies every filter for each filterset (their labels, choices and
    widgets with them): 8% of an unfiltered list. What a filter keeps of a
    request is only its filterset and model, set on the copy, and its
    method's link to the filter, made anew here for the copy.
    """

    def __deepcopy__(self, memo):
        copies = {}
        for name, original in self.items():
            copies[name] = filter_ = copy.copy(original)
            if filter_.method is not None:
                filter_.method = filter_.method  # a FilterMethod of the copy's own
        return copies


class Fields(dict):
    """
    A filter form's fields, copied shallowly for each form. A Django form
    deep-copies its fields (their widgets, validators and messages with
    them) so that a form may change its own; these forms change none, and
    the copies were 6% of a list page with a query string.
    """

    def __deepcopy__(self, memo):
        return {name: copy.copy(field) for name, field in self.items()}


class NotRecorded(Exception):
    """A filter asked more of a queryset than a filter() with lookups."""


class Recorder:
    """
    Stands in for a queryset while a filter set's filters run, and keeps
    the lookups of each filter() call instead of filtering: see
    ArchiveFilterSet.conditions().
    """

    def __init__(self):
        self.conditions = []

    def filter(self, *args, **lookups):
        if args:  # Q objects
            raise NotRecorded("filter() with Q objects")
        self.conditions.append(lookups)
        return self

    def __getattr__(self, name):
        # Anything else (a search's annotations and ordering, none(),
        # distinct()) is not a plain condition.
        raise NotRecorded(name)


class Deferred(SimpleLazyObject):
    """
    A queryset built the first time something asks for more than its
    model. A list's first pages are read by prepared queries, and its count
    is remembered: the list's queryset, which django-filter's view and the
    filter set build on every request, is then never run, and building it
    was a tenth of a filtered list.
    """

    def __init__(self, model, build):
        super().__init__(build)
        self.__dict__["model"] = model  # read without building


class ArchiveFilterSet(django_filters.FilterSet):
    """What news and statements are filtered by alike."""

    # The field that dates are filtered on (a date or a moment), set by each FilterSet.
    date_lookup = None

    q = django_filters.CharFilter(
        label=_("Text"), method="filter_text", max_length=MAX_QUERY_LENGTH, widget=TextInput
    )
    # Choices from the cached taxonomy: no query to show the form.
    topic = NamedFilter(
        "topic",
        label=_("Topic"),
        field_name="topics",
        empty_label=_("All topics"),
    )
    language = ChoiceFilter(
        label=_("Language"), choices=Language.choices, empty_label=_("All languages")
    )
    date_from = django_filters.DateFilter(
        label=_("From"), method="filter_date_from", widget=DateInput
    )
    date_to = django_filters.DateFilter(label=_("To"), method="filter_date_to", widget=DateInput)
    year = YearFilter(
        label=_("Year"), method="filter_year", min_value=FIRST_YEAR, max_value=LAST_YEAR
    )

    text_fields = ()

    @classmethod
    def get_filters(cls):
        return Filters(super().get_filters())

    def get_form_class(self):
        # The filters a view keeps (a section's page drops the section's).
        return self.form_class(tuple(self.filters))

    @classmethod
    @functools.cache
    def form_class(cls, names):
        """
        The form class of these filters, built once: django-filter builds
        every field and a new class on each request, a twentieth of a list
        page. (Each form still gets its own copy of the fields, as any Django
        form does; labels and taxonomy choices are read when it is shown.)
        """
        filters = copy.deepcopy(cls.base_filters)
        fields = {name: filters[name].field for name in names}
        form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        form_class.base_fields = Fields(form_class.base_fields)
        return form_class

    @property
    def qs(self):
        # Filtered only if the page asks for the rows (see Deferred).
        return Deferred(self._meta.model, lambda: super(ArchiveFilterSet, self).qs)

    def conditions(self, without=()):
        """
        The chosen filters as conditions, [{lookup: value, ...}, ...] for
        one filter() call each, so that a list's page can be a prepared
        query (archive/prepared.py) instead of a queryset built and compiled
        on every request. None where they cannot be said so: an invalid
        form, a text search, a name the archive does not know. Filters
        named in `without` are left out: the caller applies them itself.
        """
        if not self.is_bound:
            return []
        if not self.is_valid():
            return None
        recorder = Recorder()
        try:
            # As filter_queryset() applies them.
            for name, value in self.form.cleaned_data.items():
                if name not in without:
                    recorder = self.filters[name].filter(recorder, value)
        except NotRecorded:
            return None
        return recorder.conditions

    def filter_text(self, queryset, name, value):
        # Full-text search where the database has it; best matches first.
        return search(
            queryset,
            value,
            text_fields=self.text_fields,
            date_field=self.order_field,
            remember_as=count_key(self.request) if self.request else None,
        )

    def filter_date_from(self, queryset, name, value):
        return self.dated(queryset, first=value)

    def filter_date_to(self, queryset, name, value):
        return self.dated(queryset, last=value)

    def filter_year(self, queryset, name, value):
        return self.dated(
            queryset, first=datetime.date(value, 1, 1), last=datetime.date(value, 12, 31)
        )

    def dated(self, queryset, first=None, last=None):
        """
        Items dated from day `first` to day `last`, both included. A moment
        (published_at) is compared with the bounds of those days here, not
        cast to a date in SQL: then the index on it is used.
        """
        field = self.date_lookup
        # The archive's years bound any date typed: the first and last days of
        # the calendar have no moment in every time zone (0001-01-01 in Moscow
        # is before year 1 in UTC).
        first = first and max(first, datetime.date(FIRST_YEAR, 1, 1))
        last = last and min(last, datetime.date(LAST_YEAR, 12, 31))
        if not isinstance(self.Meta.model._meta.get_field(field), models.DateTimeField):
            bounds = {f"{field}__gte": first, f"{field}__lte": last}
        else:
            bounds = {f"{field}__gte": start_of_day(first)}
            if last:
                bounds[f"{field}__lt"] = start_of_day(last + datetime.timedelta(days=1))
        return queryset.filter(**{key: value for key, value in bounds.items() if value})


def start_of_day(day):
    """The first moment of `day` where the archive is (TIME_ZONE), or None."""
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class NewsItemFilter(ArchiveFilterSet):
    date_lookup = "published_at"
    order_field = "published_at"
    text_fields = ("title", "lead", "body")

    section = ChoiceFilter(
        label=_("Section"),
        choices=choices("section"),
        method="filter_section",
        empty_label=_("All sections"),
    )
    person = NamedFilter(
        "person",
        label=_("Person"),
        field_name="persons",
        empty_label=_("All persons"),
    )
    body = NamedFilter(
        "body",
        label=_("Statutory body"),
        field_name="bodies",
        empty_label=_("All bodies"),
    )

    class Meta:
        model = NewsItem
        form = ArchiveFilterForm
        fields = [
            "q",
            "section",
            "person",
            "body",
            "topic",
            "language",
            "date_from",
            "date_to",
            "year",
        ]

    def filter_section(self, queryset, name, value):
        # A section holds the news of its subsections too.
        return queryset.filter(section__in=section_and_below(value))


class StatementFilter(ArchiveFilterSet):
    date_lookup = "adopted_on"
    order_field = "adopted_on"
    text_fields = ("title", "text")

    body = NamedFilter(
        "body",
        label=_("Adopted by"),
        field_name="adopted_by",
        empty_label=_("All bodies"),
    )
    kind = ChoiceFilter(label=_("Kind"), choices=Statement.Kind.choices, empty_label=_("All kinds"))

    class Meta:
        model = Statement
        form = ArchiveFilterForm
        fields = ["q", "body", "kind", "topic", "language", "date_from", "date_to", "year"]


class SearchForm(forms.Form):
    """The search page: words, narrowed by kind, section and year."""

    KINDS = [("", _("News and statements")), ("news", _("News")), ("statements", _("Statements"))]

    q = forms.CharField(label=_("Search for"), max_length=MAX_QUERY_LENGTH, required=False)
    kind = forms.ChoiceField(label=_("In"), choices=KINDS, required=False, widget=QuickSelect)
    section = forms.SlugField(required=False, widget=HiddenInput)
    year = forms.IntegerField(
        required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR, widget=HiddenInput
    )

    def clean_q(self):
        return clean_query(self.cleaned_data.get("q", "").strip())
