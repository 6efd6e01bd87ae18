"""Drift between a reference and a current dataset: the run (run), Evidently's report and its offline HTML
(evidently_report), and the summary it is stored as (model)."""
