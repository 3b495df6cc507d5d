"""The benchmarks' register generator writes every column the models require.

A NOT NULL column added to a model without a database default breaks
``bench/generate.py`` (it writes rows with raw bulk statements); this test
runs it at a tiny size so that shows in the suite, not at the next bench.
"""

import argparse

import pytest
from django.core.management import call_command

from bench import generate
from communes.models import AdministrativeUnit, UnitKind
from halong.reports import annual_report
from households.models import Assessment, Household, ReviewRound
from plans.models import SupportRecord


@pytest.mark.django_db
def test_generator_writes_a_register_the_report_reads():
    call_command("load_units", verbosity=0)
    options = argparse.Namespace(households=120, support=200, seed=3, reset=False, i_know=False)

    generate.generate(options)

    assert Household.objects.count() == 120
    years = range(generate.FIRST_YEAR, generate.LAST_YEAR + 1)
    assert Assessment.objects.count() == 120 * len(years)
    assert SupportRecord.objects.count() == 200
    assert ReviewRound.objects.filter(standard_reason="").count() == ReviewRound.objects.count()
    province = AdministrativeUnit.objects.get(kind=UnitKind.PROVINCE)
    report = annual_report(year=2025, root=province)
    # Every generated household is assessed and recognised each year: the
    # province's end lists are those households' 2025 statuses.
    for status, block in (("poor", report.total.poor), ("near_poor", report.total.near_poor)):
        assert block.end == Assessment.objects.filter(year=2025, recorded_status=status).count()
