"""The fixed vocabulary of the parameter dataset: cities, categories, items.

These are names, not policy values: the values live in ``data/params/*.csv``.

Examples
--------
>>> CITIES[0], ITEMS[0]
('beijing', 'pension')
>>> sorted(CATEGORY_MEMBERS["rural"])
['local_rural', 'nonlocal_rural']
"""

CITIES = ("beijing", "shanghai", "guangzhou", "shenzhen")

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

#: Items that appear as output columns ``{item}_employer`` / ``{item}_employee``.
ITEMS = (
    "pension",
    "pension_supplementary",
    "medical",
    "medical_major",
    "maternity",
    "unemployment",
    "injury",
    "housing_fund",
)

#: Items charged instead of ``medical`` / ``maternity`` to members of Shenzhen medical tier 2
#: or 3 (医疗档次, the cohort column ``medical_tier``): ``TIER_VARIANTS[item][tier - 2]``.
TIER_VARIANTS = {"medical": ("medical_tier2", "medical_tier3"),
                 "maternity": ("maternity_tier2", "maternity_tier3")}

#: Items that stand in for another item for some people, and the item they stand in for.
VARIANT_ITEMS = {v: item for item, variants in TIER_VARIANTS.items() for v in variants}

#: Variant items required per city (beyond ITEMS).
CITY_VARIANTS = {"shenzhen": tuple(VARIANT_ITEMS)}

ALL_ITEMS = ITEMS + tuple(VARIANT_ITEMS)

#: Social-insurance items (everything but the housing fund).
SOCIAL_INSURANCE_ITEMS = tuple(i for i in ITEMS if i != "housing_fund")

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
