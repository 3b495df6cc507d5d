"""Villages are listed as people count them: Tổ dân phố 1, 2, … 10, 11 (issue 23)."""

import pytest

from communes.forms import NaturalOrderChoiceField
from communes.models import AdministrativeUnit
from communes.text import natural_key
from tests.conftest import unit


def test_numbers_sort_by_value_and_accents_do_not_reorder():
    names = ["Tổ dân phố 10", "Tổ dân phố 2", "Tổ dân phố 1", "Thôn Đồng", "Thôn Dộc", "Tổ 11"]

    assert sorted(names, key=natural_key) == [
        "Thôn Dộc",
        "Thôn Đồng",
        "Tổ 11",
        "Tổ dân phố 1",
        "Tổ dân phố 2",
        "Tổ dân phố 10",
    ]


@pytest.mark.django_db
def test_a_village_choice_lists_villages_in_natural_order(units):
    ward = unit("6688")
    for n in (10, 2, 11, 1):
        AdministrativeUnit.objects.create(
            code=f"{ward.code}.{n:02d}x",
            name=f"Tổ dân phố {n}",
            kind="village",
            area=ward.area,
            parent=ward,
            valid_from=ward.valid_from,
            is_local_code=True,
        )
    field = NaturalOrderChoiceField(
        queryset=AdministrativeUnit.objects.villages().filter(parent=ward).order_by("name"),
        required=False,
    )

    labels = [label for value, label in field.choices if value]
    assert labels == ["Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 10", "Tổ dân phố 11"]
