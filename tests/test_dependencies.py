"""The locked environment imports every runtime dependency together (evidently 0.7 breaks on pandas 3)."""
import importlib

import pandas as pd
import pytest

RUNTIME = ["streamlit", "pandas", "plotly", "sklearn", "evidently", "sqlite_utils", "pyarrow", "jinja2", "markupsafe",
           "threadpoolctl", "duckdb", "python_calamine", "requests"]


@pytest.mark.parametrize("module", RUNTIME)
def test_runtime_dependency_imports(module):
    importlib.import_module(module)


def test_evidently_report_api_is_available_with_the_locked_pandas():
    # imported here: Evidently takes ~6 s to import, paid by this test, not by every worker's collection
    from evidently import Report  # noqa: PLC0415
    from evidently.presets import DataDriftPreset  # noqa: PLC0415

    assert int(pd.__version__.split(".")[0]) < 3
    assert Report([DataDriftPreset()]) is not None
