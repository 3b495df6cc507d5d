"""Two clerks enter the same support at the same moment: it lands once.

``support_record`` locks the household row before its duplicate check, so
the second request waits for the first to commit, then finds its twin and
is refused as an exact duplicate. Without the lock both checks run on a
ledger without the other record and both rows land silently.
"""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from plans.models import FundingSource, SupportRecord
from plans.services.support import support_record
from tests.concurrency import joined, start_thread, wait_for_lock_waiter
from tests.conftest import unit
from tests.factories import HouseholdFactory, MemberFactory, poor_since_2015, support_type


def _give(actor, household, member):
    with translation.override("en"):
        return support_record(
            actor=actor,
            household=household,
            member=member,
            support_type=support_type("study_costs"),
            given_on=datetime.date(2025, 10, 1),
            funding_source=FundingSource.NATIONAL_PROGRAMME,
            provider="UBND phường Hạ Long",
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_identical_support_records_at_once_land_once(units, halong_officer, halong_head):
    household = poor_since_2015(HouseholdFactory(unit=unit("6688")))
    pupil = MemberFactory(household=household, birth_year=2012)
    first_saved, release_first = threading.Event(), threading.Event()
    outcome = {}

    def officer_enters():
        with transaction.atomic():
            record = _give(halong_officer, household, pupil)
            first_saved.set()
            release_first.wait(30)  # still uncommitted: the head's request runs meanwhile
        return record

    def head_enters():
        first_saved.wait(30)
        return _give(halong_head, household, pupil)

    workers = (
        start_thread(officer_enters, outcome, "officer"),
        start_thread(head_enters, outcome, "head"),
    )
    first_saved.wait(30)
    wait_for_lock_waiter(outcome)  # the head's entry waits on the household's lock
    release_first.set()
    joined(*workers)

    assert isinstance(outcome["officer"], SupportRecord), outcome["officer"]
    refused = outcome["head"]
    assert isinstance(refused, ValidationError), refused
    assert "already in the ledger" in str(refused.message_dict)
    assert SupportRecord.objects.filter(household=household).count() == 1
    assert SupportRecord.history.filter(household_id=household.pk).count() == 1
