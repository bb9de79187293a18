"""All tables of Leefwereld; importing this package registers every model with the metadata."""
from models.geography import District, Municipality, Neighbourhood, PostcodeArea
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
    "District",
    "InstrumentVersion",
    "Municipality",
    "Neighbourhood",
    "PostcodeArea",
    "Response",
    "ResponseMode",
    "ResponseStatus",
    "SubmissionKey",
    "Wave",
    "WaveInstrument",
]
