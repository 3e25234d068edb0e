"""Reads whose SQL is built once: the ORM's query compiler costs far more than the database
(an eight-join case read: 1.3 ms to compile, 0.06 ms for SQLite to run), so the few reads every
request makes are compiled once per connection and shape, then run with new values.

    ROLES = PreparedRead(
        lambda user_id: RoleAssignment.objects.filter(user_id=user_id, is_active=True)
        .select_related("region"),
        user_id=int,
    )
    ROLES(user_id=7)  # -> [RoleAssignment, …], select_related filled in

The queryset is built once with a stand-in value for each parameter; the compiled SQL keeps
Django's own placeholders, so values are always bound by the driver, never spliced into the
SQL. A build whose stand-ins do not come out as plain bound values (a lookup that rewrites
them, such as ``icontains``) is refused when first compiled, so a prepared read can never
run with a wrong value. Only model rows (``select_related`` included, no ``prefetch_related``,
``values()`` or ``only()``) are supported: what the hot reads need, nothing else.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections, router
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Field, Model, QuerySet, signals
from django.db.models.query import ModelIterable, get_related_populators  # type: ignore[attr-defined]
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)

# Stand-ins inside every column's range (Django turns an out-of-range integer lookup into an
# empty result) and unlike any constant a query holds.
_INT_STAND_IN = 1_987_654_301
_STR_STAND_IN = "\x1fprepared:{name}\x1f"


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, parameter name)
    init_list: list[str]
    start: int
    end: int
    model: type[Model]
    populators: list[Any]
    converters: list[tuple[int, tuple[list[Any], Any]]]


_NEVER_BY_COUNT = 2**31


@functools.cache
def _preparing_cursor_class() -> type:
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,
    )

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True)

    return PreparingCursor


def _cursor(connection: Any) -> Any:
    """Django's cursor; on PostgreSQL one that prepares the statement on the server, so it is
    parsed once per connection and, after a few runs, planned once (an eight-join read spends
    1.6 ms planning and 0.13 ms running). Off with LIANXIN_PG_PREPARED_STATEMENTS=0, for a
    pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21)."""
    if connection.vendor != "postgresql" or not settings.LIANXIN_PG_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    if connection.connection.prepare_threshold is None:
        # Django turns psycopg's preparing off; these reads ask for it by name (prepare=True),
        # and Django's own client-side cursors never prepare, whatever the threshold.
        connection.connection.prepare_threshold = _NEVER_BY_COUNT
    with connection.wrap_database_errors:
        raw = _preparing_cursor_class()(connection.connection)
    if connection.queries_logged:
        return _PreparedDebugWrapper(raw, connection)
    return connection.make_cursor(raw)


class _PreparedDebugWrapper(CursorDebugWrapper):
    """Logs a prepared statement's SQL with its values, as Django logs its own queries (psycopg
    keeps no text of a statement it ran by name, which Django's log would read)."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        shown = self.db.ops.compose_sql(sql, params)
        with self.debug_sql(shown, params, use_last_executed_query=False):
            return CursorWrapper.execute(self, sql, params)


