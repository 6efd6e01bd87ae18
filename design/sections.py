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
        purpose="What the business needs, for whom, and within which limits of data, compute, privacy, scale and "
        "speed.",
        fields=(
            Field(
                "business_objective",
                "Business objective",
                TEXT,
                "What business outcome should this system change, and how will you know it did? "
                "Which metric does the business already track, and what change in it do you expect?",
                example="Cut monthly voluntary churn of paying subscribers from 3.1 % to 2.6 % within two quarters "
                "(the churn rate finance already reports).",
            ),
            Field(
                "success_summary",
                "Success in one sentence",
                TEXT,
                "What does success look like for the business and for the people who use the system, in one "
                "sentence? And which bars (metric, operator, number) under Evaluation, Success criteria, will show "
                "it was reached?",
                example="The retention team saves more customers per call than today: at 500 calls a week it "
                "reaches at least 7 in 10 of the customers about to leave.",
            ),
            Field(
                "users",
                "Users and features",
                TEXT,
                "Who acts on the system's output, in which workflow, and what do they do with a prediction? "
                "Which product features depend on it?",
                example="The retention team calls the 500 highest-risk customers each week from a list in the CRM; the "
                "in-app offer banner uses the same score.",
            ),
            Field(
                "data_available",
                "Data available",
                TEXT,
                "What data exists today (source, volume, labels), who owns it, and are you allowed to use it "
                "for this purpose?",
                example="3 years of billing events and app usage logs (12 M rows, owned by the data platform team); "
                "cancellations as labels; legal approved the use for retention.",
            ),
            Field(
                "constraints",
                "Constraints",
                TEXT,
                "What limits the solution: compute and budget, cloud or on-device, privacy and regulation, "
                "team skills, deadline?",
                example="Scored nightly on the existing Spark cluster; no personal data leaves the EU; two data "
                "scientists; first version by the end of Q3.",
            ),
            Field(
                "scale",
                "Scale",
                TEXT,
                "How many users, requests (average and peak) and items to score are there, and how fast will "
                "these numbers grow over the next year?",
                example="1.2 M active subscribers scored nightly, growing 20 % a year; at peak 50 score look-ups per "
                "second from the CRM.",
            ),
            Field(
                "latency_requirement",
                "Latency and real time",
                TEXT,
                "Must predictions be returned in real time, and within what latency? How much accuracy would "
                "you give up for speed, or speed for accuracy?",
                example="Batch is enough: scores must be ready by 6:00 each day; a CRM look-up must answer within 200 "
                "ms.",
            ),
            Field(
                "error_costs",
                "Cost of errors",
                TEXT,
                "What does a false positive cost, and what does a false negative cost, for the user and for "
                "the business? Which of the two is worse, and by roughly how much?",
                example="A missed churner loses about 40 EUR of revenue a month; a needless call costs about 3 EUR of "
                "agent time, so a miss is roughly 10 times worse.",
            ),
            Field(
                "non_goals",
                "Non-goals",
                LIST,
                "What will this version of the system explicitly not do, even if someone asks for it?",
                example="No automatic discounts without a person deciding\nNo churn scores for business accounts",
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
                example="Today the team calls everyone whose usage halved last month: that finds about 35 % of "
                "churners. ML must find 50 % with as many calls.",
            ),
            Field(
                "ml_objective",
                "ML objective",
                TEXT,
                "What exactly does the model predict, for which unit (user, item, sample, session), and how "
                "does a better prediction move the business objective?",
                example="For each active subscriber, the probability of cancelling within the next 30 days.",
            ),
            Field(
                "inputs",
                "Inputs",
                TEXT,
                "What does the model receive at prediction time, and is every input really available at that "
                "moment, with no information from the future or from the label itself?",
                example="Usage and billing aggregates up to the scoring day (no event after it), plan, tenure, support "
                "tickets of the last 90 days.",
            ),
            Field(
                "outputs",
                "Outputs",
                TEXT,
                "What does the model return (label, score, ranked list) and who or what consumes it? If there "
                "are several models, what are the inputs and outputs of each?",
                example="A churn probability per subscriber, written nightly to the CRM table retention_scores; "
                "the team sorts its call list by it.",
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
                example="binary classification",
            ),
            Field(
                "human_in_the_loop",
                "Decision and fallback",
                TEXT,
                "Who or what acts on each prediction, and what happens when the model is unsure, wrong or "
                "unavailable?",
                example="An agent decides whether to call and what to offer; when scores are missing, the team falls "
                "back to the usage-drop rule.",
            ),
            Field(
                "assumptions",
                "Assumptions and risks",
                LIST,
                "Which assumptions must hold for this framing to work, and what observation would prove each "
                "one wrong?",
                example="Past cancellations predict future ones: a price change would break this\n"
                "Agents follow the list: check the call logs weekly",
            ),
        ),
    ),
    Section(
        key="data",
        title="Data",
        purpose="Where the training data and labels come from, how they are split and prepared, and what risks "
        "they carry.",
        fields=(
            Field(
                "target",
                "Target column",
                TEXT,
                "Which column of the training data holds what the model predicts (named exactly as in the dataset: "
                "Explore, Leakage and Baselines start from it)?",
                example="churned_30d",
            ),
            Field(
                "positive_class",
                "Positive class",
                TEXT,
                "For a classification target, which value is the case the model must find (the one recall and "
                "precision are about), e.g. 'malignant', 'churned', 'fraud'?",
                example="yes",
            ),
            Field(
                "sources",
                "Data sources",
                LIST,
                "Where does each input come from (system, table, vendor, users), who owns it, and is it "
                "available at prediction time as well as at training time?",
                example="billing.events (finance, daily export)\napp.usage_daily (data platform)\nsupport.tickets "
                "(help-desk API)",
            ),
            Field(
                "labels",
                "Labels",
                TEXT,
                "Where do the labels come from: manual annotation or natural feedback? How noisy are they, how "
                "long does a label take to arrive, and how do you measure its quality?",
                example="Natural labels: a cancellation within 30 days of the scoring day, known 30 days late; failed "
                "payments (involuntary churn) left out.",
            ),
            Field(
                "size_and_freshness",
                "Size, freshness and storage",
                TEXT,
                "How many examples and labels are there, how old are they, how fast do they go stale, and "
                "where are they stored (format, access, retention)?",
                example="36 monthly snapshots of 1.2 M subscribers (about 43 M rows, 4 % positive); refreshed nightly; "
                "Parquet on S3, kept 3 years.",
            ),
            Field(
                "sampling",
                "Sampling",
                TEXT,
                "How were the examples selected from the population (random, stratified, convenience, time "
                "window), and which cases does that leave out?",
                example="Every active subscriber on the 1st of each month since 2022; trial users are left out, so the "
                "model says nothing about them.",
            ),
            Field(
                "splits",
                "Splits",
                TEXT,
                "How will you split into train, validation and test so that nothing leaks across them (by "
                "time, by patient or user, stratified)? How large is each split?",
                example="By time: train on 2022-2024, validate on the first half of 2025, test on the last 3 months; "
                "each customer in one split per month.",
            ),
            Field(
                "imbalance_plan",
                "Class imbalance plan",
                TEXT,
                "How imbalanced are the classes, and what will you do about it (class weights, resampling, "
                "threshold tuning, metrics that are not fooled by the majority class)?",
                example="4 % positives: class weights, PR AUC and recall at 500 calls as metrics, threshold chosen on "
                "validation; no resampling.",
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
                example="7, 30 and 90-day usage aggregates, days since the last login, plan changes; one feature "
                "pipeline for training and scoring.",
            ),
            Field(
                "privacy",
                "Privacy",
                TEXT,
                "Does the data contain personal or sensitive information? What is the legal basis, how is it "
                "de-identified, who can access it, and how long is it kept?",
                example="Pseudonymous customer ids; no names or addresses among the features; legitimate interest "
                "assessed by legal; data kept 3 years.",
            ),
            Field(
                "bias",
                "Bias",
                TEXT,
                "Which groups or cases may be under-represented or mislabelled in the data, and how will you "
                "check for that before training?",
                example="New markets have under a year of history: compare recall per country and per plan before "
                "training.",
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
                example="Logistic regression on 10 usage features; every candidate must beat its PR AUC of 0.21 on the "
                "validation months.",
            ),
            Field(
                "candidates",
                "Candidate models",
                LIST,
                "Which models will you try, and what does each trade off (accuracy, latency, interpretability, "
                "data needed, cost)?",
                example="Gradient-boosted trees: usually best on tabular data, fast to score\n"
                "Logistic regression: easy to explain, likely weaker",
            ),
            Field(
                "proposed_candidate",
                "Proposed candidate",
                TEXT,
                "Which candidate model do you propose to ship, named as on the Models page ('gbm' for its latest "
                "version, 'gbm v3' for one version), so that the review judges it and its failing or inconclusive "
                "criteria block approval?",
                example="gbm",
            ),
            Field(
                "loss",
                "Loss function",
                TEXT,
                "Which loss will you optimise, and does it reflect the evaluation metric and the unequal cost "
                "of errors (class weights, focal loss, a ranking loss)?",
                example="Log loss with class weights (positives x 10), so a missed churner costs more than a needless "
                "call.",
            ),
            Field(
                "training",
                "Training",
                TEXT,
                "Will you train from scratch or fine-tune a pre-trained model? Does training fit on one "
                "machine or must it be distributed, and how long and how much does a run cost?",
                example="From scratch on one machine (about 10 minutes and under 1 EUR a run); no pre-trained model "
                "applies.",
            ),
            Field(
                "tuning",
                "Hyperparameter tuning",
                TEXT,
                "How will you tune hyperparameters without overfitting to the test set (nested cross-validation, "
                "a separate validation set), and how large is the search?",
                example="Random search over 50 settings scored on the validation months only; the test months are read "
                "once, at the end.",
            ),
            Field(
                "interpretability",
                "Interpretability",
                TEXT,
                "Do users or regulators need to understand individual predictions? How will you explain them, "
                "and does that rule out some candidate models?",
                example="Agents see the top 3 reasons per customer (SHAP values); no regulator asks for more.",
            ),
            Field(
                "continual_training",
                "Continual training",
                TEXT,
                "Will the model be retrained from scratch or updated incrementally as new data arrives, how "
                "often, and how is a new model validated before it replaces the old one?",
                example="Retrain from scratch monthly on the latest 24 months; the new model replaces the old one only "
                "if it beats it on the last month.",
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
                example="pr auc, recall",
            ),
            Field(
                "online_metrics",
                "Online metrics",
                LIST,
                "Which metrics measured in production show that the business objective improved, and how "
                "does each relate to the offline metrics?",
                example="Churn rate of called customers against a random holdout\nSaves per 100 calls",
            ),
            Field(
                "success_criteria",
                "Success criteria",
                CRITERIA,
                "Which measurable bars must the model clear before launch, one per line as metric, operator, "
                "number, such as 'recall >= 0.80', 'p95 latency_ms <= 200', or on a slice of the data, "
                "'recall[region=north] >= 0.8' ('recall[every sex] >= 0.75' for each value)?",
                example="recall >= 0.70\npr auc >= 0.30\np95 latency_ms <= 200",
            ),
            Field(
                "decision_threshold",
                "Decision threshold",
                NUMBER,
                "At which score does a prediction become positive, and how was that threshold chosen "
                "(cost of errors, a target recall, a review capacity)?",
                min_value=0,
                max_value=1,
                example="0.35",
            ),
            Field(
                "threshold_tradeoff",
                "Threshold trade-off",
                TEXT,
                "What false positive rate and false negative rate does this threshold imply, and what does "
                "each mean for the people affected (how many missed cases, how many needless alerts)?",
                example="At 0.35: false positive rate 8 % (about 400 needless calls a week), false negative rate 30 % "
                "(about 150 churners missed a month).",
            ),
            Field(
                "slices",
                "Slices and error analysis",
                TEXT,
                "On which slices (segments, sites, rare or hard cases) will you report metrics separately, "
                "and how will you inspect the errors the model makes?",
                example="Per country, plan and tenure band (under 3 months); 50 false negatives read by hand at each "
                "release.",
            ),
            Field(
                "always_slice",
                "Columns always sliced",
                LIST,
                "Which columns (sensitive attributes, key segments) must every evaluation report metrics for, one "
                "per line, even where the model does no worse than elsewhere?",
                example="sex\nregion\ntenure_months",
            ),
            Field(
                "calibration",
                "Calibration",
                TEXT,
                "Will anyone read the scores as probabilities? If so, how will you measure and correct "
                "calibration (reliability curve, Brier score, Platt or isotonic scaling)?",
                example="Yes, finance reads scores as probabilities: a reliability curve per release, isotonic scaling "
                "when off by more than 0.05.",
            ),
            Field(
                "fairness",
                "Fairness",
                TEXT,
                "Could the model perform worse for some groups of people? Which groups will you compare, on "
                "which metric, and what gap is acceptable?",
                example="Compare recall across age bands and regions; a gap above 0.05 blocks the release.",
            ),
        ),
    ),
    Section(
        key="deployment",
        title="Deployment and serving",
        purpose="Where and how predictions are served, within which latency budget, and how a new model is tested "
        "on real traffic.",
        fields=(
            Field(
                "target",
                "Deployment target",
                CHOICE,
                "Where will the model run: in the cloud, on premises, on a device, at the edge or in the "
                "browser? What drives that choice (latency, privacy, cost, connectivity)?",
                options=("cloud", "on premises", "on device", "browser", "edge", "other"),
                example="cloud",
            ),
            Field(
                "prediction_mode",
                "Prediction mode",
                CHOICE,
                "Are predictions computed on request (online) or precomputed in batches? What would be "
                "lost by choosing the other mode?",
                options=("online (real time)", "batch", "both"),
                example="batch",
            ),
            Field(
                "latency_budget_ms",
                "Latency budget",
                NUMBER,
                "What is the p95 latency budget for one prediction, end to end, including feature lookup?",
                unit="ms",
                min_value=0,
                example="200",
            ),
            Field(
                "peak_throughput",
                "Peak throughput",
                NUMBER,
                "How many predictions per second must the service handle at peak?",
                unit="predictions/s",
                min_value=0,
                example="50",
            ),
            Field(
                "compression",
                "Model compression",
                TEXT,
                "Does the model have to be smaller or faster to meet the budget? Which technique "
                "(distillation, pruning, quantization) and how much accuracy may it cost?",
                example="Not needed: the trees score 1 M rows in 2 minutes; revisit if scoring moves into the app.",
            ),
            Field(
                "testing_in_production",
                "Testing in production",
                MULTI_CHOICE,
                "How will a new model be tested on real traffic before it fully replaces the current one "
                "(shadow, A/B test, canary, interleaving, bandits)?",
                options=("shadow", "A/B test", "canary", "interleaving", "bandits", "none"),
                example="shadow, A/B test",
            ),
            Field(
                "rollout_and_rollback",
                "Rollout and rollback",
                TEXT,
                "How is the model rolled out, which signal stops the rollout, and how fast can you go back "
                "to the previous version?",
                example="Shadow for two weeks, then 10 % of the call list for a month; a drop in saves per call stops "
                "it; rollback points the job to the previous model in minutes.",
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
                example="Nightly job duration (normal: under 30 min)\nRows scored (1.1-1.3 M)\nCRM look-up p95 latency "
                "(under 200 ms)",
            ),
            Field(
                "ml_metrics",
                "ML metrics",
                LIST,
                "Which model metrics will you track in production, computed on which labels, and how long "
                "after a prediction do those labels arrive?",
                example="Recall of last month's churners, computed 30 days after scoring\nShare of customers above the "
                "threshold",
            ),
            Field(
                "drift",
                "Drift",
                TEXT,
                "How will you detect drift in the inputs, in the predictions and in the labels, against "
                "which reference data, with which test and over which window?",
                example="Weekly PSI of each input and of the score against the training months; alert above 0.2.",
            ),
            Field(
                "alerting",
                "Alerting",
                TEXT,
                "Which conditions raise an alert, who receives it and what must they do? How will you keep "
                "false alarms rare enough that alerts are not ignored?",
                example="A failed job or rows scored out of range pages the on-call engineer; drift alerts go to the "
                "team channel and are read weekly.",
            ),
            Field(
                "retraining_trigger",
                "Retraining trigger",
                TEXT,
                "What event or measurement triggers retraining (drift, a metric below its bar, new labelled "
                "data, a schedule), and who approves the new model?",
                example="The monthly schedule, or recall below 0.6 for two weeks; the product owner approves each new "
                "model.",
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
                example="monthly",
            ),
            Field(
                "feedback_loops",
                "Feedback loops",
                TEXT,
                "Can the model's own predictions change the data or labels it will later be trained on, and "
                "how will you detect and correct that?",
                example="Called customers churn less, so later labels understate their risk: keep a 5 % random holdout "
                "that is never called.",
            ),
            Field(
                "versions",
                "Model versions",
                TEXT,
                "How are model versions recorded with their training data, code and metrics, and can you "
                "reproduce or restore any version that served predictions?",
                example="A model registry entry per version with the training data snapshot, git commit and "
                "metrics; any version restorable in minutes.",
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
