"""Password hashing (Argon2) and the rules for new passwords, after NIST SP 800-63B: length, not a known password."""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 128  # long passphrases are welcome; a limit keeps hashing cheap to call
COMMON_PASSWORDS = Path(__file__).parent / "common_passwords.txt"

# argon2-cffi's default parameters: RFC 9106's second recommendation (argon2id, 3 passes over 64 MiB, 4 lanes),
# about 0.2 s of CPU per hash. The test suite swaps in the cheapest parameters (tests/conftest.py).
hasher = PasswordHasher()


def _normalise(password: str) -> str:
    # NIST: normalise Unicode, so the same passphrase typed on another device still matches
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return hasher.hash(_normalise(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, _normalise(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher.check_needs_rehash(password_hash)


@cache
def dummy_hash() -> str:
    """A hash to verify against when an e-mail address is unknown, so a login takes as long either way; made at the
    first such login rather than when the module is imported (every process would pay for one hash)."""
    return hasher.hash("not-a-real-password-just-for-timing")


@cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def password_problems(password: str, email: str = "") -> list[str]:
    """Why a new password is refused (translated), or an empty list. No composition rules, as NIST advises."""
    password = _normalise(password)
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(
            str(_l("Use at least %(min)s characters. A sentence of a few words is easy to remember.", min=MIN_LENGTH))
        )
    if len(password) > MAX_LENGTH:
        problems.append(str(_l("Use at most %(max)s characters.", max=MAX_LENGTH)))
    folded = password.casefold()
    local_part = email.split("@", 1)[0].casefold()
    if folded in _common_passwords() or (len(set(folded)) <= 2 and password):
        problems.append(str(_l("This password is too well known. Choose another one.")))
    elif local_part and len(local_part) >= 4 and local_part in folded:
        problems.append(str(_l("Do not use your e-mail address in your password.")))
    return problems
