"""The declared columns: every input and output column of wuxian, described once.

``data/registry/columns.csv`` lists each column a public function or command reads or writes,
with its role, type, unit, the Chinese headers :mod:`wuxian.schema` accepts for it, the
functions it belongs to and a one-line description in English and Chinese (after
Tax-Calculator's ``records_variables.json`` / ``calculated_variables``). The file is read and
checked once per process; the documentation (``docs/columns.md``, :func:`markdown`) and the
command-line help (:func:`help_text`) are generated from it, and the tests check it against
what the functions really output, so it cannot drift.

Columns of the registry:

``name``
    The column name, or a pattern holding ``{item}`` (one column per item of the parameter
    data, e.g. ``{item}_employer`` -> ``pension_employer``, ``housing_fund_employer`` ...).
``role``
    ``input`` (read from the user's data; row outputs such as :func:`wuxian.contributions`
    copy every input column through unchanged), ``output`` (computed by wuxian) or ``key``
    (both: read from the input to identify or group rows, and written into outputs that are
    not a copy of the input, such as summaries and per-employee tables).
``dtype``
    ``text``, ``month`` (``YYYY-MM`` text), ``int``, ``float`` or ``bool``.
``unit``
    ``yuan/month``, ``yuan``, ``fraction`` (0.08 = 8%), ``ratio``, ``months``, ``years``,
    ``working days``, ``count`` or blank.
``aliases``
    Chinese headers accepted for an input column, separated by ``|`` (from
    :data:`wuxian.schema.ALIASES`).
``used_by``
    The public functions whose input or output has the column, separated by ``|``.
``en``, ``zh``
    One-line descriptions; ``notes``: details and exceptions.

Examples
--------
>>> describe("pension_employer")
'Employer contribution to pension'
>>> describe("wage", lang="zh")
'应发工资（扣缴社保和个税前的全部工资）'
>>> output_columns(["pension"], used_by="contributions")[:5]
['base_si', 'base_hf', 'base_fallback', 'pension_employer', 'pension_employee']
"""

import re
from functools import cache
from pathlib import Path

import pandas as pd

from .errors import ParameterError

#: The columns of ``data/registry/columns.csv``, in file order.
FIELDS = ("name", "role", "dtype", "unit", "aliases", "used_by", "en", "zh", "notes")
ROLES = ("key", "input", "output")
DTYPES = ("text", "month", "int", "float", "bool")
UNITS = ("", "yuan/month", "yuan", "fraction", "ratio", "months", "years", "working days",
         "count")
LANGS = ("en", "zh")
#: The placeholder of a pattern row, replaced by each item name.
PLACEHOLDER = "{item}"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_HEADINGS = {
    ("input", "en"): "input columns", ("input", "zh"): "输入列",
    ("output", "en"): "output columns", ("output", "zh"): "输出列",
    ("key", "en"): "key columns", ("key", "zh"): "键列",
}


def _registry_path() -> Path:
    """The bundled registry file (the one place that knows where it is)."""
    from .resources import data_path

    return data_path("registry", "columns.csv")


def _header_line(path: Path) -> int:
    """The file line of the header (the first line that is not blank)."""
    text = Path(path).read_text(encoding="utf-8-sig")
    return next((i for i, line in enumerate(text.splitlines(), 1) if line.strip()), 1)


def _split(cell: str) -> list:
    return [part.strip() for part in cell.split("|")] if cell.strip() else []


