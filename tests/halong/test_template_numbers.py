"""Ids in templates are never localised: Vietnamese formats print 1555 as "1.555".

``{{ member.pk }}`` in an ``id``, a form value or a query string silently
breaks once ids pass 999 (htmx targets, bulk selections, links), which
SQLite test databases rarely reach; PostgreSQL and real data do.
"""

import re
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from tests.factories import HouseholdFactory, MemberFactory

TEMPLATES = Path(settings.BASE_DIR) / "templates"
#: A bare id-like variable: ``{{ x.pk }}``, ``{{ x.id }}``, ``{{ x.unit_id }}``, ``{{ x_pk }}``.
BARE_ID = re.compile(r"\{\{\s*[\w.]*(?:\.pk|\.id|_pk|(?<!citizen)(?<!auto)_id)\s*\}\}")


def test_no_template_prints_a_bare_id():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if BARE_ID.search(line)
    ]
    assert not offenders, "use |unlocalize (load l10n) for ids:\n" + "\n".join(offenders)


def test_citizen_id_cell_targets_a_valid_element_id_past_999(units):
    from tests.conftest import unit

    household = HouseholdFactory(unit=unit("6688"))
    member = MemberFactory(household=household, pk=12345)
    with translation.override("vi"):
        html = render_to_string(
            "households/includes/_citizen_id_cell.html", {"member": member, "can_reveal": True}
        )
    assert 'id="cccd-12345"' in html
    assert "12.345" not in html
