"""Papermill reports (issue #7): every notebook runs on a small cohort without an error cell,
the HTML embeds the expected figures, nothing personal leaks, bad requests fail before any
notebook runs."""

import argparse
import re
import warnings

import nbformat
import pytest

from wuxian import plots, report
from wuxian.samples import make_cohort

CITY = "shenzhen"  # the city with the most items (地方补充养老, medical tiers)
CITY_FIGURES = ("cost_curve", "effective_rate", "cost_breakdown", "gap_scan", "pensions",
                "moves", "history")
CITY_TABLES = ("parameters", "confidence", "cost_curve", "cohort_overview", "cost_breakdown",
               "gap_summary", "pensions", "moves", "history_changes")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    df = make_cohort(200)
    path = tmp_path_factory.mktemp("cohort") / "cohort.csv"
    df.to_csv(path, index=False)
    return {"path": path, "ids": set(df["employee_id"].astype(str)),
            "year": report.default_year(path)}


@pytest.fixture(scope="module")
def built(cohort, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return {"city": report.build_city(CITY, cohort["year"], cohort["path"], out),
            "compare": report.build_compare(cohort["year"], cohort["path"], out),
            "quickstart": report.build_quickstart(cohort["path"], out)}


def _error_outputs(html_path):
    """Error outputs and warnings (stderr) of the executed notebook."""
    nb = nbformat.read(html_path.with_suffix(".ipynb"), as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if o.get("output_type") == "error"
            or (o.get("output_type") == "stream" and o.get("name") == "stderr")]


@pytest.mark.parametrize("name", ["city", "compare", "quickstart"])
def test_notebook_runs_without_error_cells(built, name):
    path = built[name]
    assert path.exists() and path.suffix == ".html"
    assert _error_outputs(path) == []
    text = path.read_text(encoding="utf-8")
    assert "Traceback" not in text
    assert 'src="data:image/png;base64,' in text  # self-contained: figures embedded
    assert text.count("<img") == text.count("<figure")  # no stray inline figures
    assert "cdnjs.cloudflare" not in text and "<script" not in text  # opens offline


@pytest.mark.parametrize("name", ["city", "compare"])
def test_expected_figures_and_files(built, name):
    path = built[name]
    text = path.read_text(encoding="utf-8")
    for fig in CITY_FIGURES:
        assert f'id="fig-{fig}"' in text, fig
        for ext in ("png", "svg"):
            assert (path.parent / f"{fig}.{ext}").stat().st_size > 1000, (fig, ext)
    tables = CITY_TABLES if name == "city" else (
        "parameters", "rates", "base_limits", "cost_curves", "cost_breakdown", "gap_summary",
        "pensions", "moves", "history_changes")
    for table in tables:
        assert (path.parent / f"{table}.csv").exists(), table
    assert "In&nbsp;[" not in text  # no input prompts in the reader's reports


def test_quickstart_shows_code_and_a_figure(built):
    text = built["quickstart"].read_text(encoding="utf-8")
    assert "wuxian.contributions" in text
    assert 'id="fig-effective_rate"' in text


@pytest.mark.parametrize("name", ["city", "compare", "quickstart"])
def test_reports_hold_no_employee_ids(built, cohort, name):
    folder = built[name].parent
    for f in folder.iterdir():
        if f.suffix not in (".html", ".csv", ".ipynb", ".svg"):
            continue
        text = f.read_text(encoding="utf-8")
        found = set(re.findall(r"E\d{5}", text)) & cohort["ids"]
        assert not found, f"{f.name} shows employee ids {sorted(found)[:3]}"


def test_city_report_names_its_sources(built):
    text = built["city"].read_text(encoding="utf-8")
    assert 'id="table-parameters"' in text
    for word in ("source", "confidence", "high"):
        assert word in text


@pytest.fixture
def no_papermill(monkeypatch):
    """Any attempt to run a notebook fails the test."""
    import papermill

    def boom(*a, **k):
        raise AssertionError("a notebook was executed")

    monkeypatch.setattr(papermill, "execute_notebook", boom)


@pytest.mark.parametrize("city, year, message", [
    ("atlantis", 2016, "unknown city 'atlantis'"),
    ("shanghai", 2031, "no parameter data for shanghai in 2031"),
    ("shanghai", 2012, "the cohort has no rows for shanghai in 2012"),
    ("shanghai", "twenty", "year must be a number"),
])
def test_bad_request_fails_before_any_notebook(cohort, tmp_path, no_papermill, city, year,
                                               message):
    with pytest.raises(report.ReportError, match=re.escape(message)):
        report.build_city(city, year, cohort["path"], tmp_path)
    assert not any(tmp_path.iterdir())


def test_incomplete_parameter_year_is_refused_up_front(no_papermill):
    """A city-year with blank parameter values is named up front (e.g. Guangzhou 2014)."""
    from wuxian.params import default_table
    from wuxian.params.coverage import cell_status
    from wuxian.samples import ITEMS_NOT_SAMPLED

    cells = cell_status(default_table())
    gaps = cells[(cells["status"] == "missing") & ~cells["item"].isin(ITEMS_NOT_SAMPLED)]
    if gaps.empty:
        pytest.skip("the parameter data has no gaps any more")
    city, month = gaps.iloc[0][["city", "month"]]
    year = int(month) // 12
    with pytest.raises(report.ReportError, match=rf"incomplete in {year}: {city} "):
        report.check_request(city, year)


def test_cli_run_checks_first(cohort, tmp_path, no_papermill):
    parser = argparse.ArgumentParser()
    report.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["report", "--all", "--year", "2031", "--cohort",
                              str(cohort["path"]), "--out", str(tmp_path)])
    with pytest.raises(report.ReportError, match="no parameter data"):
        args.func(args)
    args = parser.parse_args(["report", "--city", "上海", "--year", "2012", "--cohort",
                              str(cohort["path"]), "--out", str(tmp_path)])
    with pytest.raises(report.ReportError, match="cohort has no rows for shanghai"):
        report.run(args)
    assert report.main(["--city", "atlantis", "--year", "2016", "--out", str(tmp_path)]) == 2


def test_missing_cohort_file(tmp_path, no_papermill):
    with pytest.raises(report.ReportError, match="cohort file not found"):
        report.build_compare(2016, tmp_path / "nope.csv", tmp_path)


def test_cjk_font_renders_without_missing_glyphs():
    assert plots.setup_fonts() is True  # mplfonts' bundled Noto Sans CJK SC, no download
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_title(plots.label("Employer", "单位缴费 五险一金"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would raise
        fig.canvas.draw()
    plt.close(fig)


def test_english_fallback_without_cjk_font():
    try:
        assert plots.setup_fonts(english_only=True) is False
        assert plots.label("Employer", "单位") == "Employer"
        assert plots.city_label("beijing") == "Beijing"
    finally:
        plots.setup_fonts()
    assert plots.label("Employer", "单位") == "单位 Employer"
