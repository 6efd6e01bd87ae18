"""Design document: the seven stages, one form per section, saved as append-only revisions."""
import streamlit as st

from components import document_form, feature_table, review_view, shell
from components.text import plain
from design.document import document_completeness
from store.access import EDIT
from store.documents import latest_revision

context = shell.page_context()
project = shell.require_project(context)
st.title(f"Design document · {plain(project.name)}")
shell.show_flash()

latest = latest_revision(context.db, project.id)
content = latest.content if latest else {}
done = document_completeness(content)
st.progress(done.share, text=f"{done.answered} of {done.total} questions answered ({done.share:.0%})"
            + (f" · {plain(latest.label)}" if latest else " · not saved yet"))
editing = shell.may(context, EDIT, "edit the document")

section = document_form.choose_section(content, document_form.draft_sections(context.db, project, context.user))
if editing:
    if section.key == "data":
        feature_table.fill_control(context.db, project, context.user,
                                   lambda saved: document_form.reload(project.id, saved))
    document_form.section_editor(context.db, project, section, context.user)
else:
    review_view.section_text(section, content)
view = review_view.evidence_view(context.db, project, content)
if view.notes.get(section.key) or view.missing.get(section.key):
    st.subheader("Evidence for this section")
    review_view.section_evidence(view, section.key)
document_form.revision_history(context.db, project)
