# Victim Care Hub. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
LANGS := cy ar ur pl ro bn so pt tr
# pytest-xdist workers for `make test`: one more than the 2 cores, as e2e tests mostly wait on
# Chromium and a server (bench/README.md, "Test suite"). `make test TEST_WORKERS=2` to try others.
TEST_WORKERS ?= 3

.PHONY: help run prod test install install-test lock lint check-content translations translations-check bench-guidance bench-ingest bench-entitlements bench-pdf bench-load bench-lighthouse bench image-check clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

install: ## Install what is missing to run the hub (apt, pip, npm, assets, translations)
	@scripts/install.sh run

install-test: ## Install what is missing to test the hub (adds Chromium and dev tools)
	@scripts/install.sh test

run: install ## Install, migrate, load demo data and serve on http://127.0.0.1:$(PORT) with the message worker and a local mail sink (OIDC_DEMO=1: also sign in through a local OpenID provider)
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "Serving the Victim Care Hub on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	$(if $(filter 1,$(OIDC_DEMO)),PORT=$(PORT) scripts/oidc-demo.sh) scripts/serve.sh $(PORT)

test: install-test ## Lint and format, types (mypy), layers (import-linter), security scan, content and translation checks, then unit, integration (SQLite, and PostgreSQL if it answers) and e2e tests in parallel, then the fault tests on their own
	$(BIN)/ruff check app tests e2e bench migrations scripts
	$(BIN)/ruff format --check app tests e2e bench migrations scripts
	$(BIN)/mypy app
	$(BIN)/lint-imports --no-cache
	$(BIN)/bandit -r app -q -ll
	$(BIN)/python scripts/check_translations.py
	$(FLASK) content check
	@# In parallel (pytest-xdist): each worker has its own databases, live servers, mail sink and
	@# content. The fault tests restart PostgreSQL and kill servers, so they run afterwards, alone;
	@# they run even if the parallel run failed, and either failing fails `make test`.
	@status=0; \
	  $(BIN)/pytest -n $(TEST_WORKERS) tests e2e --ignore=tests/resilience || status=$$?; \
	  $(BIN)/pytest -p no:xdist tests/resilience || status=$$((status ? status : $$?)); \
	  if [ $$status -ne 0 ]; then echo "make test: failed (see both pytest summaries above)" >&2; fi; \
	  exit $$status

# The hashed lock files scripts/install.sh installs from, for Python 3.11 on Linux x86_64 (Debian
# 12's glibc): app.txt the runtime (also the image's), dev.txt plus the dev extra (make test),
# bench.txt plus the bench extra too. Each is constrained by the one before, so they agree.
LOCK := $(BIN)/uv pip compile --quiet pyproject.toml --generate-hashes --python-version 3.11 \
	--python-platform x86_64-manylinux_2_36 --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

lock: install-test ## Regenerate requirements/*.txt from pyproject.toml, keeping the pins that still fit (UPGRADE=1: the newest allowed)
	$(LOCK) -o requirements/app.txt
	$(LOCK) --extra dev -c requirements/app.txt -o requirements/dev.txt
	$(LOCK) --extra dev --extra bench -c requirements/dev.txt -o requirements/bench.txt

lint: install-test ## ruff and mypy
	$(BIN)/ruff check app tests e2e bench migrations
	$(BIN)/ruff format --check app tests e2e bench migrations
	$(BIN)/mypy app

check-content: install ## Validate every content file
	$(FLASK) content check

translations: install-test ## Extract UI strings and update every language's catalogue, then compile
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --omit-header app
	@for lang in $(LANGS); do \
	  if [ -f translations/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i translations/messages.pot -d translations -l $$lang --no-fuzzy-matching --ignore-obsolete; \
	  else $(BIN)/pybabel init -i translations/messages.pot -d translations -l $$lang; fi; \
	done
	$(BIN)/pybabel compile -d translations --statistics

translations-check: install-test ## Fail if any UI string lacks a translation
	$(BIN)/python scripts/check_translations.py

prod: ## Production mode on this machine: PostgreSQL + Redis (already running), two gunicorn app servers, the worker, nginx with TLS and a page cache on https://127.0.0.1:8443
	@scripts/install.sh prod
	scripts/prod.sh

bench-guidance: ## Benchmark the anonymous guidance page against nginx and a bare Flask app
	@scripts/install.sh bench
	$(BIN)/python bench/guidance.py

bench-ingest: install-test ## Benchmark partner API ingest (SQLite and PostgreSQL) and the signed-in timeline with 200,000 cases
	$(BIN)/python bench/ingest.py

bench-entitlements: install-test ## Benchmark the full entitlements recompute and the per-event evaluation with 200,000 cases (PostgreSQL)
	$(BIN)/python bench/entitlements.py

bench-pdf: install-test ## Benchmark the Victim Personal Statement PDF (English and Arabic): time and memory
	$(BIN)/python bench/vps_pdf.py

bench-load: ## Load test, 3 runs of 5 minutes, against production mode (readers, signed-in victims, agencies): 5xx, p95, memory growth
	@scripts/install.sh bench
	$(BIN)/python bench/load.py

bench-lighthouse: ## Lighthouse mobile scores (performance, accessibility) for home, a guidance page and the timeline in production mode
	@scripts/install.sh bench
	$(BIN)/python bench/lighthouse.py

bench: ## Every benchmark, one after another (about 45 minutes; needs PostgreSQL, Redis; installs nginx, wrk, locust, lighthouse)
	@scripts/install.sh bench
	$(BIN)/python bench/guidance.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/entitlements.py
	$(BIN)/python bench/vps_pdf.py
	$(BIN)/python bench/lighthouse.py
	$(BIN)/python bench/load.py

image-check: ## Build the Dockerfile's image without Docker (Debian by debootstrap, each instruction in a chroot; needs root) and run it: pages, health check, worker
	@scripts/install.sh run
	$(BIN)/python scripts/image_check.py

clean: ## Remove what the install built (not the virtualenv)
	rm -rf app/static/dist instance/hub.db
