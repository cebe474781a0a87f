# make demo: set up everything and summarise the sample article with the embedded model.
# make test: set up everything and run the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
SAMPLE := examples/kremlin-peace-talks-2025-11-13.txt

.PHONY: setup check demo test test-all test-slow bench peers bench-peers eval eval-guard clean chromium eval-timeline train-event-dates train-selection train-pruning train-event-merge eval-crossdoc

# llama.cpp is compiled for a portable instruction set, not -march=native: on a CPU with AMX
# (this machine kind's Xeons) a native build crashes in its AMX kernels on any prompt of more
# than a few tokens, because the VM does not grant AMX state. AVX-512 is added where the CPU has it.
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	$(if $(shell grep -m1 -ow avx512f /proc/cpuinfo 2>/dev/null),-DGGML_AVX512=ON)
LLAMA_STAMP := $(VENV)/.llama-$(shell echo '$(LLAMA_VERSION) $(LLAMA_CMAKE)' | cksum | cut -d' ' -f1)

$(LLAMA_STAMP):
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	CMAKE_ARGS='$(LLAMA_CMAKE)' $(PY) -m pip install --quiet --no-cache-dir --force-reinstall \
		--no-deps 'llama-cpp-python==$(LLAMA_VERSION)'
	rm -f $(VENV)/.llama-*
	touch $@

$(STAMP): pyproject.toml $(LLAMA_STAMP)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[local,server,eval,dev,ray]'
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

# lint, format and types: ruff over the tree, mypy over the package
check: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# the default suite: every module, the real embedded model and llama.cpp server included;
# `make test-all` adds the slow ones (the whole hostile set, kill-and-resume, long documents)
test: setup chromium check
	$(PY) -m pytest -m "not slow" --durations=15

test-all: setup chromium
	$(PY) -m pytest -m "slow or not slow"

test-slow: setup
	$(PY) -m pytest -m slow

# The peers of the benchmark (instructor, LangExtract) in their own virtualenv, with the tool
# installed beside them for its schemas.
PEERS := .venv-peers
$(PEERS)/.installed: bench/peers/requirements.txt pyproject.toml
	test -x $(PEERS)/bin/python || $(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/bin/python -m pip install --quiet -r bench/peers/requirements.txt -e .
	touch $@

peers: $(PEERS)/.installed

# the tool against instructor and LangExtract on one llama.cpp server, the sample and every
# Wikinews document (~3 h on 2 cores); `make bench` runs the first 8 Wikinews ones (~40 min)
bench-peers: setup peers
	$(PY) bench/bench_peers.py

bench: setup peers
	$(PY) bench/score_dates.py
	$(PY) bench/bench_throughput.py
	$(PY) bench/bench_cache.py
	$(PY) bench/bench_memory.py
	$(PY) bench/bench_overhead.py
	$(PY) bench/bench_ray.py
	$(PY) bench/bench_speed.py
	$(PY) bench/bench_decode.py
	$(PY) bench/bench_peers.py --limit 8

# The model-free timeline (the rules strategy) over the development sets (trial and TBAQ tune), scored by
# ../shared/tools/score_timeline.py: seconds. The article texts are written once into a
# git-ignored folder (TBAQ texts are never copied into the repository).
SCORER := ../shared/tools/score_timeline.py
TL := .cache/eval-timeline
$(TL)/trial/.done $(TL)/tune/.done:
	$(PY) $(SCORER) texts $(if $(findstring trial,$@),trial,tbaq --part tune) $(dir $@) && touch $@

eval-timeline: setup $(TL)/trial/.done $(TL)/tune/.done
	rm -f $(TL)/trial.jsonl $(TL)/tune.jsonl  # a batch output resumes: start afresh
	$(VENV)/bin/summarise run $(TL)/trial -o $(TL)/trial.jsonl --strategy rules
	$(PY) $(SCORER) score trial $(TL)/trial.jsonl
	$(VENV)/bin/summarise run $(TL)/tune -o $(TL)/tune.jsonl --strategy rules
	$(PY) $(SCORER) score tbaq $(TL)/tune.jsonl --part tune

# Retrain summarizer/timeline/event_dates.json from the TBAQ tune documents (needs ../shared/data)
train-event-dates: setup
	$(PY) -m pip install --quiet -e '.[train]'
	$(PY) scripts/train_event_dates.py

# Retrain summarizer/timeline/event_merge.json (the cross-document merge decision) from MEANTIME's
# Apple topic (needs ../shared/data/meantime_apple)
train-event-merge: setup
	$(PY) -m pip install --quiet -e '.[train]'
	$(PY) scripts/train_event_merge.py

# The cross-document timelines on the SemEval-2015 Task 4 trial set, model-free (~10 s)
eval-crossdoc: setup
	$(VENV)/bin/summarise eval --timelines ../shared/data/semeval2015_task4_trial --no-model \
		--report-dir eval/reports/crossdoc

# Retrain summarizer/summary/selection_weights.json (the abstract's sentence selection) from
# ../shared/data/news_summ_train, settings on FRANK tune (~15 min, one core); prints ROUGE vs lead-3
train-selection: setup
	$(PY) -m pip install --quiet -e '.[train]'
	$(PY) scripts/train_selection.py

# Retrain summarizer/summary/pruning_weights.json (the asides the pruned abstract deletes, measured;
# not wired into the shipped abstract: it tied on FRANK check) and print its ROUGE vs lead-3
train-pruning: setup
	$(PY) -m pip install --quiet -e '.[train,eval]'
	$(PY) scripts/train_pruning.py

# the injection guard's table: recall per kind on eval/hostile/dev, check, check2 and probes
# (placed into real articles), leave-one-kind-out both ways, sentences ignored and warned per
# 1,000 of the >100,000 benign news sentences of ../shared/data (~10 min on one core, no model)
eval-guard: setup
	$(PY) eval/hostile/measure.py --loko

clean:
	rm -rf $(VENV) $(PEERS) .pytest_cache build dist *.egg-info
