# wuxian: make demo | make test | make bench
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SAMPLE := data/samples/cohort.csv
DEMO_OUT := reports/sample_contributions.csv

.PHONY: demo reports test bench clean-venv

# Create the venv if missing and install the package (editable) with its test extras;
# redone when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e '.[test]'
	touch $@

$(SAMPLE): | $(VENV)/.installed
	$(PY) -m wuxian.samples

demo: $(VENV)/.installed $(SAMPLE)
	mkdir -p reports
	$(VENV)/bin/wuxian contributions $(SAMPLE) --out $(DEMO_OUT)
	$(VENV)/bin/wuxian gap $(SAMPLE) --out reports/sample_gap_by_city.csv --by city declare_pattern
	$(PY) -m wuxian.demo $(DEMO_OUT) reports/sample_gap_by_city.csv
	$(PY) -m wuxian.report --all --out reports

reports: $(VENV)/.installed $(SAMPLE)
	$(PY) -m wuxian.report --all --out reports

test: $(VENV)/.installed
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) -m wuxian.bench

clean-venv:
	rm -rf $(VENV)
