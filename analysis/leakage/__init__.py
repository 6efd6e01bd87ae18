"""Leakage checks: the scan (scan) runs the checks (checks) on single-feature scores (scores) and row
comparisons across splits (rows); findings and settings live in model."""
