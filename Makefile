# sla-report — `make run` sets everything up and runs the sample month; `make test` runs the tests.
# Both are idempotent and work on a fresh Debian machine with only Python: missing system libraries are
# installed with apt-get when running as root; otherwise the exact command to run is printed.

SHELL := /bin/bash
PYTHON ?= python3
MONTH ?= 2026-10
UV := $(PYTHON) -m uv
# WeasyPrint needs Pango; libharfbuzz-subset0 makes PDFs fast and byte-reproducible; poppler-utils
# gives pdftoppm/pdftotext for looking at statements and for the PDF tests; chromium + chromium-driver
# are the headless browser that takes the UI screenshots of docs/.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils chromium chromium-driver
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: run test install system-deps dev sample bench wheel clean

run: install
	$(UV) run --frozen sla-report run --month $(MONTH)

test: install
	# two workers, one test module per worker at a time (module fixtures are built once)
	$(UV) run --frozen pytest -q -n 2 --dist loadfile

install: system-deps .venv/.installed

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo -n "$$p "; done); \
	if [ -n "$$missing" ]; then \
	    if ! command -v apt-get >/dev/null; then \
	        echo "Missing system packages: $$missing(install their equivalents with your package manager)"; exit 1; \
	    elif [ "$$(id -u)" = 0 ]; then \
	        echo "Installing system packages: $$missing"; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	    else \
	        echo "Missing system packages. Run:  sudo apt-get install -y $$missing"; exit 1; \
	    fi; \
	fi

# Bytecode is compiled at install: with PYTHONDONTWRITEBYTECODE set (as on our machines) nothing else
# writes it, and every process — the CLI, each test, each step of a multiprocess run — would compile
# Dagster, DuckDB and WeasyPrint's Python again (3.3 s of a 6-second unchanged rerun). Python checks
# each .pyc against its source, so an edited file is never run from a stale one.
.venv/.installed: pyproject.toml uv.lock Makefile
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --quiet --compile-bytecode
	$(UV) run --frozen python -m compileall -q pipeline tools tests >/dev/null
	@touch $@

# The Dagster UI on the same instance the CLI uses, so CLI runs show up there.
dev: install
	$(UV) run --frozen python -c "from pipeline.defs.instance import ensure_dagster_home; from pipeline.settings import Settings; ensure_dagster_home(Settings.from_env())"
	$(UV) run --frozen dagster dev -w workspace.yaml

# Rewrite the committed sample month from its seeded generator.
sample: install
	$(UV) run --frozen python -m tools.samplegen --out data/sample

bench: install
	for script in bench/bench_*.py; do $(UV) run --frozen python $$script || exit 1; done

# The installable wheel (with its SQL, templates, fonts and default policy) in dist/.
wheel:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) build --wheel --out-dir dist

clean:
	rm -rf warehouse statements .dagster_home .pytest_cache
