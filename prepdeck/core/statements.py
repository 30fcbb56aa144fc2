"""Hot statements compiled once per process: the ORM builds and compiles the SQL, then only the values change.

On the hottest API paths (the JWT user of every signed-in request, the review queue, a review submit), Django
spent more CPU building and compiling querysets (resolving lookups, expressions and joins, quoting names)
than the database spent running them: about 0.4 ms of CPU to load a user by primary key, 0.15 ms of which is
the round trip. A :class:`CompiledQuery` is written as an ordinary queryset whose changing values are
:class:`Param` placeholders; the first run on a database compiles it with Django's own compiler (so the SQL is
exactly what the ORM would send, on every backend), and later runs fill the placeholders in and go straight
to the cursor: the same connection, execute wrappers, query logging and result conversion as a queryset.

What changes the SQL's shape (a filter present or not, a LIMIT) belongs in the ``build`` function's
arguments, which key the compiled form; what only changes a value is a ``Param``. Each ``Param`` is adapted
for the database by its ``output_field``, as a lookup's value would be. An integer out of its column's range
makes the whole statement return no rows, which is what Django's equality lookups do: give an integer
``Param`` only to equalities that every returned row must meet (``pk=``, ``user_id=``). ``None`` is refused
(SQL's ``= NULL`` matches nothing: a condition on NULL is a shape). A ``Param`` cannot go in an ``__in``
list on a relation (the lookup prepares each value itself): OR equalities instead.

Which database a run reads from is decided at each run by the routers (``db_for_read``, or
``db_for_write`` for ``select_for_update``), as for any queryset, so a read-replica and read-your-writes
pinning work unchanged.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Hashable
from typing import Any

from django.db import connections, router
from django.db.models import Expression, Field, Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

MAX_SHAPES = 256
"""Shapes kept compiled per :class:`CompiledQuery`; one beyond them is compiled on every run (a shape that
comes from user input must be bounded by its caller: see ``limit_bucket``)."""


def limit_bucket(limit: int) -> int:
    """The power of two at or above ``limit``: compile ``[:limit_bucket(n)]`` and keep the first ``n`` rows,
    so that every LIMIT from 1 to 1,000 needs only 11 compiled shapes, not 1,000."""
    return 1 << max(0, limit - 1).bit_length()


class _Slot:
    """Where a :class:`Param`'s value goes in a compiled statement's parameters."""

    __slots__ = ("field", "name")

    def __init__(self, name: str, field: Field[Any, Any]) -> None:
        self.name = name
        self.field = field


class Param(Expression):
    """A named value of a :class:`CompiledQuery`, given when it runs (``output_field`` adapts it)."""

    def __init__(self, name: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [_Slot(self.name, self.output_field)]

    def get_group_by_cols(self) -> list[Any]:
        return []  # a constant


def _integer_range(operations: Any, field: Field[Any, Any]) -> tuple[int | None, int | None]:
    """The range of an integer field's column on this database; ``(None, None)`` for other fields."""
    internal_type = field.get_internal_type()
    if internal_type in operations.integer_field_ranges:
        low, high = operations.integer_field_range(internal_type)
        return low, high
    return None, None


class _Compiled:
    __slots__ = ("compiler", "params", "slots", "sql")

    def __init__(self, queryset: QuerySet[Any], alias: str) -> None:
        self.compiler: SQLCompiler = queryset.query.get_compiler(using=alias)
        sql, params = self.compiler.as_sql()
        self.compiler.connection = None  # each run sets its own thread's
        self.sql: str = sql
        self.params: list[Any] = list(params)
        # where each value goes, and for an integer its column's range (known once the database is)
        operations = connections[alias].ops
        self.slots = [
            (index, slot, _integer_range(operations, slot.field))
            for index, slot in enumerate(self.params)
            if isinstance(slot, _Slot)
        ]

    def run(self, alias: str, values: dict[str, Any]) -> SQLCompiler | None:
        """A copy of the compiler that sends the compiled SQL with ``values`` filled in; ``None`` when a
        value cannot match (an integer out of its column's range, which an equality lookup would turn into
        an empty result rather than send)."""
        connection = connections[alias]
        params = list(self.params)
        for index, slot, (low, high) in self.slots:
            value = values[slot.name]
            if value is None:
                raise ValueError(
                    f"{slot.name} is None: SQL's = NULL matches nothing; make it a shape instead"
                )
            value = slot.field.get_db_prep_value(value, connection, prepared=False)
            if (low is not None and value < low) or (high is not None and value > high):
                return None
            params[index] = value
        compiler = copy.copy(self.compiler)
        compiler.connection = connection
        sql = self.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, params)  # type: ignore[method-assign]
        return compiler


