"""Queries compiled by the ORM once per process and database, then run with new values.

On a path every comment takes, compiling a filtered query costs Django several times more
than SQLite or PostgreSQL take to answer it. Such a query is built once with stand-in values
(:class:`Stand`), compiled, and each later run puts the real values where the stand-ins were,
prepared as the ORM would have prepared them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from django.db import connection
from django.db.models import Field, Model, QuerySet
from django.db.models.query import get_related_populators


class Stand:
    """Stand-in values for a query being built; each names the value it stands for.

    A stand-in must be a value the query never meets otherwise (a text with NUL bytes, a
    negative id, a date long past), and each is used in one way only: compared as is, as
    ``field`` compares (``field``), or case-insensitively (``iexact``).
    """

    def __init__(self) -> None:
        self.slots: list[tuple[str, Any, Callable[[Any], Any]]] = []

    def __call__(self, name: str, marker: Any, field: Field | None = None) -> Any:
        """``marker`` in the query for the value ``name`` (prepared as ``field`` prepares
        its values, when given)."""
        if field is None:
            self.slots.append((name, marker, lambda value: value))
        else:
            self.slots.append(
                (name, marker, lambda value: field.get_db_prep_value(value, connection))
            )
        return marker

    def iexact(self, name: str, marker: str) -> str:
        """``marker`` for the value ``name``, compared with ``__iexact``."""
        self.slots.append((name, marker, connection.ops.prep_for_iexact_query))
        return marker


class Prepared:
    """One compiled query: its SQL, and for each parameter the value's name or a fixed value."""

    def __init__(self, build: Callable[[Stand], QuerySet]) -> None:
        stand = Stand()
        queryset = build(stand)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        self._compiler = compiler
        self._converters: dict | None = None
        found = [(transform(marker), name, transform) for name, marker, transform in stand.slots]
        self.sql = sql
        # For each parameter: (None, the value) when it is fixed, else (its value's name,
        # how that value is prepared).
        self.params: list[tuple[str | None, Any]] = []
        for param in params:
            named = next(
                (
                    (name, transform)
                    for prepared, name, transform in found
                    if param == prepared or str(param) == str(prepared)
                ),
                (None, param),
            )
            self.params.append(named)
        used = {name for name, _ in self.params if name is not None}
        missing = {name for name, _marker, _transform in stand.slots} - used
        if missing:  # pragma: no cover (a stand-in the ORM rewrote beyond recognition)
            raise RuntimeError(f"the compiled query lost its values: {', '.join(missing)}")

    def _values(self, given: dict[str, Any]) -> list[Any] | None:
        """The query's parameters; None when one is a whole number no column holds (an id
        of 30 digits from a form): like the ORM's exact lookups, such a value matches no
        row, where the database would refuse it."""
        values = [fixed if name is None else fixed(given[name]) for name, fixed in self.params]
        for value in values:
            if type(value) is int and not _SMALLEST <= value <= _LARGEST:
                return None
        return values

    def first_row(self, **given: Any) -> tuple | None:
        """Run the query with these values; its first row."""
        values = self._values(given)
        if values is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(self.sql, values)
            return cursor.fetchone()

    def objects(self, **given: Any) -> list[Model]:
        """Run the query with these values; the model instances it selects, with the rows
        it joins by ``select_related``, made as the QuerySet would have made them."""
        values = self._values(given)
        if values is None:
            return []
        with connection.cursor() as cursor:
            cursor.execute(self.sql, values)
            rows = cursor.fetchall()
        compiler = self._compiler
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        related = get_related_populators(klass_info, select, connection.alias)
        model = klass_info["model"]
        rows = self._converted(rows)
        found = []
        for row in rows:
            instance = model.from_db(connection.alias, names, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            found.append(instance)
        return found

    def all_rows(self, **given: Any) -> list[tuple]:
        """Run the query with these values; its rows, each value as its field holds it (a
        date and time from SQLite's text, as ``values_list`` gives it)."""
        values = self._values(given)
        if values is None:
            return []
        with connection.cursor() as cursor:
            cursor.execute(self.sql, values)
            rows = cursor.fetchall()
        return self._converted(rows)

    def _converted(self, rows: list[tuple]) -> list:
        """The database's values as the fields hold them (the ORM's converters)."""
        compiler = self._compiler
        if self._converters is None:
            columns = [column[0] for column in compiler.select[: compiler.col_count]]
            self._converters = compiler.get_converters(columns)
        if not self._converters:
            return rows
        return list(compiler.apply_converters(rows, self._converters))


# The whole numbers a column can hold (64-bit, on SQLite and PostgreSQL alike).
_SMALLEST, _LARGEST = -(2**63), 2**63 - 1


_compiled: dict[tuple[str, Hashable], Prepared] = {}


def prepared(key: Hashable, build: Callable[[Stand], QuerySet]) -> Prepared:
    """The query ``build`` makes, compiled once per process and database under ``key``."""
    full_key = (connection.vendor, key)
    query = _compiled.get(full_key)
    if query is None:
        query = _compiled[full_key] = Prepared(build)
    return query
