"""Browser tests: a real `streamlit run` on a free port and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.common import free_port, wait_until_healthy
from tests.e2e.signin import oidc_provider, oidc_server, secrets_file  # noqa: F401  (fixtures: see signin.py)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
expect.set_options(timeout=60_000)  # generous: CI machines are shared and slow at times


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}. Run `make chromium` (Debian's package) or set CHROMIUM_PATH.")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--no-sandbox", "--disable-gpu"]}


class Server:
    """A `streamlit run app.py` process on 127.0.0.1 with its own BLUEPRINT_HOME.

    ``env``: extra environment variables for the server. ``secrets``: the secrets.toml to use (passed as
    --secrets.files; without it none, so local mode; "{port}" in it, e.g. in [auth] redirect_uri, is this
    server's port: Streamlit fills it in)."""

    def __init__(self, home: Path, log: Path, env: dict[str, str] | None = None,
                 secrets: Path | None = None) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {**os.environ, "BLUEPRINT_HOME": str(home), **(env or {})}
        # without ``secrets``, a file that does not exist: local mode, whatever .streamlit/secrets.toml a
        # developer keeps for their own runs
        extra = ["--secrets.files", str(secrets if secrets is not None else log.parent / "no-secrets.toml")]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *extra],
            cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )
        if not wait_until_healthy(self.proc, self.url, log, 90):
            self.stop()
            raise RuntimeError(f"streamlit did not become healthy in 90 s:\n{log.read_text()}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def fresh_server(tmp_path, seeded_template):
    """A newly started server that has served nothing yet (for first-visit deep links)."""
    shutil.copytree(seeded_template, tmp_path / "home")
    server = Server(tmp_path / "home", tmp_path / "streamlit.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, seeded_template):
    """One server shared by the browser tests that do not need a fresh one."""
    tmp = tmp_path_factory.mktemp("e2e")
    shutil.copytree(seeded_template, tmp / "home")
    server = Server(tmp / "home", tmp / "streamlit.log")
    yield server
    server.stop()


def wait_idle(page) -> None:
    """Wait until the app has rendered and finished running. Until the first run has drawn the app's menu (its
    links carry the project and the person's choices), the frontend shows Streamlit's automatic page list
    from pages/, whose links carry nothing: a test must not click those."""
    expect(page.get_by_test_id("stApp")).to_be_visible()
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)
    if page.get_by_test_id("stSidebar").count():
        expect(page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").first).to_be_visible()

def settle(page, calm_ms: int = 800) -> None:
    """Wait until the app has been idle for ``calm_ms``: no script running, no element left stale by a rerun
    (wait_idle alone can pass before a rerun has begun on a loaded machine)."""
    wait_idle(page)
    page.evaluate("window.__calm = 0")
    page.wait_for_function(
        """ms => {
            const busy = document.querySelector('[data-testid="stStatusWidget"], [data-stale="true"]');
            const now = performance.now();
            if (busy || !window.__calm) { window.__calm = busy ? 0 : now; return false; }
            return now - window.__calm >= ms;
        }""", arg=calm_ms, polling=100, timeout=60_000)
