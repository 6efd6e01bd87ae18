"""Reusable Streamlit pieces. They draw what they are given; no SQL here."""
