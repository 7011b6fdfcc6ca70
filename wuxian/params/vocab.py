"""The vocabulary of the parameter dataset: cities, categories, items.

These are names, not policy values: the values live in ``data/params/*.csv``. Cities and
items are registries read once from ``data/registry/cities.csv`` and ``items.csv`` (see
``docs/parameters.md``): a new city or a new item is a row there plus its parameter rows, and
every module (schema, engine, gap, plots, reports, CLI) takes its names, aliases, display
labels, colours, rate inputs and subtotals from here.

Examples
--------
>>> CITIES[0], ITEMS[0]
('beijing', 'pension')
>>> sorted(CATEGORY_MEMBERS["rural"])
['local_rural', 'nonlocal_rural']
>>> CITY_NAMES["北京市"], CITY_ZH["shenzhen"]
('beijing', '深圳')
>>> group_items("housing_fund")
('housing_fund',)
>>> RATE_INPUTS["injury"]
('injury_rate', ('employer',))
"""

from ..datafiles import lines_text, read_data_csv
from ..errors import ParameterError
from ..resources import data_path

SIDES = ("employer", "employee")


def _registry(name: str, required: list, numeric=()):
    path = data_path("registry", f"{name}.csv")
    where = f"data/registry/{name}.csv"
    frame, lines = read_data_csv(path, where, required=required + ["source"], numeric=numeric,
                                 dtype=str, keep_default_na=False)
    frame = frame.apply(lambda c: c.str.strip())
    for col in [required[0], "source"]:
        blank = (frame[col] == "").to_numpy()
        if blank.any():
            raise ParameterError(f"{where} {lines_text(lines[blank])}: column {col} is blank")
    twice = frame[required[0]].duplicated(keep=False).to_numpy()
    if twice.any():
        raise ParameterError(f"{where} {lines_text(lines[twice])}: {required[0]} given twice")
    frame["_line"] = lines
    return frame.sort_values("order", key=lambda s: s.astype(float), kind="stable"), where


def _cities():
    frame, where = _registry("cities", ["city", "zh", "en", "aliases", "order", "color"],
                             numeric=["order"])
    bad = ~frame["city"].str.fullmatch(r"[a-z][a-z0-9_]*").to_numpy()
    if bad.any():
        raise ParameterError(f"{where} {lines_text(frame['_line'][bad])}: a city name is lower-"
                             "case ASCII (letters, digits, _)")
    return frame


def _items(cities):
    frame, where = _registry("items", ["item", "zh", "en", "group", "subtotal", "order", "color",
                                       "rate_input", "rate_input_sides", "base_output",
                                       "stands_for", "tier", "required_in"], numeric=["order"])
    main = frame[frame["stands_for"] == ""]
    problems = []
    for _, row in frame.iterrows():  # a registry of a dozen rows, read once at import
        line = f"{where} line {row['_line']}"
        if row["stands_for"] and row["stands_for"] not in set(main["item"]):
            problems.append(f"{line}: stands_for names no main item")
        if row["stands_for"] and not row["tier"].isdigit():
            problems.append(f"{line}: a variant item needs a tier number")
        if row["rate_input"] and not set(row["rate_input_sides"].replace("both", "employer|"
                                         "employee").split("|")) <= set(SIDES):
            problems.append(f"{line}: rate_input_sides is employer, employee or both")
        unknown = set(filter(None, row["required_in"].split("|"))) - set(cities)
        if unknown:
            problems.append(f"{line}: required_in names a city not in cities.csv")
    if problems:
        raise ParameterError("; ".join(problems))
    return frame


_CITY_ROWS = _cities()
CITIES = tuple(_CITY_ROWS["city"])
_ITEM_ROWS = _items(CITIES)

#: Every accepted spelling of a city (canonical, Chinese, English, aliases; matched after
#: trimming, and lower-cased for Latin letters) -> canonical name.
CITY_NAMES = {}
for _row in _CITY_ROWS.itertuples():
    for _alias in (_row.city, _row.zh, _row.en, *filter(None, _row.aliases.split("|"))):
        CITY_NAMES[_alias.strip()] = _row.city
        CITY_NAMES[_alias.strip().lower()] = _row.city
CITY_ZH = dict(zip(_CITY_ROWS["city"], _CITY_ROWS["zh"]))
CITY_EN = dict(zip(_CITY_ROWS["city"], _CITY_ROWS["en"]))
CITY_COLORS = dict(zip(_CITY_ROWS["city"], _CITY_ROWS["color"]))

#: Concrete worker categories (户籍类型), in code order; the first is the default.
CATEGORIES = ("local_urban", "local_rural", "nonlocal_urban", "nonlocal_rural")

