"""The column registry (data/registry/columns.csv, wuxian.columns) against what the code does.

Every column the public functions output on a small cohort must be declared for that function,
every declared output of a function must appear in its output (no stale declaration), the
declared types must be the real ones, every header alias of wuxian.schema must be listed, and
docs/columns.md must be the generated text. A new output column that is not declared, or a
declared one that went away, fails here.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wuxian
from wuxian import columns, schema
from wuxian.contributions import OUTPUT_COLUMNS
from wuxian.errors import ParameterError
from wuxian.samples import make_cohort

ROOT = Path(__file__).resolve().parents[1]


def undeclared(names, function: str) -> list:
    """The names that are not declared, or are declared without `function` in used_by."""
    bad = []
    for name in names:
        try:
            row = columns.lookup(name)
        except KeyError:
            bad.append(name)
            continue
        if function not in row["used_by"].split("|"):
            bad.append(name)
    return bad


def declared_outputs(function: str) -> set:
    return set(columns.output_columns(used_by=function))


def dtype_problems(frame: pd.DataFrame, names) -> list:
    """Columns whose pandas dtype is not the declared one."""
    checks = {
        "bool": pd.api.types.is_bool_dtype,
        "int": pd.api.types.is_integer_dtype,
        "float": pd.api.types.is_float_dtype,
        "text": lambda d: (pd.api.types.is_object_dtype(d) or pd.api.types.is_string_dtype(d)
                           or isinstance(d, pd.CategoricalDtype)),
    }
    checks["month"] = checks["text"]
    names = [n for n in names if columns.lookup(n)["role"] == "output"]  # keys keep their type
    return [f"{n}: declared {columns.lookup(n)['dtype']}, is {frame[n].dtype}" for n in names
            if not checks[columns.lookup(n)["dtype"]](frame[n].dtype)]


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return make_cohort(30, 14, seed=3)


@pytest.fixture(scope="module")
def costs(cohort) -> pd.DataFrame:
    return wuxian.contributions(cohort)


@pytest.fixture(scope="module")
def gaps(cohort) -> pd.DataFrame:
    return wuxian.gap(cohort)


@pytest.fixture(scope="module")
def careers() -> tuple:
    history = pd.DataFrame({"employee_id": 1, "city": "beijing",
                            "month": [f"{y}-{m:02d}" for y in range(2011, 2025)
                                      for m in range(1, 13)],
                            "base": 10000.0, "wage": 12000.0})
    people = pd.DataFrame({"employee_id": [1], "birth_month": ["1965-06"], "track": ["male"],
                           "hukou_city": ["chengdu"], "deemed_years": [1.0]})
    return history, people


def new_columns(out: pd.DataFrame, given) -> list:
    return [c for c in out.columns if c not in set(given)]


# --- the frame functions: (output, columns the caller gave) --------------------------------

def _pension(careers):
    history, people = careers
    return wuxian.pension_at_retirement(history, people), []


def _gap_pension_effect(gaps, cohort):
    people = cohort.drop_duplicates("employee_id")[["employee_id", "birth_month", "track",
                                                    "city"]].rename(columns={"city": "claim_city"})
    retire = wuxian.retirement_month(people["birth_month"].to_numpy(), people["track"].to_numpy())
    people = people[np.asarray(retire) > cohort["month"].max()]  # still working at the end
    assert len(people)
    mine = gaps[gaps["employee_id"].isin(people["employee_id"])]
    return wuxian.gap_pension_effect(mine, people), []


def _transfer():
    spells = pd.DataFrame({"city": ["beijing", "shenzhen"], "start": ["2010-01", "2022-01"],
                           "end": ["2021-12", "2024-12"], "base": [10000.0, 20000.0]})
    return wuxian.transfer_summary(spells, "chengdu", "1975-05", "male")["moves"], []


def frames(name, cohort, costs, gaps, careers):
    if name == "contributions":
        return costs, list(cohort.columns)
    if name == "gap":
        return gaps, list(cohort.columns)
    if name == "gap_summary":
        return wuxian.gap_summary(gaps, by=["city", "year", "employer_id", "wage_band"]), []
    if name == "net_pay":
        return wuxian.net_pay(costs), list(costs.columns)
    if name == "pension_at_retirement":
        return _pension(careers)
    if name == "gap_pension_effect":
        return _gap_pension_effect(gaps, cohort)
    if name == "gap_scan":
        return wuxian.gap_scan("shanghai", "2025-07", wage=20000), []
    if name == "project_history":
        history, people = careers
        return wuxian.project_history(history.tail(2), people), []
    if name == "retirement_bounds":
        return wuxian.retirement_bounds(["1970-01"], "male"), []
    if name == "transfer_summary":
        return _transfer()
    if name == "procedures":
        return wuxian.procedures(), []
    if name == "injury_disability":
        return wuxian.injury_disability([1, 8], [8000.0, 8000.0], "2024-01"), []
    if name == "death_benefits":
        return wuxian.death_benefits([2024], [10000.0], [12000.0]), []
    if name == "unemployment_transfer":
        return wuxian.unemployment_transfer([10000.0], [2.0]), []
    if name == "make_cohort":
        return cohort, []
    raise AssertionError(name)


FUNCTIONS = ("contributions", "gap", "gap_summary", "net_pay", "pension_at_retirement",
             "gap_pension_effect", "gap_scan", "project_history", "retirement_bounds",
             "transfer_summary", "procedures", "injury_disability", "death_benefits",
             "unemployment_transfer", "make_cohort")


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_output_column_is_declared(function, cohort, costs, gaps, careers):
    out, given = frames(function, cohort, costs, gaps, careers)
    added = new_columns(out, given)
    assert added, function
    assert undeclared(added, function) == []


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_declared_output_is_missing(function, cohort, costs, gaps, careers):
    out, _ = frames(function, cohort, costs, gaps, careers)
    assert declared_outputs(function) - set(out.columns) == set()


@pytest.mark.parametrize("function", FUNCTIONS)
def test_declared_types_are_the_real_ones(function, cohort, costs, gaps, careers):
    out, given = frames(function, cohort, costs, gaps, careers)
    assert dtype_problems(out, new_columns(out, given)) == []


def test_contributions_order_is_the_registry_order(cohort, costs):
    added = new_columns(costs, cohort.columns)
    assert added == columns.output_columns(used_by="contributions")
    assert list(OUTPUT_COLUMNS) == columns.output_columns(wuxian.ITEMS, used_by="contributions")


def test_net_pay_from_chinese_headers_is_declared():
    df = pd.DataFrame({"工号": ["a", "a"], "城市": ["上海", "上海"], "月份": ["2025-06", "2025-07"],
                       "应发工资": [18000.0, 18000.0]})
    out = wuxian.contributions(df, base_method="current_month")
    assert undeclared(new_columns(out, df.columns), "contributions") == []


def test_an_undeclared_column_fails_the_check(costs):
    extra = costs.assign(pension_bonus=0.0, annuity_employer=0.0)
    assert undeclared(new_columns(extra, costs.columns), "contributions") == \
        ["pension_bonus", "annuity_employer"]
    assert undeclared(["iit"], "contributions") == ["iit"]  # declared, for another function


def test_every_schema_alias_is_declared():
    table = columns.table().set_index("name")
    for name, accepted in schema.ALIASES.items():
        assert name in table.index, name
        assert table.loc[name, "role"] in ("key", "input"), name
        assert table.loc[name, "aliases"].split("|") == list(accepted[1:]), name
    listed = set(table.index[table["aliases"] != ""])
    assert listed == set(schema.ALIASES)


def test_required_inputs_say_so():
    for name in schema.REQUIRED:
        assert "required" in columns.lookup(name)["notes"], name


def test_used_by_names_public_functions():
    from wuxian import samples

    for names in columns.table()["used_by"]:
        for name in names.split("|"):
            assert callable(getattr(wuxian, name, None) or getattr(samples, name, None)), name


def test_patterns_resolve_for_every_item():
    for item in wuxian.ITEMS:
        assert columns.describe(f"{item}_employer") == f"Employer contribution to {item}"
        assert item in columns.describe(f"gap_{item}_employee", lang="zh")
        assert columns.lookup(f"{item}_employee")["pattern"] == "{item}_employee"
    with pytest.raises(KeyError):
        columns.describe("annuity_employer")
    assert columns.describe("annuity_employer", items=["annuity"]) == \
        "Employer contribution to annuity"
    assert "annuity_employee" in columns.output_columns(["pension", "annuity"],
                                                        used_by="contributions")
    with pytest.raises(ValueError):
        columns.describe("wage", lang="fr")


def test_output_columns_are_unique():
    names = columns.output_columns()
    assert len(names) == len(set(names))


def test_help_text_lists_the_inputs_and_their_headers():
    text = columns.help_text("input", used_by="contributions")
    for name, accepted in schema.ALIASES.items():
        if "contributions" in columns.lookup(name)["used_by"].split("|"):
            assert f"  {name} [{', '.join(accepted[1:])}]" in text
    zh = columns.help_text("output", lang="zh", used_by="contributions")
    assert zh.splitlines()[0] == "输出列："
    assert "{item}: " + ", ".join(wuxian.ITEMS) in zh
    with pytest.raises(ValueError):
        columns.help_text("inputs")


def test_registry_is_read_once():
    assert columns._registry() is columns._registry()
    assert columns.table() is not columns.table()  # callers get a copy


def test_docs_columns_md_is_generated():
    text = (ROOT / "docs" / "columns.md").read_text(encoding="utf-8")
    assert text == columns.markdown(), "run: python -m wuxian.columns > docs/columns.md"


# --- validation at read --------------------------------------------------------------------

HEADER = ",".join(columns.FIELDS)
GOOD = "wage,input,float,yuan/month,应发工资,contributions,Wage,工资,"


@pytest.mark.parametrize("body, message", [
    (f"{HEADER}\n{GOOD}\n{GOOD}\n", "line 3: column 'wage' declared twice (also on line 2)"),
    (f"{HEADER}\nwage,inptu,float,,,contributions,Wage,工资,\n",
     "line 2: role 'inptu' is not one of key, input, output"),
    (f"{HEADER}\nwage,input,double,,,contributions,Wage,工资,\n",
     "line 2: dtype 'double' is not one of"),
    (f"{HEADER}\nwage,input,float,RMB,,contributions,Wage,工资,\n",
     "line 2: unit 'RMB' is not one of"),
    (f"{HEADER}\nwage,input,float,,,contributions,,工资,\n", "line 2: blank en description"),
    (f"{HEADER}\nwage,input,float,,,contributions,Wage,,\n", "line 2: blank zh description"),
    (f"{HEADER}\n{GOOD}\nbase,input,float,,应发工资,contributions,Base,基数,\n",
     "line 3: alias '应发工资' given twice (also on line 2)"),
    (f"{HEADER}\nwage,input,float,,,,Wage,工资,\n", "line 2: used_by must name"),
    (f"{HEADER}\nWage Total,input,float,,,contributions,Wage,工资,\n",
     "line 2: name 'Wage Total' is not lower_case_with_underscores"),
    (f"{HEADER}\n{{item}}_{{item}},output,float,,,contributions,X {{item}},X,\n",
     "line 2: name '{item}_{item}'"),
    (f"{HEADER}\nwage,input,float,,,contributions,Wage {{item}},工资,\n",
     "line 2: the en description has {item} but the name does not"),
    (f"{HEADER}\niit,output,float,,个税,net_pay,Tax,个税,\n",
     "line 2: an output column has no input aliases"),
    (f"{HEADER}\n,input,float,,,contributions,Wage,工资,\n", "line 2: blank name"),
    ("name,role,dtype,unit,en,zh,notes\nwage,input,float,,Wage,工资,\n",
     "line 1: missing columns aliases, used_by"),
    (f"{HEADER},extra\n{GOOD},x\n", "line 1: unknown column extra"),
    (f"{HEADER}\nwage,input\n", "line 2: 2 fields where the header has 9"),
    (f"{HEADER}\n", "no data rows"),
])
def test_a_broken_registry_names_file_and_line(tmp_path, body, message):
    path = tmp_path / "columns.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        columns.read(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_a_good_registry_reads(tmp_path):
    path = tmp_path / "columns.csv"
    path.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    frame = columns.read(path)
    assert frame.to_dict("records") == [dict(zip(columns.FIELDS, GOOD.split(",")))]


def test_the_bundled_registry_is_valid():
    table = columns.read(columns._registry_path())
    assert len(table) == len(columns.table())
    assert table["name"].is_unique
    assert np.isin(table["role"], columns.ROLES).all()


# --- the hand-written docs name what the code has ------------------------------------------

def test_parameters_md_lists_every_national_table_and_its_columns():
    from wuxian.national import NATIONAL_COLUMNS

    text = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    for name, spec in NATIONAL_COLUMNS.items():
        if name.startswith("series_"):
            assert f"`{name}.csv`" in text and f"| `{spec}` |" in text, name
        else:
            assert f"| `{name}.csv` | `{spec}` |" in text, name
    for path in (ROOT / "data" / "national").glob("*.csv"):
        assert f"`{path.name}`" in text, path.name


def test_parameters_md_lists_every_parameter_column():
    from wuxian.params import vocab

    text = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    for column in vocab.COLUMNS + ("applies",):
        assert f"`{column}`" in text, column
    for level in vocab.CONFIDENCE_LEVELS + vocab.ROUNDING_MODES:
        assert f"`{level}`" in text, level


def test_architecture_md_names_every_module():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = ROOT / "wuxian"
    for path in sorted(package.glob("*.py")) + sorted((package / "params").glob("*.py")):
        if path.name == "__init__.py":
            continue
        shown = path.name if path.parent == package else f"params/{path.name}"
        assert f"`{shown}`" in text or f"{path.stem}.py" in text, shown
