"""Cross-city moves (转移接续): where the pension is claimed, what moves, and the steps.

A person's career is a list of city **spells**: ``city, start, end`` (``YYYY-MM``, end
inclusive) and ``base`` (monthly contribution base during the spell). Rules:

- **Claim place** — 国办发〔2009〕66号 art.6: relation in the hukou place → hukou place; else
  the current place with ≥ 10 cumulative years; else the most recent earlier place with ≥ 10
  years; else the hukou place (all years pooled there). Years always cumulate.
- **What moves with the pension** — 66号文 art.4: the full personal-account balance; from the
  pooled fund 12% of the contribution bases since 1998-01 (months in the origin spell).
- **Temporary account** — 66号文 art.5: men aged 50+ / women 40+ moving to another province
  that is not their hukou place keep the relation at the origin; the destination opens a
  临时基本养老保险缴费账户.
- **Medical** — 医保办发〔2021〕43号: personal-account balance moves, pooled fund does not;
  years needed at retirement by city (``data/national/medical_retire_years.csv``).
- **Unemployment** — funds move only after ≥ 1 year at the origin; a claimant takes the
  unpaid benefits + 50% (失业保险金申领发放办法, 部令第8号).
- **Housing fund** — transfer through the national platform (2017-07) or, leaving without
  depositing elsewhere, withdrawal under the city's rules (住房公积金管理条例 art.24).

Procedures (steps, documents, deadlines, sources) are data: ``data/procedures/*.csv``.

Examples
--------
>>> spells = pd.DataFrame({"city": ["beijing", "shenzhen"], "start": ["2008-01", "2020-01"],
...                        "end": ["2019-12", "2024-12"], "base": [10000.0, 15000.0]})
>>> claim_place(spells, "chengdu")
'beijing'
"""

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, format_rows
from .resources import data_path
from .schema import numeric_values
from .pension import Assumptions, account_balance, claim_city_from_history, normalise_city
from .months import month_labels, month_numbers
from .national import checked_table, national_table, rule, rule_value
from .retirement import region_of, track_codes

PROCEDURES_DIR = data_path("procedures")
PROCEDURE_COLUMNS = ("insurance #step actor action documents #deadline_working_days "
                     "deadline_text")


def procedures(insurance: str | None = None) -> pd.DataFrame:
    """The transfer steps (``data/procedures/transfer_steps.csv``), optionally for one insurance.

    >>> procedures("pension")["deadline_working_days"].dropna().astype(int).tolist()
    [15, 15, 15]
    """
    df = checked_table(PROCEDURES_DIR / "transfer_steps.csv", PROCEDURE_COLUMNS)
    if insurance is not None:
        if insurance not in set(df["insurance"]):
            raise InputError(f"insurance: unknown {insurance!r}; expected "
                             + ", ".join(sorted(set(df["insurance"]))))
        df = df[df["insurance"] == insurance].reset_index(drop=True)
    return df


def expand_spells(spells: pd.DataFrame) -> pd.DataFrame:
    """One row per month of each spell (``spell, city, month, base``); checks the spells.

    Raises InputError for a missing column, an end before the start or overlapping spells
    (naming the spell rows).

    >>> s = pd.DataFrame({"city": ["北京"], "start": ["2024-11"], "end": ["2025-01"],
    ...                   "base": [9000.0]})
    >>> expand_spells(s)["month"].tolist()
    ['2024-11', '2024-12', '2025-01']
    """
    for col in ("city", "start", "end"):
        if col not in spells.columns:
            raise InputError(f"{col}: missing column in the spells")
    start = month_numbers(spells["start"].to_numpy(), "start")
    end = month_numbers(spells["end"].to_numpy(), "end")
    bad = np.flatnonzero(end < start)
    if bad.size:
        raise InputError(f"end: before start in spell {format_rows(bad)}")
    order = np.argsort(start, kind="stable")
    overlap = np.flatnonzero(start[order][1:] <= end[order][:-1])
    if overlap.size:
        rows = np.union1d(order[overlap], order[overlap + 1])
        raise InputError(f"start: spells overlap (same months in two cities) in {format_rows(rows)}")
    n = end - start + 1
    spell = np.repeat(np.arange(len(spells)), n)
    offset = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    base = (numeric_values(spells["base"], "base")
            if "base" in spells.columns else np.full(len(spells), np.nan))
    return pd.DataFrame({"spell": spell, "city": normalise_city(spells["city"].to_numpy())[spell],
                         "month": month_labels(start[spell] + offset),
                         "month_index": start[spell] + offset, "base": base[spell]})


