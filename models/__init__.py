"""All tables of Leefwereld; importing this package registers every model with the metadata."""
from models.accounts import AuditEvent, Role, Team, User
from models.geography import District, Municipality, Neighbourhood, PostcodeArea
from models.interviews import Interview
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
    "Answer",
    "AuditEvent",
    "District",
    "InstrumentVersion",
    "Interview",
    "Municipality",
    "Neighbourhood",
    "PostcodeArea",
    "Response",
    "ResponseMode",
    "ResponseStatus",
    "Role",
    "SubmissionKey",
    "Team",
    "User",
    "Wave",
    "WaveInstrument",
]
