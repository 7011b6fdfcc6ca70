"""Issue 14 (faults): a report is complete or absent, never half-written.

``report._execute`` builds each report in a hidden temporary folder beside ``out/NAME`` and
renames it into place at the end. Papermill is replaced by a fake that writes part of a report
(an executed notebook, a figure) into the folder it is given and then, on request, fails: an
exception, a full disk (ENOSPC), Ctrl-C. No real notebook runs, so these tests take seconds.
"""

import errno
import os
from pathlib import Path

import nbformat
import papermill
import pytest

from wuxian import report

NAME = "shanghai_2025"
PARAMS = {"city": "shanghai", "year": 2025, "cohort": "cohort.csv"}


def snapshot(folder: Path) -> dict:
    """Every file under `folder` (hidden ones included) and its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def listing(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def previous(tmp_path) -> Path:
    """An output folder holding a complete earlier report."""
    out = tmp_path / "reports"
    old = out / NAME
    old.mkdir(parents=True)
    (old / f"{NAME}.html").write_text("<p>the previous report</p>", encoding="utf-8")
    (old / "cost_curve.png").write_bytes(b"old figure")
    return out


def fake_papermill(monkeypatch, fail: BaseException | None = None, seen: list | None = None):
    """papermill.execute_notebook writes a figure and the executed notebook where it is told,
    then raises `fail` (if given)."""

    def execute(input_path, output_path, parameters=None, cwd=None, **kwargs):
        folder = Path(cwd)
        assert Path(output_path).parent == folder
        assert parameters["out"] == "."  # no temporary path shown in the notebook
        if seen is not None:
            seen.append(folder)
        (folder / "cost_curve.png").write_bytes(b"new figure" * 100)
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# New report")])
        nbformat.write(nb, output_path)
        if fail is not None:
            raise fail

    monkeypatch.setattr(papermill, "execute_notebook", execute)


def build(out: Path) -> Path:
    return report._execute("city_report.ipynb", NAME, out, PARAMS, False)


def test_success_builds_in_a_hidden_folder_then_replaces(previous, monkeypatch):
    seen = []
    fake_papermill(monkeypatch, seen=seen)
    html = build(previous)
    assert html == previous / NAME / f"{NAME}.html"
    assert seen[0].parent == previous and seen[0].name.startswith(f".{NAME}.{os.getpid()}.")
    assert listing(previous) == [NAME]  # no temporary left, the old report replaced
    assert sorted(snapshot(previous / NAME)) == ["cost_curve.png", f"{NAME}.html",
                                                  f"{NAME}.ipynb"]
    assert "New report" in html.read_text(encoding="utf-8")
    mask = os.umask(0)
    os.umask(mask)
    assert (previous / NAME).stat().st_mode & 0o777 == 0o777 & ~mask  # not mkdtemp's 0700


def test_success_without_previous_report(tmp_path, monkeypatch):
    fake_papermill(monkeypatch)
    out = tmp_path / "new" / "reports"  # created as needed
    build(out)
    assert listing(out) == [NAME]


@pytest.mark.parametrize("fail", [
    RuntimeError("the kernel died"),
    OSError(errno.ENOSPC, "No space left on device"),
    KeyboardInterrupt(),
], ids=["exception", "disk-full", "ctrl-c"])
def test_failure_midway_leaves_previous_report_untouched(previous, monkeypatch, fail):
    before = snapshot(previous)
    fake_papermill(monkeypatch, fail=fail)
    with pytest.raises(type(fail)):
        build(previous)
    assert snapshot(previous) == before
    assert listing(previous) == [NAME]


def test_failure_without_previous_report_leaves_nothing(tmp_path, monkeypatch):
    fake_papermill(monkeypatch, fail=RuntimeError("boom"))
    with pytest.raises(RuntimeError):
        build(tmp_path)
    assert listing(tmp_path) == []


def test_failing_cell_is_a_report_error_and_leaves_nothing(previous, monkeypatch):
    before = snapshot(previous)
    fail = papermill.PapermillExecutionError(cell_index=3, exec_count=4, source="x",
                                             ename="ValueError", evalue="bad", traceback=[])
    fake_papermill(monkeypatch, fail=fail)
    with pytest.raises(report.ReportError, match="failed in cell 4: ValueError") as err:
        build(previous)
    assert ".tmp" not in str(err.value)  # points at no folder that no longer exists
    assert snapshot(previous) == before


def test_disk_full_while_writing_the_html(previous, monkeypatch):
    """ENOSPC after the notebook ran, when the HTML is written."""
    before = snapshot(previous)
    fake_papermill(monkeypatch)
    real_open = open

    def full_disk_open(path, mode="r", *args, **kwargs):
        if str(path).endswith(".html") and "w" in mode:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(report, "open", full_disk_open, raising=False)
    with pytest.raises(OSError) as err:
        build(previous)
    assert err.value.errno == errno.ENOSPC
    assert snapshot(previous) == before


def test_failed_rename_puts_the_previous_report_back(previous, monkeypatch):
    before = snapshot(previous)
    fake_papermill(monkeypatch)
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        if len(calls) == 2:  # the new report into place
            raise OSError(errno.EIO, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(report.os, "replace", replace)
    with pytest.raises(OSError):
        build(previous)
    monkeypatch.setattr(report.os, "replace", real_replace)
    assert calls[0][0] == NAME and calls[1][1] == NAME
    assert snapshot(previous) == before


def test_stale_temporaries_of_dead_runs_are_removed(previous, monkeypatch):
    dead = previous / f".{NAME}.999999999.abcd.tmp"  # no such process
    dead.mkdir()
    (dead / "cost_curve.png").write_bytes(b"partial")
    alive = previous / f".{NAME}.{os.getppid()}.efgh.tmp"  # a running process's build
    alive.mkdir()
    other = previous / ".compare_2025.999999999.ijkl.tmp"  # another report's: left to it
    other.mkdir()
    fake_papermill(monkeypatch, fail=RuntimeError("boom"))
    with pytest.raises(RuntimeError):
        build(previous)
    assert not dead.exists() and alive.exists() and other.exists()
    fake_papermill(monkeypatch)
    build(previous)
    assert listing(previous) == sorted([NAME, alive.name, other.name])


def test_cli_full_disk_exits_2_and_leaves_previous(previous, monkeypatch, capsys):
    """``python -m wuxian.report``: a full disk is one ``error:`` line and exit status 2."""
    before = snapshot(previous)
    fake_papermill(monkeypatch, fail=OSError(errno.ENOSPC, "No space left on device"))
    monkeypatch.setattr(report, "check_request", lambda city, year, cohort=None, cities=None:
                        ([report.normalise_city(city)], int(year)))
    code = report.main(["--city", "shanghai", "--year", "2025", "--out", str(previous)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: No space left on device") and "Traceback" not in err
    assert snapshot(previous) == before
