"""The Dask engine equals the pandas engine exactly, with partitions that split employees."""

from pathlib import Path

import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import dask  # noqa: E402

import wuxian  # noqa: E402
import wuxian.dask as wdask  # noqa: E402
from wuxian import io  # noqa: E402
from wuxian.cli import main  # noqa: E402

pytestmark = [pytest.mark.filterwarnings("ignore:Sending large graph"),
              pytest.mark.filterwarnings("ignore:Pickling .* does not preserve state")]
SAMPLE = Path(__file__).parents[1] / "data" / "samples" / "cohort.csv"


@pytest.fixture(scope="module")
def client():
    with dask.config.set({"dataframe.convert-string": False}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                     dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def sample():
    return io.read_payroll(SAMPLE)


def split(df, n=7):
    """Partitions in file order that cut through employees' histories."""
    return dd.from_pandas(df, npartitions=n, sort=True)


@pytest.mark.parametrize("command", ["contributions", "gap"])
def test_dask_equals_pandas_on_sample(client, sample, command):
    engine = getattr(wdask, command)
    got = engine(split(sample)).compute()
    expected = getattr(wuxian, command)(sample)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_dask_error_names_whole_frame_row(client, sample):
    df = sample.iloc[:3000].copy()
    df.loc[2500, "wage"] = -3.0
    with pytest.raises(wuxian.InputError, match="row 2501"):
        wdask.contributions(split(df, 5))


def test_dask_duplicate_across_partitions(client, sample):
    df = sample.iloc[:3000].copy()
    df.loc[2900, ["employee_id", "month"]] = df.loc[10, ["employee_id", "month"]].to_numpy()
    with pytest.raises(wuxian.InputError, match="duplicate pair in rows 11, 2901"):
        wdask.contributions(split(df, 5))


def test_dask_gap_summary(client, sample):
    got = wdask.gap_summary(wdask.gap(split(sample)), by=["city", "year"])
    expected = wuxian.gap_summary(wuxian.gap(sample), by=["city", "year"])
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_cli_engine_dask_scheduler(client, sample, tmp_path):
    src = tmp_path / "in.parquet"
    sample.iloc[:5000].to_parquet(src, index=False)
    out = tmp_path / "out.parquet"
    assert main(["contributions", str(src), "--out", str(out), "--engine", "dask",
                 "--scheduler", client.scheduler.address]) == 0
    got = pd.read_parquet(out)
    expected = wuxian.contributions(io.read_payroll(src))
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_exact=True,
                                  check_dtype=False)
    csv = tmp_path / "out.csv"
    assert main(["contributions", str(src), "--out", str(csv), "--engine", "dask",
                 "--scheduler", client.scheduler.address]) == 0
    io.write_table(expected, tmp_path / "expected.csv")
    assert csv.read_bytes() == (tmp_path / "expected.csv").read_bytes()


def test_dask_reads_csv_like_read_payroll(client, sample):
    got = wdask.contributions(wdask.read(SAMPLE, blocksize="1MB")).compute()
    pd.testing.assert_frame_equal(got.reset_index(drop=True), wuxian.contributions(sample),
                                  check_exact=True)
