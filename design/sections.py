"""The one list of design-document sections (the seven stages of ML system design) and their fields."""
from __future__ import annotations

from dataclasses import dataclass

from design.fields import CHOICE, CRITERIA, FEATURE_TABLE, LIST, MULTI_CHOICE, NUMBER, TEXT, Field


@dataclass(frozen=True)
class Section:
    """One stage of the design document.

    key: stable identifier (stored in revisions and URLs).
    title: shown as the section heading.
    purpose: one sentence on what the section settles, shown under the heading.
    fields: the questions of the section, in display order.
    """

    key: str
    title: str
    purpose: str
    fields: tuple[Field, ...]

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(f"Section {self.key!r} has no field {key!r}.")


_OFFLINE_METRICS = (
    "accuracy",
    "balanced accuracy",
    "precision",
    "recall",
    "specificity",
    "f1",
    "roc auc",
    "pr auc",
    "log loss",
    "brier score",
    "mae",
    "rmse",
    "r2",
    "mape",
    "ndcg",
    "map",
)

SECTIONS: tuple[Section, ...] = (
    Section(
        key="requirements",
        title="Requirements",
        purpose="What the business needs, for whom, and within which limits of data, compute, privacy, scale and speed.",
        fields=(
            Field(
                "business_objective",
                "Business objective",
                TEXT,
                "What business outcome should this system change, and how will you know it did? "
                "Which metric does the business already track, and what change in it do you expect?",
            ),
            Field(
                "users",
                "Users and features",
                TEXT,
                "Who acts on the system's output, in which workflow, and what do they do with a prediction? "
                "Which product features depend on it?",
            ),
            Field(
                "data_available",
                "Data available",
                TEXT,
                "What data exists today (source, volume, labels), who owns it, and are you allowed to use it "
                "for this purpose?",
            ),
            Field(
                "constraints",
                "Constraints",
                TEXT,
                "What limits the solution: compute and budget, cloud or on-device, privacy and regulation, "
                "team skills, deadline?",
            ),
            Field(
                "scale",
                "Scale",
                TEXT,
                "How many users, requests (average and peak) and items to score are there, and how fast will "
                "these numbers grow over the next year?",
            ),
            Field(
                "latency_requirement",
                "Latency and real time",
                TEXT,
                "Must predictions be returned in real time, and within what latency? How much accuracy would "
                "you give up for speed, or speed for accuracy?",
            ),
            Field(
                "error_costs",
                "Cost of errors",
                TEXT,
                "What does a false positive cost, and what does a false negative cost, for the user and for "
                "the business? Which of the two is worse, and by roughly how much?",
            ),
            Field(
                "non_goals",
                "Non-goals",
                LIST,
                "What will this version of the system explicitly not do, even if someone asks for it?",
            ),
        ),
    ),
    Section(
        key="framing",
        title="ML framing",
        purpose="Whether ML is needed at all and, if so, the exact prediction task it is turned into.",
        fields=(
            Field(
                "non_ml_baseline",
                "Non-ML baseline",
                TEXT,
                "Is ML needed at all? What does a simple heuristic or rule achieve today, and by how much must "
                "ML beat it to be worth its cost?",
            ),
            Field(
                "ml_objective",
                "ML objective",
                TEXT,
                "What exactly does the model predict, for which unit (user, item, sample, session), and how "
                "does a better prediction move the business objective?",
            ),
            Field(
                "inputs",
                "Inputs",
                TEXT,
                "What does the model receive at prediction time, and is every input really available at that "
                "moment, with no information from the future or from the label itself?",
            ),
            Field(
                "outputs",
                "Outputs",
                TEXT,
                "What does the model return (label, score, ranked list) and who or what consumes it? If there "
                "are several models, what are the inputs and outputs of each?",
            ),
            Field(
                "ml_type",
                "ML type",
                CHOICE,
                "Which kind of ML task is this, and does it match the type of the target column you will train on?",
                options=(
                    "binary classification",
                    "multiclass classification",
                    "multilabel classification",
                    "regression",
                    "ranking",
                    "clustering",
                    "other",
                ),
            ),
            Field(
                "human_in_the_loop",
                "Decision and fallback",
                TEXT,
                "Who or what acts on each prediction, and what happens when the model is unsure, wrong or "
                "unavailable?",
            ),
            Field(
                "assumptions",
                "Assumptions and risks",
                LIST,
                "Which assumptions must hold for this framing to work, and what observation would prove each "
                "one wrong?",
            ),
        ),
    ),
    Section(
        key="data",
        title="Data",
        purpose="Where the training data and labels come from, how they are split and prepared, and what risks they carry.",
        fields=(
            Field(
                "target",
                "Target column",
                TEXT,
                "Which column of the training data holds what the model predicts? Every data page starts from "
                "it (Explore, Leakage, Baselines), so name it exactly as in the dataset.",
            ),
            Field(
                "positive_class",
                "Positive class",
                TEXT,
                "For a classification target, which value is the case the model must find (the one recall and "
                "precision are about), e.g. 'malignant', 'churned', 'fraud'?",
            ),
            Field(
                "sources",
                "Data sources",
                LIST,
                "Where does each input come from (system, table, vendor, users), who owns it, and is it "
                "available at prediction time as well as at training time?",
            ),
            Field(
                "labels",
                "Labels",
                TEXT,
                "Where do the labels come from: manual annotation or natural feedback? How noisy are they, how "
                "long does a label take to arrive, and how do you measure its quality?",
            ),
            Field(
                "size_and_freshness",
                "Size, freshness and storage",
                TEXT,
                "How many examples and labels are there, how old are they, how fast do they go stale, and "
                "where are they stored (format, access, retention)?",
            ),
            Field(
                "sampling",
                "Sampling",
                TEXT,
                "How were the examples selected from the population (random, stratified, convenience, time "
                "window), and which cases does that leave out?",
            ),
            Field(
                "splits",
                "Splits",
                TEXT,
                "How will you split into train, validation and test so that nothing leaks across them (by "
                "time, by patient or user, stratified)? How large is each split?",
            ),
            Field(
                "imbalance_plan",
                "Class imbalance plan",
                TEXT,
                "How imbalanced are the classes, and what will you do about it (class weights, resampling, "
                "threshold tuning, metrics that are not fooled by the majority class)?",
            ),
            Field(
                "feature_table",
                "Feature availability",
                FEATURE_TABLE,
                "A column recorded after the outcome scores like an honest feature; only when it is recorded tells "
                "them apart. So, for each column: is its value known at the moment the prediction is made (yes / no "
                "/ unknown; the leakage checks flag strong columns marked no or unknown, and the baselines leave "
                "out those marked no), where does it come from, and what should a reviewer know about it?",
            ),
            Field(
                "feature_engineering",
                "Feature engineering",
                TEXT,
                "Which features will you build, how will you handle missing values, scaling and categories, "
                "and is the same transformation code used in training and in serving?",
            ),
            Field(
                "privacy",
                "Privacy",
                TEXT,
                "Does the data contain personal or sensitive information? What is the legal basis, how is it "
                "de-identified, who can access it, and how long is it kept?",
            ),
            Field(
                "bias",
                "Bias",
                TEXT,
                "Which groups or cases may be under-represented or mislabelled in the data, and how will you "
                "check for that before training?",
            ),
        ),
    ),
    Section(
        key="model",
        title="Model",
        purpose="The models to try, from the simplest baseline up, and how they are trained and kept up to date.",
        fields=(
            Field(
                "baseline",
                "Simple baseline",
                TEXT,
                "What is the simplest model you will train first (majority class, logistic regression, a small "
                "tree), and what score must the candidates beat?",
            ),
            Field(
                "candidates",
                "Candidate models",
                LIST,
                "Which models will you try, and what does each trade off (accuracy, latency, interpretability, "
                "data needed, cost)?",
            ),
            Field(
                "loss",
                "Loss function",
                TEXT,
                "Which loss will you optimise, and does it reflect the evaluation metric and the unequal cost "
                "of errors (class weights, focal loss, a ranking loss)?",
            ),
            Field(
                "training",
                "Training",
                TEXT,
                "Will you train from scratch or fine-tune a pre-trained model? Does training fit on one "
                "machine or must it be distributed, and how long and how much does a run cost?",
            ),
            Field(
                "tuning",
                "Hyperparameter tuning",
                TEXT,
                "How will you tune hyperparameters without overfitting to the test set (nested cross-validation, "
                "a separate validation set), and how large is the search?",
            ),
            Field(
                "interpretability",
                "Interpretability",
                TEXT,
                "Do users or regulators need to understand individual predictions? How will you explain them, "
                "and does that rule out some candidate models?",
            ),
            Field(
                "continual_training",
                "Continual training",
                TEXT,
                "Will the model be retrained from scratch or updated incrementally as new data arrives, how "
                "often, and how is a new model validated before it replaces the old one?",
            ),
        ),
    ),
    Section(
        key="evaluation",
        title="Evaluation",
        purpose="How the model is judged offline and online, and the measurable bar it must clear before it ships.",
        fields=(
            Field(
                "offline_metrics",
                "Offline metrics",
                MULTI_CHOICE,
                "Which offline metrics will you report, and why do they fit the cost of errors and the class "
                "balance (accuracy alone hides a useless model on imbalanced data)?",
                options=_OFFLINE_METRICS,
            ),
            Field(
                "online_metrics",
                "Online metrics",
                LIST,
                "Which metrics measured in production show that the business objective improved, and how "
                "does each relate to the offline metrics?",
            ),
            Field(
                "success_criteria",
                "Success criteria",
                CRITERIA,
                "Which measurable bars must the model clear before launch, one per line as metric, operator, "
                "number, such as 'recall >= 0.80' or 'p95 latency_ms <= 200'?",
            ),
            Field(
                "decision_threshold",
                "Decision threshold",
                NUMBER,
                "At which score does a prediction become positive, and how was that threshold chosen "
                "(cost of errors, a target recall, a review capacity)?",
                min_value=0,
                max_value=1,
            ),
            Field(
                "threshold_tradeoff",
                "Threshold trade-off",
                TEXT,
                "What false positive rate and false negative rate does this threshold imply, and what does "
                "each mean for the people affected (how many missed cases, how many needless alerts)?",
            ),
            Field(
                "slices",
                "Slices and error analysis",
                TEXT,
                "On which slices (segments, sites, rare or hard cases) will you report metrics separately, "
                "and how will you inspect the errors the model makes?",
            ),
            Field(
                "calibration",
                "Calibration",
                TEXT,
                "Will anyone read the scores as probabilities? If so, how will you measure and correct "
                "calibration (reliability curve, Brier score, Platt or isotonic scaling)?",
            ),
            Field(
                "fairness",
                "Fairness",
                TEXT,
                "Could the model perform worse for some groups of people? Which groups will you compare, on "
                "which metric, and what gap is acceptable?",
            ),
        ),
    ),
    Section(
        key="deployment",
        title="Deployment and serving",
        purpose="Where and how predictions are served, within which latency budget, and how a new model is tested on real traffic.",
        fields=(
            Field(
                "target",
                "Deployment target",
                CHOICE,
                "Where will the model run: in the cloud, on premises, on a device, at the edge or in the "
                "browser? What drives that choice (latency, privacy, cost, connectivity)?",
                options=("cloud", "on premises", "on device", "browser", "edge", "other"),
            ),
            Field(
                "prediction_mode",
                "Prediction mode",
                CHOICE,
                "Are predictions computed on request (online) or precomputed in batches? What would be "
                "lost by choosing the other mode?",
                options=("online (real time)", "batch", "both"),
            ),
            Field(
                "latency_budget_ms",
                "Latency budget",
                NUMBER,
                "What is the p95 latency budget for one prediction, end to end, including feature lookup?",
                unit="ms",
                min_value=0,
            ),
            Field(
                "peak_throughput",
                "Peak throughput",
                NUMBER,
                "How many predictions per second must the service handle at peak?",
                unit="predictions/s",
                min_value=0,
            ),
            Field(
                "compression",
                "Model compression",
                TEXT,
                "Does the model have to be smaller or faster to meet the budget? Which technique "
                "(distillation, pruning, quantization) and how much accuracy may it cost?",
            ),
            Field(
                "testing_in_production",
                "Testing in production",
                MULTI_CHOICE,
                "How will a new model be tested on real traffic before it fully replaces the current one "
                "(shadow, A/B test, canary, interleaving, bandits)?",
                options=("shadow", "A/B test", "canary", "interleaving", "bandits", "none"),
            ),
            Field(
                "rollout_and_rollback",
                "Rollout and rollback",
                TEXT,
                "How is the model rolled out, which signal stops the rollout, and how fast can you go back "
                "to the previous version?",
            ),
        ),
    ),
    Section(
        key="monitoring",
        title="Monitoring and maintenance",
        purpose="How the running system is watched, when it is retrained, and how its versions are kept.",
        fields=(
            Field(
                "operational_metrics",
                "Operational metrics",
                LIST,
                "Which system metrics will you watch (latency percentiles, throughput, error rate, uptime, "
                "cost), and what is the normal range of each?",
            ),
            Field(
                "ml_metrics",
                "ML metrics",
                LIST,
                "Which model metrics will you track in production, computed on which labels, and how long "
                "after a prediction do those labels arrive?",
            ),
            Field(
                "drift",
                "Drift",
                TEXT,
                "How will you detect drift in the inputs, in the predictions and in the labels, against "
                "which reference data, with which test and over which window?",
            ),
            Field(
                "alerting",
                "Alerting",
                TEXT,
                "Which conditions raise an alert, who receives it and what must they do? How will you keep "
                "false alarms rare enough that alerts are not ignored?",
            ),
            Field(
                "retraining_trigger",
                "Retraining trigger",
                TEXT,
                "What event or measurement triggers retraining (drift, a metric below its bar, new labelled "
                "data, a schedule), and who approves the new model?",
            ),
            Field(
                "retraining_cadence",
                "Retraining cadence",
                CHOICE,
                "How often will the model be retrained, and is that often enough for how fast the data "
                "changes?",
                options=(
                    "continuous (online learning)",
                    "daily",
                    "weekly",
                    "monthly",
                    "quarterly",
                    "yearly",
                    "on trigger only",
                ),
            ),
            Field(
                "feedback_loops",
                "Feedback loops",
                TEXT,
                "Can the model's own predictions change the data or labels it will later be trained on, and "
                "how will you detect and correct that?",
            ),
            Field(
                "versions",
                "Model versions",
                TEXT,
                "How are model versions recorded with their training data, code and metrics, and can you "
                "reproduce or restore any version that served predictions?",
            ),
        ),
    ),
)


def section(key: str) -> Section:
    """The section with this key; KeyError naming the valid keys otherwise."""
    for s in SECTIONS:
        if s.key == key:
            return s
    raise KeyError(f"No section {key!r}; sections are {', '.join(s.key for s in SECTIONS)}.")
