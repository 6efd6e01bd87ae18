"""design/project_templates: templates are data, valid against the one section list, and never count as answers."""
from __future__ import annotations

import json

import pytest

from design.criteria import check_criterion
from design.document import document_completeness, success_criteria, with_section
from design.fields import CRITERIA, LIST, TEMPLATE_MARK, TEXT, is_answered, is_template
from design.project_templates import FOLDER, TemplateError, check_template, get_template, list_templates
from design.readiness import EvidenceDigest, assess_readiness
from design.sections import SECTIONS, section

KINDS_OF_PROBLEM = ["binary_triage", "churn_propensity", "fraud_anomaly", "recommendation_ranking",
                    "forecasting_regression", "content_moderation"]


def test_one_template_per_common_kind_of_problem_in_order():
    assert [t.key for t in list_templates()] == KINDS_OF_PROBLEM
    assert sorted(p.stem for p in FOLDER.glob("*.json")) == sorted(KINDS_OF_PROBLEM)


@pytest.mark.parametrize("key", KINDS_OF_PROBLEM)
def test_template_file_is_valid_against_the_sections(key):
    data = json.loads((FOLDER / f"{key}.json").read_text(encoding="utf-8"))
    template = check_template(data, key)
    fields = {(s.key, f.key): f for s in SECTIONS for f in s.fields}
    assert template.title and template.summary and template.references
    assert set(template.content) == {s.key for s in SECTIONS}, "every section gets its questions"
    for section_key, values in template.content.items():
        for field_key, value in values.items():
            field = fields[(section_key, field_key)]
            assert field.kind in (TEXT, LIST, CRITERIA)
            assert is_template(value), f"{section_key}.{field_key} is not marked as template text"
            assert not is_answered(field, value)
            if field.kind == CRITERIA:
                for line in value:
                    assert check_criterion(line[len(TEMPLATE_MARK):]), line      # a valid bar once unmarked
    assert template.content["evaluation"]["success_criteria"], "typical criteria"
    assert len(template.content["framing"]["assumptions"]) >= 3, "typical risks"


@pytest.mark.parametrize("key", KINDS_OF_PROBLEM)
def test_untouched_template_text_is_not_answered_and_not_a_criterion(key):
    content = get_template(key).content
    assert document_completeness(content).answered == 0
    assert success_criteria(content) == []
    items = {i.text: i.status for i in assess_readiness(content, EvidenceDigest()).items}
    for text in ("Business objective written", "Non-ML baseline considered", "Simple baseline described",
                 "Drift monitoring planned", "Retraining trigger defined"):
        assert items[text] == "fail", f"{text}: template text is not a written answer"


def test_replacing_one_line_makes_it_an_answer_and_a_criterion():
    content = get_template("fraud_anomaly").content
    lines = list(content["evaluation"]["success_criteria"])
    lines[0] = lines[0][len(TEMPLATE_MARK):].strip()
    edited = with_section(content, "evaluation", {**content["evaluation"], "success_criteria": "\n".join(lines)})
    assert [str(c) for c in success_criteria(edited)] == ["recall >= 0.8"]
    assert is_answered(section("evaluation").field("success_criteria"), edited["evaluation"]["success_criteria"])
    assert document_completeness(edited).answered == 1


def _template(**sections):
    return {"key": "x", "title": "X", "summary": "An example.", "references": ["A book"], "sections": sections}


@pytest.mark.parametrize(("sections", "message"), [
    ({"nope": {}}, "no section 'nope'"),
    ({"requirements": {"nope": "[template] x"}}, "has no field 'nope'"),
    ({"framing": {"ml_type": "[template] x"}}, "'framing.ml_type' is a choice field the person must answer"),
    ({"data": {"target": "[template] x"}}, "'data.target' is a text field the person must answer"),
    ({"requirements": {"scale": "How many users?"}}, "must start with '\\[template\\] '"),
    ({"requirements": {"non_goals": "[template] x"}}, "must be a list of lines"),
    ({"evaluation": {"success_criteria": ["[template] recal >= 0.8"]}}, "Did you mean recall\\?"),
    ({"requirements": {"scale": "[template] " + "x" * 6000}}, "the limit is 5,000"),
])
def test_a_template_that_does_not_fit_is_refused_saying_what_to_fix(sections, message):
    with pytest.raises(TemplateError, match=message):
        check_template(_template(**sections))


def test_a_template_needs_a_title():
    with pytest.raises(TemplateError, match="needs a non-empty 'title'"):
        check_template({**_template(requirements={}), "title": ""})
