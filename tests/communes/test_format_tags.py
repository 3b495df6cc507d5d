"""The format filters live in ``communes`` (every app may use them); the former
library name ``halong_format`` still loads them."""

from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize("library", ["communes_format", "halong_format"])
def test_both_library_names_format_money_and_percentages(library):
    template = Template(f"{{% load {library} %}}{{{{ amount|vnd }}}} {{{{ rate|pct }}}}")

    with translation.override("vi"):
        text = template.render(Context({"amount": 1_500_000, "rate": 1.154}))

    assert text == "1.500.000\u00a0₫ 1,15\u00a0%"


def test_templates_of_lower_apps_do_not_load_halong_libraries():
    """communes ← households ← plans: their templates must not need halong."""
    offending = [
        str(path.relative_to(TEMPLATES))
        for app in ("communes", "households", "plans")
        for path in (TEMPLATES / app).rglob("*.html")
        if "halong_format" in path.read_text(encoding="utf-8")
    ]

    assert offending == []
