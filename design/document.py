"""The design document as plain data, ``{section_key: {field_key: value}}``: editing and completeness."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from design.criteria import Criterion, parse_criterion
from design.fields import FieldError, check_value, is_answered, is_template
from design.sections import SECTIONS, Section, section


class DocumentError(ValueError):
    """One or more fields of a section are invalid; ``messages`` lists each, by field."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Completeness:
    """How much of a section (or the document) is answered: ``answered`` of ``total`` fields."""

    answered: int
    total: int

    @property
    def share(self) -> float:
        return self.answered / self.total if self.total else 0.0


def check_section(section_key: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate a section's raw form values; return the values to store, or raise DocumentError."""
    sec = section(section_key)
    values, messages = {}, []
    for field in sec.fields:
        try:
            values[field.key] = check_value(field, raw.get(field.key))
        except FieldError as error:
            messages.append(str(error))
    if messages:
        raise DocumentError(messages)
    return values


def with_section(content: dict, section_key: str, raw: dict[str, Any]) -> dict:
    """A new document: ``content`` with one section replaced by its checked ``raw`` values."""
    return {**content, section_key: check_section(section_key, raw)}


def value(content: dict, section_key: str, field_key: str) -> Any:
    """The stored value of one field (None when unanswered)."""
    section(section_key).field(field_key)
    return (content.get(section_key) or {}).get(field_key)


def section_completeness(content: dict, sec: Section) -> Completeness:
    values = content.get(sec.key) or {}
    return Completeness(sum(is_answered(f, values.get(f.key)) for f in sec.fields), len(sec.fields))


def document_completeness(content: dict) -> Completeness:
    parts = [section_completeness(content, s) for s in SECTIONS]
    return Completeness(sum(p.answered for p in parts), sum(p.total for p in parts))


def target_choice(content: dict) -> tuple[str | None, str | None]:
    """The target column and positive class the Data section names (None where it names none): every data
    page starts from them."""
    def one(key):
        text = (value(content, "data", key) or "").strip()
        return text or None

    return one("target"), one("positive_class")


def success_criteria(content: dict) -> list[Criterion]:
    """The parsed success criteria written in the Evaluation section (a template's example bars left as the
    template wrote them are not criteria yet)."""
    return [parse_criterion(text) for text in value(content, "evaluation", "success_criteria") or []
            if not is_template(text)]


def feature_table(content: dict, columns=None) -> dict[str, dict[str, str]]:
    """The Data section's feature table as column -> {"known": "yes" / "no" / "unknown", "source", "note"}
    (empty when the document has none); only the rows of ``columns`` when given (a dataset's columns)."""
    rows = value(content, "data", "feature_table") or []
    keep = None if columns is None else set(columns)
    return {row["column"]: {k: row.get(k, "") for k in ("known", "source", "note")} for row in rows
            if keep is None or row["column"] in keep}


def not_known_columns(content: dict) -> list[str]:
    """The columns the feature table marks as not known at prediction time ("no"), in table order."""
    return [column for column, row in feature_table(content).items() if row["known"] == "no"]


def fill_feature_table(rows: list[dict] | None, columns: list[str], source: str) -> tuple[list[dict], int]:
    """The feature table ``rows`` with a row for every one of ``columns`` it lacks, marked "unknown" until a person
    says when the column is known, with ``source`` (e.g. the dataset's name). Rows already there keep what was
    written. Returns (rows, how many were added)."""
    kept = [dict(row) for row in rows or []]
    listed = {row["column"] for row in kept}
    added = [{"column": str(c), "known": "unknown", "source": source, "note": ""}
             for c in columns if str(c) not in listed]
    return kept + added, len(added)
