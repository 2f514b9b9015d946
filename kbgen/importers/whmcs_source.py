"""Read a WHMCS knowledge base: from a ``mysqldump`` file or from the live database.

Both ways end in the same rows. A dump is parsed by sqlglot (a maintained SQL
parser); for the four knowledge-base tables, the column names of its ``CREATE
TABLE`` statements and the literal values of its ``INSERT … VALUES`` statements
(nothing else: no SQL from the dump is run) fill an in-memory SQLite database; the live
database is read through PyMySQL in a read-only transaction. The same
``SELECT * FROM …`` then reads either one, and the rows are normalised (numbers
as ``int``, text as ``str``) and sorted in Python, so that the two paths give the
same result byte for byte, whatever each server's collation would sort.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from .errors import ImportFailure

ARTICLES, CATEGORIES, LINKS, TAGS = ("tblknowledgebase", "tblknowledgebasecats",
                                     "tblknowledgebaselinks", "tblknowledgebasetags")
# The columns each table must have (WHMCS 7 and 8); others are ignored.
COLUMNS: dict[str, tuple[str, ...]] = {
    ARTICLES: ("id", "title", "article", "views", "useful", "votes", "private", "order",
               "parentid", "language"),
    CATEGORIES: ("id", "parentid", "name", "description", "hidden", "catid", "language"),
    LINKS: ("categoryid", "articleid"),
    TAGS: ("articleid", "tag"),
}
NUMBERS = {"id", "views", "useful", "votes", "order", "parentid", "catid", "categoryid", "articleid"}
# Rows in a stable order, independent of the server's collation.
SORT_KEYS: dict[str, tuple[str, ...]] = {
    ARTICLES: ("id",), CATEGORIES: ("id",), LINKS: ("articleid", "categoryid"), TAGS: ("articleid", "tag"),
}

# MySQL character set names → Python codecs. MySQL's latin1 is Windows-1252.
CODECS = {
    "utf8": "utf-8", "utf8mb3": "utf-8", "utf8mb4": "utf-8", "ascii": "ascii", "latin1": "cp1252",
    "latin2": "iso8859-2", "latin5": "iso8859-9", "latin7": "iso8859-13", "cp1250": "cp1250",
    "cp1251": "cp1251", "cp1256": "cp1256", "cp1257": "cp1257", "greek": "iso8859-7",
    "hebrew": "iso8859-8", "koi8r": "koi8-r", "koi8u": "koi8-u", "sjis": "shift_jis",
    "cp932": "cp932", "ujis": "euc-jp", "eucjpms": "euc-jp", "gbk": "gbk", "gb2312": "gb2312",
    "gb18030": "gb18030", "big5": "big5", "euckr": "euc-kr", "tis620": "tis-620",
}
DUMP_HINT = ("dump the knowledge-base tables with: mysqldump --default-character-set=utf8mb4 "
             "DATABASE tblknowledgebase tblknowledgebasecats tblknowledgebaselinks tblknowledgebasetags")

Row = dict[str, Any]


@dataclass(frozen=True)
class Source:
    """The four tables' rows, and how to name where they came from in messages."""

    label: str
    tables: dict[str, list[Row]]
    warnings: tuple[str, ...] = ()  # what reading changed in the rows, each naming its row


class _Cursor(Protocol):
    @property
    def description(self) -> Any: ...

    def execute(self, query: str) -> Any: ...

    def fetchall(self) -> Sequence[Sequence[Any]]: ...


# ------------------------------------------------------------------ the dump


def read_dump(path: Path, shown: str | None = None) -> Source:
    """Read a ``mysqldump`` file of the WHMCS knowledge-base tables."""
    shown = shown or path.as_posix()
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ImportFailure(f"cannot read the dump: {err.strerror or err}", where=shown) from None
    text = _decode(raw, shown)
    statements = _parse(text, shown)
    db = sqlite3.connect(":memory:")
    try:
        created = _replay(db, statements, shown)
        _check_tables(created, shown, dump=True)
        return Source(shown, *_read_tables(db.cursor(), shown))
    finally:
        db.close()


