"""Figures of the report notebooks (matplotlib only): fonts, labels, output, ``fig_*``.

The numbers come from :mod:`wuxian.aggregates`; ``fig_*`` functions take its tables, for one
city or several, and return a matplotlib Figure; :func:`show` saves a figure as PNG and SVG
and embeds it in the notebook as an HTML ``<figure>``; :func:`save_table` writes a table.

Labels are bilingual (``中文 English``) when a CJK font is found — Noto Sans CJK SC from the
``mplfonts`` package, installed with wuxian, or any CJK font on the system — and English
otherwise, so a report never shows tofu boxes.

Examples
--------
>>> label("pension", "养老") in ("养老 pension", "pension")
True
"""

import base64
import html
import io
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pandas as pd

from .aggregates import CAREER_SHARES
from .params import ITEMS
# names, order and colours of cities and items: data/registry (cities.csv, items.csv)
from .params.vocab import CITY_COLORS, CITY_EN, CITY_ZH, ITEM_COLORS, ITEM_ZH

_CJK = {"ok": None, "family": None}
_OUT = {"dir": None, "prefix": ""}


# ---------------------------------------------------------------- fonts, labels, output
def _cjk_font_files() -> list:
    spec = find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return []
    fonts = Path(list(spec.submodule_search_locations)[0]) / "fonts"
    return [p for p in (fonts / "NotoSansCJKsc-Regular.otf", fonts / "SimHei.ttf") if p.exists()]


def setup_fonts(english_only: bool = False) -> bool:
    """Configure matplotlib; return True when Chinese labels can be drawn.

    Registers Noto Sans CJK SC from the installed ``mplfonts`` package (no download), else
    looks for a CJK font already on the system; without one, labels fall back to English.
    """
    import sys

    import matplotlib

    if "IPython" not in sys.modules:  # scripts and tests: no display; notebooks keep theirs
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 130, "axes.spines.top": False,
                         "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
                         "svg.fonttype": "path", "axes.unicode_minus": False,
                         "figure.max_open_warning": 0})
    family = None
    if not english_only:
        for path in _cjk_font_files():
            try:
                font_manager.fontManager.addfont(str(path))
                family = font_manager.FontProperties(fname=str(path)).get_name()
                break
            except (OSError, RuntimeError, ValueError):
                continue
        if family is None:
            known = {"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei",
                     "Microsoft YaHei", "PingFang SC", "Noto Sans SC", "AR PL UMing CN"}
            names = {f.name for f in font_manager.fontManager.ttflist}
            family = next((n for n in sorted(known) if n in names), None)
    if family:
        plt.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
        plt.rcParams["font.family"] = "sans-serif"
    _CJK.update(ok=family is not None, family=family)
    return _CJK["ok"]


def cjk() -> bool:
    """Whether Chinese labels are on (after :func:`setup_fonts`)."""
    if _CJK["ok"] is None:
        setup_fonts()
    return bool(_CJK["ok"])


def label(en: str, zh: str | None = None) -> str:
    """``"中文 English"`` when a CJK font is set up, else ``"English"``.

    >>> _ = setup_fonts(english_only=True); label("Employer", "单位")
    'Employer'
    """
    return f"{zh} {en}" if zh and cjk() else en


def city_label(city: str) -> str:
    return label(CITY_EN.get(city, city.capitalize()), CITY_ZH.get(city))


def item_label(item: str) -> str:
    return label(item.replace("_", " "), ITEM_ZH.get(item))


def set_output(folder, prefix: str = "") -> Path:
    """Where :func:`show` and :func:`save_table` write PNG, SVG and CSV files."""
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    _OUT.update(dir=path, prefix=prefix)
    return path


def _file(name: str, ext: str) -> Path | None:
    if _OUT["dir"] is None:
        return None
    return _OUT["dir"] / f"{_OUT['prefix']}{name}.{ext}"


def show(fig, name: str, caption: str = ""):
    """Save `fig` as PNG and SVG and display it as an embedded ``<figure id="fig-NAME">``."""
    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    for ext in ("png", "svg"):
        target = _file(name, ext)
        if target is not None:
            fig.savefig(target, bbox_inches="tight")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    display(HTML(
        f'<figure id="fig-{name}" style="margin:1em 0"><img alt="{html.escape(name)}" '
        f'style="max-width:100%" src="data:image/png;base64,{data}"/>'
        f"<figcaption><small>{html.escape(caption)}</small></figcaption></figure>"))


