"""Differences between two revisions of a design document, section by section and field by field."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from design.fields import as_text
from design.sections import SECTIONS


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs: ``before`` and ``after`` as a person would write them ("" = empty)."""

    section: str
    section_title: str
    field: str
    label: str
    before: str
    after: str

    @property
    def kind(self) -> str:
        if not self.before:
            return "added"
        if not self.after:
            return "removed"
        return "changed"


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """The fields that differ between ``old`` and ``new``, in document order."""
    changes = []
    for sec in SECTIONS:
        before_values, after_values = old.get(sec.key) or {}, new.get(sec.key) or {}
        for f in sec.fields:
            before, after = as_text(f, before_values.get(f.key)), as_text(f, after_values.get(f.key))
            if before != after:
                changes.append(FieldChange(sec.key, sec.title, f.key, f.label, before, after))
    return changes
