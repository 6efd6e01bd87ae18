"""Typed fields of the design document and the one function that validates a value for a field."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from design.criteria import CriterionError, check_criterion, format_number, read_number

TEXT = "text"                # free text, several lines
CHOICE = "choice"            # one of `options`
MULTI_CHOICE = "multi_choice"  # any of `options`
NUMBER = "number"            # a number, optionally bounded and with a unit
LIST = "list"                # one item per line
CRITERIA = "criteria"        # one success criterion per line: `metric op threshold`
FEATURE_TABLE = "feature_table"  # rows of (column, known at prediction time: yes / no / unknown, source, note)
KINDS = (TEXT, CHOICE, MULTI_CHOICE, NUMBER, LIST, CRITERIA, FEATURE_TABLE)

TEMPLATE_MARK = "[template]"  # starts text a project template wrote: a prompt to replace, never counted as an answer
MAX_TEXT_CHARS = 5_000       # a long answer is fine; a pasted book is not
MAX_ITEMS = 50               # per list or criteria field
MAX_ITEM_CHARS = 300         # per list item, and per cell of a feature table
MAX_TABLE_ROWS = 2_000       # per feature table (one row per column of the widest dataset we expect)
KNOWN = ("yes", "no", "unknown")   # is a column's value known at prediction time?
TABLE_COLUMNS = ("column", "known", "source", "note")   # the keys of a feature table row, in display order


class FieldError(ValueError):
    """A value does not fit its field; the message says what to change."""


@dataclass(frozen=True)
class Field:
    """One question of the design document.

    key: stable identifier inside its section (stored in revisions, never shown).
    label: short name shown above the input.
    kind: one of KINDS.
    question: the guiding question a design reviewer would ask; shown under the label.
    options: the allowed values for CHOICE and MULTI_CHOICE.
    unit: unit shown with NUMBER fields (e.g. "ms").
    min_value, max_value: bounds for NUMBER fields (None = unbounded).
    example: a short example answer, shown as the empty input's placeholder ("" = none).
    """

    key: str
    label: str
    kind: str
    question: str
    options: tuple[str, ...] = ()
    unit: str = ""
    min_value: float | None = None
    max_value: float | None = None
    example: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Field {self.key!r}: kind {self.kind!r} must be one of {', '.join(KINDS)}.")
        if self.kind in (CHOICE, MULTI_CHOICE) and not self.options:
            raise ValueError(f"Field {self.key!r}: a {self.kind} field needs options.")


def _lines(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = raw.splitlines()
    return [str(item).strip() for item in raw if str(item).strip()]


def check_value(field: Field, raw: Any) -> Any:
    """Convert and validate ``raw`` (what a form returned) for ``field``.

    Returns the value to store (str, float, list[str] or None when empty); raises FieldError
    whose message names the field, what is wrong and how to fix it.
    """
    name = f"'{field.label}'"
    if field.kind == TEXT:
        text = (raw or "").strip()
        if len(text) > MAX_TEXT_CHARS:
            raise FieldError(
                f"{name} is {len(text):,} characters long; the limit is {MAX_TEXT_CHARS:,}. "
                "Shorten it, or link to a longer document."
            )
        return text or None
    if field.kind == CHOICE:
        if raw in (None, ""):
            return None
        if raw not in field.options:
            raise FieldError(f"{name}: '{raw}' is not one of the choices ({', '.join(field.options)}).")
        return raw
    if field.kind == MULTI_CHOICE:
        chosen = ([raw] if raw.strip() else []) if isinstance(raw, str) else list(raw or [])
        unknown = [c for c in chosen if c not in field.options]
        if unknown:
            raise FieldError(f"{name}: {', '.join(map(repr, unknown))} not among the choices.")
        return [o for o in field.options if o in chosen] or None
    if field.kind == FEATURE_TABLE:
        return _check_table(name, raw)
    if field.kind == NUMBER:
        if raw is None or str(raw).strip() == "":
            return None
        try:
            number = read_number(str(raw))
        except ValueError as error:
            raise FieldError(f"{name}: {error}.") from None
        if not math.isfinite(number):
            raise FieldError(f"{name} must be a finite number.")
        if field.min_value is not None and number < field.min_value:
            raise FieldError(f"{name} is {number:g}; it must be at least {field.min_value:g}.")
        if field.max_value is not None and number > field.max_value:
            raise FieldError(f"{name} is {number:g}; it must be at most {field.max_value:g}.")
        return int(number) if number.is_integer() else number
    items = _lines(raw)
    if len(items) > MAX_ITEMS:
        raise FieldError(f"{name} has {len(items)} lines; the limit is {MAX_ITEMS}. Merge or shorten them.")
    if field.kind == LIST:
        for number, item in enumerate(items, start=1):
            if len(item) > MAX_ITEM_CHARS:
                raise FieldError(
                    f"{name}, line {number} is {len(item):,} characters long; the limit is "
                    f"{MAX_ITEM_CHARS}. Keep one short item per line."
                )
        return items or None
    criteria = []
    for number, item in enumerate(items, start=1):
        if is_template(item):
            criteria.append(item)      # a template's example bar, kept until replaced; never checked or counted
            continue
        try:
            criteria.append(str(check_criterion(item).criterion))
        except CriterionError as error:
            raise FieldError(f"{name}, line {number}: {error}") from None
    return criteria or None


def _cell(value: Any) -> str:
    """A table cell as trimmed text ("" for None and NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _check_table(name: str, raw: Any) -> list[dict[str, str]] | None:
    """Feature table rows as [{"column", "known", "source", "note"}]: from a list of dicts (what the table editor
    returns) or text, one row per line, cells separated by "|" (column | known | source | note). Rows with no
    column name and nothing else are dropped; "known" is yes / no / unknown (empty: unknown)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str):
        # a line may have fewer cells than columns (the rest are empty) or more (the extra ones are dropped)
        raw = [dict(zip(TABLE_COLUMNS, line.split("|"), strict=False)) for line in raw.splitlines() if line.strip()]
    if not isinstance(raw, (list, tuple)):
        raise FieldError(f"{name} must be a table of rows (column, known at prediction time, source, note).")
    rows, seen = [], {}
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise FieldError(f"{name}, row {number} is not a row of (column, known at prediction time, source, note).")
        row = {key: _cell(item.get(key)) for key in TABLE_COLUMNS}
        if not any(row.values()):
            continue
        if not row["column"]:
            raise FieldError(f"{name}, row {number} has no column name. Name the column, or clear the row.")
        row["known"] = row["known"].lower() or "unknown"
        if row["known"] not in KNOWN:
            raise FieldError(f"{name}, row {number} ('{row['column']}'): known at prediction time is "
                             f"'{row['known']}'; write yes, no or unknown.")
        for key in TABLE_COLUMNS:
            if len(row[key]) > MAX_ITEM_CHARS:
                raise FieldError(f"{name}, row {number} ('{row['column'][:40]}'): the {key} is {len(row[key]):,} "
                                 f"characters long; the limit is {MAX_ITEM_CHARS}. Shorten it.")
        if row["column"] in seen:
            raise FieldError(f"{name}: column '{row['column']}' is listed twice (rows {seen[row['column']]} and "
                             f"{number}). Keep one row per column.")
        seen[row["column"]] = number
        rows.append(row)
    if len(rows) > MAX_TABLE_ROWS:
        raise FieldError(f"{name} has {len(rows):,} rows; the limit is {MAX_TABLE_ROWS:,}. List the columns the "
                         "model may use.")
    return rows or None


def is_template(value: Any) -> bool:
    """True when ``value`` is template text still to replace: text starting with TEMPLATE_MARK, or a list whose
    every line does."""
    if isinstance(value, str):
        return value.lstrip().startswith(TEMPLATE_MARK)
    if isinstance(value, (list, tuple)) and value:
        return all(isinstance(item, str) and is_template(item) for item in value)
    return False


def is_answered(field: Field, value: Any) -> bool:
    """True when ``value`` counts as an answer to ``field`` (for completeness): not empty, and not template text
    left as the template wrote it (a list counts once one line is the person's own)."""
    return value not in (None, "", []) and not is_template(value)


def as_text(field: Field, value: Any) -> str:
    """The value as a person would write it in the form (lists one per line)."""
    if value is None:
        return ""
    if field.kind == FEATURE_TABLE:
        return "\n".join(" | ".join(row.get(key, "") for key in TABLE_COLUMNS).rstrip(" |") for row in value)
    if isinstance(value, list):
        return "\n".join(map(str, value))
    if field.kind == NUMBER:
        return f"{format_number(value)}{(' ' + field.unit) if field.unit else ''}"
    return str(value)
