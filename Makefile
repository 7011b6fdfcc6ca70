# wuxian: make demo | make test | make bench
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SAMPLE := data/samples/cohort.csv
DEMO_OUT := reports/sample_contributions.csv

.PHONY: demo test bench clean-venv

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
	@$(PY) -c "import pandas as pd; \
	df = pd.read_csv('$(DEMO_OUT)', usecols=['city', 'employee_id', 'wage', 'employer_total', 'employee_total', 'base_fallback']); \
	s = df.groupby('city').agg(rows=('wage', 'size'), employees=('employee_id', 'nunique'), wage=('wage', 'sum'), employer=('employer_total', 'sum'), employee=('employee_total', 'sum'), fallback=('base_fallback', 'mean')); \
	s['employer_%'] = 100 * s.employer / s.wage; s['employee_%'] = 100 * s.employee / s.wage; \
	print(s.round({'wage': 0, 'employer': 0, 'employee': 0, 'fallback': 3, 'employer_%': 1, 'employee_%': 1}).to_string())"

test: $(VENV)/.installed
	$(PY) -m pytest tests

bench: $(VENV)/.installed
	$(PY) -m wuxian.bench

clean-venv:
	rm -rf $(VENV)
