# The two commands in the README. Each installs what it needs first.
PORT ?= 8000
export NO_MKDOCS_2_WARNING = 1

.PHONY: setup serve build test lint bench
setup:
	scripts/setup

serve:
	KBGEN_BROWSER=0 scripts/setup
	kbgen validate
	mkdocs serve --dev-addr 127.0.0.1:$(PORT)

build:
	KBGEN_BROWSER=0 scripts/setup
	kbgen build

lint:
	ruff check kbgen tests scripts
	mypy kbgen
	lint-imports

test: setup lint
	python3 -m pytest

bench:
	KBGEN_BROWSER=0 scripts/setup
	python3 scripts/benchmark.py
