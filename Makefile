# Blueprint: `make run` sets up and starts the app; `make test` sets up and runs every test.
# A fresh machine needs only python3.11 and make: uv is installed into .tools/, packages into .venv/
# from uv.lock, and Debian's chromium (for the browser tests) and postgresql (for the SQL source tests) with apt-get
# when they are missing.

PYTHON ?= python3.11
UV_VERSION := 0.13.9
UV := .tools/bin/uv
PORT ?= 8501
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup run test chromium postgresql bench clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

setup: $(UV)
	$(UV) sync --locked --quiet

run: setup
	$(UV) run --locked streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
	  echo "Installing Debian's postgresql for the SQL source tests..."; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

# ruff first (a finding stops the run), then every test on two workers (pytest-xdist, a file's tests on one worker:
# module fixtures such as a server or a browser start once per file)
test: setup chromium postgresql
	$(UV) run --locked ruff check .
	@$(UV) run --locked pytest -n 2 --dist loadfile; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure, not a pass."; exit 1; fi; \
	exit $$rc

bench: setup
	$(UV) run --locked python -m bench $(NAME)

clean:
	rm -rf .tools .venv .blueprint
