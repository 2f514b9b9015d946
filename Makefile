# The two commands in the README. Each installs what it needs first.
PORT ?= 8000
export NO_MKDOCS_2_WARNING = 1

.PHONY: setup serve build test lint bench bench-large
setup:
	scripts/setup

serve:
	KBGEN_BROWSER=0 scripts/setup
	kbgen serve --port $(PORT)

build:
	KBGEN_BROWSER=0 scripts/setup
	kbgen build

lint:
	ruff check kbgen tests scripts
	mypy kbgen
	lint-imports

test: setup lint
	python3 -m pytest

# kbgen against plain Material, Zensical, Hugo and the Python-Markdown floor (scripts/benchmark.py).
# bench: 100 and 300 articles, under 2 minutes. bench-large: 1,000 and 10,000 articles,
# one build per tool and size (about 20 minutes here; REPS=3 for medians).
REPS ?= 1
bench:
	KBGEN_BROWSER=0 KBGEN_BENCH=1 scripts/setup
	python3 scripts/benchmark.py

bench-large:
	KBGEN_BROWSER=0 KBGEN_BENCH=1 scripts/setup
	python3 scripts/benchmark.py --sizes 1000 10000 --reps $(REPS)
