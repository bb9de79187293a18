"""Client codes: the team's own code for a resident, kept only as a keyed hash so follow-ups can find the intake."""

from __future__ import annotations

import hashlib
import hmac
import re

MAX_LENGTH = 40
_ALLOWED = re.compile(r"^[A-Z0-9][A-Z0-9._/-]*$")


def normalise_client_code(code: str) -> str:
    """Teams type codes in many ways (spaces, lower case): 'ab 12-3' and 'AB12-3' are the same client."""
    return "".join(code.split()).upper()


def is_valid_client_code(code: str) -> bool:
    normalised = normalise_client_code(code)
    return 0 < len(normalised) <= MAX_LENGTH and bool(_ALLOWED.match(normalised))


def client_key(team_id: int, code: str, secret: str) -> str:
    """HMAC-SHA256 of the code within one team: the same code in another team is another client."""
    message = f"{team_id}:{normalise_client_code(code)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