#: Every name a data row may use for `category`, with the concrete categories it covers.
CATEGORY_MEMBERS = {
    "all": CATEGORIES,
    "local": ("local_urban", "local_rural"),
    "nonlocal": ("nonlocal_urban", "nonlocal_rural"),
    "urban": ("local_urban", "nonlocal_urban"),
    "rural": ("local_rural", "nonlocal_rural"),
    **{c: (c,) for c in CATEGORIES},
}

#: Specificity: a concrete category beats a group, a group beats `all`.
CATEGORY_RANK = {name: (0 if name == "all" else 2 if len(m) == 1 else 1)
                 for name, m in CATEGORY_MEMBERS.items()}

_MAIN = _ITEM_ROWS[_ITEM_ROWS["stands_for"] == ""]
_VARIANTS = _ITEM_ROWS[_ITEM_ROWS["stands_for"] != ""]

#: Items that appear as output columns ``{item}_employer`` / ``{item}_employee``.
ITEMS = tuple(_MAIN["item"])

#: Items charged instead of a main item to members of a medical tier (医疗档次, the cohort
#: column ``medical_tier``): ``TIER_VARIANTS[item][tier - 2]``.
TIER_VARIANTS = {item: tuple(v.sort_values("tier", key=lambda s: s.astype(int))["item"])
                 for item, v in _VARIANTS.groupby("stands_for", sort=False)}

#: Items that stand in for another item for some people, and the item they stand in for.
VARIANT_ITEMS = dict(zip(_VARIANTS["item"], _VARIANTS["stands_for"]))

#: Variant items required per city (beyond ITEMS).
CITY_VARIANTS = {c: tuple(_VARIANTS.loc[_VARIANTS["required_in"].str.split("|").map(
    lambda cs, c=c: c in cs), "item"]) for c in CITIES}
CITY_VARIANTS = {c: v for c, v in CITY_VARIANTS.items() if v}

#: Cities whose people may be in medical tier 2 or 3.
TIER_CITIES = tuple(CITY_VARIANTS)

ALL_ITEMS = ITEMS + tuple(VARIANT_ITEMS)

ITEM_ZH = dict(zip(_ITEM_ROWS["item"], _ITEM_ROWS["zh"]))
ITEM_EN = dict(zip(_ITEM_ROWS["item"], _ITEM_ROWS["en"]))
ITEM_COLORS = dict(zip(_MAIN["item"], _MAIN["color"]))

#: The input column that replaces an item's rate, and the sides it replaces.
RATE_INPUTS = {r.item: (r.rate_input, SIDES if r.rate_input_sides == "both"
                        else tuple(r.rate_input_sides.split("|")))
               for r in _MAIN.itertuples() if r.rate_input}

#: Output columns that show an item's clipped base (``base_si`` is the pension base).
BASE_OUTPUTS = {r.item: r.base_output for r in _MAIN.itertuples() if r.base_output}

#: Subtotal columns ``{subtotal}_{side}`` and the items summed into each.
SUBTOTALS = {s: tuple(g["item"]) for s, g in _MAIN[_MAIN["subtotal"] != ""].groupby(
    "subtotal", sort=False)}


#: The registry group of every item (social_insurance, housing_fund).
ITEM_GROUP = dict(zip(_ITEM_ROWS["item"], _ITEM_ROWS["group"]))


def group_of(item: str) -> str:
    """The registry group of `item`."""
    return ITEM_GROUP[item]


def group_items(group: str) -> tuple:
    """The main items of a registry group (``social_insurance``, ``housing_fund``, ...)."""
    return tuple(_MAIN.loc[_MAIN["group"] == group, "item"])


#: Social-insurance items (the group ``social_insurance`` of items.csv).
SOCIAL_INSURANCE_ITEMS = group_items("social_insurance")
#: Housing-fund items (the group ``housing_fund``).
HOUSING_FUND_ITEMS = group_items("housing_fund")

del _row, _alias

NUMERIC_FIELDS = (
    "employer_rate",
    "employee_rate",
    "employer_fixed",
    "employee_fixed",
    "base_floor",
    "base_cap",
    "rate_min",
    "rate_max",
    "avg_wage",
)

TEXT_FIELDS = ("rounding", "rounding_source", "source", "confidence", "notes")

COLUMNS = ("city", "category", "item", "period_start", "period_end") + NUMERIC_FIELDS + TEXT_FIELDS

CONFIDENCE_LEVELS = ("high", "medium", "low", "derived")

ROUNDING_MODES = ("half_up", "up", "down")
ROUNDING_UNITS = ("0.01", "0.1", "1")
