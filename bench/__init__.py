"""Benchmarks: ``python -m bench NAME [--rows N]``. Each prints a table and ends with one RESULT line."""
