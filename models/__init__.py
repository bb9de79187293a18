"""All tables of Leefwereld; importing this package registers every model with the metadata."""

from models.accounts import AuditEvent, Role, StaffSession, Team, User
from models.analysis import (
    AnalysisRun,
    NamedTheme,
    ProfileSnapshot,
    Quote,
    QuoteStatus,
    RunStatus,
    Theme,
    ThemeCount,
    ThemeReview,
)
from models.codebook import Codebook, CodebookCode, CodedAnswer, CodeLabel
from models.geography import District, Municipality, Neighbourhood, PostcodeArea
from models.imports import ImportJob, ImportStatus
from models.interviews import Interview
from models.jobs import Job, JobKind, JobStatus
from models.outcomes import Direction, Indicator, IndicatorKind, Outcome, Target
from models.outputs import OutputFigure, OutputMeasure, OutputUnit
from models.survey import (
    Answer,
    InstrumentVersion,
    Response,
    ResponseMode,
    ResponseStatus,
    SubmissionKey,
    Wave,
    WaveInstrument,
)

__all__ = [
    "AnalysisRun",
    "Answer",
    "AuditEvent",
    "CodeLabel",
    "Codebook",
    "CodebookCode",
    "CodedAnswer",
    "Direction",
    "District",
    "ImportJob",
    "ImportStatus",
    "Indicator",
    "IndicatorKind",
    "InstrumentVersion",
    "Interview",
    "Job",
    "JobKind",
    "JobStatus",
    "Municipality",
    "NamedTheme",
    "Neighbourhood",
    "Outcome",
    "OutputFigure",
    "OutputMeasure",
    "OutputUnit",
    "PostcodeArea",
    "ProfileSnapshot",
    "Quote",
    "QuoteStatus",
    "Response",
    "ResponseMode",
    "ResponseStatus",
    "Role",
    "RunStatus",
    "StaffSession",
    "SubmissionKey",
    "Target",
    "Team",
    "Theme",
    "ThemeCount",
    "ThemeReview",
    "User",
    "Wave",
    "WaveInstrument",
]
