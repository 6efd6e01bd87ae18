"""Blueprint: design reviews for ML systems. Entry point: page config, project picker, navigation."""
import streamlit as st

from components import identity, shell

st.set_page_config(page_title="Blueprint", page_icon="📐", layout="wide")

# Navigation first: the app's own page list from the first paint, even while the data folder is prepared.
# Streamlit's own menu is hidden: its links drop the query string (project, dataset, target), and the app
# writing them back made a second history entry per visit. shell.draw_navigation draws the same pages as
# links that carry the person's choices, so one visit is one entry and Back goes to the previous page.
PAGES = {
    "Project": [
        # Served at / (a default page keeps its url_path reserved, so it gets one nobody types) and, not
        # listed twice, at /projects.
        st.Page("pages/projects.py", title="Projects", icon=":material/folder:", url_path="home", default=True),
        st.Page("pages/projects.py", title="Projects", icon=":material/folder:", url_path="projects",
                visibility="hidden"),
        st.Page("pages/design.py", title="Design document", icon=":material/edit_note:", url_path="design"),
        st.Page("pages/jobs.py", title="Jobs", icon=":material/pending_actions:", url_path="jobs"),
    ],
    "Data": [
        st.Page("pages/datasets.py", title="Datasets", icon=":material/table:", url_path="datasets"),
        st.Page("pages/explore.py", title="Explore", icon=":material/query_stats:", url_path="explore"),
        st.Page("pages/leakage.py", title="Leakage", icon=":material/plumbing:", url_path="leakage"),
        st.Page("pages/drift.py", title="Drift", icon=":material/compare_arrows:", url_path="drift"),
    ],
    "Models": [
        st.Page("pages/baselines.py", title="Baselines", icon=":material/model_training:", url_path="baselines"),
        st.Page("pages/models.py", title="Models", icon=":material/smart_toy:", url_path="models"),
        st.Page("pages/compare.py", title="Compare", icon=":material/leaderboard:", url_path="compare"),
    ],
    "Review": [
        st.Page("pages/review.py", title="Review", icon=":material/rate_review:", url_path="review"),
    ],
}
navigation = st.navigation(PAGES, position="hidden")
db = shell.open_db()
menu = None
try:
    # Who is here (local, OpenID Connect or a sign-in proxy, per secrets.toml): wrong settings, a refused
    # address and the sign-in page stop the run here, before anything of the app is drawn.
    user = identity.current_user(db)
    st.sidebar.title("Blueprint")
    with st.sidebar:
        project = shell.choose_project(db, user, archived_ok=navigation.url_path in ("home", "projects"))
    menu = st.sidebar.empty()           # the page menu: drawn before the page runs and again after
    user = identity.sidebar_user(user)
    shell.draw_navigation(menu, PAGES)
    with shell.serving(shell.AppContext(db, project, user.display_name, user)):
        navigation.run()
finally:
    db.close()
    shell.write_url()                   # not reached after a page's st.stop(): the menu drawn as it chose stays
    if menu is not None:                # None: the run stopped before the app (sign-in page, settings message)
        shell.draw_navigation(menu, PAGES)
