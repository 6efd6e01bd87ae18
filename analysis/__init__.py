"""Data work, pure Python: reading uploads (read), profiling (profile), and the pieces they use.

Nothing here imports streamlit; functions take and return plain data (dataclasses, DataFrames, dicts).
"""
