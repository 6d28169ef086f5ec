# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := smresidency

.PHONY: run test install bench lint format clean mutation

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --silent --no-audit --no-fund && touch node_modules/.installed; \
	else echo "npm not found: browser tests will skip their accessibility checks' install"; fi

# Ralph, the LRS the xAPI tests send to, in a venv of its own: its pins are not the app's.
RALPH_VENV := .venv-ralph
$(RALPH_VENV)/.installed: Makefile
	test -x $(RALPH_VENV)/bin/python || $(PYTHON) -m venv $(RALPH_VENV)
	$(RALPH_VENV)/bin/python -m pip install --quiet 'ralph-malph[lrs,cli]==5.1.0' 'requests>=2.31,<3'
	touch $@

install: $(STAMP)

## make run: install, migrate, validate and load course_content/, make a signing key, demo accounts,
## then serve with a job worker beside the web server (mail and reminders go through it).
run: $(STAMP)
	SMRESIDENCY_ENV=development $(BIN)/flask db upgrade
	SMRESIDENCY_ENV=development $(BIN)/flask content validate
	SMRESIDENCY_ENV=development $(BIN)/flask content sync
	SMRESIDENCY_ENV=development $(BIN)/flask certificates keygen --if-missing
	SMRESIDENCY_ENV=development $(BIN)/flask demo create
	SMRESIDENCY_ENV=development $(BIN)/flask worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	SMRESIDENCY_ENV=development $(BIN)/flask run --host 127.0.0.1 --port 5000

## make test: install and run the whole suite (SQLite; PostgreSQL when SMRESIDENCY_TEST_DATABASE_URL is set).
test: $(STAMP) node_modules/.installed $(RALPH_VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make bench: seed 1,200 learners in 51 cohorts, serve with gunicorn, measure pages, quiz submission,
## the 2,000-submission burst and certificate PDFs; on SQLite, then on PostgreSQL when 127.0.0.1:5432
## answers (a database of its own, dropped after; the report says SKIPPED otherwise). BENCH_ARGS="--postgres off"
## for SQLite only; bench/README.md.
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## make mutation: mutmut over the access layer (setup.cfg [mutmut]); fails if any mutant is not killed.
## CI runs the access modules only: make mutation MUTANTS="$(ACCESS_MUTANTS)".
MUTATION_JOBS ?= 2
ACCESS_MUTANTS := smresidency.access.* smresidency.cohorts.access.*
SCOPING_MUTANTS := smresidency.cohorts.views.x__managed__* smresidency.cohorts.views.x__enrolment__* \
	smresidency.certificates.queries.x_own_one__* smresidency.certificates.queries.x_of_cohort__* \
	smresidency.certificates.queries.x_for_staff__*
MUTANTS ?= $(ACCESS_MUTANTS) $(SCOPING_MUTANTS)
space := $(subst ,, )
mutation: $(STAMP)
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS) $(foreach m,$(MUTANTS),'$(m)')
	@left="$$($(BIN)/mutmut results | grep -E '$(subst *,.*,$(subst $(space),|,$(strip $(MUTANTS))))')"; \
	if [ -n "$$left" ]; then echo "$$left"; \
		echo "Mutants not killed in the access layer: kill them or explain them in docs/security.md." >&2; exit 1; \
	else echo "mutation: every mutant of the access layer was killed"; fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(RALPH_VENV) node_modules .pytest_cache .ruff_cache src/*.egg-info mutants
