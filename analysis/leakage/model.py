"""The data of a leakage scan: its settings, the split, the findings and the report (JSON round-trip).

Kept apart from the checks so that the checks (analysis.leakage.checks) and the scan (analysis.leakage.scan) can
both import it. Everything here is a frozen dataclass of plain values; to_dict() / from_dict() go through
analysis.serialize.
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any

from analysis.leakage.scores import FeatureScore
from analysis.serialize import from_plain, from_versioned, to_plain, to_versioned

HIGH, MEDIUM, INFO = "high", "medium", "info"
SEVERITIES = (HIGH, MEDIUM, INFO)   # most serious first
REPORT_FORMAT = 1                   # version of LeakageReport.to_dict()'s layout; from_dict() refuses others

SPLIT_KINDS = ("none", "random", "date", "group", "test_dataset")

# Tokens of a column name (lower case, split at non-letters and camelCase) that hint at a value recorded after
# the outcome. Each is matched against whole tokens (``treat\w*`` matches "treatment" in "treatment_started").
POST_OUTCOME_PATTERNS = (
    r"outcomes?", r"results?", r"diagnos\w*", r"treat\w*", r"discharg\w*", r"deaths?", r"died", r"deceased",
    r"mortality", r"closed?", r"closing", r"resolv\w*", r"resolution", r"refund\w*", r"chargebacks?", r"cancel\w*",
    r"churn\w*", r"defaulted", r"settled?", r"settlement", r"paid", r"payoff", r"repaid", r"collections?",
    r"recover\w*", r"follow", r"followup", r"after", r"post", r"final", r"response", r"approv\w*", r"reject\w*",
    r"labels?", r"labell?ed", r"target", r"actual", r"confirm\w*", r"terminat\w*", r"ended", r"end", r"exit\w*",
    r"returned", r"readmi\w*",
)
# Tokens that say a value from before the outcome (a lag, a history): they cancel a name hint, and cap a target
# proxy at medium (sales_lag_1 predicting sales is strong, and honest).
PRE_OUTCOME_PATTERNS = (
    r"lag\w*", r"prev\w*", r"prior", r"past", r"last", r"before", r"hist\w*", r"ago", r"yesterday", r"rolling",
    r"trailing", r"baseline", r"initial", r"pre", r"earlier", r"former",
)
# A column name that says identifier (searched in the name as written).
ID_NAME_PATTERN = (
    r"(?i:(^|[_\W])(id|ids|uuid|guid|key|index|idx|rownum|row_number|record|number|no|nr)$"
    r"|^(id|uuid|index|idx)([_\W]|$)|^unnamed)|[a-z](Id|ID)$"
)


@dataclass(frozen=True)
class LeakageSettings:
    """Every threshold of the leakage checks, each with its default; see the field comments.

    Scores (ROC AUC for a class target, R2 for a numeric one) are compared with the thresholds through their
    lower confidence bound (FeatureScore.low: score minus ``confidence_z`` standard errors), so a small sample
    needs a clearer score. Shares are shares of rows. How the defaults were measured on real data is in
    analysis/leakage.py's docstring.
    """

    # sampling and the single-feature models
    sample_rows: int = 100_000             # above this many rows, scores use a sample of this many (stratified by
                                           # class)
    min_class_rows: int = 500              # a stratified sample keeps at least this many rows of each class (or all
                                           # it has)
    cv_folds: int = 5                      # folds of the cross-validated single-feature models
    score_bins: int = 20                   # quantile bins of a numeric feature in its cross-validated lookup model
    smoothing: float = 10.0                # prior weight, in rows, of target-mean encoding (pulls rare values to the
                                           # mean)
    confidence_z: float = 1.645            # standard errors subtracted from a score before comparing (one-sided 95 %)
    random_state: int = 0                  # seed of the sample, the folds and the random split
    min_rows: int = 20                     # fewer rows with a target value than this: refuse to scan
    # target proxies: one feature predicts the target almost perfectly
    proxy_auc_high: float = 0.985          # AUC bound from which a feature is a target proxy (high)
    proxy_auc_medium: float = 0.97         # AUC bound from which a feature is suspiciously strong (medium)
    proxy_r2_high: float = 0.95            # R2 bound, numeric target, high
    proxy_r2_medium: float = 0.9           # R2 bound, numeric target, medium
    proxy_min_class_rows: int = 50         # below this many rows in the smallest class (rows / 2 for regression),
                                           # at most medium
    # post-outcome columns: a strong feature with a name or timing hint
    hint_auc_high: float = 0.9             # AUC bound from which a name-hinted column is post-outcome (high)
    hint_auc_medium: float = 0.75          # AUC bound for medium; a column dated after the prediction time is high
                                           # from here
    hint_r2_high: float = 0.7              # R2 bound, numeric target, high
    hint_r2_medium: float = 0.4            # R2 bound, numeric target, medium
    after_share: float = 0.05              # share of rows dated after the prediction time that makes a timing hint
    post_outcome_patterns: tuple[str, ...] = POST_OUTCOME_PATTERNS   # name tokens hinting at after-the-outcome values
    pre_outcome_patterns: tuple[str, ...] = PRE_OUTCOME_PATTERNS     # name tokens saying before-the-outcome values
    # ID-like columns
    id_name_pattern: str = ID_NAME_PATTERN  # names that say identifier
    id_unique_share: float = 0.95          # distinct values / rows from which a named or monotonic whole-number
                                           # column is an id
    id_auc_medium: float = 0.6             # AUC bound from which an id predicts the target (row order leaks): medium
    id_auc_high: float = 0.9               # AUC bound from which an id gives the target away: high
    id_r2_medium: float = 0.05             # R2 bound, numeric target, medium
    id_r2_high: float = 0.5                # R2 bound, numeric target, high
    # rows: duplicates, conflicts and the split
    duplicate_share_medium: float = 0.01   # duplicate rows (after dropping ids) from this share: medium (else info)
    conflict_share_medium: float = 0.01    # rows with identical features and another label from this share: medium
    overlap_share_high: float = 0.05       # test rows equal to a training row from this share: high
    overlap_share_medium: float = 0.005    # ... medium (any overlap at all: info)
    date_overlap_share_high: float = 0.05  # test rows dated before the last training date from this share: high
    date_overlap_share_medium: float = 0.005  # ... medium
    group_overlap_share_high: float = 0.05    # test rows whose group is also in training from this share: high
    group_overlap_share_medium: float = 0.005  # ... medium
    # evidence
    max_examples: int = 5                  # example rows kept per finding
    example_columns: int = 12              # columns shown per example row (the finding's columns first)

    def __post_init__(self):
        for name in ("sample_rows", "min_class_rows", "score_bins", "min_rows", "max_examples", "example_columns",
                     "proxy_min_class_rows"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"LeakageSettings.{name} == {value!r}, must be an integer >= 1.")
        if isinstance(self.cv_folds, bool) or not isinstance(self.cv_folds, int) or self.cv_folds < 2:
            raise ValueError(f"LeakageSettings.cv_folds == {self.cv_folds!r}, must be an integer >= 2.")
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if (f.name.endswith(("_high", "_medium", "_share"))
                    and not (isinstance(value, (int, float)) and 0 <= value <= 1)):
                raise ValueError(f"LeakageSettings.{f.name} == {value!r}, must be a number between 0 and 1.")
        for stem in ("proxy_auc", "proxy_r2", "hint_auc", "hint_r2", "id_auc", "id_r2", "overlap_share",
                     "date_overlap_share", "group_overlap_share"):
            if getattr(self, f"{stem}_medium") > getattr(self, f"{stem}_high"):
                raise ValueError(f"LeakageSettings.{stem}_medium must not exceed {stem}_high.")
        if not (isinstance(self.smoothing, (int, float)) and self.smoothing >= 0 and math.isfinite(self.smoothing)):
            raise ValueError(f"LeakageSettings.smoothing == {self.smoothing!r}, must be a number >= 0.")
        if not (isinstance(self.confidence_z, (int, float)) and self.confidence_z >= 0):
            raise ValueError(f"LeakageSettings.confidence_z == {self.confidence_z!r}, must be a number >= 0.")
        for name in ("post_outcome_patterns", "pre_outcome_patterns", "id_name_pattern"):
            value = getattr(self, name)
            for pattern in (value,) if isinstance(value, str) else value:
                try:
                    re.compile(pattern)
                except (re.error, TypeError) as error:
                    raise ValueError(f"LeakageSettings.{name} has an invalid regular expression "
                                     f"{pattern!r}: {error}.") from None

    def update(self, changes: dict[str, Any]) -> LeakageSettings:
        """A copy with ``changes`` applied; ValueError naming an unknown setting."""
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise ValueError(f"Unknown leakage settings {unknown}; see LeakageSettings for the names.")
        return dataclasses.replace(self, **{k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()})

    def to_dict(self) -> dict:
        return to_plain(self)

    @classmethod
    def from_dict(cls, data: dict) -> LeakageSettings:
        return from_plain(cls, data)


@dataclass(frozen=True)
class Split:
    """How training and test rows are formed, for the checks that compare them.

    kind: "none" (no split: only the dataset itself is checked), "random" (a random ``test_share`` of the rows),
        "date" (rows dated before ``cut`` train, the rest test), "group" (whole groups of ``group_column`` go to
        test, about ``test_share`` of the groups), "test_dataset" (the dataset trains, a second dataset tests).
    date_column: the date of each row. With kind "date" it defines the split; with another kind it says the split
        should be temporal, and test rows dated before the last training date are reported.
    cut: ISO date (a date object is stored as its ISO text); rows dated before it train (kind "date"). None: the
        date below which 1 - test_share of the rows fall.
    group_column: the group of each row (a customer, a patient). With kind "group" it defines the split; with
        another kind, groups found on both sides are reported.
    test_share: share of rows (or groups) in test for kinds "random", "group", and "date" without a cut.
    prediction_time_column: the date at which a prediction is made; date columns later than it are post-outcome
        candidates. None: the date_column of a "date" split stands in for it, if there is one.
    """

    kind: str = "none"
    date_column: str | None = None
    cut: str | None = None
    group_column: str | None = None
    test_share: float = 0.2
    prediction_time_column: str | None = None

    def __post_init__(self):
        if self.kind not in SPLIT_KINDS:
            raise ValueError(f"Split kind {self.kind!r} is not known; choose one of {', '.join(SPLIT_KINDS)}.")
        if not (isinstance(self.test_share, (int, float)) and 0 < self.test_share < 1):
            raise ValueError(f"Split.test_share == {self.test_share!r}, must be between 0 and 1 (e.g. 0.2).")
        if self.cut is not None and not isinstance(self.cut, str):
            if not hasattr(self.cut, "isoformat"):
                raise ValueError(f"Split.cut == {self.cut!r}; give a date, as text YYYY-MM-DD or a date object.")
            object.__setattr__(self, "cut", self.cut.isoformat())   # st.date_input gives a datetime.date
        if self.kind == "date" and not self.date_column:
            raise ValueError("A date split needs date_column: the column whose dates order the rows.")
        if self.kind == "group" and not self.group_column:
            raise ValueError("A group split needs group_column: the column naming each row's group (e.g. customer).")

    def to_dict(self) -> dict:
        return to_plain(self)

    @classmethod
    def from_dict(cls, data: dict) -> Split:
        return from_plain(cls, data)


@dataclass(frozen=True)
class Finding:
    """One possible leak.

    check: the check that found it: "target_proxy", "post_outcome", "availability", "id_column", "duplicates",
        "train_test_overlap", "conflicting_labels", "date_overlap" or "group_overlap".
    severity: "high" (very likely inflates the evaluation: fix before training), "medium" (likely; look at it)
        or "info" (worth knowing; usually harmless).
    column: the column concerned, or None for a finding about rows.
    title: a short heading. explanation: one line on why it matters. action: what to do.
    evidence: JSON-ready figures (score, bound, counts, shares) and ``examples``: up to max_examples rows as dicts.
    key (property): "check:column" (or "check"), stable across reruns, to attach a person's resolution to.
    """

    check: str
    severity: str
    column: str | None
    title: str
    explanation: str
    action: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"Finding severity {self.severity!r} is not known; choose one of {', '.join(SEVERITIES)}.")

    @property
    def key(self) -> str:
        return f"{self.check}:{self.column}" if self.column is not None else self.check


@dataclass(frozen=True)
class LeakageReport:
    """What scan_leakage found; JSON-ready through to_dict() / from_dict().

    findings: Finding tuple, high first, then medium, then info (within a severity, in check order).
    scores: FeatureScore per scored feature (on the sample), strongest first, flagged or not.
    target: the target column. task: "binary", "multiclass" or "regression".
    settings: the LeakageSettings used. split: the Split used.
    rows: rows of the dataset. train_rows, test_rows: rows on each side of the split (0 without a split).
    sampled: True when scores used a sample. sample_rows: labelled rows scored. seed: settings.random_state.
    seconds: wall time of the scan.
    timings: check name -> seconds it took (work shared between checks, such as the scores or the row hashes,
        counts for the first check that needs it).
    checks: names of the checks run, in order.
    notes: what the scan did that the reader should know (sampling, rows left out of a split), in words.
    feature_table: the rows of the design document's feature table the scan was given for columns not known at
        prediction time or unknown (column -> {"known", "source", "note"}); empty without a table.
    engine: how the rows were read: "pandas" (the whole dataset in memory) or "file" (a stored file larger than the
        in-memory size, read a column at a time, the scored sample drawn from it by position: analysis.engine.table).
    labelled_rows: rows with a target value (what the scores sample from).
    """

    findings: tuple[Finding, ...]
    scores: tuple[FeatureScore, ...]
    target: str
    task: str
    settings: LeakageSettings
    split: Split
    rows: int
    train_rows: int
    test_rows: int
    sampled: bool
    sample_rows: int
    seed: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    checks: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    feature_table: dict[str, dict[str, str]] = field(default_factory=dict)
    engine: str = "pandas"
    labelled_rows: int | None = None

    def finding(self, key: str) -> Finding:
        """The finding with this key; KeyError listing the keys when there is none."""
        for item in self.findings:
            if item.key == key:
                return item
        raise KeyError(f"No finding {key!r} in this report; "
                       f"it has {', '.join(f.key for f in self.findings) or 'none'}.")

    def counts(self) -> dict[str, int]:
        """Findings per severity, every severity present (0 when none)."""
        return {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}

    def to_dict(self) -> dict:
        """Plain dicts, lists and JSON scalars (no NaN), tagged with REPORT_FORMAT; each finding carries its key."""
        plain = to_versioned(self, REPORT_FORMAT)
        for item, finding in zip(plain["findings"], self.findings, strict=True):
            item["key"] = finding.key
        return plain

    @classmethod
    def from_dict(cls, data: dict) -> LeakageReport:
        """Rebuild a report from to_dict() output; ValueError when it was written in another format."""
        data = {**data, "findings": [{k: v for k, v in f.items() if k != "key"} for f in data.get("findings", [])]}
        return from_versioned(cls, data, REPORT_FORMAT, "leakage report", "Run the leakage checks again.")
