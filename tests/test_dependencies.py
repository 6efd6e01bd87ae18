"""The locked environment imports every runtime dependency together (evidently 0.7 breaks on pandas 3)."""
import importlib

import pytest

RUNTIME = ["streamlit", "pandas", "plotly", "sklearn", "evidently", "sqlite_utils", "pyarrow", "jinja2", "markupsafe",
           "threadpoolctl", "duckdb", "python_calamine", "requests"]


@pytest.mark.parametrize("module", RUNTIME)
def test_runtime_dependency_imports(module):
    importlib.import_module(module)


def test_evidently_report_api_is_available_with_the_locked_pandas():
    import pandas as pd
    from evidently import Report
    from evidently.presets import DataDriftPreset

    assert int(pd.__version__.split(".")[0]) < 3
    assert Report([DataDriftPreset()]) is not None
