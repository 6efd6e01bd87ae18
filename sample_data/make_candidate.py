"""Write gbm_v1_predictions.csv: the sample project's candidate model, "gbm" v1, as a team would bring it.

    uv run python sample_data/make_candidate.py          # from the repository root; deterministic

The model: scikit-learn's GradientBoostingClassifier (200 trees of depth 3, learning rate 0.05, 80 % row subsample,
random_state 0) started from a standardised logistic regression (its ``init``): the boosting corrects the linear
model's log-odds where the nucleus features interact. Its predictions are out-of-fold: 5-fold stratified
cross-validation (shuffled, random_state 0) over the 569 rows of breast_cancer.csv, so every row is scored by a model
that did not see it, as the baselines are. The file holds one row per sample: ``sample_id`` (the key that joins it to
the dataset) and ``score``, the probability of malignant, rounded to 6 decimals.

The seed (sample_data/seed.py) stores the file as version 1 of the model "gbm" joined to breast_cancer.csv, and its
evidence is computed like a job: the model is not trained at first start.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HERE = Path(__file__).parent
DATA = HERE / "breast_cancer.csv"
PREDICTIONS = HERE / "gbm_v1_predictions.csv"
SEED = 0


def candidate_predictions() -> pd.DataFrame:
    """The out-of-fold probabilities of malignant of the sample's gbm, one row per sample (see the module docstring)."""
    data = pd.read_csv(DATA)
    y = (data["diagnosis"] == "malignant").to_numpy(dtype=int)
    x = data.drop(columns=["sample_id", "diagnosis"])
    model = GradientBoostingClassifier(init=make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
                                       n_estimators=200, learning_rate=0.05, max_depth=3, subsample=0.8,
                                       random_state=SEED)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    score = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1]
    return pd.DataFrame({"sample_id": data["sample_id"], "score": np.round(score, 6)})


def main() -> None:
    candidate_predictions().to_csv(PREDICTIONS, index=False, lineterminator="\n")
    print(f"wrote {PREDICTIONS}")


if __name__ == "__main__":
    main()
