# make demo: set up everything and summarise the sample article with the embedded model.
# make test: set up everything and run the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
SAMPLE := examples/kremlin-peace-talks-2025-11-13.txt

.PHONY: setup demo test test-slow bench eval clean chromium

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[local,server,eval,dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/summarise $(SAMPLE)

# Headless Chromium for tests/test_report_html.py (screenshots the HTML eval report).
# Installed with apt only when missing and we are root; otherwise that test skips.
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

# every test: the default suite (`pytest`, ~5 min) plus the slow ones (the whole hostile set,
# kill-and-resume), ~2 min more on 2 cores
test: setup chromium
	$(PY) -m pytest -m "slow or not slow"

test-slow: setup
	$(PY) -m pytest -m slow

bench: setup
	$(PY) bench/score_dates.py
	$(PY) bench/bench_throughput.py
	$(PY) bench/bench_cache.py
	$(PY) bench/bench_memory.py
	$(PY) bench/bench_overhead.py

clean:
	rm -rf $(VENV) .pytest_cache build dist *.egg-info
