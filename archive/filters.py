"""
Filters of the public lists, read from the query string.

Bad input (an impossible date, an unknown slug, a year out of range, a
10,000-character text) becomes a form error shown above the list, never an
exception.
"""

import datetime
import re
import unicodedata

import django_filters
from django import forms
from django.db import models
from django.forms.renderers import Jinja2
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from . import search
from .models import FIRST_YEAR, LAST_YEAR, Language, NewsItem, Statement
from .pagecache import count_key
from .search import words_of
from .taxonomy import choices, section_and_below, taxonomy

MAX_QUERY_LENGTH = 200


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # A date input may only hold a real date (a browser blanks any other
        # text), so what was typed wrong comes back as text, to be corrected.
        if isinstance(value, str) and not is_date(value):
            context["widget"]["type"] = "text"
        return context


def is_date(text):
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


class DateField(forms.DateField):
    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("“%(value)s” is not a date."), code="invalid", params={"value": value[:40]}
            ) from None


class DateFilter(django_filters.DateFilter):
    field_class = DateField


# What a filter says of a slug that names nothing, as the search page does.
NO_SUCH = {
    "section": _("There is no section “%(value)s”."),
    "person": _("There is no person “%(value)s”."),
    "body": _("There is no statutory body “%(value)s”."),
    "topic": _("There is no topic “%(value)s”."),
    "language": _("There is no language “%(value)s” here: English or Russian (en, ru)."),
    "kind": _("There is no kind of document “%(value)s”."),
}