def _decode(raw: bytes, shown: str) -> str:
    """The dump as text, in the character set it declares (``SET NAMES``, else the tables')."""
    try:
        first, codec = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Every byte is a latin-1 character: enough to read the declarations.
        first, codec = raw.decode("latin-1"), "latin-1"
    charset = _declared_charset(_parse(first, shown))
    wanted = CODECS.get(charset.lower()) if charset else "utf-8"
    if wanted is None:
        raise ImportFailure(
            f"the dump is in the character set '{charset}', which kbgen cannot read",
            f"known: {', '.join(sorted(CODECS))}; or {DUMP_HINT}", shown)
    if wanted == codec:
        return first
    try:
        return raw.decode(wanted)
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise ImportFailure(
            f"byte 0x{raw[err.start]:02x} is not valid {charset or 'UTF-8'}, the character set "
            "the dump declares", DUMP_HINT, f"{shown}:{line}:{col}") from None


def _parse(text: str, shown: str) -> list[Any]:
    import sqlglot
    from sqlglot.errors import ParseError, TokenError

    # sqlglot logs a warning for every MySQL-only statement (LOCK TABLES …) that it keeps
    # as an opaque command; those are expected in a dump.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    try:
        return [s for s in sqlglot.parse(text, read="mysql") if s is not None]
    except ParseError as err:
        first = (err.errors or [{}])[0]
        where = f"{shown}:{first.get('line', 1)}:{first.get('col', 1)}"
        raise ImportFailure(f"the dump is not valid MySQL: {first.get('description', err)}",
                            DUMP_HINT, where) from None
    except TokenError as err:
        raise ImportFailure(f"the dump is not valid MySQL: {str(err)[:200]}", DUMP_HINT, shown) from None


def _declared_charset(statements: Iterable[Any]) -> str | None:
    """The client character set (``SET NAMES``, also inside MySQL's ``/*!40101 … */``
    comments), else the knowledge-base tables' default character set."""
    import sqlglot
    from sqlglot import exp

    names: str | None = None
    tables: str | None = None
    for statement in statements:
        candidates = [statement]
        for comment in statement.comments or []:
            # "/*!40101 SET NAMES utf8mb4 */" is code for MySQL, a comment for everyone else.
            match = re.match(r"\s*!\d*\s*(SET\s+NAMES\b.*)", comment, re.I | re.S)
            if match:
                try:
                    candidates += [s for s in sqlglot.parse(match.group(1), read="mysql") if s]
                except Exception:  # noqa: BLE001 - a comment we cannot read declares nothing
                    continue
        for node in candidates:
            for item in node.find_all(exp.SetItem):
                if str(item.args.get("kind") or "").upper() == "NAMES" and item.this is not None:
                    names = item.this.name
            if isinstance(node, exp.Create) and _table_name(node) in COLUMNS:
                for prop in node.find_all(exp.CharacterSetProperty):
                    tables = tables or prop.this.name
    return names or tables


def _table_name(statement: Any) -> str:
    from sqlglot import exp

    table = statement.find(exp.Table)
    return table.name if table is not None else ""


def _replay(db: sqlite3.Connection, statements: list[Any], shown: str) -> set[str]:
    """Create the knowledge-base tables (columns only) and insert their rows into SQLite."""
    from sqlglot import exp

    created: set[str] = set()
    for statement in statements:
        name = _table_name(statement)
        if name not in COLUMNS:
            continue
        if isinstance(statement, exp.Create):
            columns = [c.name for c in statement.find_all(exp.ColumnDef)]
            db.execute(f'DROP TABLE IF EXISTS "{name}"')
            # No types or keys: SQLite keeps each value as the dump wrote it, and
            # duplicate ids reach our own checks instead of stopping the replay.
            db.execute(f'CREATE TABLE "{name}" ({", ".join(_quote(c) for c in columns)})')
            created.add(name)
        elif isinstance(statement, exp.Insert):
            if name not in created:
                raise ImportFailure(f"the dump inserts rows into {name} before creating it",
                                    DUMP_HINT, shown)
            columns, rows = _literal_rows(statement, name, shown)
            listed = f" ({', '.join(_quote(c) for c in columns)})" if columns else ""
            width = {len(row) for row in rows}
            if len(width) > 1:
                raise ImportFailure(f"cannot read the rows of {name}: all VALUES must have the same "
                                    "number of terms", DUMP_HINT, _where(statement, shown))
            marks = ", ".join("?" * width.pop()) if rows else ""
            try:
                # Parameters, never SQL text: the dump's values are data, whatever they hold.
                db.executemany(f'INSERT INTO "{name}"{listed} VALUES ({marks})', rows)
            except sqlite3.Error as err:
                raise ImportFailure(f"cannot read the rows of {name}: {err}", DUMP_HINT,
                                    _where(statement, shown)) from None
        elif isinstance(statement, exp.Command) and statement.name.upper() in {"INSERT", "REPLACE"}:
            raise ImportFailure(f"a {statement.name.upper()} statement kbgen cannot read",
                                INSERT_HINT, shown)
    return created