def read(path) -> pd.DataFrame:
    """Read and check a column registry file; one row per declared column.

    Parameters
    ----------
    path : path
        A CSV file with the columns :data:`FIELDS` (UTF-8, one header line).

    Returns
    -------
    DataFrame
        The columns :data:`FIELDS` as trimmed text (blank cells are ``""``), in file order.

    Raises
    ------
    ParameterError
        Naming the file and the line: a corrupt CSV (see
        :func:`wuxian.datafiles.read_data_csv`), a missing or unknown column, a blank or
        malformed name, a name declared twice, a role, dtype or unit outside :data:`ROLES`,
        :data:`DTYPES`, :data:`UNITS`, a blank or multi-line description, an alias given twice
        or a malformed ``used_by``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "columns.csv"
    >>> _ = p.write_text(",".join(FIELDS) + "\\nwage,inptu,float,yuan/month,,contributions,"
    ...                  "Wage,工资,\\n", encoding="utf-8")
    >>> read(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wuxian.errors.ParameterError: .../columns.csv line 2: role 'inptu' is not one of key, input, output
    """
    from .datafiles import read_data_csv
    from .resources import shown

    path = Path(path)
    where = shown(path)
    frame, lines = read_data_csv(path, where, required=FIELDS, dtype=str,
                                 keep_default_na=False)
    extra = [c for c in frame.columns if c not in FIELDS]
    if extra:
        raise ParameterError(f"{where} line {_header_line(path)}: unknown column"
                             f"{'s' if len(extra) > 1 else ''} {', '.join(extra)} (expected "
                             f"{', '.join(FIELDS)})")
    frame = frame[list(FIELDS)].apply(lambda col: col.str.strip())
    first_line: dict = {}
    alias_line: dict = {}
    for line, row in zip(lines.tolist(), frame.itertuples(index=False)):  # the registry's rows
        at = f"{where} line {line}"
        name = row.name
        if not name:
            raise ParameterError(f"{at}: blank name")
        pattern = PLACEHOLDER in name
        if name.count(PLACEHOLDER) > 1 or not _NAME.match(name.replace(PLACEHOLDER, "x")):
            raise ParameterError(f"{at}: name {name!r} is not lower_case_with_underscores "
                                 f"(with at most one {PLACEHOLDER})")
        if name in first_line:
            raise ParameterError(f"{at}: column {name!r} declared twice (also on line "
                                 f"{first_line[name]})")
        first_line[name] = line
        for field, allowed in (("role", ROLES), ("dtype", DTYPES), ("unit", UNITS)):
            value = getattr(row, field)
            if value not in allowed:
                shown_allowed = ", ".join(a if a else "blank" for a in allowed)
                raise ParameterError(f"{at}: {field} {value!r} is not one of {shown_allowed}")
        for lang in LANGS:
            text = getattr(row, lang)
            if not text:
                raise ParameterError(f"{at}: blank {lang} description")
            if "\n" in text or "\r" in text:
                raise ParameterError(f"{at}: the {lang} description is not one line")
            if PLACEHOLDER in text and not pattern:
                raise ParameterError(f"{at}: the {lang} description has {PLACEHOLDER} but the "
                                     "name does not")
        functions = _split(row.used_by)
        if not functions or not all(_NAME.match(f) for f in functions):
            raise ParameterError(f"{at}: used_by must name one or more functions separated "
                                 "by |")
        aliases = _split(row.aliases)
        if "" in aliases:
            raise ParameterError(f"{at}: blank alias (aliases are separated by |)")
        if aliases and row.role == "output":
            raise ParameterError(f"{at}: an output column has no input aliases")
        for alias in aliases:
            if alias in alias_line:
                raise ParameterError(f"{at}: alias {alias!r} given twice (also on line "
                                     f"{alias_line[alias]})")
            alias_line[alias] = line
    clash = sorted(set(alias_line) & set(first_line))
    if clash:
        raise ParameterError(f"{where} line {alias_line[clash[0]]}: alias {clash[0]!r} is also "
                             "a column name")
    return frame.reset_index(drop=True)


@cache
def _registry() -> pd.DataFrame:
    return read(_registry_path())


@cache
def _exact() -> dict:
    rows = _registry()
    return {r["name"]: r for r in rows.to_dict("records") if PLACEHOLDER not in r["name"]}


@cache
def _patterns() -> tuple:
    rows = _registry()
    out = []
    for r in rows.to_dict("records"):
        if PLACEHOLDER in r["name"]:
            head, tail = r["name"].split(PLACEHOLDER)
            out.append((re.compile(re.escape(head) + "(?P<item>[a-z0-9_]+)" + re.escape(tail)), r))
    return tuple(out)


def _items(items) -> tuple:
    if items is None:
        from .params import ITEMS

        return tuple(ITEMS)
    return (items,) if isinstance(items, str) else tuple(items)


def _substituted(row: dict, item: str) -> dict:
    return {k: (v.replace(PLACEHOLDER, item) if isinstance(v, str) else v)
            for k, v in row.items()}


def table() -> pd.DataFrame:
    """The declared columns as a DataFrame (a copy), one row per declared name or pattern.

    Returns
    -------
    DataFrame
        The columns :data:`FIELDS`, text, in the registry's order.

    Examples
    --------
    >>> t = table()
    >>> list(t.columns) == list(FIELDS)
    True
    >>> t.loc[t.name == "wage", "aliases"].item()
    '应发工资'
    """
    return _registry().copy()