def claim_place(spells: pd.DataFrame, hukou_city: str) -> str:
    """The city that pays the pension under 国办发〔2009〕66号 art.6 (see module docstring).

    >>> s = pd.DataFrame({"city": ["beijing", "shenzhen", "chengdu"],
    ...     "start": ["2005-01", "2016-01", "2022-01"], "end": ["2015-12", "2021-12", "2024-12"]})
    >>> claim_place(s, "chengdu")   # relation back in the hukou place
    'chengdu'
    """
    m = expand_spells(spells)
    codes, cities = pd.factorize(m["city"])
    hukou = normalise_city([hukou_city])
    return str(claim_city_from_history(np.zeros(len(m), dtype=np.int64),
                                       m["month_index"].to_numpy(), codes,
                                       np.asarray(cities, dtype=object), hukou, 1)[0])


def _province(cities) -> np.ndarray:
    t = national_table("pension_regions").set_index("city")["province"]
    c = pd.Series(np.asarray(cities, dtype=object))
    return c.map(t).fillna(c).to_numpy(object)  # unknown city: its own province


def transfer_summary(spells: pd.DataFrame, hukou_city: str, birth_month: str | None = None,
                     track: str | None = None, unemployment_remaining_benefit: float | None = None,
                     assumptions: Assumptions | None = None) -> dict:
    """What moves at each change of city, and where the pension is claimed.

    Returns a dict: ``claim_city``; ``moves`` (DataFrame, one row per move: months at the
    origin, pooled-fund transfer = 12% × bases since 1998-01 at the origin (66号文 art.4),
    account transfer = credits with interest to the move year, temporary-account flag
    (66号文 art.5), unemployment fund transfer (≥ 12 months, 部令第8号), housing-fund
    action); ``medical`` (total years vs the claim city's requirement).

    >>> s = pd.DataFrame({"city": ["beijing", "shenzhen"], "start": ["2010-01", "2022-01"],
    ...     "end": ["2021-12", "2024-12"], "base": [10000.0, 20000.0]})
    >>> out = transfer_summary(s, "chengdu", "1975-05", "male")
    >>> out["claim_city"], float(out["moves"].loc[0, "pooled_transfer"])   # 0.12 x 10000 x 144
    ('beijing', 172800.0)
    """
    a = assumptions or Assumptions()
    m = expand_spells(spells)
    order = np.argsort(month_numbers(spells["start"].to_numpy(), "start"), kind="stable")
    sp = spells.iloc[order].reset_index(drop=True)
    hukou = normalise_city([hukou_city])[0]
    claim = claim_place(spells, hukou_city)
    # per-spell sums, in start order
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    sidx = rank[m["spell"].to_numpy()]
    months = np.bincount(sidx, minlength=len(sp))
    mi = m["month_index"].to_numpy()
    since = month_numbers(rule("pension_rules", "pooled_transfer_since"), "since")[0]
    base = m["base"].to_numpy(float)
    pooled = rule_value("transfer_rules", "transfer_pension.pooled_share") * np.bincount(
        sidx, weights=np.where(mi >= since, base, 0.0), minlength=len(sp))
    cities = normalise_city(sp["city"].to_numpy())
    ends = month_numbers(sp["end"].to_numpy(), "end")
    move_year = ends // 12 + 1  # the move is at the end of the origin spell
    has_base = ~np.isnan(base)
    bal, _, _ = account_balance(sidx[has_base], mi[has_base], base[has_base], move_year, a,
                                len(sp))
    # A spell with any month lacking a base has no computable amount: NaN, never 0.
    incomplete = np.bincount(sidx, weights=~has_base, minlength=len(sp)) > 0
    pooled = np.where(incomplete, np.nan, pooled)
    bal = np.where(incomplete, np.nan, bal)
    frm, to = cities[:-1], cities[1:]
    prov = _province(cities)
    cross = prov[:-1] != prov[1:]
    if birth_month is not None and track is not None:
        tc = track_codes([track], 1)[0]
        birth = month_numbers([birth_month], "birth_month")[0]
        age = (ends[:-1] + 1 - birth) / 12
        limit = rule_value("transfer_rules", "transfer_pension.temp_account_age_male" if tc == 0
                      else "transfer_pension.temp_account_age_female")
        temp = cross & (to != hukou) & (age >= limit)
    else:
        age = np.full(len(frm), np.nan)
        temp = np.full(len(frm), pd.NA, dtype=object)
    min_unemp = 12 * rule_value("transfer_rules", "transfer_unemployment.min_years_for_fund_transfer")
    unemp = np.where(months[:-1] >= min_unemp, "funds and years move",
                     "years move; no funds (under 1 year at origin)")
    extra = rule_value("transfer_rules", "transfer_unemployment.extra_share_for_claimants")
    moves = pd.DataFrame({
        "from_city": frm, "to_city": to, "move_month": month_labels(ends[:-1] + 1),
        "age_at_move": age, "cross_province": cross, "months_at_origin": months[:-1],
        "pooled_transfer": pooled[:-1], "account_transfer": bal[:-1],
        "temporary_account": temp, "unemployment": unemp,
        "housing_fund": np.where(to != frm, "transfer via the national platform, or close the "
                                 "account and withdraw under the origin city's rules", "none"),
    })
    claimant = (None if unemployment_remaining_benefit is None
                else unemployment_remaining_benefit * (1 + extra))
    mr = national_table("medical_retire_years")
    need = mr[(mr["city"] == claim) & (mr["track"] == track)]
    medical = {"total_years": months.sum() / 12,
               "required_years": float(need["years"].iloc[0]) if len(need) else None,
               "required_source": need["source"].iloc[0] if len(need) else
               f"no data for {claim} (track {track})",
               "confidence": need["confidence"].iloc[0] if len(need) else None}
    return {"claim_city": claim, "hukou_city": hukou, "claim_region": region_of([claim])[0],
            "moves": moves, "medical": medical,
            "unemployment_claimant_transfer": claimant}


