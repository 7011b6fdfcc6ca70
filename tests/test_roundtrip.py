"""Property: every column wuxian does not compute comes out exactly as it came in (issue 14).

Random extra columns (ID numbers with leading zeros and blanks, codes, formulas, quotes,
commas, line breaks, Chinese text, mixed types) go through ``wuxian contributions`` on the
memory and streaming engines, from CSV, parquet and xlsx into CSV, parquet and xlsx, with
formula escaping off (escaping is tested in tests/test_faults_input.py). CSV cells are
compared as text, parquet columns as arrow arrays (type and values), xlsx cells as values.
"""

import csv
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wuxian.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "params"
SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
#: Characters a payroll cell may hold (Excel cannot store other control characters).
ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"),
                         include_characters="\t\n\r")
SPECIAL = st.sampled_from(["", "007", "0012345", "0", "NA", "null", "None", "nan", "1e5",
                           "1.10", "-0", "110101199003071234", "11010119900307123X",
                           "=1+1", "@x", "+86 138", " padded ", "a,b", 'say "hi"', "北京市"])
CELL = st.one_of(SPECIAL, st.text(ALPHABET, max_size=12))


@st.composite
def extra_text_columns(draw):
    rows = draw(st.integers(1, 6))
    ncols = draw(st.integers(1, 3))
    return rows, {f"x{i}": draw(st.lists(CELL, min_size=rows, max_size=rows))
                  for i in range(ncols)}


def required(rows: int) -> dict:
    return {"employee_id": [f"00{i}" for i in range(rows)], "city": ["shanghai"] * rows,
            "month": ["2025-07"] * rows, "wage": ["9000.50"] * rows}


def run(src: Path, out: Path, engine: str) -> None:
    code = main(["contributions", str(src), "--out", str(out), "--params", str(FIXTURE),
                 "--engine", engine, "--chunk-rows", "2", "--no-progress",
                 "--no-escape-formulas", "--base-method", "current_month"])
    assert code == 0


def read_csv_text(path: Path) -> dict:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return {h: [r[i] for r in rows[1:]] for i, h in enumerate(rows[0])}


def read_xlsx_values(path: Path) -> dict:
    import openpyxl

    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return {h: [r[i] for r in rows[1:]] for i, h in enumerate(rows[0])}


@pytest.mark.parametrize("engine", ["memory", "stream"])
@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
@SETTINGS
@given(data=extra_text_columns())
def test_csv_text_columns_round_trip(tmp_path, engine, suffix, data):
    rows, extra = data
    columns = {**required(rows), **extra}
    src, out = tmp_path / "in.csv", tmp_path / f"out{suffix}"
    with open(src, "w", encoding="utf-8", newline="") as f:  # quotes \r, \n, commas, quotes
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows(zip(*columns.values()))
    run(src, out, engine)
    if suffix == ".csv":
        got = read_csv_text(out)
    elif suffix == ".parquet":
        got = {k: ["" if v is None else v for v in vals]
               for k, vals in pq.read_table(out).to_pydict().items()}
    else:  # xlsx: blank is empty; XML stores a carriage return as a line feed
        got = {k: ["" if v is None else v for v in vals] for k, vals in read_xlsx_values(out).items()}
        columns = {k: [v.replace("\r", "\n") for v in vals] for k, vals in columns.items()}
    for name, values in columns.items():
        assert got[name] == values, name


@st.composite
def typed_columns(draw):
    rows = draw(st.integers(1, 6))

    def column(values):
        return draw(st.lists(st.one_of(st.none(), values), min_size=rows, max_size=rows))

    return rows, {
        "id_int": pa.array(column(st.integers(-2**63, 2**63 - 1)), pa.int64()),
        "amount": pa.array(column(st.floats(allow_nan=False, allow_infinity=False)), pa.float64()),
        "code": pa.array(column(st.text(ALPHABET, max_size=8)), pa.string()),
        "flag": pa.array(column(st.booleans()), pa.bool_()),
    }


@pytest.mark.parametrize("engine", ["memory", "stream"])
@SETTINGS
@given(data=typed_columns())
def test_parquet_typed_columns_round_trip(tmp_path, engine, data):
    rows, extra = data
    table = pa.table({**{k: pa.array(v) for k, v in required(rows).items()},
                      **extra}).set_column(3, "wage", pa.array([9000.5] * rows))
    src, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(table, src)
    run(src, out, engine)
    got = pq.read_table(out)
    for name in (*required(rows), *extra):
        given, back = table[name].combine_chunks(), got[name].combine_chunks()
        # pandas holds text as large_string: the same values, the wider offsets
        assert back.type == given.type or {back.type, given.type} == {pa.string(),
                                                                      pa.large_string()}
        assert back.cast(given.type).equals(given), name


@SETTINGS
@given(data=st.integers(1, 5).flatmap(lambda rows: st.tuples(
    st.just(rows), st.lists(st.lists(st.one_of(
        st.none(), st.integers(-2**53, 2**53), st.floats(-1e300, 1e300),  # Excel: < 1e308
        SPECIAL.filter(lambda s: s and s[0] != "="), st.text(st.characters(
            codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=8).filter(
            lambda s: s[0] != "=")),
        min_size=rows, max_size=rows), min_size=1, max_size=3))))
def test_xlsx_mixed_cells_round_trip(tmp_path, data):
    import openpyxl

    rows, extra = data
    columns = {**required(rows), **{f"x{i}": c for i, c in enumerate(extra)}}
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(columns))
    for row in zip(*columns.values()):
        sheet.append(list(row))
    src, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    book.save(src)
    run(src, out, "memory")
    given, got = read_xlsx_values(src), read_xlsx_values(out)  # cells as the file holds them
    for name in list(columns)[4:]:
        assert got[name] == given[name], name
