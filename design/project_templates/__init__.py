"""Project templates: a new project's design document pre-filled for a common kind of ML problem.

Each template is a JSON file in this folder, data rather than code:

    {"key": "fraud_anomaly", "order": 3, "title": "...", "summary": "...", "references": ["..."],
     "sections": {"requirements": {"error_costs": "[template] A missed fraud costs ..."}, ...}}

Its text asks the questions that matter for that kind of problem and names typical criteria and risks. Every value
starts with TEMPLATE_MARK ("[template]"): it is a prompt to replace, not an answer, so completeness does not count it
and success criteria ignore it until the person rewrites the line (design.fields.is_template). Templates fill text,
list and criteria fields only; choices, numbers and the names of columns stay for the person to give.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from design.criteria import CriterionError, check_criterion
from design.document import DocumentError, check_section
from design.fields import CRITERIA, LIST, TEMPLATE_MARK, TEXT
from design.sections import SECTIONS

FOLDER = Path(__file__).resolve().parent
FILLABLE = (TEXT, LIST, CRITERIA)
NOT_FILLED = {("data", "target"), ("data", "positive_class")}   # names of the person's own columns, never guessed


class TemplateError(ValueError):
    """A template file does not fit the document's sections."""


@dataclass(frozen=True)
class ProjectTemplate:
    """One template: ``key`` (file name), ``title`` and ``summary`` (shown when choosing), ``references`` (the
    literature it was written from) and ``content``, the document it starts, {section: {field: value}}."""

    key: str
    title: str
    summary: str
    references: tuple[str, ...]
    content: dict


def check_template(data: dict, key: str = "?") -> ProjectTemplate:
    """Validate a parsed template file against design.sections; return it, or raise TemplateError saying what to fix."""
    where = f"Template '{key}'"
    for name in ("key", "title", "summary"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise TemplateError(f"{where} needs a non-empty '{name}'.")
    if not isinstance(data.get("sections"), dict) or not data["sections"]:
        raise TemplateError(f"{where} needs 'sections': {{section key: {{field key: template text}}}}.")
    sections = {s.key: s for s in SECTIONS}
    content = {}
    for section_key, values in data["sections"].items():
        if section_key not in sections:
            raise TemplateError(f"{where}: no section '{section_key}'; sections are {', '.join(sections)}.")
        fields = {f.key: f for f in sections[section_key].fields}
        for field_key, value in values.items():
            field = fields.get(field_key)
            if field is None:
                raise TemplateError(f"{where}: section '{section_key}' has no field '{field_key}'.")
            if field.kind not in FILLABLE or (section_key, field_key) in NOT_FILLED:
                raise TemplateError(f"{where}: '{section_key}.{field_key}' is a {field.kind} field the person must "
                                    "answer; templates fill text, list and criteria fields only.")
            lines = [value] if isinstance(value, str) else value
            if not isinstance(lines, list) or not lines or not all(isinstance(v, str) for v in lines):
                raise TemplateError(f"{where}: '{section_key}.{field_key}' must be text or a list of lines.")
            if (field.kind == TEXT) != isinstance(value, str):
                raise TemplateError(f"{where}: '{section_key}.{field_key}' must be "
                                    f"{'text' if field.kind == TEXT else 'a list of lines'}.")
            for line in lines:
                if not line.startswith(TEMPLATE_MARK + " "):
                    raise TemplateError(f"{where}: '{section_key}.{field_key}' must start with '{TEMPLATE_MARK} ' so "
                                        f"that nobody takes it for an answer: {line[:60]!r}.")
                if field.kind == CRITERIA:
                    try:
                        check_criterion(line[len(TEMPLATE_MARK):])
                    except CriterionError as error:
                        raise TemplateError(f"{where}: {error}") from None
        try:
            content[section_key] = {k: v for k, v in check_section(section_key, values).items() if v is not None}
        except DocumentError as error:
            raise TemplateError(f"{where}: {' '.join(error.messages)}") from None
    references = data.get("references", [])
    if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
        raise TemplateError(f"{where}: 'references' must be a list of texts.")
    return ProjectTemplate(data["key"], data["title"].strip(), data["summary"].strip(), tuple(references), content)


@cache
def list_templates() -> tuple[ProjectTemplate, ...]:
    """Every template in this folder, in their 'order'."""
    found = []
    for path in sorted(FOLDER.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("key") != path.stem:
            raise TemplateError(f"Template file {path.name} has key {data.get('key')!r}; name the file after its key.")
        found.append((data.get("order", 99), check_template(data, path.stem)))
    return tuple(t for _, t in sorted(found, key=lambda pair: (pair[0], pair[1].title)))


def get_template(key: str) -> ProjectTemplate:
    """The template with this key; KeyError naming the valid keys otherwise."""
    for template in list_templates():
        if template.key == key:
            return template
    raise KeyError(f"No project template {key!r}; templates are {', '.join(t.key for t in list_templates())}.")


TEMPLATE_AUTHOR = "Blueprint template"   # the first revision's author when the person has not given their name
TEMPLATE_SOURCES = (
    "Chip Huyen, Designing Machine Learning Systems (2022)",
    "Ali Aminian and Alex Xu, Machine Learning System Design Interview (2023)",
    "François Chollet's universal workflow of machine learning (Deep Learning with Python, 2nd ed., 2021)",
)