class _Shape:
    __slots__ = ("by_alias", "for_update", "model", "queryset")

    def __init__(self, queryset: QuerySet[Any]) -> None:
        self.queryset = queryset
        self.model = queryset.model
        self.for_update = queryset.query.select_for_update
        self.by_alias: dict[str, _Compiled] = {}


class CompiledQuery:
    """A queryset built by ``build(*shape)`` with :class:`Param` placeholders, compiled once per shape and
    database, run with the placeholders' values (see the module docstring).

    ``keep(*shape)`` says whether a shape is worth keeping compiled (by default every one, up to
    ``MAX_SHAPES``): a shape made from what a user typed (a topic's slugs, say) is compiled for its run
    and dropped, as a queryset would be, so nobody can fill the cache. The database is the routers'
    choice at each run; ``.using()`` on the built queryset is not honoured."""

    def __init__(
        self, build: Callable[..., QuerySet[Any]], *, keep: Callable[..., bool] | None = None
    ) -> None:
        self.build = build
        self.keep = keep
        self._shapes: dict[tuple[Hashable, ...], _Shape] = {}
        self._lock = threading.Lock()

    def _prepare(self, shape: tuple[Hashable, ...]) -> tuple[str, _Compiled]:
        known = self._shapes.get(shape)
        if known is None:
            known = _Shape(self.build(*shape))
            kept = len(self._shapes) < MAX_SHAPES and (self.keep is None or self.keep(*shape))
            if not kept:  # this run's own: compiled here, without the lock, and dropped
                alias = self._alias(known)
                return alias, _Compiled(known.queryset, alias)
            known = self._shapes.setdefault(shape, known)
        alias = self._alias(known)
        compiled = known.by_alias.get(alias)
        if compiled is None:
            with self._lock:  # compiling reads the shared queryset: one thread at a time
                compiled = known.by_alias.get(alias)
                if compiled is None:
                    compiled = known.by_alias[alias] = _Compiled(known.queryset.all(), alias)
        return alias, compiled

    @staticmethod
    def _alias(shape: _Shape) -> str:
        route = router.db_for_write if shape.for_update else router.db_for_read
        return route(shape.model) or "default"

    def rows(self, *shape: Hashable, **values: Any) -> list[tuple[Any, ...]]:
        """Every row as a tuple of the selected columns, in the order ``values_list`` names them (``flat`` and
        ``named`` are not applied)."""
        alias, compiled = self._prepare(shape)
        compiler = compiled.run(alias, values)
        return [] if compiler is None else [tuple(row) for row in compiler.results_iter()]

    def first(self, *shape: Hashable, **values: Any) -> Model | None:
        """The first row as a model instance with its annotations (``None`` when there is none). Every row is
        fetched: slice the queryset (``[:1]``) unless it filters on a unique key."""
        alias, compiled = self._prepare(shape)
        compiler = compiled.run(alias, values)
        if compiler is None:
            return None
        for row in compiler.results_iter():
            klass_info = compiler.klass_info
            assert klass_info is not None, "first() needs a queryset of model instances"
            assert not klass_info.get("related_klass_infos"), "first() does not build select_related objects"
            model_class = klass_info["model"]
            select_fields = klass_info["select_fields"]
            start, end = select_fields[0], select_fields[-1] + 1
            init_list = [field[0].target.attname for field in compiler.select[start:end]]
            instance: Model = model_class.from_db(alias, init_list, row[start:end])
            for name, position in compiler.annotation_col_map.items():
                setattr(instance, name, row[position])
            return instance
        return None