def lookup(name: str, items=None) -> dict:
    """The registry row of a column, ``{item}`` patterns resolved.

    Parameters
    ----------
    name : str
        A column name such as ``"wage"`` or ``"pension_employer"``.
    items : sequence of str, optional
        The item names a pattern may stand for (default: :data:`wuxian.params.ITEMS`).

    Returns
    -------
    dict
        The fields of :data:`FIELDS` (``name`` the column asked for; ``{item}`` replaced in
        every field) and ``pattern``: the declared name (a pattern, or the name itself).

    Raises
    ------
    KeyError
        When `name` is not declared and matches no pattern for one of `items`.

    Examples
    --------
    >>> r = lookup("gap_housing_fund_employee")
    >>> r["pattern"], r["role"], r["unit"]
    ('gap_{item}_employee', 'output', 'yuan/month')
    >>> lookup("pension_employer", items=["medical"])
    Traceback (most recent call last):
    ...
    KeyError: "'pension_employer' is not a declared column (data/registry/columns.csv)"
    """
    row = _exact().get(name)
    if row is not None:
        return {**row, "pattern": name}
    known = _items(items)
    for regex, prow in _patterns():
        match = regex.fullmatch(name)
        if match and match.group("item") in known:
            return {**_substituted(prow, match.group("item")), "pattern": prow["name"]}
    raise KeyError(f"{name!r} is not a declared column (data/registry/columns.csv)")


def describe(name: str, lang: str = "en", items=None) -> str:
    """The one-line description of a column, in English (``"en"``) or Chinese (``"zh"``).

    Parameters
    ----------
    name : str
        A column name; per-item columns resolve through their pattern
        (``pension_employer`` -> ``{item}_employer`` with ``pension``).
    lang : {"en", "zh"}
    items : sequence of str, optional
        The item names a pattern may stand for (default: :data:`wuxian.params.ITEMS`).

    Raises
    ------
    KeyError
        The column is not declared.
    ValueError
        `lang` is neither ``"en"`` nor ``"zh"``.

    Examples
    --------
    >>> describe("employer_cost")
    "Employer's cost of the month: wage + employer_total"
    >>> describe("housing_fund_employee", lang="zh")
    'housing_fund 个人缴费'
    """
    if lang not in LANGS:
        raise ValueError(f"lang: {lang!r} is not one of {', '.join(LANGS)}")
    return lookup(name, items)[lang]


def _uses(row: dict, used_by) -> bool:
    return used_by is None or used_by in _split(row["used_by"])


def output_columns(items=None, used_by: str | None = None) -> list:
    """The output columns, per-item patterns expanded, in the registry's order.

    A run of consecutive pattern rows is expanded item by item (``pension_employer``,
    ``pension_employee``, ``medical_employer`` ...), so ``used_by="contributions"`` gives the
    column order of :func:`wuxian.contributions`.

    Parameters
    ----------
    items : sequence of str, optional
        Item names for the ``{item}`` patterns (default: :data:`wuxian.params.ITEMS`).
    used_by : str, optional
        Only the columns of this function (e.g. ``"contributions"``, ``"gap"``); default all.

    Returns
    -------
    list of str

    Examples
    --------
    >>> output_columns(["pension", "medical"], used_by="contributions")[3:7]
    ['pension_employer', 'pension_employee', 'medical_employer', 'medical_employee']
    >>> output_columns(used_by="net_pay")
    ['iit', 'iit_bonus', 'net_pay']
    """
    items = _items(items)
    rows = [r for r in _registry().to_dict("records") if r["role"] == "output" and _uses(r, used_by)]
    out: list = []
    block: list = []
    for r in rows + [None]:
        if r is not None and PLACEHOLDER in r["name"]:
            block.append(r["name"])
            continue
        out += [p.replace(PLACEHOLDER, item) for item in items for p in block]
        block = []
        if r is not None:
            out.append(r["name"])
    return out


def _selected(role: str, used_by) -> list:
    if role not in ROLES:
        raise ValueError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    roles = ("key", "input") if role == "input" else (role,)
    return [r for r in _registry().to_dict("records") if r["role"] in roles and _uses(r, used_by)]


