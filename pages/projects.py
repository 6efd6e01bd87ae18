"""Projects: every ML system under design, how complete its document is; create, rename, archive."""
import pandas as pd
import streamlit as st

from components import identity, members_view, shell
from components.text import plain
from design.document import document_completeness
from design.fields import TEMPLATE_MARK
from design.project_templates import TEMPLATE_SOURCES, list_templates
from store.access import MANAGE
from store.db import write_txn
from store.documents import latest_revision, revision_counts, save_revision
from store.errors import StoreError
from store.grants import may
from store.projects import create_project, list_projects, rename_project, set_archived
from store.transfer import import_project

context = shell.page_context()
db = context.db
st.title("Projects")
st.caption("Each project is one ML system under design: its design document, data and evidence.")
shell.show_flash()

projects = list_projects(db, include_archived=True, user=context.user)
creators = identity.project_creators()           # who may create projects here ([blueprint] project_creators)
creating = may(db, context.user, creators)
counts = revision_counts(db)
rows = []
for p in projects:
    latest = latest_revision(db, p.id)
    done = document_completeness(latest.content if latest else {})
    rows.append(
        {
            "Project": p.name,
            "Description": p.description,
            "Complete": done.share,
            "Answered": f"{done.answered}/{done.total}",
            "Revisions": counts.get(p.id, 0),
            "Last saved": latest.label.split(" by ", 1)[1] if latest else "never",
            "Status": "archived" if p.archived else "active",
        }
    )
if rows:
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={"Complete": st.column_config.ProgressColumn("Complete", min_value=0, max_value=1,
                                                                   format="percent")},
    )

left, right = st.columns(2)
with left, st.form("create-project", clear_on_submit=False):
    st.subheader("New project")
    name = st.text_input("Name", key="new-project-name", placeholder="e.g. Churn prediction")
    description = st.text_area("Description", key="new-project-description", height=80)
    templates = {t.key: t for t in list_templates()}
    start = st.radio("Start from", [None, *templates], key="new-project-template",
                     format_func=lambda k: "A blank document" if k is None else templates[k].title,
                     captions=["Every question, no text yet.", *(t.summary for t in templates.values())])
    st.caption("Templates fill each section with the questions that matter for that kind of problem, typical "
               f"success criteria and risks, marked {plain(TEMPLATE_MARK)}: prompts to replace with your answers, "
               "never counted as answered. Written from " + "; ".join(plain(r) for r in TEMPLATE_SOURCES) + ".")
    if not creating:
        st.caption(plain(f"On this server {creators.who()} may create projects: ask an admin to create one for you "
                         "and add you to it, or to add you to project_creators in the settings."))
    if st.form_submit_button("Create project", type="primary", disabled=not creating):
        template = templates.get(start)
        try:
            with write_txn(db):
                created = create_project(db, name, description, created_by=context.user, creators=creators)
                if template is not None:
                    save_revision(db, created.id, template.content, context.user, parent_id=None)
        except StoreError as error:
            st.error(plain(str(error)))
        else:
            shell.set_project(created.id)
            shell.flash(f"Created project '{created.name}'. Fill in its design document next." if template is None else
                        f"Created project '{created.name}' from the template '{template.title}'. Its text is marked "
                        f"{TEMPLATE_MARK}: replace it with your answers, section by section.")
            st.rerun()

project = context.project
if project is not None:
    right.subheader("This project")
    with right:
        managing = shell.may(context, MANAGE, "rename or archive it")     # owners; others read why
if project is not None and managing:
    with right, st.form(f"edit-project-{project.id}"):
        new_name = st.text_input("Name", value=project.name, key=f"edit-name-{project.id}")
        new_description = st.text_area("Description", value=project.description, key=f"edit-desc-{project.id}",
                                       height=80)
        rename = st.form_submit_button("Save name and description")
        archive = st.form_submit_button("Restore project" if project.archived else "Archive project")
        try:
            if rename:
                renamed = rename_project(db, project.id, new_name, new_description, by=context.user)
                shell.flash(f"Saved: the project is now called '{renamed.name}'.")
                st.rerun()
            if archive:
                changed = set_archived(db, project.id, not project.archived, by=context.user)
                shell.flash(
                    f"Archived '{changed.name}'. It is hidden from the picker; nothing was deleted."
                    if changed.archived
                    else f"Restored '{changed.name}'."
                )
                st.rerun()
        except StoreError as error:
            st.error(plain(str(error)))

if project is not None:
    people, feed = st.tabs([f"Members of {plain(project.name)}", "Activity"])
    with people:
        members_view.members(context, project)
    with feed:
        members_view.activity(context, project)

with st.expander("Import a project exported from another Blueprint (JSON)"):
    upload = st.file_uploader("Project file", type=["json"], key="import-project")
    if upload is not None and st.button("Import as a new project", key="import-go", disabled=not creating):
        try:
            new_id = import_project(db, upload.getvalue(), imported_by=context.user, creators=creators)
        except StoreError as error:
            st.error(plain(str(error)))
        else:
            shell.set_project(new_id)
            shell.flash(f"Imported '{upload.name}' as a new project.")
            st.rerun()
