"""A new city and a new item are data only (issue 15, "Registries as data, read once").

A copy of ``data/`` gets a fictional sixth city, *atlantis* (Shanghai's parameter, national
and cohort rows under a new name; its pension region is Shanghai's), and a fictional
social-insurance item, *longevity* (1% employer, 0.5% employee of the unclipped wage in every
city: floor 0, cap none). wuxian then runs on that copy (``WUXIAN_DATA``) in a fresh process,
with no code change: contributions, gap, the coverage report and a city report.

The expected values are written out here (Shanghai's amounts are the engine's own, checked by
the worked examples elsewhere; the new item's are 1% / 0.5% of the wage computed below).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
NEW_CITY, NEW_ITEM = "atlantis", "longevity"


def _read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _with_copies(path: Path, column: str = "city", source: str = "shanghai") -> None:
    """Append a copy of `path`'s rows for Shanghai under the new city's name."""
    t = _read(path)
    new = t[t[column] == source].assign(**{column: NEW_CITY})
    pd.concat([t, new], ignore_index=True).to_csv(path, index=False)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("own")
    data = root / "data"
    shutil.copytree(REPO / "data", data)
    reg = data / "registry"
    cities = _read(reg / "cities.csv")
    cities.loc[len(cities)] = {"city": NEW_CITY, "zh": "亚特兰蒂斯", "en": "Atlantis",
                               "aliases": "亚特兰蒂斯市|AT", "order": "5", "color": "#7f8c8d",
                               "source": "fictional (test)", "notes": ""}
    cities.to_csv(reg / "cities.csv", index=False)
    items = _read(reg / "items.csv")
    row = {c: "" for c in items.columns}
    row.update(item=NEW_ITEM, zh="长寿", en="longevity", group="social_insurance",
               subtotal="social_insurance", order="7.5", color="#2e86c1",
               source="fictional (test)")
    items.loc[len(items)] = row
    items.to_csv(reg / "items.csv", index=False)

    params = data / "params"
    shanghai = _read(params / "shanghai.csv")
    shanghai.assign(city=NEW_CITY).to_csv(params / f"{NEW_CITY}.csv", index=False)
    _with_copies(params / "coverage.csv")
    coverage = _read(params / "coverage.csv")
    for c in coverage.itertuples():
        rows = _read(params / f"{c.city}.csv")
        extra = {col: "" for col in rows.columns}
        extra.update(city=c.city, category="all", item=NEW_ITEM, period_start=c.period_start,
                     period_end=c.period_end, employer_rate="0.01", employee_rate="0.005",
                     employer_fixed="0", employee_fixed="0", base_floor="0", base_cap="inf",
                     rounding="half_up:0.01", rounding_source="fictional (test)",
                     source="fictional (test)", confidence="low")
        rows.loc[len(rows)] = extra
        rows.to_csv(params / f"{c.city}.csv", index=False)

    national = data / "national"
    for name in ("maternity_leave", "medical_retire_years", "pension_regions",
                 "unemployment_amount", "unemployment_months"):
        _with_copies(national / f"{name}.csv")
    _read(national / "series_shanghai.csv").assign(city=NEW_CITY).to_csv(
        national / f"series_{NEW_CITY}.csv", index=False)

    cohort = _read(data / "samples" / "cohort.csv")
    mine = cohort[cohort["city"] == "shanghai"].assign(
        city=NEW_CITY, employee_id=lambda d: "A" + d["employee_id"],
        employer_id=lambda d: "A" + d["employer_id"])
    path = root / "cohort.csv"
    pd.concat([cohort, mine], ignore_index=True).to_csv(path, index=False)
    return data, path


def _run(args, data, cwd, **kw):
    env = {**os.environ, "WUXIAN_DATA": str(data), "MPLBACKEND": "Agg"}
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
                          **kw)
    assert proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
    return proc.stdout


CHECK = f"""
import json, pandas as pd, wuxian
from wuxian.params import vocab
df = pd.DataFrame({{"employee_id": ["a", "b"], "city": ["亚特兰蒂斯", "shanghai"],
                   "month": ["2025-07", "2025-07"], "wage": [12345.0, 12345.0],
                   "base_salary": [8000.0, 8000.0]}})
c = wuxian.contributions(df, base_method="current_month")
g = wuxian.gap(df, base_method="current_month")
print(json.dumps({{
    "cities": list(vocab.CITIES), "items": list(vocab.ITEMS),
    "contributions": c.drop(columns=["employee_id", "city", "month"]).to_dict("list"),
    "gap": g[["gap_{NEW_ITEM}_employer", "gap_{NEW_ITEM}_employee", "gap_employer_total"]]
            .to_dict("list"),
    "summary": wuxian.gap_summary(g, by=["city"])["city"].tolist(),
}}))
"""


def test_new_city_and_item_run_without_code_change(dataset, tmp_path):
    data, _ = dataset
    out = json.loads(_run([sys.executable, "-c", CHECK], data, tmp_path))
    assert out["cities"][-1] == NEW_CITY and NEW_ITEM in out["items"]
    c = out["contributions"]
    # the new city charges exactly Shanghai's amounts on Shanghai's rows
    for col, (atlantis, shanghai) in c.items():
        assert atlantis == shanghai, col
    # the new item: 1% / 0.5% of 12,345 (no floor, no cap), rounded to the fen
    assert c[f"{NEW_ITEM}_employer"] == [123.45, 123.45]
    assert c[f"{NEW_ITEM}_employee"] == [61.73, 61.73]  # 61.725 half up
    items = [i for i in out["items"] if i != "housing_fund"]
    for side in ("employer", "employee"):
        si = sum(c[f"{i}_{side}"][0] for i in items)
        assert c[f"social_insurance_{side}"][0] == pytest.approx(si, abs=1e-9)
        assert c[f"{side}_total"][0] == pytest.approx(si + c[f"housing_fund_{side}"][0],
                                                      abs=1e-9)
    # the gap on the new item: (12,345 - 8,000) x 1% and x 0.5%
    assert out["gap"][f"gap_{NEW_ITEM}_employer"] == [43.45, 43.45]
    assert out["gap"][f"gap_{NEW_ITEM}_employee"] == pytest.approx([21.72, 21.72], abs=0.011)
    assert out["summary"] == [NEW_CITY, "shanghai"]


def test_new_city_in_coverage_and_params(dataset, tmp_path):
    data, _ = dataset
    cov = _run([sys.executable, "-m", "wuxian.cli", "params", "coverage"], data, tmp_path)
    assert NEW_CITY in cov
    shown = _run([sys.executable, "-m", "wuxian.cli", "params", "--city", NEW_CITY,
                  "--month", "2025-07"], data, tmp_path)
    assert NEW_ITEM in shown


def test_report_for_new_city_shows_new_item(dataset, tmp_path):
    data, cohort = dataset
    _run([sys.executable, "-m", "wuxian.cli", "report", "--city", NEW_CITY, "--cohort",
          str(cohort), "--out", "reports"], data, tmp_path)
    html = next((tmp_path / "reports").glob(f"{NEW_CITY}_*/{NEW_CITY}_*.html"))
    breakdown = pd.read_csv(next(html.parent.glob("cost_breakdown.csv")))
    assert NEW_ITEM in breakdown.to_csv()
    assert "亚特兰蒂斯" in html.read_text(encoding="utf-8") or "Atlantis" in html.read_text(
        encoding="utf-8")
