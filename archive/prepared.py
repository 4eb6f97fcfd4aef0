"""
Queries whose SQL is built once per process.

Django builds a queryset's SQL anew each time it runs: it resolves every
lookup, column and join, then compiles them. For the small queries of a
public page that is most of what the query costs, more than the database's
own work: on an item page, half of the page. A prepared query is built once,
with stand-ins where the values go; each call runs that SQL with its own
values and turns the rows into model instances, as the queryset would.

For querysets of model instances (select_related and annotations
allowed; not prefetch_related, known related objects or composite primary
keys) and of values_list() tuples, unions included. The tests compare each
prepared query with its queryset, so that a Django upgrade that changes
what this relies on fails them.

A list's filters become values of one prepared query per shape of
conditions (parametrize()); several prepared queries of one database can
be sent together, in one round trip to PostgreSQL (together()).
"""

import contextlib
import datetime
import threading

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import get_related_populators

# Stand-ins for the values of a call: unlikely values of each type, so that
# their positions among the compiled parameters can be told apart.
STAND_INS = {
    str: "prepared:%s:stand-in",
    int: -7_000_001,  # less the value's place, see Prepared.stand_ins
    datetime.datetime: datetime.datetime(1111, 1, 1, tzinfo=datetime.UTC),
    datetime.date: datetime.date(1111, 1, 1),
}


class Prepared:
    """
    `build(**values)` returns the queryset; it is called once, with
    stand-ins. Then `prepared(**values)` gives the list of instances; values
    it was not given types for are ignored, so that a family of prepared
    queries can share one call. Each value must reach the SQL as it is given
    (an exact lookup, not `contains`): where a stand-in cannot be found
    among the compiled parameters, the first call says so.

        item = Prepared(lambda slug: NewsItem.objects.filter(slug=slug), slug=str)
        item(slug="summit")  # [<NewsItem: ...>]
    """

    def __init__(self, build, **types):
        self.build = build
        self.types = types
        self.compiled = None
        self.lock = threading.Lock()

    def __call__(self, **values):
        [rows] = together([(self, values)])
        return rows

    def params(self, connection, values):
        compiled = self.compiled or self._compile()
        params = list(compiled.params)
        for name, positions in compiled.places.items():
            value = adapt(connection, values[name])
            for position in positions:
                params[position] = value
        return params

    def stand_ins(self):
        stand_ins = {}
        for place, (name, kind) in enumerate(self.types.items()):
            if kind is str:
                stand_ins[name] = STAND_INS[str] % name
            elif kind is int:
                stand_ins[name] = STAND_INS[int] - place
            else:  # a moment or a day
                stand_ins[name] = STAND_INS[kind] + datetime.timedelta(days=place)
        return stand_ins

    def _compile(self):
        with self.lock:
            if self.compiled is None:
                stand_ins = self.stand_ins()
                self.compiled = Compiled(self.build(**stand_ins), stand_ins)
            return self.compiled


def together(calls):
    """
    The rows of each (prepared, values) of `calls`, all of one database. On
    PostgreSQL they are sent at once, in psycopg's pipeline mode, and
    answered in one round trip, not one each (an item page's tags and
    extras); elsewhere one after the other.
    """
    compiled = [prepared.compiled or prepared._compile() for prepared, _values in calls]
    results = [[] for _ in calls]
    asked = [n for n, each in enumerate(compiled) if each.sql is not None]
    if not asked:
        return results
    connection = connections[compiled[asked[0]].using]
    # The check of a kept connection (CONN_HEALTH_CHECKS) that Django makes
    # at a request's first cursor, made before the pipeline: inside it the
    # check's query is only queued, passes, and a connection the database
    # ended (a restart) failed the page.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    at_once = len(asked) > 1 and connection.vendor == "postgresql"
    cursors = {}
    with connection.connection.pipeline() if at_once else contextlib.nullcontext():
        for n in asked:
            prepared, values = calls[n]
            cursors[n] = cursor = connection.cursor()
            cursor.execute(compiled[n].sql, prepared.params(connection, values))
    for n, cursor in cursors.items():
        with cursor:
            results[n] = compiled[n].instances(cursor.fetchall())
    return results


def adapt(connection, value):
    # What a DateTimeField or DateField does to a value before the database gets it.
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def parametrize(conditions):
    """
    Filter conditions, [{lookup: value, ...}, ...] for one filter() call
    each, as (shape, values): the shape names the prepared query (it is
    hashable), the values are what each call gives it. A value a stand-in
    can take the place of (text, a number, a moment, a day) is named v0, v1,
    ... and taken out; any other (a list of ids) stays in the shape, so that
    each has a query of its own. Each entry of the shape is (lookup, name,
    type) or (lookup, None, value).
    """
    shape, values = [], {}
    for lookups in conditions:
        entries = []
        for lookup, value in sorted(lookups.items()):
            if type(value) in STAND_INS:
                name = f"v{len(values)}"
                values[name] = value
                entries.append((lookup, name, type(value)))
            else:
                entries.append((lookup, None, tuple(value) if isinstance(value, list) else value))
        shape.append(tuple(entries))
    return tuple(shape), values


def conditions_of(shape, values):
    """The conditions that parametrize() made `shape` and `values` of."""
    return [
        {lookup: values[name] if name else value for lookup, name, value in entries}
        for entries in shape
    ]


def filtered(queryset, conditions):
    """`queryset` with each of the conditions a filter() call of its own, as a FilterSet does."""
    for lookups in conditions:
        queryset = queryset.filter(**lookups)
    return queryset


def types_of(shape):
    """The types of the values a shape's query takes, for Prepared."""
    return {name: kind for entries in shape for _, name, kind in entries if name}


class Compiled:
    """A queryset's SQL and how to turn its rows into instances."""

    def __init__(self, queryset, stand_ins):
        self.using = queryset.db
        self.model = queryset.model
        connection = connections[self.using]
        self.compiler = compiler = queryset.query.get_compiler(using=self.using)
        try:
            # Also fills compiler.select, klass_info and annotation_col_map.
            self.sql, params = compiler.as_sql()
        except EmptyResultSet:
            # Nothing to find, whatever the values (`pk__in=[]`), as Django
            # knows without asking the database.
            self.sql = None
            return
        self.params = tuple(params)
        self.places = {}
        for name, stand_in in stand_ins.items():
            adapted = adapt(connection, stand_in)
            self.places[name] = [n for n, param in enumerate(params) if param == adapted]
            if not self.places[name]:
                raise ValueError(f"{name} is not among the query's parameters.")
        select, klass_info = compiler.select, compiler.klass_info
        # What turns the database's values into Python's (dates on SQLite,
        # JSON...), as results_iter() works them out on every call.
        self.converters = compiler.get_converters(
            [column[0] for column in select[: compiler.col_count]]
        )
        # values_list(): the rows are the answer, as tuples.
        self.values = bool(queryset.query.values_select)
        # Otherwise, as Django's ModelIterable reads a compiled query's rows.
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.columns = slice(start, end)
        self.init_list = [column[0].target.attname for column in select[start:end]]
        self.related_populators = get_related_populators(klass_info, select, self.using)
        self.annotations = compiler.annotation_col_map.items()

    def instances(self, rows):
        instances = []
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        if self.values:
            return [tuple(row) for row in rows]
        for row in rows:
            instance = self.model.from_db(self.using, self.init_list, row[self.columns])
            for populator in self.related_populators:
                populator.populate(row, instance)
            for name, position in self.annotations:
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances
