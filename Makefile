# Tidu: `make run` serves the platform with a demo province; `make test` runs the whole suite.
.PHONY: run run-prepare setup test test-sqlite test-postgres lint bench demo clean

PY := .venv/bin/python
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never

# exec: the server takes the recipe's place, so a signal to make (which passes SIGTERM on) or Ctrl-C lands on the
# server itself, and it stops its worker before exiting (core/tests/test_serve.py).
run: run-prepare
	@echo "[tidu] 打开 http://127.0.0.1:$(PORT)/ ，用上面的演示账号登录（Ctrl-C 停止）"
	@exec $(PY) manage.py serve --port $(PORT)

run-prepare:
	@scripts/setup.sh run
	@$(PY) manage.py migrate --noinput -v0
	@$(PY) manage.py createcachetable -v0
	@$(PY) manage.py seed_demo --if-empty --province 36 --enterprises 5000 --seed 1
	@$(PY) manage.py seed_demo_assessments --if-empty --seed 1 --ai-share 0.1
	@$(PY) manage.py seed_demo_catalog --if-empty --seed 1
	@$(PY) manage.py seed_demo_programmes --province 36
	@$(PY) manage.py seed_demo_targets --province 36
	@$(PY) manage.py seed_demo_recognition --province 36
	@$(PY) manage.py seed_demo_funding --province 36
	@$(PY) manage.py seed_demo_ai_registry --province 36
	@$(PY) manage.py seed_demo_datasecurity --province 36
	@$(PY) manage.py seed_demo_assistant --if-empty

setup:
	@scripts/setup.sh test

lint: setup
	.venv/bin/ruff check .
	TIDU_TASKS_BACKEND=immediate $(PY) manage.py makemigrations --check --dry-run

test: lint
	@$(MAKE) --no-print-directory test-sqlite
	@url=$$($(PY) scripts/pg_url.py); \
	if [ -n "$$url" ]; then $(MAKE) --no-print-directory test-postgres PG_URL=$$url DATABASE_ONLY=1; \
	else echo "[tidu] no PostgreSQL reachable (TIDU_DATABASE_URL or 127.0.0.1:5432): suite ran on SQLite only"; fi

# The tests write their own modules' bytecode (PYTHONDONTWRITEBYTECODE cleared): the PostgreSQL pass, every test
# worker and every subprocess a test starts then read it instead of compiling the project and its tests again.
TEST_ENV = TIDU_VAR_DIR=$(CURDIR)/var/test PYTHONDONTWRITEBYTECODE=
# The slowest tests of each run are listed at its end: where the suite's time goes, in every CI log.
PYTEST = $(PY) -m pytest -n 2 -q --durations=25

test-sqlite:
	@echo "[tidu] test suite on SQLite"
	$(TEST_ENV) TIDU_DATABASE_URL= $(PYTEST)

test-postgres:
	@echo "[tidu] test suite on PostgreSQL ($(PG_URL))$(if $(DATABASE_ONLY),: the tests that use a database (the others ran on SQLite),)"
	$(TEST_ENV) TIDU_TEST_DATABASE_ONLY=$(DATABASE_ONLY) TIDU_DATABASE_URL=$(PG_URL) $(PYTEST)

bench: setup
	$(PY) benchmarks/run.py
	$(PY) benchmarks/bench_scoring.py
	$(PY) -W ignore benchmarks/bench_matching.py
	$(PY) -W ignore benchmarks/bench_search.py --solutions 50000
	$(PY) benchmarks/bench_compositeindex.py
	$(PY) benchmarks/bench_roadmap.py
	$(PY) -W ignore benchmarks/bench_report.py
	$(PY) -W ignore benchmarks/bench_peers.py
	$(PY) benchmarks/bench_hostile_files.py
	$(PY) benchmarks/bench_import_100k.py
	$(PY) -W ignore benchmarks/bench_recognition.py
	$(PY) -W ignore benchmarks/bench_prerequisites.py
	$(PY) -W ignore benchmarks/bench_funding.py
	$(PY) -W ignore benchmarks/bench_datasecurity.py
	$(PY) -W ignore benchmarks/bench_datasecurity.py --engine postgresql
	$(PY) -W ignore benchmarks/bench_assistant.py --passages 2000
	$(PY) benchmarks/bench_scheduling.py

demo: setup
	$(PY) manage.py seed_demo_assessments --clear
	$(PY) manage.py seed_demo_recognition --clear
	$(PY) manage.py seed_demo_funding --clear
	$(PY) manage.py seed_demo_ai_registry --clear
	$(PY) manage.py seed_demo_datasecurity --clear
	$(PY) manage.py seed_demo --replace --province 36 --enterprises 5000 --seed 1
	$(PY) manage.py seed_demo_assessments --replace --seed 1 --ai-share 0.1
	$(PY) manage.py seed_demo_catalog --replace --seed 1
	$(PY) manage.py seed_demo_programmes --province 36 --replace
	$(PY) manage.py seed_demo_targets --province 36 --replace
	$(PY) manage.py seed_demo_recognition --province 36 --replace
	$(PY) manage.py seed_demo_funding --province 36 --replace
	$(PY) manage.py seed_demo_ai_registry --province 36 --replace
	$(PY) manage.py seed_demo_datasecurity --province 36 --replace
	$(PY) manage.py seed_demo_assistant --if-empty

clean:
	rm -rf .venv var