def save_table(df: pd.DataFrame, name: str, display_it: bool = True, index: bool = False):
    """Write `df` as CSV next to the report and display it."""
    target = _file(name, "csv")
    if target is not None:
        df.to_csv(target, index=index)
    if display_it:
        from IPython.display import HTML, display

        display(HTML(f'<div id="table-{name}">' + df.to_html(index=index, na_rep="–",
                                                             float_format=lambda v: f"{v:,.4g}"
                                                             if abs(v) < 1 else f"{v:,.0f}")
                     + "</div>"))
    return df


# ---------------------------------------------------------------- figures
def _plt():
    import matplotlib.pyplot as plt

    cjk()
    return plt


def _as_dict(data) -> dict:
    return data if isinstance(data, dict) else {None: data}


def fig_cost_curve(curves, limits=None, title: str = ""):
    """Employer and employee cost against the wage, with the floor and cap kinks marked.

    `curves`: a :func:`cost_curve` frame, or a dict city -> frame; `limits`: dict city ->
    :func:`base_limits` (marks the kinks)."""
    plt = _plt()
    curves, limits = _as_dict(curves), limits or {}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, side, zh in zip(axes, ("employer", "employee"), ("单位", "个人")):
        for city, c in curves.items():
            color = CITY_COLORS.get(city, "#1f4e79")
            ax.plot(c["wage"], c[f"{side}_total"], color=color, lw=2,
                    label=city_label(city) if city and len(curves) > 1 else None)
            ax.plot(c["wage"], c[f"social_insurance_{side}"], color=color, lw=1, ls="--")
            lim = limits.get(city) if city else (limits if "si_floor" in limits else None)
            if lim:
                for key, ls in (("si_floor", ":"), ("si_cap", "-.")):
                    if np.isfinite(lim[key]):
                        ax.axvline(lim[key], color=color, ls=ls, lw=0.9, alpha=0.8)
        ax.set_title(label(f"{side.capitalize()} pays per month", f"{zh}每月缴费"))
        ax.set_xlabel(label("monthly wage (yuan)", "月工资（元）"))
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    from matplotlib.lines import Line2D

    axes[0].set_ylabel(label("yuan per month", "元/月"))
    handles, _ = axes[0].get_legend_handles_labels()
    handles += [Line2D([], [], color="#444", lw=2, label=label("total incl. housing fund",
                                                               "合计（含公积金）")),
                Line2D([], [], color="#444", lw=1, ls="--", label=label("social insurance only",
                                                                        "仅社保"))]
    axes[0].legend(handles=handles, fontsize=8, loc="upper left")
    fig.suptitle(title or label("Cost curve (dotted: base floor, dash-dot: base cap)",
                                "缴费曲线（点线：基数下限，点划线：上限）"))
    fig.tight_layout()
    return fig


