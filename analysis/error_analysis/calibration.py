"""Calibration of a classifier's scores: a reliability diagram, the Brier score and the expected calibration error.

Binary: the probability of the positive class against the share of positive rows, in BINS equal-width bins of the
score. Multiclass: the probability of the predicted class against the share predicted correctly (top-label
calibration). ECE is the row-weighted mean of |observed share - mean score| over the bins. The scores are poorly
calibrated when ECE exceeds ECE_POOR, or when the bin holding the decision threshold misses its mean score with its
whole 95 % interval; then, if the design document's decision threshold relies on them (it reads a score as a
probability), the note says so in plain words.
"""
from __future__ import annotations

import numpy as np

from analysis.error_analysis.model import Calibration, CalibrationBin
from analysis.intervals import wilson
from analysis.target import BINARY

BINS = 10
ECE_POOR = 0.05


def calibration(task: str, truth: np.ndarray, predicted: np.ndarray, score: np.ndarray, positive: int | None = None,
                threshold: float | None = None, threshold_from_document: bool = False) -> Calibration:
    """The reliability bins, Brier score, ECE and a note of one model's out-of-fold scores."""
    if task == BINARY:
        outcome = (truth == positive).astype(np.float64)
        kind = "positive class"
    else:
        outcome = (truth == predicted).astype(np.float64)
        kind = "predicted class"
    edges = np.linspace(0.0, 1.0, BINS + 1)
    which = np.clip(np.searchsorted(edges, score, side="right") - 1, 0, BINS - 1)
    bins, ece = [], 0.0
    n = len(score)
    for b in range(BINS):
        inside = which == b
        rows = int(inside.sum())
        if not rows:
            continue
        positives = int(outcome[inside].sum())
        share = wilson(positives, rows)
        mean = float(score[inside].mean())
        ece += rows / n * abs(share.value - mean)
        bins.append(CalibrationBin(round(edges[b], 2), round(edges[b + 1], 2), rows, round(mean, 6), share.value,
                                   share.low, share.high))
    brier = round(float(np.mean((score - outcome) ** 2)), 6) if task == BINARY and n else None
    at_threshold = None
    if threshold is not None:
        at_threshold = next((b for b in bins if b.low <= threshold < b.high or (threshold == 1.0 and b.high == 1.0)),
                            None)
    off_at_threshold = at_threshold is not None and not (at_threshold.observed_low <= at_threshold.mean_score
                                                         <= at_threshold.observed_high)
    poor = ece > ECE_POOR or off_at_threshold
    return Calibration(kind, tuple(bins), brier, round(ece, 6), poor, threshold, threshold_from_document,
                       _note(kind, ece, poor, threshold, threshold_from_document, at_threshold, off_at_threshold))


def _note(kind, ece, poor, threshold, from_document, at, off) -> str:
    what = "the chance of the positive class" if kind == "positive class" else "the chance the predicted class is right"
    if not poor:
        return (f"Well calibrated: expected calibration error {ece:.3f} (at most {ECE_POOR}), so a score can be read "
                f"as {what}.")
    said = (f"Poorly calibrated: expected calibration error {ece:.3f} (above {ECE_POOR} counts as poor)"
            if ece > ECE_POOR else f"Calibration error {ece:.3f} overall, but off where it matters")
    if at is not None and off:
        said += (f"; rows scored {at.low:.1f}-{at.high:.1f} average a score of {at.mean_score:.2f} but "
                 f"{at.observed:.0%} of them are {'positive' if kind == 'positive class' else 'right'} (95 % interval "
                 f"{at.observed_low:.0%}-{at.observed_high:.0%})")
    said += f": a score is not {what}."
    if threshold is not None and from_document:
        said += (f" The design document's decision threshold {threshold:g} relies on reading scores as "
                 "probabilities, so it does not mean what it says: calibrate the scores (Platt or isotonic scaling "
                 "fitted inside the training folds) or choose the threshold from the threshold explorer's counts.")
    else:
        said += " Calibrate the scores (Platt or isotonic scaling) before anyone reads them as probabilities."
    return said
