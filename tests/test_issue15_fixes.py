"""Issue 15, section 6 ("Fix these"): one test per reproduced fault.

- a mistyped spell base (``"1O000"``) is an InputError naming the row and the field, never
  quoting the cell, and is never dropped silently to "not computed";
- the city list and ``coverage.csv`` are checked against each other at load (both directions)
  with a ParameterError naming the city and the file, not a garbled month range later;
- :func:`wuxian.samples.latest_complete_window` says why no window qualifies (no IndexError);
- ``--engine dask`` reads a GB18030/GBK CSV as the other engines do, and its parser errors go
  through :func:`wuxian.io.csv_problem` (one home for the pandas message pattern).
"""

import inspect
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

import wuxian
import wuxian.params as params
from wuxian import io as wio
from wuxian.errors import InputError, ParameterError
from wuxian.params import vocab
from wuxian.samples import latest_complete_window
from wuxian.transfer import transfer_checklist, transfer_summary

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURE = Path(__file__).parent / "fixtures" / "params"
LOAD = sys.modules["wuxian.params.load"]  # the module (``params.load`` is the function)


# ------------------------------------------------------------ 1. mistyped spell base
def _spells(bases):
    return pd.DataFrame({"city": ["shenzhen", "beijing"], "start": ["2022-01", "2010-01"],
                         "end": ["2024-12", "2021-12"], "base": bases})


@pytest.mark.parametrize("bad", ["1O000", "１００００", "10000元", "nan"])
def test_mistyped_spell_base_names_row_and_field(bad):
    """The bad cell is in input row 2 (the earlier spell: rows are input rows, not start
    order); the message names field and row and never quotes the cell."""
    for call in (transfer_summary, transfer_checklist):
        with pytest.raises(InputError) as info:
            call(_spells(["20000", bad]), "chengdu", "1975-05", "male")
        message = str(info.value)
        assert message == "base: not a number in row 2", message
        assert bad not in message


def test_blank_spell_base_is_still_not_computed():
    """A blank base is not an error: that spell's amounts are NaN ("not computed")."""
    out = transfer_summary(_spells(["20000", ""]), "chengdu", "1975-05", "male")
    assert out["moves"]["pooled_transfer"].isna().all()


# ------------------------------------------------------------ 2. city list vs coverage.csv
@pytest.fixture
def params_copy(tmp_path):
    shutil.copytree(DATA / "params", tmp_path / "params")
    return tmp_path / "params"


def _add_city(monkeypatch, name="xian"):
    monkeypatch.setattr(vocab, "CITIES", vocab.CITIES + (name,))


def test_known_city_without_coverage_row_bundled(params_copy, monkeypatch):
    """A city added to the city list but not to the bundled coverage.csv: a clear load
    error, not ``covered 91625968981-05..-001-12`` at the first cohort row."""
    _add_city(monkeypatch)
    monkeypatch.setattr(LOAD, "DATA_DIR", params_copy)
    with pytest.raises(ParameterError) as info:
        params.load()
    message = str(info.value)
    assert "xian" in message and str(params_copy / "coverage.csv") in message, message
    assert "city list" in message and "91625968981" not in message


def test_known_city_with_file_but_no_coverage_row(params_copy, monkeypatch):
    """A folder with ``xian.csv`` that coverage.csv forgets: the file is named too."""
    _add_city(monkeypatch)
    shutil.copy(params_copy / "beijing.csv", params_copy / "xian.csv")
    with pytest.raises(ParameterError) as info:
        params.load(params_copy)
    message = str(info.value)
    assert "xian" in message and "coverage.csv" in message and "xian.csv" in message, message


def test_coverage_row_for_unknown_city(params_copy):
    path = params_copy / "coverage.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join(lines + ["xian,2020-01,2025-12,made up"]) + "\n",
                    encoding="utf-8")
    shutil.copy(params_copy / "beijing.csv", params_copy / "xian.csv")
    with pytest.raises(ParameterError) as info:
        params.load(params_copy)
    message = str(info.value)
    assert f"coverage.csv line {len(lines) + 1}: " in message, message
    assert "'xian'" in message and "not in the city list" in message, message
    assert "made up" not in message  # a non-key cell


def test_partial_folder_still_loads():
    """A folder given to load() may hold a subset of the cities (the test fixture)."""
    table = params.load(FIXTURE)
    assert list(table.coverage.index) == ["shanghai"]


# ------------------------------------------------------------ 3. latest_complete_window
def test_no_window_qualifies_says_why(fixture_table):
    """The fixture covers only Shanghai: no window, and the message says which cities lack
    data (an IndexError before)."""
    with pytest.raises(InputError, match="no 12-month window") as info:
        latest_complete_window(12, fixture_table)
    message = str(info.value)
    for city in ("beijing", "guangzhou", "shenzhen"):
        assert city in message, message


def test_window_longer_than_the_data_says_why():
    with pytest.raises(InputError, match=r"no 100000-month window .*longest run of complete "
                                         r"months is \d+ \(\d{4}-\d\d\.\.\d{4}-\d\d\)"):
        latest_complete_window(100_000)


@pytest.mark.parametrize("n", [0, -3, 1.5, True])
def test_window_length_must_be_a_whole_number(n):
    with pytest.raises(InputError, match="n_months"):
        latest_complete_window(n)


