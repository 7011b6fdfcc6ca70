"""The built wheel runs when installed outside the repository (issue 15).

The tracked files of the checkout are copied to a temporary folder, a wheel is built there
with pip (build isolation, as a user would), and installed without dependencies into a new
venv in another temporary folder. The venv reaches the dependencies of the test venv through
a ``.pth`` line (a plain path: the editable install of the checkout is *not* activated), so
``import wuxian`` can only find the installed wheel (the dependencies' own data files, such
as nbconvert's templates, are found through ``JUPYTER_PATH``). Every command runs with the working
directory outside the repository.
"""

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAYROLL = "employee_id,city,month,wage\ne1,shanghai,2025-07,12000\ne2,上海,2025-07,30000\n"


def _run(cmd, cwd, **kw):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=900, **kw)
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    return [f for f in out.splitlines() if (REPO / f).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv python, venv bin folder, the wheel) with the wheel installed."""
    src = tmp_path_factory.mktemp("src")
    for name in _tracked_files():
        if name.startswith(("reports/", "tests/")):
            continue
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes((REPO / name).read_bytes())
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(src), "-w", str(dist)],
         cwd=dist)
    wheel = next(dist.glob("wuxian-*.whl"))
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=venv)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=venv).strip())
    (site / "outer_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
          "--ignore-installed", str(wheel)], cwd=venv)
    return python, venv / "bin", wheel


def test_wheel_carries_every_data_file_and_notebook(installed):
    _, _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = [f for f in _tracked_files() if f.startswith(("data/", "notebooks/"))]
    expected = {"wuxian/_" + f for f in wanted}
    assert wanted and not expected - names, sorted(expected - names)[:10]


def test_installed_package_is_the_wheel(installed, tmp_path):
    python, _, _ = installed
    out = _run([str(python), "-c", "import wuxian; print(wuxian.__file__)"], cwd=tmp_path)
    assert not Path(out.strip()).resolve().is_relative_to(REPO)


def test_python_api_runs_from_the_wheel(installed, tmp_path):
    python, _, _ = installed
    code = (
        "import pandas as pd, wuxian\n"
        "df = pd.DataFrame({'employee_id': ['e1'], 'city': ['shanghai'], 'month': ['2025-07'],"
        " 'wage': [12000.0]})\n"
        "out = wuxian.contributions(df, base_method='current_month')\n"
        "print(round(float(out['pension_employee'].iloc[0]), 2))\n"
        "print(wuxian.retirement_month('1970-05', 'male'))\n"
    )
    lines = _run([str(python), "-c", code], cwd=tmp_path).split()
    assert lines[0] == "960.0"  # 8% of 12,000 (沪人社规: employee pension 8%)
    assert lines[1].startswith("20")


def test_cli_params_and_contributions_from_the_wheel(installed, tmp_path):
    _, bin_dir, _ = installed
    wuxian = str(bin_dir / "wuxian")
    out = _run([wuxian, "params", "--city", "shanghai", "--month", "2025-07"], cwd=tmp_path)
    assert "pension" in out
    (tmp_path / "p.csv").write_text(PAYROLL, encoding="utf-8")
    _run([wuxian, "contributions", "p.csv", "--base-method", "current_month", "--out", "o.csv"],
         cwd=tmp_path)
    text = (tmp_path / "o.csv").read_text(encoding="utf-8")
    assert text.count("\n") == 3 and "pension_employer" in text


def test_report_from_the_wheel(installed, tmp_path):
    _, bin_dir, _ = installed
    # the dependencies' data files (nbconvert's templates) are in the test venv, not this one
    env = {**os.environ, "MPLBACKEND": "Agg",
           "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    _run([str(bin_dir / "wuxian"), "report", "--city", "shanghai", "--out", "reports"],
         cwd=tmp_path, env=env)
    assert list((tmp_path / "reports").glob("shanghai_*/shanghai_*.html"))
