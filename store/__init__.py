"""Persistence: SQLite through sqlite-utils, one module per table group. Never imports streamlit."""
