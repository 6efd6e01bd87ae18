"""What a person may send to a SQL source: a table from the source's own list, or one read-only query.

    sql = check_query("WITH recent AS (SELECT ...) SELECT * FROM recent")   # the query, or QueryRefused
    sql = table_query("public", "orders")                                   # SELECT * FROM "public"."orders"

check_query is the first guard and gives the clear message: one statement, starting with SELECT, WITH, TABLE
or VALUES, that calls no set_config (which would change the session's settings, such as its time limit). The
second guard is the database itself: every query runs in a READ ONLY transaction with a time limit
(analysis.sources.postgres), so a write hidden inside a read (a data-modifying WITH, SELECT ... INTO, nextval, a
function that writes) is refused by PostgreSQL; and Blueprint holds the time limit itself, so a function of the
database that changes it does not lift it either.
"""
from __future__ import annotations

import re

READ_KEYWORDS = ("select", "with", "table", "values")
MAX_QUERY_CHARS = 20_000
SETTING_CALL = re.compile(r"\bset_config\s*\(", re.IGNORECASE)          # in the query outside texts and comments
QUOTED_SETTING_CALL = re.compile(r'(?<![\w"])"set_config"\s*\(')        # the same as a quoted name


class QueryRefused(ValueError):
    """A query that is not one read-only statement; the message says why and what to send instead."""


def _tokens_outside_literals(sql: str) -> tuple[str, list[int]]:
    """(``sql`` with comments removed and string / quoted-identifier contents blanked, positions in ``sql`` of the
    semicolons outside them). Handles '...' ('' inside), E'...' (backslash escapes), "...", $tag$...$tag$,
    -- line comments and nested /* */ comments; QueryRefused when one of them is not closed."""
    out, semicolons, i, n = [], [], 0, len(sql)
    while i < n:
        c = sql[i]
        if c == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end
            out.append(" ")
            continue
        if c == "/" and sql.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if sql.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif sql.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            if depth:
                raise QueryRefused("The query has a /* comment that is not closed with */.")
            i = j
            out.append(" ")
            continue
        if c in ("'", '"'):
            escapes = (c == "'" and i > 0 and sql[i - 1] in "eE"
                       and (i < 2 or not (sql[i - 2].isalnum() or sql[i - 2] == "_")))
            j = i + 1
            while True:
                if j >= n:
                    raise QueryRefused(f"The query has a {'text' if c == chr(39) else 'quoted name'} that is not "
                                       f"closed with {c}.")
                if escapes and sql[j] == "\\":
                    j += 2
                    continue
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            out.append(c + " " * (j - i - 1) + c)
            i = j + 1
            continue
        if c == "$":
            tag = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$", sql[i:])
            if tag and not (i > 0 and (sql[i - 1].isalnum() or sql[i - 1] == "_")):
                end = sql.find(tag.group(0), i + len(tag.group(0)))
                if end < 0:
                    raise QueryRefused(f"The query has a {tag.group(0)} quoted text that is not closed.")
                out.append(" ")
                i = end + len(tag.group(0))
                continue
        if c == ";":
            semicolons.append(i)
        out.append(c)
        i += 1
    return "".join(out), semicolons


def check_query(sql: str) -> str:
    """``sql`` as one read-only statement (a trailing semicolon removed), or QueryRefused saying why."""
    text = (sql or "").strip()
    if not text:
        raise QueryRefused("The query is empty. Write a SELECT (or WITH ... SELECT) query.")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefused(f"The query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}.")
    if "\x00" in text:
        raise QueryRefused("The query holds a NUL character.")
    bare, semicolons = _tokens_outside_literals(text)
    body = bare.rstrip().rstrip(";").rstrip()
    while body.endswith(";"):
        body = body.rstrip(";").rstrip()
    if ";" in body:
        raise QueryRefused("The query holds more than one statement (a ';' before its end). Send one SELECT query.")
    first = re.match(r"[\s(]*([A-Za-z]+)", body)
    keyword = first.group(1).lower() if first else ""
    if keyword not in READ_KEYWORDS:
        shown = keyword.upper() or body.strip()[:20]
        raise QueryRefused(f"Only read-only queries are run: the query starts with {shown}, not SELECT or WITH. "
                           "Blueprint reads data and never changes it; write a SELECT (or WITH ... SELECT) query.")
    if SETTING_CALL.search(bare) or QUOTED_SETTING_CALL.search(text):
        raise QueryRefused("The query calls set_config, which changes a setting of the database session (such as "
                           "its time limit). Blueprint only reads, within the limits its admin set: remove the "
                           "set_config call and send the query again.")
    return text[: semicolons[0]].rstrip() if semicolons else text


def quote_identifier(name: str) -> str:
    """A PostgreSQL identifier: in double quotes, inner double quotes doubled."""
    if "\x00" in name:
        raise QueryRefused("A name holds a NUL character.")
    return '"' + name.replace('"', '""') + '"'


def table_query(schema: str, table: str) -> str:
    """The query reading every row of table (or view) ``schema.table``."""
    return f"SELECT * FROM {quote_identifier(schema)}.{quote_identifier(table)}"
