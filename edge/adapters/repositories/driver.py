"""Statements on the till's hottest paths, compiled once and run by the stdlib driver itself.

SQLAlchemy's execution of a statement already built and cached still costs 40-60 us of
Python around the driver's own call (events, parameter processing, the result's metadata),
several times what SQLite takes to read a row by key. A `DriverQuery` or `DriverInsert`
keeps SQLAlchemy for what it is good at here (the statement written against the table
definitions, compiled for SQLite) and hands the compiled SQL straight to the driver's
connection, inside the transaction the unit of work opened. The rows are the same: the
columns' own result processors (SQLAlchemy's, e.g. 0/1 to bool) run as SQLAlchemy would run
them, and a statement whose parameters or columns would need SQLAlchemy's bind processing
is refused when built.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Select, Table, bindparam
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError

_DIALECT = sqlite.dialect(paramstyle="named")


def _driver(connection: Connection) -> sqlite3.Connection:
    driver = connection.connection.driver_connection
    if not isinstance(driver, sqlite3.Connection):
        raise TypeError(f"driver statements run on the stdlib sqlite3 driver, not {driver!r}")
    return driver


class DriverQuery:
    """A select compiled once, whose rows read like SQLAlchemy's (`row.column`).

    Raises ValueError when built from a select this cannot run exactly as SQLAlchemy would:
    two result columns of one name, an expanding parameter (`IN` a list), or a parameter
    needing a bind processor.
    """

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        compiled = statement.compile(dialect=_DIALECT)
        columns = list(statement.selected_columns)
        names = [str(column.key) for column in columns]
        if len(set(names)) != len(names):
            raise ValueError(f"result columns share a name: {names}")
        if any(bind.expanding for bind in compiled.binds.values()):
            raise ValueError("expanding parameters are compiled per call, not once")
        processed = [
            key for key, bind in compiled.binds.items() if bind.type.bind_processor(_DIALECT)
        ]
        if processed:
            raise ValueError(f"parameters need SQLAlchemy's bind processing: {processed}")
        self.sql = str(compiled)
        self._defaults = {key: value for key, value in compiled.params.items() if value is not None}
        self._row: Any = namedtuple("_Row", names)  # type: ignore[misc]
        processors = [column.type.result_processor(_DIALECT, None) for column in columns]
        self._processors: list[tuple[int, Callable[[Any], Any]]] = [
            (index, processor) for index, processor in enumerate(processors) if processor
        ]

    def _make(self, values: Sequence[Any]) -> Any:
        if self._processors:
            values = list(values)
            for index, processor in self._processors:
                values[index] = processor(values[index])
        return self._row._make(values)

    def first(self, connection: Connection, parameters: Mapping[str, Any] | None = None) -> Any:
        """The first row (a named tuple), or None. Raises SQLAlchemy's DBAPIError subclasses
        for the driver's errors (OperationalError for SQLITE_BUSY), as its execution would."""
        found = self._run(connection, parameters).fetchone()
        return None if found is None else self._make(found)

    def all(self, connection: Connection, parameters: Mapping[str, Any] | None = None) -> list[Any]:
        """Every row, as named tuples; raises as `first`."""
        return [self._make(row) for row in self._run(connection, parameters).fetchall()]

    def _run(self, connection: Connection, parameters: Mapping[str, Any] | None) -> sqlite3.Cursor:
        values = {**self._defaults, **(parameters or {})}
        try:
            return _driver(connection).execute(self.sql, values)
        except sqlite3.Error as error:
            raise DBAPIError.instance(self.sql, values, error, sqlite3.Error) from error


class DriverInsert:
    """Inserts into one table, compiled once for each set of columns given, run as one
    `executemany` by the driver.

    Raises ValueError when one of the table's columns needs a bind processor (the value
    written would differ from SQLAlchemy's).
    """

    def __init__(self, table: Table) -> None:
        needs = [column.key for column in table.columns if column.type.bind_processor(_DIALECT)]
        if needs:
            raise ValueError(f"columns need SQLAlchemy's bind processing: {needs}")
        self._table = table
        self._sql: dict[tuple[str, ...], str] = {}

    def run(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert `rows`, which all name the same columns. The driver's errors come up as
        SQLAlchemy's (IntegrityError for a key taken), as callers expect."""
        if not rows:
            return
        names = tuple(rows[0])
        sql = self._sql.get(names)
        if sql is None:
            insert = self._table.insert().values({name: bindparam(name) for name in names})
            sql = self._sql[names] = str(insert.compile(dialect=_DIALECT))
        try:
            _driver(connection).executemany(sql, rows)
        except sqlite3.Error as error:
            raise DBAPIError.instance(sql, None, error, sqlite3.Error) from error