class NamedFilter(django_filters.ChoiceFilter):
    """
    A person, body or topic (`kind`, of the taxonomy), chosen by its slug
    and filtered by the id the taxonomy keeps for it, not by a join on the
    slug: PostgreSQL then knows from its statistics how many news name it,
    and for a common one walks the date index instead of sorting all of them
    (docs/performance.md).
    """

    def __init__(self, kind, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": NO_SUCH[kind]})
        super().__init__(choices=choices(kind), **kwargs)
        self.kind = kind

    def filter(self, queryset, value):
        if value in EMPTY_VALUES:
            return queryset
        pk = taxonomy()[f"{self.kind}_ids"].get(value)
        return queryset.filter(**{self.field_name: pk}) if pk is not None else queryset.none()


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


# Typographic quotes, as the search help prints them and word processors type
# them, mark a phrase as the plain ones do.
PHRASE_QUOTES = str.maketrans(dict.fromkeys("“”„«»", '"'))
# A dash or a minus sign that a keyboard or a word processor types before a
# word leaves it out as "-" does; the Russian "или" is "or".
LEAVE_OUT = re.compile(r"(?<!\S)[–—−](?=\S)")
RUSSIAN_OR = re.compile(r"(?<!\S)или(?!\S)", re.IGNORECASE)


def clean_query(value):
    """A search needs at least one word: "!!!" or "" alone find nothing."""
    if not value:
        return value
    # Full-width letters and ligatures (ｓｅｃｕｒｉｔｙ, ﬁnance) as the texts spell them.
    value = unicodedata.normalize("NFKC", value).translate(PHRASE_QUOTES)
    value = RUSSIAN_OR.sub("or", LEAVE_OUT.sub("-", value))
    if not words_of(value):
        raise forms.ValidationError(_("Type at least one word to search for."))
    if not search.looks_for_something(value):
        raise forms.ValidationError(
            _("Type a word to look for: a word after a minus sign is only left out.")
        )
    return value


# Django's own widget templates, in Jinja2: a filtered list or a search draws
# its form on every request, and Django's template engine is the slower one.
WIDGET_RENDERER = Jinja2()


class ArchiveFilterForm(forms.Form):
    default_renderer = WIDGET_RENDERER

    def clean_q(self):
        return clean_query(self.cleaned_data.get("q"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            # Neither applies: together they would empty the list.
            del cleaned["date_from"], cleaned["date_to"]
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return cleaned


# {(FilterSet class, names of its filters): form class}; a list whose address
# fixes a filter (a section's list) has a form without it.
FORM_CLASSES = {}


class ArchiveFilterSet(django_filters.FilterSet):
    """What news and statements are filtered by alike."""

    # The field that dates are filtered on (a date or a moment), set by each FilterSet.
    date_lookup = None

    q = django_filters.CharFilter(
        label=_("Text"), method="filter_text", max_length=MAX_QUERY_LENGTH
    )
    # Choices from the cached taxonomy: no query to show the form.
    topic = NamedFilter(
        "topic",
        label=_("Topic"),
        field_name="topics",
        empty_label=_("All topics"),
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        choices=Language.choices,
        empty_label=_("All languages"),
        error_messages={"invalid_choice": NO_SUCH["language"]},
    )
    date_from = DateFilter(label=_("From"), method="filter_date_from", widget=DateInput)
    date_to = DateFilter(label=_("To"), method="filter_date_to", widget=DateInput)
    year = YearFilter(
        label=_("Year"), method="filter_year", min_value=FIRST_YEAR, max_value=LAST_YEAR
    )

    text_fields = ()

    def get_form_class(self):
        # The same filters make the same form class (its choices are read when
        # the form is drawn), so it is built once, not on every request.
        key = (type(self), tuple(self.filters))
        if key not in FORM_CLASSES:
            FORM_CLASSES[key] = super().get_form_class()
        return FORM_CLASSES[key]

    def filter_queryset(self, queryset):
        # The text last: whether few enough match to rank depends on every other filter.
        cleaned = self.form.cleaned_data
        for name in sorted(cleaned, key=lambda name: name == "q"):
            queryset = self.filters[name].filter(queryset, cleaned[name])
        return queryset

    def filter_text(self, queryset, name, value):
        # Best matches first where the database ranks and few enough match;
        # the view tells the visitor when they are listed newest first.
        remember_as = count_key(self.request) if self.request else None
        ranked = search.is_rankable(queryset, value, remember_as)
        self.newest_first = search.uses_postgres() and not ranked
        # Teasers are drawn without the text; search.snippets() adds where each matches.
        return search.search(
            queryset,
            value,
            text_fields=self.text_fields,
            date_field=self.order_field,
            ranked=ranked,
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
    text_fields = search.TEXT_FIELDS["newsitem"]

    section = django_filters.ChoiceFilter(
        label=_("Section"),
        choices=choices("section"),
        method="filter_section",
        empty_label=_("All sections"),
        error_messages={"invalid_choice": NO_SUCH["section"]},
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
    text_fields = search.TEXT_FIELDS["statement"]

    body = NamedFilter(
        "body",
        label=_("Adopted by"),
        field_name="adopted_by",
        empty_label=_("All bodies"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=Statement.Kind.choices,
        empty_label=_("All kinds"),
        error_messages={"invalid_choice": NO_SUCH["kind"]},
    )

    class Meta:
        model = Statement
        form = ArchiveFilterForm
        fields = ["q", "body", "kind", "topic", "language", "date_from", "date_to", "year"]


class SearchForm(forms.Form):
    """The search page: words, narrowed by kind, section and year."""

    default_renderer = WIDGET_RENDERER

    KINDS = [("", _("News and statements")), ("news", _("News")), ("statements", _("Statements"))]

    q = forms.CharField(label=_("Search for"), max_length=MAX_QUERY_LENGTH, required=False)
    kind = forms.ChoiceField(label=_("In"), choices=KINDS, required=False)
    # Chosen from the facets beside the results, kept by the form as it is sent again.
    section = forms.SlugField(label=_("Section"), required=False, widget=forms.HiddenInput)
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.HiddenInput,
    )

    def clean_q(self):
        return clean_query(self.cleaned_data.get("q", "").strip())

    def clean_section(self):
        slug = self.cleaned_data.get("section")
        if slug and slug not in taxonomy()["section_ids"]:
            raise forms.ValidationError(NO_SUCH["section"], params={"value": slug[:40]})
        return slug