def fig_effective_rate(curves, title: str = ""):
    """Contributions as a share of the wage: flat between floor and cap, higher below the
    floor, falling above the cap."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(10, 4.2))
    for city, c in _as_dict(curves).items():
        color = CITY_COLORS.get(city, "#1f4e79")
        ax.plot(c["wage"], 100 * c["employer_rate"], color=color, lw=2,
                label=label("employer", "单位") + (f" · {city_label(city)}" if city else ""))
        ax.plot(c["wage"], 100 * c["employee_rate"], color=color, lw=1.3, ls="--",
                label=label("employee", "个人") + (f" · {city_label(city)}" if city else ""))
    top = max(100 * float(c["employer_rate"].max()) for c in _as_dict(curves).values())
    ax.set_ylim(0, min(top * 1.05, 80))  # far below the floor the rate runs off the chart
    ax.set_ylabel(label("% of wage", "占工资 %"))
    ax.set_xlabel(label("monthly wage (yuan)", "月工资（元）"))
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.legend(fontsize=8, ncol=2)
    ax.set_title(title or label("Effective contribution rate", "实际缴费率"))
    fig.tight_layout()
    return fig


def fig_breakdown(breakdown: pd.DataFrame, title: str = ""):
    """Mean cost per employee-month by item, employer and employee, one bar per city and side."""
    plt = _plt()
    cities = list(dict.fromkeys(breakdown["city"]))
    fig, ax = plt.subplots(figsize=(max(6, 2.4 * len(cities) + 3), 4.4))
    x, width = np.arange(len(cities)), 0.38
    for k, (side, zh) in enumerate((("employer", "单位"), ("employee", "个人"))):
        bottom = np.zeros(len(cities))
        for item in ITEMS:
            sub = breakdown[breakdown["item"] == item].set_index("city")
            if sub.empty:
                continue
            # amounts come from the engine (which refuses missing parameters): a city without
            # this item in the breakdown pays nothing for it
            vals = sub[f"{side}_per_month"].reindex(cities).fillna(0).to_numpy()
            ax.bar(x + (k - 0.5) * width, vals, width, bottom=bottom, color=ITEM_COLORS[item],
                   edgecolor="white", lw=0.5, label=item_label(item) if k == 0 else None,
                   hatch="//" if side == "employee" else None)
            bottom += vals
        for xi, b in zip(x, bottom):
            ax.text(xi + (k - 0.5) * width, b, f"{b:,.0f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [f"{city_label(c)}\n" + label("employer | employee", "单位 | 个人(斜线)")
                      for c in cities], fontsize=8)
    ax.set_ylabel(label("yuan per employee-month", "元/人·月"))
    ax.legend(fontsize=8, bbox_to_anchor=(1.01, 1), loc="upper left")
    ax.set_title(title or label("Cohort cost by item", "样本缴费构成"))
    fig.tight_layout()
    return fig


def fig_gap_scan(scans, title: str = ""):
    """Monthly gap (employer + employee) as the declared base falls from the full wage."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(10, 4.2))
    for city, s in _as_dict(scans).items():
        color = CITY_COLORS.get(city, "#1f4e79")
        share = 100 * s["declared_share"]
        ax.plot(share, s["gap_employer_total"], color=color, lw=2,
                label=label("employer saves", "单位少缴") + (f" · {city_label(city)}" if city else ""))
        ax.plot(share, s["gap_employee_total"], color=color, lw=1.3, ls="--",
                label=label("employee loses", "个人少缴") + (f" · {city_label(city)}" if city else ""))
    ax.invert_xaxis()
    ax.set_xlabel(label("declared base, % of the full wage", "申报基数占应发工资 %"))
    ax.set_ylabel(label("yuan per month not paid", "每月少缴（元）"))
    ax.legend(fontsize=8, ncol=2)
    ax.set_title(title or label("What under-declaring the base saves and costs",
                                "少报基数：单位省多少、个人少多少"))
    fig.tight_layout()
    return fig


def fig_gap_by_band(by_band: pd.DataFrame, title: str = ""):
    """Share of workers under-declared and mean monthly gap, by wage band."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    cities = list(dict.fromkeys(by_band["city"]))
    bands = list(dict.fromkeys(by_band["wage_band"].astype(str)))
    x, width = np.arange(len(bands)), 0.8 / max(1, len(cities))
    for k, city in enumerate(cities):
        sub = by_band[by_band["city"] == city].set_index(by_band["wage_band"].astype(str)
                                                         [by_band["city"] == city])
        sub = sub.reindex(bands)
        color = CITY_COLORS.get(city, "#1f4e79")
        # a band without data (no workers, or too few to show) draws no bar rather than a 0
        axes[0].bar(x + k * width, 100 * sub["share_affected"], width, color=color,
                    label=city_label(city))
        axes[1].bar(x + k * width, sub["mean_monthly_gap_employer"]
                    + sub["mean_monthly_gap_employee"], width, color=color)
    for ax in axes:
        ax.set_xticks(x + width * (len(cities) - 1) / 2, bands, rotation=35, fontsize=8)
        ax.set_xlabel(label("monthly wage band (yuan)", "月工资段（元）"))
    axes[0].set_title(label("% of workers under-declared", "被少报人员占比 %"), fontsize=10)
    axes[1].set_title(label("mean gap per affected month (yuan)", "受影响人月平均少缴（元）"),
                      fontsize=10)
    axes[0].legend(fontsize=8)
    fig.suptitle(title or label("Base manipulation in the cohort", "样本中的少报基数"))
    fig.tight_layout()
    return fig


def fig_pensions(pensions: pd.DataFrame, title: str = ""):
    """Monthly pension at retirement and replacement rate for the typical careers."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4))
    cities = list(dict.fromkeys(pensions["city"]))
    careers = list(CAREER_SHARES)
    tracks = list(dict.fromkeys(pensions["track"]))
    groups = [(c, t) for c in cities for t in tracks]
    x, width = np.arange(len(careers)), 0.8 / max(1, len(groups))
    for k, (city, track) in enumerate(groups):
        sub = pensions[(pensions["city"] == city) & (pensions["track"] == track)]
        sub = sub.set_index("career").reindex(careers)
        color = CITY_COLORS.get(city, "#1f4e79")
        kw = dict(color=color, alpha=1.0 if k % len(tracks) == 0 else 0.55,
                  label=f"{city_label(city)} · {track}")
        axes[0].bar(x + k * width, sub["basic_pension"], width, **kw)
        axes[0].bar(x + k * width, sub["account_pension"], width, bottom=sub["basic_pension"],
                    color=color, alpha=0.3, hatch="..")
        axes[1].bar(x + k * width, 100 * sub["replacement_rate"], width, **kw)
    for ax in axes:
        ax.set_xticks(x + width * (len(groups) - 1) / 2, careers, rotation=15, fontsize=8)
    axes[0].set_ylabel(label("yuan/month (nominal)", "月养老金（名义，元）"))
    axes[0].set_title(label("basic + account (dotted) pension", "基础养老金 + 个人账户（点）"),
                      fontsize=10)
    axes[1].set_ylabel(label("% of the final wage", "占退休前工资 %"))
    axes[1].set_title(label("replacement rate", "替代率"), fontsize=10)
    axes[1].legend(fontsize=7)
    fig.suptitle(title or label("Pension outcomes for typical careers", "典型职业生涯的养老金"))
    fig.tight_layout()
    return fig


