"""`wuxian.params.diff`: changes between two versions of the parameter data, as changelog lines.

Runs on copies of the small Shanghai fixture table (tests/fixtures/params).
"""

import subprocess

import pandas as pd
import pytest

import wuxian.params as params
from wuxian.cli import main
from wuxian.params.diff import changelog_lines, diff_tables, table_at_revision


def _edit(folder, fn):
    path = folder / "shanghai.csv"
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(rows).to_csv(path, index=False)


def test_no_change_is_no_line(fixture_table):
    assert diff_tables(fixture_table, fixture_table).empty
    assert changelog_lines(diff_tables(fixture_table, fixture_table)) == []


def test_splitting_a_period_is_not_a_change(fixture_table, fixture_dir):
    def split(rows):
        i = rows.index[(rows["item"] == "pension") & (rows["period_start"] == "2025-01")][0]
        first, second = rows.loc[i].copy(), rows.loc[i].copy()
        first["period_end"], second["period_start"] = "2025-03", "2025-04"
        second["source"] = "another document"
        return pd.concat([rows.drop(index=i), first.to_frame().T, second.to_frame().T])

    _edit(fixture_dir, split)
    assert diff_tables(fixture_table, params.load(fixture_dir)).empty


def test_a_changed_value_is_one_line_over_its_months_and_categories(fixture_table, fixture_dir):
    def change(rows):
        i = (rows["item"] == "pension") & (rows["period_start"] == "2025-01")
        rows.loc[i, "base_floor"] = "7400"
        rows.loc[i, "source"] = "沪人社规〔2025〕1号 ; a mirror"
        return rows

    _edit(fixture_dir, change)
    d = diff_tables(fixture_table, params.load(fixture_dir))
    assert len(d) == 1
    assert changelog_lines(d) == [
        "- Shanghai pension 2025-01..2025-06 (all): base_floor 7384 → 7400 (沪人社规〔2025〕1号)"]


def test_a_blanked_value_says_blank(fixture_table, fixture_dir):
    def blank(rows):
        rows.loc[(rows["item"] == "medical") & (rows["period_start"] == "2025-01"),
                 "base_cap"] = ""
        return rows

    _edit(fixture_dir, blank)
    (line,) = changelog_lines(diff_tables(fixture_table, params.load(fixture_dir)))
    assert "medical 2025-01..2025-06 (all): base_cap 36921 → blank" in line


def _git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=cwd, check=True, capture_output=True)


def test_cli_diff_since_a_git_revision(fixture_dir, capsys):
    _git(fixture_dir, "init", "-q")
    _git(fixture_dir, "add", ".")
    _git(fixture_dir, "commit", "-qm", "before")
    assert table_at_revision("HEAD", fixture_dir).rows.shape == params.load(fixture_dir).rows.shape

    def change(rows):
        rows.loc[rows["item"] == "unemployment", "employee_rate"] = "0.004"
        return rows

    _edit(fixture_dir, change)
    assert main(["params", "diff", "--since", "HEAD", "--params", str(fixture_dir)]) == 0
    out = capsys.readouterr().out
    assert "Shanghai unemployment 2025-01..2026-06 (all): employee_rate 0.005 → 0.004" in out


def test_cli_diff_needs_since_and_a_real_revision(fixture_dir, capsys):
    assert main(["params", "diff", "--params", str(fixture_dir)]) == 2
    assert "--since" in capsys.readouterr().err
    _git(fixture_dir, "init", "-q")
    assert main(["params", "diff", "--since", "no-such-rev", "--params", str(fixture_dir)]) == 2
    assert "git" in capsys.readouterr().err


def test_an_item_added_since_the_revision_is_newly_covered(fixture_dir, capsys):
    """An old revision written before an item existed still loads (``complete=False``); the
    item's months are listed as newly covered."""
    path = fixture_dir / "shanghai.csv"
    today = path.read_bytes()
    _edit(fixture_dir, lambda rows: rows[rows["item"] != "injury"])
    _git(fixture_dir, "init", "-q")
    _git(fixture_dir, "add", ".")
    _git(fixture_dir, "commit", "-qm", "before injury")
    path.write_bytes(today)
    assert main(["params", "diff", "--since", "HEAD", "--params", str(fixture_dir)]) == 0
    out = capsys.readouterr().out
    assert ("Shanghai injury 2025-01..2025-06 (all): newly covered: employer_rate 0.0016, "
            "base_floor 7384, base_cap 36921") in out
