"""The default reporting lines of Hạ Long (data, editable in the admin)."""

from __future__ import annotations

import datetime

from communes.models import AdministrativeUnit, UnitKind

from .models import ReportingLine

#: From this day there is no district level (NQ 1679/NQ-UBTVQH15).
REFORM_2025 = datetime.date(2025, 7, 1)


def ensure_reporting_lines() -> int:
    """Create Hạ Long's two reporting lines unless any line exists; return how many were made.

    Until 30/6/2025 the city committee received its wards' results. From
    1/7/2025 its successor is not confirmed by a primary text; the committee
    of the former city keeps receiving them, marked unconfirmed, until an
    administrator sets the right unit.
    """
    if ReportingLine.objects.exists():
        return 0
    city = AdministrativeUnit.objects.filter(kind=UnitKind.CITY, code="193").first()
    if city is None:
        return 0
    ReportingLine.objects.bulk_create(
        [
            ReportingLine(
                upper=city,
                valid_to=REFORM_2025,
                legal_basis="QĐ 24/2021/QĐ-TTg (báo cáo cấp huyện)",
                confirmed=False,
            ),
            ReportingLine(
                upper=city,
                valid_from=REFORM_2025,
                legal_basis="Chưa xác nhận: cấp nhận báo cáo sau NQ 1679/NQ-UBTVQH15",
                confirmed=False,
            ),
        ]
    )
    return 2
