"""AppTest: the design document as a product manager meets it: guidance under each label, criteria checked as
typed, nothing typed lost (drafts), and new projects started from a template."""
from __future__ import annotations

import re

from design.fields import TEMPLATE_MARK
from design.sections import section
from store.db import open_store
from store.documents import latest_revision, list_revisions, save_revision
from store.drafts import get_draft
from store.people import System
from tests.apptest import by_label, open_app

OBJECTIVE = "Halve the time to a first read of likely malignant samples."


def shown(at, kind: str) -> list[str]:
    """The text of every element of one kind as a person reads it (Markdown escapes and bold marks removed)."""
    return [re.sub(r"\\(.)", r"\1", str(e.value).replace("**", "")) for e in getattr(at, kind)]


def _design(section_key="requirements", author="Ana"):
    at = open_app("pages/design.py", query={"section": section_key}, author=author)
    assert not at.exception
    return at


def _switch(at, section_key):
    at.query_params["section"] = section_key
    at.radio(key="section").set_value(section_key).run()
    assert not at.exception
    return at


def _button(at, label):
    [b for b in at.button if b.label == label][0].click().run()
    assert not at.exception
    return at


def test_each_field_shows_its_question_under_the_label_and_an_example_as_placeholder(app_home):
    at = _design()
    requirements = section("requirements")
    labels, captions = shown(at, "markdown"), shown(at, "caption")
    for field in requirements.fields:
        assert field.label in labels
        assert field.question in captions, field.key
    objective = by_label(at.text_area, "Business objective")
    assert objective.placeholder == "e.g. " + requirements.field("business_objective").example
    assert by_label(at.text_area, "Non-goals").placeholder.startswith("One item per line, e.g.\nNo automatic")


def test_success_criteria_are_reachable_from_requirements(app_home):
    at = _design()
    summary = by_label(at.text_area, "Success in one sentence")
    assert summary.value.startswith("Pathologists read likely malignant samples first")
    assert any("under Evaluation, Success criteria" in c for c in shown(at, "caption"))
    _button(at, "Write the measurable success criteria under Evaluation")
    assert [s.value for s in at.subheader][0] == "Evaluation"
    assert by_label(at.text_area, "Success criteria").value.startswith("recall >= 0.95")


def test_typed_text_is_a_draft_that_survives_a_section_switch_and_a_new_session(app_home):
    at = _design()
    by_label(at.text_area, "Business objective").input(OBJECTIVE).run()
    assert any(w.startswith("Unsaved draft of Requirements, last edited") for w in shown(at, "warning"))
    assert "unsaved draft" in at.radio(key="section").format_func("requirements")
    db = open_store(app_home)
    assert get_draft(db, 1, "requirements", System("test", "Ana")).values["business_objective"] == OBJECTIVE
    assert len(list_revisions(db, 1)) == 1, "a draft is not a revision"

    _switch(at, "evaluation")
    assert not any(w.startswith("Unsaved draft") for w in shown(at, "warning"))
    _switch(at, "requirements")
    assert by_label(at.text_area, "Business objective").value == OBJECTIVE
    assert any(w.startswith("Unsaved draft of Requirements") for w in shown(at, "warning"))

    tomorrow = _design()                           # a new session: a reload, or the next day
    assert by_label(tomorrow.text_area, "Business objective").value == OBJECTIVE
    assert any(w.startswith("Unsaved draft of Requirements") for w in shown(tomorrow, "warning"))
    other = _design(author="Bo")                   # drafts are per person
    assert by_label(other.text_area, "Business objective").value != OBJECTIVE
    assert not any(w.startswith("Unsaved draft") for w in shown(other, "warning"))
    db.close()


def test_save_turns_the_draft_into_a_revision_and_discard_goes_back(app_home):
    at = _design()
    by_label(at.text_area, "Business objective").input(OBJECTIVE).run()
    _button(at, "Save Requirements")
    assert any("Saved Requirements as revision 2" in s for s in shown(at, "success"))
    assert not any(w.startswith("Unsaved draft") for w in shown(at, "warning"))
    db = open_store(app_home)
    latest = latest_revision(db, 1)
    assert (latest.number, latest.author, latest.content["requirements"]["business_objective"]) == (2, "Ana", OBJECTIVE)
    assert get_draft(db, 1, "requirements", System("test", "Ana")) is None

    by_label(at.text_area, "Scale").input("Two sites, 80 samples a day.").run()
    assert get_draft(db, 1, "requirements", System("test", "Ana")) is not None
    _button(at, "Discard draft")
    assert get_draft(db, 1, "requirements", System("test", "Ana")) is None
    assert by_label(at.text_area, "Scale").value == latest.content["requirements"]["scale"]
    assert any("Discarded your draft of Requirements" in s for s in shown(at, "success"))
    db.close()


