"""The README's generated parts stay in step with the code and data."""

from pathlib import Path

from wuxian.params.coverage import replace_between
from wuxian.params import default_table
from wuxian.params.coverage import coverage_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_coverage_table_matches_data():
    text = README.read_text(encoding="utf-8")
    expected = replace_between(text, "coverage", coverage_markdown(default_table()))
    assert text == expected, "run: wuxian params coverage --update-readme README.md"


def test_two_commands_are_documented():
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
    ci = (README.parent / ".ci" / "run").read_text()
    assert "make test" in ci


def test_python_example_runs(capsys):
    text = README.read_text(encoding="utf-8")
    code = text.split("```python", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})
    assert "Pension claim city" in capsys.readouterr().out