# ------------------------------------------------------------ 4. dask engine, GBK CSV
GBK_CSV = ("工号,城市,月份,应发工资,姓名\n"
           + "".join(f"E{i:03d},北京,2025-{i % 12 + 1:02d},{9000 + i}.50,王䶮{i}\n"
                     for i in range(40)))


def test_dask_cli_reads_gbk_like_memory(tmp_path, capsys):
    pytest.importorskip("dask.dataframe")
    pytest.importorskip("distributed")
    from wuxian.cli import main

    src = tmp_path / "in.csv"
    src.write_bytes(GBK_CSV.encode("gb18030"))
    outs = {}
    for engine in ("memory", "dask"):
        outs[engine] = tmp_path / f"out_{engine}.csv"
        code = main(["contributions", str(src), "--out", str(outs[engine]), "--engine", engine,
                     "--workers", "1", "--no-progress"])
        err = capsys.readouterr().err
        assert code == 0, err
        assert "Traceback" not in err and "UnicodeDecodeError" not in err
    assert outs["dask"].read_bytes() == outs["memory"].read_bytes()


def test_dask_parser_errors_use_io_csv_problem(tmp_path, monkeypatch):
    """The pandas "Expected N fields" pattern lives in io.csv_problem only; dask shifts its
    line to the whole file's (a ragged row in the second block of a GBK file)."""
    pytest.importorskip("dask.dataframe")
    import dask

    import wuxian.dask as wdask

    assert "Expected (" not in inspect.getsource(wdask)
    monkeypatch.setattr(wdask, "HEAD_BYTES", 100)  # read() checks only the first lines
    body = GBK_CSV.encode("gb18030")
    src = tmp_path / "in.csv"
    src.write_bytes(body + "E900,北京,2025-01,1,王五\nE901,北京,2025-02,1,王五,多\n"
                    .encode("gb18030"))
    with dask.config.set({"scheduler": "synchronous", "dataframe.convert-string": False}):
        ddf = wdask.read(src, blocksize=len(body) - 10)  # line 42 is in block 2
        assert ddf.npartitions == 2
        with pytest.raises(InputError) as info:
            wdask.contributions(ddf)
    assert "expected 5 fields in line 43, saw 6" in str(info.value), str(info.value)
    assert "多" not in str(info.value)
    with pytest.raises(InputError) as memory:
        wuxian.contributions(wio.read_payroll(src))
    assert "expected 5 fields in line 43, saw 6" in str(memory.value)


# ------------------------------------------------------------ 5. net pay on Chinese headers
def test_net_pay_cli_reads_chinese_headers(tmp_path):
    """``--net-pay`` on 工号,城市,月份,应发工资 (before: ``wage: column missing``)."""
    from wuxian.cli import main

    src = tmp_path / "p.csv"
    src.write_text("工号,城市,月份,应发工资\ne1,上海,2025-07,12000\n", encoding="utf-8")
    assert main(["contributions", str(src), "--net-pay", "--base-method", "current_month",
                 "--no-progress", "--out", str(tmp_path / "o.csv")]) == 0
    out = pd.read_csv(tmp_path / "o.csv")
    # By hand (沪人社规 2025-07 rates, employee SI 8% + 2% + 0.5%, housing fund 7%; 5000 basic
    # deduction; 3% bracket): (12000 - 1260 - 840 - 5000) x 3% = 147.00
    assert list(out.columns[:4]) == ["工号", "城市", "月份", "应发工资"]
    assert out["iit"].tolist() == [147.0]
    assert out["net_pay"].tolist() == [12000 - 1260 - 840 - 147.0]


# ------------------------------------------------------------ 6. gap summary by canonical city
def test_gap_summary_groups_aliases_of_one_city():
    """上海 and shanghai are one city (the README's example), in memory and streamed."""
    from wuxian.gap import summary_combine, summary_partial

    df = pd.DataFrame({"employee_id": ["a", "a", "b"], "city": ["上海", "shanghai", "Shanghai "],
                       "month": ["2025-07", "2025-08", "2025-07"], "wage": 20000.0,
                       "base_salary": 8000.0})
    g = wuxian.gap(df, base_method="current_month")
    s = wuxian.gap_summary(g, by=["city"])
    assert s["city"].tolist() == ["shanghai"] and s["workers"].tolist() == [2]
    streamed = summary_combine([summary_partial(g.iloc[:1], ["city"]),
                                summary_partial(g.iloc[1:], ["city"])], ["city"])
    assert streamed["city"].tolist() == ["shanghai"] and streamed["workers"].tolist() == [2]


def test_output_columns_resolve_where_the_quickstart_names_them():
    from wuxian.columns import output_columns

    assert wuxian.contributions.OUTPUT_COLUMNS == output_columns(wuxian.ITEMS,
                                                                  used_by="contributions")


def test_params_accepts_every_name_of_a_city(capsys):
    """``wuxian params --city 上海`` is the registry's shanghai (payroll files accept 上海)."""
    from wuxian.cli import main

    assert main(["params", "--city", "上海", "--month", "2025-07"]) == 0
    chinese = capsys.readouterr().out
    assert main(["params", "--city", "shanghai", "--month", "2025-07"]) == 0
    assert chinese == capsys.readouterr().out and chinese.startswith("shanghai 2025-07")
