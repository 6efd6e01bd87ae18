"""Error analysis of a baseline run: where the model fails and for whom.

    model.py        the results (SliceReport, WorstErrors, Calibration, ErrorAnalysis), JSON-ready dataclasses
    columns.py      which columns are sliced and how (values, quantile bins), computed once per frame
    slices.py       a metric per slice with its 95 % interval, and the weak-slice search (Holm-corrected)
    worst.py        the most confident wrong predictions / the largest absolute errors, with their feature values
    calibration.py  reliability bins, Brier score, expected calibration error, a note in plain words
    analyze.py      all of it for every scored model of a run (what the job worker calls)

Nothing here draws; the Baselines page reads the stored results (components.error_analysis_view).
"""