def _money(value: float) -> str:
    """Yuan with two decimals, or why there is no figure.

    >>> _money(1234.5), _money(float("nan"))
    ('1,234.50', 'not computed (no contribution bases given for the spell)')
    """
    if pd.isna(value):
        return "not computed (no contribution bases given for the spell)"
    return f"{value:,.2f}"


def transfer_checklist(spells: pd.DataFrame, hukou_city: str, birth_month: str | None = None,
                       track: str | None = None) -> str:
    """Render a person's transfer checklist as text (steps, documents, deadlines, sources).

    >>> s = pd.DataFrame({"city": ["beijing", "shenzhen"], "start": ["2015-01", "2020-01"],
    ...     "end": ["2019-12", "2024-12"], "base": [9000.0, 9000.0]})
    >>> text = transfer_checklist(s, "chengdu")
    >>> text.splitlines()[0]
    'Pension claim city (国办发〔2009〕66号 art.6): chengdu'
    >>> "联系函" in text and "15 working days" in text
    True
    """
    s = transfer_summary(spells, hukou_city, birth_month, track)
    lines = [f"Pension claim city (国办发〔2009〕66号 art.6): {s['claim_city']}"]
    med = s["medical"]
    lines.append(f"Medical years so far: {med['total_years']:.1f}; required at "
                 f"{s['claim_city']}: {med['required_years']} ({med['required_source']}; "
                 f"confidence {med['confidence']})")
    steps = procedures()
    for mv in s["moves"].itertuples(index=False):  # one line block per move, not per record
        lines.append("")
        lines.append(f"Move {mv.from_city} → {mv.to_city} ({mv.move_month}): "
                     f"pooled fund {_money(mv.pooled_transfer)}, personal account "
                     f"{_money(mv.account_transfer)}; unemployment: {mv.unemployment}")
        if mv.temporary_account is True:
            lines.append("  ! temporary account (临时基本养老保险缴费账户): relation stays at "
                         f"{mv.from_city} (66号文 art.5)")
        for st in steps.itertuples(index=False):
            place = mv.from_city if st.actor.endswith("@origin") else mv.to_city
            dl = (f"; deadline {int(st.deadline_working_days)} working days"
                  if pd.notna(st.deadline_working_days) else "")
            docs = f"; documents: {st.documents}" if isinstance(st.documents, str) else ""
            lines.append(f"  [{st.insurance} {st.step}] {place}: {st.action}{docs}{dl} "
                         f"({st.deadline_text}) — source: {st.source} [{st.confidence}]")
    return "\n".join(lines)