def fig_moves(moves: pd.DataFrame, title: str = ""):
    """Pooled-fund and personal-account transfers on a move to each other city."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.33 * len(moves)))
    labels = [f"{city_label(a)} → {city_label(b)}" for a, b in zip(moves["from_city"],
                                                                   moves["to_city"])]
    y = np.arange(len(moves))[::-1]  # first move on top
    ax.barh(y, moves["account_transfer"], color="#2471a3",
            label=label("personal account (8% with interest)", "个人账户（8%及利息）"))
    ax.barh(y, moves["pooled_transfer"], left=moves["account_transfer"], color="#a9cce3",
            label=label("pooled fund (12% of bases)", "统筹基金（缴费基数12%）"))
    for yi, tot in zip(y, moves["account_transfer"] + moves["pooled_transfer"]):
        ax.text(tot, yi, f" {tot:,.0f}", va="center", fontsize=8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel(label("yuan transferred", "转移金额（元）"))
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.set_xlim(0, float((moves["account_transfer"] + moves["pooled_transfer"]).max()) * 1.15)
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, frameon=False)
    fig.suptitle(title or label("Pension money that moves with a worker", "随人转移的养老保险"))
    fig.tight_layout()
    return fig


def fig_history(histories, title: str = ""):
    """Base floor and cap (pension) and employer / employee rates per item since 2012."""
    plt = _plt()
    histories = histories if isinstance(histories, dict) else {
        c: g for c, g in histories.groupby("city", sort=False)}
    multi = len(histories) > 1
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.3))
    styles = {"pension": "-", "medical": "--", "unemployment": ":", "housing_fund": "-."}
    for city, h in histories.items():
        color = CITY_COLORS.get(city, "#1f4e79")
        p = h[h["item"] == "pension"]
        axes[0].step(p["month"], p["base_floor"], where="post", color=color, lw=1.5,
                     label=city_label(city) if multi else label("floor", "下限"))
        axes[0].step(p["month"], p["base_cap"], where="post", color=color, lw=1.5, ls="--",
                     label=None if multi else label("cap", "上限"))
        for item, ls in styles.items():
            s = h[h["item"] == item]
            if s.empty or (multi and item not in ("pension", "medical")):
                continue
            kw = dict(where="post", color=color if multi else ITEM_COLORS[item], lw=1.5, ls=ls)
            axes[1].step(s["month"], 100 * s["employer_rate"], label=(
                None if multi else item_label(item)), **kw)
            axes[2].step(s["month"], 100 * s["employee_rate"], **kw)
    axes[0].set_title(label("pension base floor and cap (yuan)", "养老缴费基数上下限（元）"),
                      fontsize=10)
    axes[1].set_title(label("employer rate (%)", "单位费率 %"), fontsize=10)
    if multi:
        axes[1].set_xlabel(label("solid: pension, dashed: medical", "实线养老，虚线医疗"),
                           fontsize=8)
    axes[2].set_title(label("employee rate (%)", "个人费率 %"), fontsize=10)
    axes[0].legend(fontsize=8)
    if not multi:
        axes[1].legend(fontsize=8)
    for ax in axes:
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    fig.suptitle(title or label("History since 2012", "2012年以来的变化"))
    fig.tight_layout()
    return fig
