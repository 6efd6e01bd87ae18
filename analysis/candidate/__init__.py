"""A candidate model's evidence: the team's own model, judged from its predictions like the baselines are.

    reading.py    which columns are the target, the scores, the label and the key; the rows as arrays
    checks.py     what is wrong with a predictions table (or a baseline's, or a load test's), each problem named
    evaluate.py   metrics with 95 % intervals, the dummy floor, curves, slices, worst errors, calibration
    paired.py     candidate against a baseline (and the dummy) on the same rows: paired bootstrap differences, in words
    latency.py    percentiles of a load test's latencies with order-statistic intervals
    plan.py       the checked plan (columns, classes, threshold, criteria, with the reason for each choice)
    unit.py       UNIT: the analysis unit (analysis.units) that plans once and computes the evidence and its summary

Nothing here draws, stores or reads files: the caller reads a predictions file with the one reader
(analysis.reading.read) and passes its DataFrame; the store keeps the model and its versions (store.models), the job
stores the result.
"""