class PreparedRead(Generic[M]):
    """A fixed-shape model read compiled once per database connection (see the module)."""

    def __init__(self, build: Callable[..., QuerySet[M]], **parameters: type) -> None:
        for name, kind in parameters.items():
            if kind not in (int, str):
                raise ImproperlyConfigured(f"PreparedRead parameter {name}: int or str only")
        self.build = build
        self.parameters = parameters
        self._compiled: weakref.WeakKeyDictionary[Any, _Compiled] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._shape: tuple[type[Model], bool] | None = None

    def stand_ins(self) -> dict[str, Any]:
        return {
            name: _INT_STAND_IN + index if kind is int else _STR_STAND_IN.format(name=name)
            for index, (name, kind) in enumerate(self.parameters.items())
        }

    def queryset(self, **values: Any) -> QuerySet[M]:
        """The same read as an ordinary queryset (for tests and for anything unusual)."""
        return self.build(**values)

    def __call__(self, **values: Any) -> list[M]:
        if values.keys() != self.parameters.keys():
            raise TypeError(f"PreparedRead takes {sorted(self.parameters)}, got {sorted(values)}")
        for name, kind in self.parameters.items():
            if type(values[name]) is not kind:
                raise TypeError(f"PreparedRead parameter {name} must be {kind.__name__}")
        if self._shape is None:
            sample = self.build(**self.stand_ins())
            self._shape = (sample.model, bool(sample.query.select_for_update))
        model, locks = self._shape
        # The database the queryset itself would use (routers: a locking read is a write's).
        db = router.db_for_write(model) if locks else router.db_for_read(model)
        connection = connections[db]
        compiled = self._compiled.get(connection) or self._compile(db, connection)
        if locks and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = values[name]
        with _cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        found: list[M] = []
        for fetched in rows:
            row = list(fetched)
            for position, (functions, expression) in compiled.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            obj = compiled.model.from_db(db, compiled.init_list, row[compiled.start : compiled.end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            found.append(obj)  # type: ignore[arg-type]
        return found

    def _compile(self, db: str, connection: Any) -> _Compiled:
        with self._lock:
            sample = self.build(**self.stand_ins()).using(db)
            query = sample.query
            prefetches = getattr(sample, "_prefetch_related_lookups", ())
            if sample._iterable_class is not ModelIterable or prefetches:
                raise ImproperlyConfigured("PreparedRead reads whole model rows only")
            if query.deferred_loading[0] or not query.deferred_loading[1]:
                raise ImproperlyConfigured("PreparedRead does not take only() or defer()")
            compiler = query.get_compiler(using=db)
            sql, params = compiler.as_sql()
            stand_ins = self.stand_ins()
            slots = []
            for position, param in enumerate(params):
                for name, stand_in in stand_ins.items():
                    if type(param) is type(stand_in) and param == stand_in:
                        slots.append((position, name))
            named = {name for _, name in slots}
            if named != stand_ins.keys() or any(str(v) in sql for v in stand_ins.values()):
                raise ImproperlyConfigured(
                    "PreparedRead: every parameter must reach the SQL as a plain bound value "
                    f"(found {sorted(named)} of {sorted(stand_ins)})"
                )
            select, klass_info = compiler.select, compiler.klass_info
            if compiler.annotation_col_map:
                raise ImproperlyConfigured("PreparedRead does not take annotations")
            select_fields = klass_info["select_fields"]
            start, end = select_fields[0], select_fields[-1] + 1
            fields = [column[0] for column in select[0 : compiler.col_count]]
            compiled = _Compiled(
                sql=sql,
                params=tuple(params),
                slots=tuple(slots),
                init_list=[column[0].target.attname for column in select[start:end]],
                start=start,
                end=end,
                model=klass_info["model"],
                populators=get_related_populators(klass_info, select, db),
                converters=list(compiler.get_converters(fields).items()),
            )
            self._compiled[connection] = compiled
            return compiled


_UPDATES: dict[tuple[str, type[Model], tuple[str, ...]], str] = {}


def save_fields(obj: Model, fields: Iterable[str]) -> None:
    """``obj.save(update_fields=fields)`` for the hot path of a move: the same UPDATE of those
    columns of the one row (``auto_now`` stamped, values prepared by each field), its SQL built
    once per model and set of fields, and the same pre_save/post_save signals when anyone
    listens. An UPDATE that matches no row raises, as ``save(update_fields=…)`` does."""
    model = type(obj)
    meta = model._meta
    names = tuple(dict.fromkeys(fields))
    columns: list[Field[Any, Any]] = []
    for name in names:
        field = meta.get_field(name)
        if not isinstance(field, Field) or not field.concrete or field.primary_key:
            raise ValueError(f"save_fields: {name} is not a concrete, non-key field of {model}")
        columns.append(field)
    if any(hasattr(getattr(obj, field.attname), "resolve_expression") for field in columns):
        obj.save(update_fields=names)  # an F() or other expression: the ORM compiles it
        return
    db = router.db_for_write(model, instance=obj)
    connection = connections[db]
    update_fields = frozenset(names)
    if signals.pre_save.has_listeners(model):
        signals.pre_save.send(
            sender=model, instance=obj, raw=False, using=db, update_fields=update_fields
        )
    values = [field.get_db_prep_save(field.pre_save(obj, False), connection) for field in columns]
    key = (connection.vendor, model, names)
    sql = _UPDATES.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        sql = _UPDATES[key] = "UPDATE {} SET {} WHERE {} = %s".format(
            quote(meta.db_table),
            ", ".join(f"{quote(field.column)} = %s" for field in columns),
            quote(str(meta.pk.column)),
        )
    with _cursor(connection) as cursor:
        cursor.execute(sql, [*values, meta.pk.get_db_prep_value(obj.pk, connection)])
        if cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    obj._state.adding = False
    obj._state.db = db
    if signals.post_save.has_listeners(model):
        signals.post_save.send(
            sender=model,
            instance=obj,
            created=False,
            update_fields=update_fields,
            raw=False,
            using=db,
        )


# Saves that write the row and nothing else (AppendOnly only refuses a second save).
_PLAIN_SAVES = frozenset({"Model.save", "AppendOnly.save"})
_INSERTS: dict[tuple[str, type[Model]], tuple[str, tuple[Field[Any, Any], ...]]] = {}


def insert_row(obj: Model) -> None:
    """``obj.save(force_insert=True)`` for the rows a move appends (its event, its task): the
    same INSERT of every concrete column (defaults and ``auto_now_add`` filled in, values
    prepared by each field), its SQL built once per model, the database's key read back, and
    the same pre_save/post_save signals when anyone listens. A model whose ``save()`` does more
    than Django's (or ``eventlog.AppendOnly``'s guard), one with parents (multi-table
    inheritance) and a row given its own auto key go through the ORM."""
    model = type(obj)
    meta = model._meta
    auto_pk = meta.auto_field is not None and meta.pk is meta.auto_field
    if (
        meta.parents
        or model.save.__qualname__ not in _PLAIN_SAVES
        or (auto_pk and obj.pk is not None)
    ):
        obj.save(force_insert=True)
        return
    db = router.db_for_write(model, instance=obj)
    connection = connections[db]
    if signals.pre_save.has_listeners(model):
        signals.pre_save.send(sender=model, instance=obj, raw=False, using=db, update_fields=None)
    key = (connection.vendor, model)
    built = _INSERTS.get(key)
    if built is None:
        columns = tuple(
            field
            for field in meta.concrete_fields
            if not (auto_pk and field.primary_key) and not field.generated
        )
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(
            quote(meta.db_table),
            ", ".join(quote(str(field.column)) for field in columns),
            ", ".join(["%s"] * len(columns)),
            quote(str(meta.pk.column)),
        )
        built = _INSERTS[key] = (sql, columns)
    sql, columns = built
    if any(hasattr(getattr(obj, field.attname), "resolve_expression") for field in columns):
        obj.save(force_insert=True)  # an expression as a value: the ORM compiles it
        return
    values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in columns]
    with _cursor(connection) as cursor:
        cursor.execute(sql, values)
        (pk,) = cursor.fetchone()
    if obj.pk is None:
        obj.pk = meta.pk.to_python(pk)
    obj._state.adding = False
    obj._state.db = db
    if signals.post_save.has_listeners(model):
        signals.post_save.send(
            sender=model, instance=obj, created=True, update_fields=None, raw=False, using=db
        )