def help_text(role: str, lang: str = "en", used_by: str | None = None) -> str:
    """A compact list of columns for an argparse epilog: one line per column.

    Use it with ``formatter_class=argparse.RawDescriptionHelpFormatter`` (the default help
    formatter joins the lines).

    Parameters
    ----------
    role : {"input", "output", "key"}
        ``"input"`` lists the key and input columns (everything a command reads),
        ``"output"`` the computed columns, ``"key"`` the keys alone.
    lang : {"en", "zh"}
    used_by : str, optional
        Only the columns of this function (e.g. ``"contributions"``); default all.

    Returns
    -------
    str
        A heading line, then ``  name [Chinese headers]  description`` lines, and for
        per-item patterns a last line naming the items.

    Examples
    --------
    >>> print(help_text("output", used_by="net_pay"))
    output columns:
      iit        Income tax withheld on the month's wage (cumulative method from 2019)
      iit_bonus  Income tax on the annual bonus taxed separately
      net_pay    Take-home pay: wage + bonus - employee_total - iit - iit_bonus
    >>> help_text("input", lang="zh", used_by="contributions").splitlines()[1]
    '  employee_id [工号]        员工编号（去除首尾空格；错误信息中不显示）'
    """
    if lang not in LANGS:
        raise ValueError(f"lang: {lang!r} is not one of {', '.join(LANGS)}")
    rows = _selected(role, used_by)
    labels = [r["name"] + (f" [{', '.join(_split(r['aliases']))}]" if r["aliases"] else "")
              for r in rows]
    width = min(max((_width(s) for s in labels), default=0), 32)
    heading = _HEADINGS[role, lang]
    if any(r["aliases"] for r in rows):
        heading += (" (Chinese headers accepted, in brackets)" if lang == "en"
                    else "（方括号内为可用的中文表头）")
    lines = [heading + (":" if lang == "en" else "：")]
    for label, r in zip(labels, rows):
        lines.append(f"  {label}{' ' * max(width - _width(label), 0)}  {r[lang]}")
    if any(PLACEHOLDER in r["name"] for r in rows):
        lines.append(f"  {PLACEHOLDER}: {', '.join(_items(None))}")
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _code(names) -> str:
    return ", ".join(f"`{n}`" for n in names)


def markdown() -> str:
    """``docs/columns.md``: every declared column as Markdown tables (keys, inputs, outputs
    by function), generated from the registry; a test keeps the file equal to this text.

    ``python -m wuxian.columns > docs/columns.md`` rewrites the file.

    Examples
    --------
    >>> text = markdown()
    >>> text.splitlines()[0]
    '# Columns'
    >>> "| `wage` | float | yuan/month | 应发工资 |" in text
    True
    """
    rows = _registry().to_dict("records")
    head = ("| column | type | unit | Chinese headers | used by | description | 说明 | notes |\n"
            "|---|---|---|---|---|---|---|---|")

    def line(r):
        return (f"| `{r['name']}` | {r['dtype']} | {r['unit']} | "
                f"{_cell(', '.join(_split(r['aliases'])))} | {_code(_split(r['used_by']))} | "
                f"{_cell(r['en'])} | {_cell(r['zh'])} | {_cell(r['notes'])} |")

    out = [
        "# Columns",
        "",
        "<!-- Generated from data/registry/columns.csv by wuxian.columns.markdown(); do not "
        "edit by hand: run `python -m wuxian.columns > docs/columns.md`. -->",
        "",
        "Every column a public function or command of wuxian reads or writes, declared once in "
        "`data/registry/columns.csv` with a one-line description in English and Chinese. "
        "`wuxian.columns` reads that file (`table()`, `describe(name, lang)`, "
        "`output_columns(items, used_by)`, `help_text(role, lang)`); the tests check that every "
        "column the functions output is declared here and every Chinese header "
        "`wuxian.schema` accepts is listed.",
        "",
        "- **Roles.** *key*: read from your data to identify or group rows and written into "
        "outputs that are not a copy of the input (summaries, per-employee tables); *input*: "
        "read from your data; *output*: computed by wuxian. Row outputs "
        "(`contributions`, `gap`, `net_pay`) repeat every input column unchanged, then add "
        "their own.",
        "- **Types.** `text`, `month` (`YYYY-MM`), `int`, `float`, `bool`. **Units.** "
        "`yuan/month`, `yuan`, `fraction` (0.08 = 8%), `ratio`, `months`, `years`, "
        "`working days`, `count`.",
        f"- **`{PLACEHOLDER}`** stands for each item of the parameter data "
        "(`wuxian.params.ITEMS`; see `data/params/README.md`): `{item}_employer` is "
        "`pension_employer`, `medical_employer`, ..., `housing_fund_employer`.",
        "- **Commands.** `wuxian contributions` writes the columns of `contributions` (and of "
        "`net_pay` with `--net-pay`); `wuxian gap` those of `gap` (of `gap_summary` with "
        "`--by`); `wuxian pension` those of `pension_at_retirement`; `wuxian transfer --out` "
        "the moves of `transfer_summary`.",
        "",
        "## Keys",
        "",
        head,
        *[line(r) for r in rows if r["role"] == "key"],
        "",
        "## Inputs",
        "",
        head,
        *[line(r) for r in rows if r["role"] == "input"],
        "",
        "## Outputs",
    ]
    groups: dict = {}
    for r in rows:
        if r["role"] == "output":
            groups.setdefault(_split(r["used_by"])[0], []).append(r)
    for function, members in groups.items():
        out += ["", f"### `{function}`", "", head, *[line(r) for r in members]]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
