# 龙江直播电商监测服务平台 — every task of the project is one target here.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
export LIVECOMMERCE_HOME ?= $(CURDIR)/data

.PHONY: setup assets demo serve test test-fast bench lint clean

setup: $(VENV)/.installed assets  ## virtual environment, Python and npm dependencies, front-end assets

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed $(VENV)/.installed
	$(PY) -m livecommerce.web.assets node_modules

demo: setup  ## build the small synthetic province and serve the console on http://127.0.0.1:8000
	$(PY) -m livecommerce demo --scale small
	@$(PY) -m livecommerce users create-admin admin 2>/dev/null || $(PY) -m livecommerce users reset-password admin
	@echo "登录 / log in: http://127.0.0.1:8000/login  用户名 / user: admin  密码 / password: shown above"
	LIVECOMMERCE_COOKIE_SECURE=false LIVECOMMERCE_MONITOR_DEMO_FEED=true $(PY) -m livecommerce serve --host 127.0.0.1 --port 8000

serve: setup  ## serve the console of the existing home ($$LIVECOMMERCE_HOME, default ./data) without rebuilding it
	LIVECOMMERCE_COOKIE_SECURE=false LIVECOMMERCE_MONITOR_DEMO_FEED=true $(PY) -m livecommerce serve --host 127.0.0.1 --port 8000

test: setup  ## the whole suite (PostgreSQL tests need LIVECOMMERCE_TEST_PG_DSN; .ci/run sets it)
	$(PY) -m pytest -q -n 2

test-fast: setup  ## the suite without tests marked slow or e2e (markers in pyproject.toml)
	$(PY) -m pytest -q -n 2 -m "not slow and not e2e"

bench: setup  ## benchmarks, each against its baseline in the same run
	$(PY) -m bench.ingest
	$(PY) -m bench.policy
	$(PY) -m bench.compliance
	$(PY) -m bench.monitor
	$(PY) -m bench.reads_during_ingest
	$(PY) -m bench.cli
	@echo "statistics: build the province once (LIVECOMMERCE_HOME=/path livecommerce demo --scale province), then"
	@echo "  LIVECOMMERCE_HOME=/path $(PY) -m bench.stats"

lint: setup  ## ruff (rules and size budgets in pyproject.toml), ruff format --check, mypy --strict on src
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy --strict src

clean:
	rm -rf $(VENV) node_modules src/livecommerce/web/static/vendor
