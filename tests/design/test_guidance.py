"""design/sections.py as guidance: every field has an example that fits it, and success is reachable from
Requirements."""
from __future__ import annotations

import pytest

from design.fields import CHOICE, CRITERIA, FEATURE_TABLE, MULTI_CHOICE, NUMBER, check_value
from design.sections import SECTIONS, section

FIELDS = [(s, f) for s in SECTIONS for f in s.fields if f.kind != FEATURE_TABLE]


@pytest.mark.parametrize(("sec", "field"), FIELDS, ids=lambda x: getattr(x, "key", ""))
def test_every_field_has_an_example_that_its_own_check_accepts(sec, field):
    assert field.example.strip(), f"{sec.key}.{field.key} has no example"
    assert not field.example.startswith("e.g."), "the form adds 'e.g.'"
    if field.kind == CHOICE:
        assert field.example in field.options
    elif field.kind == MULTI_CHOICE:
        assert check_value(field, [o.strip() for o in field.example.split(",")])
    elif field.kind in (NUMBER, CRITERIA):
        assert check_value(field, field.example) is not None


def test_success_in_one_sentence_under_requirements_points_to_the_criteria():
    summary = section("requirements").field("success_summary")
    assert summary.label == "Success in one sentence"
    assert "Evaluation" in summary.question and "Success criteria" in summary.question
