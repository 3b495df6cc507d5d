"""Households, their members, the poverty standards and the yearly review."""

from .events import (
    EventKind,
    HeadChangeReason,
    HouseholdEvent,
    HouseholdTransfer,
    TransferStatus,
)
from .registry import (
    EducationLevel,
    Household,
    Member,
    Relation,
    SchoolLevel,
    Sex,
    WorkStatus,
)
from .review import (
    Assessment,
    AssessmentCause,
    AssessmentStatus,
    Cause,
    ReviewKind,
    ReviewRound,
    SupportNeed,
)
from .standards import Indicator, PovertyStandard, RuleType, StandardLevel
from .status import PovertyStatus

__all__ = [
    "Assessment",
    "AssessmentCause",
    "AssessmentStatus",
    "Cause",
    "EducationLevel",
    "EventKind",
    "HeadChangeReason",
    "HouseholdEvent",
    "HouseholdTransfer",
    "Household",
    "Indicator",
    "Member",
    "PovertyStandard",
    "PovertyStatus",
    "Relation",
    "ReviewKind",
    "ReviewRound",
    "RuleType",
    "SchoolLevel",
    "Sex",
    "StandardLevel",
    "SupportNeed",
    "TransferStatus",
    "WorkStatus",
]

# Village meetings and submissions upward (separate modules, separate owners).
from .meetings import VillageMeeting  # noqa: E402
from .submissions import ReportingLine, ResultSubmission, SubmissionStatus  # noqa: E402

__all__ += ["ReportingLine", "ResultSubmission", "SubmissionStatus", "VillageMeeting"]

from .complaints import Complaint, ComplaintChannel, ComplaintOutcome  # noqa: E402

__all__ += ["Complaint", "ComplaintChannel", "ComplaintOutcome"]

# Confirmed imports (the same file is never imported twice).
from .imports import ConfirmedImport  # noqa: E402

__all__ += ["ConfirmedImport"]

# Citizen IDs tried in one ward while another holds them (resolved by the city).
from .conflicts import CitizenIdConflict, ConflictSource  # noqa: E402

__all__ += ["CitizenIdConflict", "ConflictSource"]

# The decided year of each household (read model) and the standard that makes the lists.
from .years import HouseholdYear, ListMakingStandard  # noqa: E402

__all__ += ["HouseholdYear", "ListMakingStandard"]
