"""Free text as a baseline feature: the TF-IDF of a text column's words (and character n-grams), fitted on the training
rows of each fold, as a sparse matrix (the linear model) or a few dense components of it (gradient boosting).

    tf_idf(chars=False, width=2**17)                       # a scikit-learn pipeline: a column of text -> sparse rows
    make_pipeline(tf_idf(...), Components(30, seed))       # -> at most 30 dense columns

Words and character n-grams are hashed into ``width`` columns each (scikit-learn's HashingVectorizer), so no
vocabulary is held in memory, whatever the text: memory follows the number of words, never the number of distinct
ones (a column of unique codes would grow a vocabulary without bound). SeenColumns then keeps only the columns the
training rows use, so the models see a few thousand columns, not 131,072 mostly empty ones (on 600 short tickets,
the linear model's fit took 1 s a fold on the full width, and the SVD 3 s). Imported when a run has text: it needs
scikit-learn at import.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.pipeline import make_pipeline, make_union


def tf_idf(*, chars: bool, width: int, ngrams: tuple[int, int] = (3, 5)):
    """A pipeline from a column of text (one string per row) to its TF-IDF rows: words (and, when ``chars``, character
    ``ngrams``-grams within words) hashed into ``width`` columns each, the columns no training row uses dropped,
    sublinear term counts, inverse document frequencies learnt on the training rows, each row of length 1."""
    def hashed(**how):
        return HashingVectorizer(n_features=width, alternate_sign=False, norm=None, dtype=np.float32, **how)

    counts = make_union(hashed(), hashed(analyzer="char_wb", ngram_range=ngrams)) if chars else hashed()
    return make_pipeline(counts, SeenColumns(), TfidfTransformer(sublinear_tf=True))


class SeenColumns(TransformerMixin, BaseEstimator):
    """Keeps the columns of a sparse matrix that some training row uses (at least one, so that empty text still
    makes a column); the same columns for any rows after."""

    def fit(self, X, y=None):
        used = np.flatnonzero(sp.csc_matrix(X).getnnz(axis=0))
        self.columns_ = used if used.size else np.array([0])
        return self

    def transform(self, X):
        return sp.csr_matrix(X)[:, self.columns_]


class Components(TransformerMixin, BaseEstimator):
    """At most ``n_components`` dense columns from sparse rows: TruncatedSVD when the rows have more columns than
    that (``n_iter`` power iterations), else the columns themselves made dense."""

    def __init__(self, n_components: int = 30, n_iter: int = 3, random_state: int = 0):
        self.n_components, self.n_iter, self.random_state = n_components, n_iter, random_state

    def fit(self, X, y=None):
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        k = min(self.n_components, X.shape[0] - 1, X.shape[1] - 1)
        if X.shape[1] <= self.n_components or k < 1:
            self.svd_ = None
            return _dense(X)
        self.svd_ = TruncatedSVD(k, n_iter=self.n_iter, random_state=self.random_state)
        return self.svd_.fit_transform(X)

    def transform(self, X):
        return _dense(X) if self.svd_ is None else self.svd_.transform(X)


def _dense(X) -> np.ndarray:
    return X.toarray() if sp.issparse(X) else np.asarray(X)
