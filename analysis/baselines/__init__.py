"""Quick baselines on a chosen target: the checked plan (setup), the model suite (models), the metrics and
their thresholds (metrics), and the cross-validated run itself (run)."""