def test_misspelled_and_impossible_criteria_are_refused_with_advice_and_kept(app_home):
    at = _design("evaluation")
    typed = "recal >= 0.8\nrecall >= 1.5"
    by_label(at.text_area, "Success criteria").input(typed).run()
    warning = " ".join(shown(at, "warning"))
    assert "Did you mean recall?" in warning and "share between 0 and 1" in warning
    _button(at, "Save Evaluation")
    error = " ".join(shown(at, "error"))
    assert "Not saved" in error and "line 1" in error and "Did you mean recall? Write 'recall >= 0.8'" in error
    assert by_label(at.text_area, "Success criteria").value == typed
    db = open_store(app_home)
    assert len(list_revisions(db, 1)) == 1
    assert get_draft(db, 1, "evaluation", System("test", "Ana")).values["success_criteria"] == typed

    by_label(at.text_area, "Success criteria").input("recall >= 1.5").run()
    _button(at, "Save Evaluation")
    error = " ".join(shown(at, "error"))
    assert "recall is a share between 0 and 1, so 1.5 is impossible" in error

    by_label(at.text_area, "Success criteria").input("recall >= 80 %\np95 latency_ms <= 300").run()
    captions = " ".join(shown(at, "caption"))
    assert "recall >= 0.8: measured by the baselines (80% read as 0.8)" in captions
    assert "p95 latency_ms <= 300: not measured by the baselines" in captions
    _button(at, "Save Evaluation")
    assert any("Saved Evaluation as revision 2" in s and "80% read as 0.8" in s for s in shown(at, "success"))
    assert latest_revision(db, 1).content["evaluation"]["success_criteria"] == ["recall >= 0.8",
                                                                                "p95 latency_ms <= 300"]
    db.close()


def test_a_draft_begun_before_a_colleague_saved_the_same_section_is_refused_as_stale(app_home):
    at = _design("evaluation")
    mine = "Recall per age band within 0.03 of the overall recall."
    by_label(at.text_area, "Fairness").input(mine).run()
    db = open_store(app_home)
    base = latest_revision(db, 1)
    save_revision(db, 1, {**base.content, "evaluation": {**base.content["evaluation"], "fairness": "Bo's text"}},
                  System("test", "Bo"), parent_id=base.id, section="evaluation")
    later = _design("evaluation")                  # Ana comes back later: her draft, on revision 1
    assert by_label(later.text_area, "Fairness").value == mine
    _button(later, "Save Evaluation")
    assert any("Not saved: Bo saved revision 2" in e and "still in the form" in e for e in shown(later, "error"))
    assert by_label(later.text_area, "Fairness").value == mine
    _button(later, "Keep my text; my next save goes on top of theirs")
    _button(later, "Save Evaluation")
    latest = latest_revision(db, 1)
    assert (latest.number, latest.author, latest.content["evaluation"]["fairness"]) == (3, "Ana", mine)
    assert get_draft(db, 1, "evaluation", System("test", "Ana")) is None
    db.close()


def test_a_draft_moves_on_when_only_other_sections_were_saved_since(app_home):
    at = _design()
    by_label(at.text_area, "Business objective").input(OBJECTIVE).run()
    _switch(at, "framing")
    by_label(at.text_area, "Non-ML baseline").input("Reading in arrival order finds 30 % of cancers first.").run()
    _button(at, "Save ML framing")
    _switch(at, "requirements")
    assert by_label(at.text_area, "Business objective").value == OBJECTIVE
    _button(at, "Save Requirements")
    assert any("Saved Requirements as revision 3" in s for s in shown(at, "success")), shown(at, "error")
    db = open_store(app_home)
    latest = latest_revision(db, 1)
    assert latest.content["requirements"]["business_objective"] == OBJECTIVE
    assert latest.content["framing"]["non_ml_baseline"].startswith("Reading in arrival order")
    db.close()


def test_new_project_from_a_template_is_marked_as_template_text_not_answers(app_home):
    at = open_app("pages/projects.py", author="Ana")
    radio = at.radio(key="new-project-template")
    assert list(radio.options)[:3] == ["A blank document", "Binary triage or classification", "Churn or propensity"]
    assert any("Huyen" in c and "Aminian" in c and "Chollet" in c and "marked [template]" in c
               for c in shown(at, "caption"))
    at.text_input(key="new-project-name").input("Card fraud")
    radio.set_value("fraud_anomaly")
    _button(at, "Create project")
    assert any("from the template 'Fraud or anomaly detection'" in s for s in shown(at, "success"))
    db = open_store(app_home)
    project = next(p for p in __import__("store.projects", fromlist=["list_projects"]).list_projects(db)
                   if p.name == "Card fraud")
    first = latest_revision(db, project.id)
    assert first.number == 1 and first.content["requirements"]["error_costs"].startswith(TEMPLATE_MARK)
    db.close()
    table = at.dataframe[0].value
    assert table[table["Project"] == "Card fraud"].iloc[0]["Answered"] == "0/" + str(
        sum(len(s.fields) for s in __import__("design.sections", fromlist=["SECTIONS"]).SECTIONS))

    at.switch_page("pages/design.py").run()
    at.query_params["section"] = "evaluation"
    at.run()
    assert not at.exception
    criteria = by_label(at.text_area, "Success criteria")
    assert criteria.value.startswith(f"{TEMPLATE_MARK} recall >= 0.8")
    assert any(c.startswith("Template text: replace it with your own answer") for c in shown(at, "caption"))
    assert any("0 of" in p.proto.text for p in at.get("progress"))
