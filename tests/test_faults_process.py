"""Issue 14, faults: a full disk, SIGTERM and SIGKILL leave no partial or temporary file.

The signal and file-size tests run the real ``wuxian`` command in a child process: SIGTERM
while the output is being written; SIGKILL, whose leftover the next run must remove; and a
file-size limit (``RLIMIT_FSIZE``, with SIGXFSZ ignored, so a write fails with EFBIG exactly
where a full disk fails with ENOSPC). The in-process tests inject ENOSPC into every write and
close of the output file, the case where the old abort path raised again and left its temp.
"""

import errno
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wuxian.io as wio
from wuxian.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "params"
WUXIAN = [sys.executable, "-m", "wuxian.cli"]


def big_payroll(path: Path, employees: int, months: int = 12) -> Path:
    """employees x months Shanghai rows in 2025-01.. (the fixture table's range)."""
    month = pd.period_range("2025-01", periods=months, freq="M").astype(str)
    df = pd.DataFrame({
        "employee_id": np.repeat([f"E{i:07d}" for i in range(employees)], months),
        "city": "shanghai", "month": np.tile(month, employees),
        "wage": np.tile(np.linspace(6000, 40000, months).round(2), employees),
        "身份证号": np.repeat([f"{110101199000000000 + i}" for i in range(employees)], months)})
    df.to_csv(path, index=False)
    return path


def temps(folder: Path) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def start(args, **kw):
    return subprocess.Popen([*WUXIAN, *map(str, args), "--params", str(FIXTURE)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def wait_for_temp(proc, folder: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if temps(folder):
            return
        if proc.poll() is not None:
            pytest.fail("the run ended before writing: " + proc.stderr.read().decode())
        time.sleep(0.02)
    proc.kill()
    pytest.fail("no temporary output appeared")


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    return big_payroll(tmp_path_factory.mktemp("big") / "pay.csv", 30_000)


def test_sigterm_while_writing_leaves_the_old_output_and_no_temp(tmp_path, big):
    out = tmp_path / "out.csv"
    out.write_text("previous\n")
    proc = start(["contributions", big, "--out", out, "--chunk-rows", "5000", "--no-progress"])
    wait_for_temp(proc, tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    err = err.decode()
    assert err.strip().splitlines()[-1].startswith("error: interrupted")
    assert "Traceback" not in err and "110101" not in err
    assert out.read_text() == "previous\n" and temps(tmp_path) == []


def test_sigkill_leftover_is_removed_by_the_next_run(tmp_path, big):
    out = tmp_path / "out.csv"
    proc = start(["contributions", big, "--out", out, "--chunk-rows", "5000", "--no-progress"])
    wait_for_temp(proc, tmp_path)
    proc.kill()
    proc.wait(timeout=30)
    assert len(temps(tmp_path)) == 1 and not out.exists()  # what a killed process leaves
    small = big_payroll(tmp_path / "small.csv", 3)
    done = subprocess.run([*WUXIAN, "contributions", str(small), "--out", str(out),
                           "--params", str(FIXTURE), "--no-progress"], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    assert temps(tmp_path) == [] and len(pd.read_csv(out)) == 36


def _file_size_limit(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("engine", ["stream", "memory"])
@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_disk_full_in_a_real_process(tmp_path, engine, suffix):
    src = big_payroll(tmp_path / "pay.csv", 2_000)  # ~2 MB in, several MB out
    out = tmp_path / f"out{suffix}"
    out.write_bytes(b"previous")
    limit = 64 * 1024  # reading is not limited: the input is read, the output cannot be finished
    proc = start(["contributions", src, "--out", out, "--engine", engine, "--no-progress"],
                 preexec_fn=_file_size_limit(limit))
    _, err = proc.communicate(timeout=300)
    err = err.decode()
    assert proc.returncode == 2, err
    assert err.strip().splitlines()[-1].startswith("error: File too large"), err
    assert "Traceback" not in err and "110101" not in err
    assert out.read_bytes() == b"previous" and temps(tmp_path) == []


class FullDisk:
    """A file whose writes fail with ENOSPC after `room` bytes, and whose close fails too."""

    def __init__(self, real, room: int):
        self.real, self.room = real, room

    def write(self, data):
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return self.real.write(data)

    def close(self):
        self.real.close()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@pytest.fixture
def full_disk(monkeypatch):
    real_open = open

    def fake_open(path, mode="r", *a, **k):
        handle = real_open(path, mode, *a, **k)
        return FullDisk(handle, 4096) if ("w" in mode and ".tmp" in str(path)) else handle

    monkeypatch.setattr(wio, "open", fake_open, raising=False)


@pytest.mark.parametrize("engine", ["stream", "memory"])
def test_enospc_on_write_and_close_leaves_no_temp(tmp_path, capsys, full_disk, engine):
    src = big_payroll(tmp_path / "pay.csv", 100)
    out = tmp_path / "out.csv"
    out.write_text("previous\n")
    code = main(["contributions", str(src), "--out", str(out), "--params", str(FIXTURE),
                 "--engine", engine, "--no-progress"])
    assert code == 2
    assert capsys.readouterr().err.strip().endswith("No space left on device")
    assert out.read_text() == "previous\n" and temps(tmp_path) == []


def test_update_readme_on_a_full_disk_leaves_no_temp(tmp_path, capsys, full_disk):
    readme = tmp_path / "README.md"
    readme.write_text("x\n<!-- coverage:start -->\nold\n<!-- coverage:end -->\n" + "y" * 5000)
    before = readme.read_text()
    code = main(["params", "coverage", "--update-readme", str(readme), "--params",
                 str(FIXTURE)])
    assert code == 2 and "No space left on device" in capsys.readouterr().err
    assert readme.read_text() == before and temps(tmp_path) == []
