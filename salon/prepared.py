"""Queries compiled by the ORM once per process and database, then run with new values.

On a path every comment takes, compiling a filtered query costs Django several times more
than SQLite or PostgreSQL take to answer it. Such a query is built once with stand-in values
(:class:`Stand`), compiled, and each later run puts the real values where the stand-ins were,
prepared as the ORM would have prepared them.

A new row is stored the same way (:func:`insert`): the model's INSERT is compiled once, and
each row's values are prepared by its fields as ``Model.save()`` prepares them, with the same
signals before and after.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Field, Model, QuerySet, signals, sql
from django.db.models.query import get_related_populators


class Stand:
    """Stand-in values for a query being built; each names the value it stands for.

    A stand-in must be a value the query never meets otherwise (a text with NUL bytes, a
    negative id, a date long past), and each is used in one way only: compared as is, or as
    ``field`` compares (``field``).
    """

    def __init__(self) -> None:
        # (the value's name, its stand-in, how a value is prepared for a connection)
        self.slots: list[tuple[str, Any, Callable[[Any, Any], Any]]] = []

    def __call__(self, name: str, marker: Any, field: Field | None = None) -> Any:
        """``marker`` in the query for the value ``name`` (prepared as ``field`` prepares
        its values, when given)."""
        if field is None:
            self.slots.append((name, marker, lambda value, db: value))
        else:
            self.slots.append((name, marker, lambda value, db: field.get_db_prep_value(value, db)))
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
        self._rows_to_objects: tuple | None = None
        found = [
            (transform(marker, connection), name, transform)
            for name, marker, transform in stand.slots
        ]
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

    def _values(self, given: dict[str, Any], db) -> list[Any] | None:
        """The query's parameters; None when one is a whole number no column holds (an id
        of 30 digits from a form): like the ORM's exact lookups, such a value matches no
        row, where the database would refuse it."""
        values = [fixed if name is None else fixed(given[name], db) for name, fixed in self.params]
        for value in values:
            if type(value) is int and not _SMALLEST <= value <= _LARGEST:
                return None
        return values

    def first_row(self, **given: Any) -> tuple | None:
        """Run the query with these values; its first row."""
        db = _connection()
        values = self._values(given, db)
        if values is None:
            return None
        with db.cursor() as cursor:
            cursor.execute(self.sql, values)
            return cursor.fetchone()

    def objects(self, **given: Any) -> list[Model]:
        """Run the query with these values; the model instances it selects, with the rows
        it joins by ``select_related``, made as the QuerySet would have made them."""
        db, rows = self._run(given)
        compiler = self._compiler
        if self._rows_to_objects is None:  # what the QuerySet works out for every run
            klass_info, select = compiler.klass_info, compiler.select
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            names = [column[0].target.attname for column in select[start:end]]
            self._rows_to_objects = (klass_info, select, start, end, names)
        klass_info, select, start, end, names = self._rows_to_objects
        related = get_related_populators(klass_info, select, db.alias)
        model = klass_info["model"]
        rows = self._converted(rows)
        found = []
        for row in rows:
            instance = model.from_db(db.alias, names, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            found.append(instance)
        return found

    def all_rows(self, **given: Any) -> list[tuple]:
        """Run the query with these values; its rows, each value as its field holds it (a
        date and time from SQLite's text, as ``values_list`` gives it)."""
        return self._converted(self._run(given)[1])

    def _run(self, given: dict[str, Any]) -> tuple[Any, list[tuple]]:
        """Run the query with these values: the connection and the rows as the database
        gives them (none when a value can match no row)."""
        db = _connection()
        values = self._values(given, db)
        if values is None:
            return db, []
        with db.cursor() as cursor:
            cursor.execute(self.sql, values)
            return db, cursor.fetchall()

    def _converted(self, rows: list[tuple]) -> list:
        """The database's values as the fields hold them (the ORM's converters)."""
        compiler = self._compiler
        if self._converters is None:
            columns = [column[0] for column in compiler.select[: compiler.col_count]]
            self._converters = compiler.get_converters(columns)
        if not self._converters:
            return rows
        return list(compiler.apply_converters(rows, self._converters))


def _connection():
    """The database connection itself, not the proxy that looks it up on every use."""
    return connections[DEFAULT_DB_ALIAS]


# The whole numbers a column can hold (64-bit, on SQLite and PostgreSQL alike).
_SMALLEST, _LARGEST = -(2**63), 2**63 - 1


_compiled: dict[tuple[str, Hashable], Prepared] = {}


def prepared(key: Hashable, build: Callable[[Stand], QuerySet]) -> Prepared:
    """The query ``build`` makes, compiled once per process and database under ``key``."""
    full_key = (_connection().vendor, key)
    query = _compiled.get(full_key)
    if query is None:
        query = _compiled[full_key] = Prepared(build)
    return query


class _Insert:
    """One model's INSERT of a new row, compiled by the ORM: its SQL, the fields whose
    values it takes (in order), the columns it returns and how their values are read."""

    def __init__(self, model: type[Model]) -> None:
        meta = model._meta
        if (
            meta.parents
            or meta.order_with_respect_to
            or meta.proxy
            or meta.auto_created
            or meta.pk is not meta.auto_field
        ):
            raise TypeError(f"{meta.label} is not stored by one plain INSERT")
        # As Model._save_table chooses them for a row without its primary key.
        self.fields = [
            f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field
        ]
        if any(hasattr(f, "get_placeholder") for f in self.fields):
            raise TypeError(f"a field of {meta.label} writes its own SQL")
        self.returning = list(meta.db_returning_fields)
        query = sql.InsertQuery(model)
        query.insert_values(self.fields, [model()])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = self.returning
        [(statement, params)] = compiler.as_sql()
        self.returns = bool(self.returning) and connection.features.can_return_columns_from_insert
        if len(params) != len(self.fields) or statement.count("%s") != len(self.fields):
            raise TypeError(f"the INSERT of {meta.label} does not take one value per field")
        self.sql = statement
        self.table = meta.db_table
        columns = [f.get_col(meta.db_table) for f in self.returning]
        self.converters = compiler.get_converters(columns)
        self.compiler = compiler


_inserts: dict[tuple[str, str], _Insert] = {}


def insert(instance: Model) -> Model:
    """Store a new ``instance`` as ``instance.save(force_insert=True)`` would: the same
    ``pre_save`` and ``post_save`` signals, each field's value prepared by the field (its
    ``pre_save``, then ``get_db_prep_save``), its primary key (and any other column the
    database returns) set on it; with the model's INSERT compiled once per process and
    database, not for every row. A row given its own primary key, or a value that is an
    expression, goes through the ORM."""
    model = type(instance)
    db = _connection()  # (each field asks it)
    key = (db.vendor, model._meta.label)
    statement = _inserts.get(key)
    if statement is None:
        statement = _inserts[key] = _Insert(model)
    instance._prepare_related_fields_for_save(operation_name="save")
    using = db.alias
    signals.pre_save.send(
        sender=model, instance=instance, raw=False, using=using, update_fields=None
    )
    # Marked as Model.save_base marks it: a failed INSERT inside an atomic block leaves the
    # transaction to be rolled back.
    with transaction.mark_for_rollback_on_error(using):
        values = [field.pre_save(instance, True) for field in statement.fields]
        if instance.pk is not None or any(hasattr(v, "resolve_expression") for v in values):
            instance._save_table(cls=model, force_insert=True, using=using)
        else:
            _run_insert(db, statement, instance, values)
    instance._state.db = using
    instance._state.adding = False
    signals.post_save.send(
        sender=model,
        instance=instance,
        created=True,
        update_fields=None,
        raw=False,
        using=using,
    )
    return instance


def _run_insert(db, statement: _Insert, instance: Model, values: list[Any]) -> None:
    params = [
        field.get_db_prep_save(value, db)
        for field, value in zip(statement.fields, values, strict=True)
    ]
    with db.cursor() as cursor:
        cursor.execute(statement.sql, params)
        if statement.returns:
            rows = [db.ops.fetch_returned_insert_columns(cursor, ())]
        elif statement.returning:
            pk = statement.returning[0]
            rows = [(db.ops.last_insert_id(cursor, statement.table, pk.column),)]
        else:  # pragma: no cover (a model whose rows have no generated column)
            return
    if statement.converters:
        rows = list(statement.compiler.apply_converters(rows, statement.converters))
    for value, field in zip(rows[0], statement.returning, strict=True):
        setattr(instance, field.attname, value)
