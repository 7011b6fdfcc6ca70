"""The benefits, report and --net-pay commands of the CLI."""

import pandas as pd

from wuxian.cli import main


def test_benefits_commands(capsys):
    assert main(["benefits", "unemployment", "--years", "6"]) == 0
    assert "18 months" in capsys.readouterr().out  # 失业保险条例 art.17: 5-10 years -> 18
    assert main(["benefits", "injury", "--grade", "5", "--wage", "8000"]) == 0
    assert "144000" in capsys.readouterr().out  # 2011 条例 art.36: 18 months x 8000
    assert main(["benefits", "injury", "--grade", "11", "--wage", "8000"]) == 2
    assert "grade" in capsys.readouterr().err


def test_report_refuses_a_year_without_data(tmp_path, capsys):
    assert main(["report", "--city", "shanghai", "--year", "2030", "--out", str(tmp_path)]) == 2
    assert "no parameter data for shanghai in 2030" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_contributions_net_pay(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"employee_id": "a", "city": "beijing",
                  "month": [f"2024-{m:02d}" for m in range(1, 4)],
                  "wage": 20000.0}).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    assert main(["contributions", str(src), "--out", str(out), "--net-pay",
                 "--base-method", "current_month", "--no-progress"]) == 0
    res = pd.read_csv(out)
    assert {"iit", "net_pay"} <= set(res.columns)
    assert (res.net_pay == res.wage - res.employee_total - res.iit - res.iit_bonus).all()


def test_benefits_unemployment_prints_nothing_when_the_amount_is_missing(capsys):
    # 1999 is outside the unemployment-amount data: an error, and no half answer on stdout
    assert main(["benefits", "unemployment", "--city", "shanghai", "--years", "3",
                 "--month", "1999-01"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "shanghai" in out.err and "1999-01" in out.err