INSERT_HINT = ("kbgen reads rows only as mysqldump writes them: INSERT INTO table [(columns)] "
               "VALUES (literal, …), (…); with strings, numbers and NULL; " + DUMP_HINT)
# What the Insert node may carry besides its table and VALUES: nothing that runs SQL.
_INSERT_FLAGS = {"this", "expression", "ignore"}


def _where(statement: Any, shown: str) -> str:
    from sqlglot import exp

    table = statement.find(exp.Table)
    meta = table.this.meta if table is not None and table.this is not None else {}
    return f"{shown}:{meta['line']}" if "line" in meta else shown


def _literal_rows(statement: Any, name: str, shown: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The columns and rows of a literal ``INSERT … VALUES``; anything else is refused
    (not executed: a dump's ``INSERT … SELECT`` or ``WITH RECURSIVE`` would run in SQLite)."""
    from sqlglot import exp

    def refuse(what: str) -> ImportFailure:
        return ImportFailure(f"the INSERT into {name} {what}", INSERT_HINT, _where(statement, shown))

    extra = [v for k, v in statement.args.items() if k not in _INSERT_FLAGS and v not in (None, False)]
    if extra:
        more = " ".join(v.sql(dialect="mysql") if isinstance(v, exp.Expression) else str(v) for v in extra)
        raise refuse(f"has more than VALUES: {more[:60]!r}")
    target, values = statement.this, statement.expression
    columns: list[str] = []
    if isinstance(target, exp.Schema):
        if not all(isinstance(c, exp.Identifier) for c in target.expressions):
            raise refuse("names its columns with something other than plain names")
        columns = [c.name for c in target.expressions]
    elif not isinstance(target, exp.Table):
        raise refuse("does not name a plain table")
    if not isinstance(values, exp.Values):
        raise refuse(f"takes its rows from {type(values).__name__.upper()}, not from VALUES")
    rows: list[tuple[Any, ...]] = []
    for row in values.expressions:
        if not isinstance(row, exp.Tuple):
            raise refuse("has a row that is not a list of values in parentheses")
        rows.append(tuple(_literal(value, refuse) for value in row.expressions))
    return columns, rows


def _literal(node: Any, refuse: Any) -> Any:
    """A literal's value as SQLite would have stored it from the dump's text."""
    from sqlglot import exp

    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Boolean):
        return int(bool(node.this))
    if isinstance(node, exp.Introducer):  # _binary '…', _utf8mb4 '…': the literal itself
        return _literal(node.expression, refuse)
    if isinstance(node, exp.HexString):
        return bytes.fromhex(("0" if len(node.this) % 2 else "") + node.this)
    if isinstance(node, exp.BitString):
        return int(node.this or "0", 2)
    negative = isinstance(node, exp.Neg)
    if negative:
        node = node.this
    if isinstance(node, exp.Literal) and not (negative and node.is_string):
        if node.is_string:
            return str(node.this)
        text = str(node.this)
        number: float = int(text) if text.isdigit() else float(text)
        return -number if negative else number
    shown = node.sql(dialect="mysql")
    raise refuse(f"has the value {shown[:60]!r}{'…' if len(shown) > 60 else ''}, which is not a literal")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------- the live database


def safe_label(url: str) -> str:
    """The database URL without its password, for messages and the report."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.username:
        netloc = f"{unquote(parts.username)}@{netloc}"
    try:
        port = parts.port
    except ValueError:  # reported by read_mysql; here we only need a printable label
        port = None
    if port:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}{parts.path}"


def read_mysql(url: str) -> Source:
    """Read the tables from a live MySQL/MariaDB database, in a read-only transaction.

    ``mysql://user[:password]@host[:port]/database[?unix_socket=/path]``; without a
    password in the URL, ``MYSQL_PWD`` is used (as the mysql client does).
    """
    import pymysql

    parts = urlsplit(url)
    label = safe_label(url)
    database = unquote(parts.path.lstrip("/"))
    if parts.scheme not in {"mysql", "mariadb"} or not database:
        raise ImportFailure(f"'{label}' is not a database URL",
                            "write mysql://USER@HOST/DATABASE (add ?unix_socket=/path for a socket)")
    query = parse_qs(parts.query)
    sockets = query.get("unix_socket") or query.get("socket") or []
    socket = sockets[0] if sockets else None
    try:
        port = parts.port
    except ValueError:
        raise ImportFailure(f"'{label}' has an invalid port", "write a number after the ':'") from None
    password = unquote(parts.password) if parts.password is not None else os.environ.get("MYSQL_PWD", "")
    try:
        connection = pymysql.connect(
            host=parts.hostname or "localhost", port=port or 3306, user=unquote(parts.username or ""),
            password=password, database=database, unix_socket=socket, charset="utf8mb4",
            connect_timeout=10, read_timeout=120, autocommit=False)
    except pymysql.err.MySQLError as err:
        raise ImportFailure(f"cannot connect to {label}: {_mysql_message(err)}",
                            "check the user, password, host and database name") from None
    try:
        cursor = connection.cursor()
        # Read-only: an import must never change the help desk it reads.
        cursor.execute("SET SESSION TRANSACTION READ ONLY")
        cursor.execute("START TRANSACTION READ ONLY")
        cursor.execute("SHOW TABLES")
        present = {str(row[0]) for row in cursor.fetchall()}
        _check_tables(present & set(COLUMNS), label, dump=False, others=present)
        return Source(label, *_read_tables(cursor, label))
    except pymysql.err.MySQLError as err:
        raise ImportFailure(f"cannot read {label}: {_mysql_message(err)}") from None
    finally:
        connection.rollback()
        connection.close()


def _mysql_message(err: Exception) -> str:
    args: tuple[Any, ...] = tuple(getattr(err, "args", ()))
    return str(args[1]) if len(args) > 1 else str(err)


# ----------------------------------------------------------------- both ways


def _check_tables(found: set[str], label: str, *, dump: bool, others: set[str] | None = None) -> None:
    what = "dump" if dump else "database"
    if not found:
        seen = sorted(others or [])
        listed = f"; it has {', '.join(seen[:6])}{', …' if len(seen) > 6 else ''}" if seen else ""
        raise ImportFailure(f"this {what} holds no WHMCS knowledge base (no {ARTICLES} table){listed}",
                            DUMP_HINT if dump else "check the database name", label)
    missing = [t for t in COLUMNS if t not in found]
    if missing:
        raise ImportFailure(f"the {what} is missing the table(s) {', '.join(missing)}",
                            DUMP_HINT if dump else "is this a WHMCS 7 or 8 database?", label)


def _read_tables(cursor: _Cursor, label: str) -> tuple[dict[str, list[Row]], tuple[str, ...]]:
    tables: dict[str, list[Row]] = {}
    warnings: list[str] = []
    for table, needed in COLUMNS.items():
        cursor.execute(f"SELECT * FROM {table}")
        names = [str(d[0]).lower() for d in cursor.description]
        missing = [c for c in needed if c not in names]
        if missing:
            raise ImportFailure(f"{table} has no column(s) {', '.join(missing)}",
                                "is this a WHMCS 7 or 8 knowledge base?", label)
        rows = [_normalise(table, dict(zip(names, values, strict=True)), label)
                for values in cursor.fetchall()]
        rows.sort(key=lambda r, keys=SORT_KEYS[table]: tuple(r[k] for k in keys))  # type: ignore[misc]
        tables[table] = rows
        warnings += (message for row in rows for message in _strip_nul(table, row))
    return tables, tuple(warnings)


def _strip_nul(table: str, row: Row) -> list[str]:
    """Remove NUL characters from a row's text, saying where. A NUL is no text a reader saw
    (browsers drop it from HTML), no data file may hold one, and refusing the whole article
    for it would lose every word around it: it is removed, and the report names the cell."""
    said: list[str] = []
    for name, value in row.items():
        if isinstance(value, str) and "\0" in value:
            count = value.count("\0")
            row[name] = value.replace("\0", "")
            key = f"id {row['id']}" if "id" in row else f"article {row.get('articleid')}"
            said.append(f"{table} {key}, column {name}: removed {count} NUL character(s) (\\0), "
                        "which no data file may hold; check the text there")
    return said


def _normalise(table: str, row: Row, label: str) -> Row:
    out: Row = {}
    for name, value in row.items():
        if name in NUMBERS:
            out[name] = _number(table, name, value, row, label)
        elif isinstance(value, bytes):
            out[name] = value.decode("utf-8", errors="replace")
        else:
            out[name] = "" if value is None else str(value)
    return out


def _number(table: str, name: str, value: Any, row: Row, label: str) -> int:
    if value is None or value == "":
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        ident = f" id {row['id']}" if "id" in row and name != "id" else ""
        raise ImportFailure(f"{table}{ident}: {name} is {value!r}, not a whole number",
                            "repair the row in WHMCS, then dump it again", label) from None
