"""argon2id password hashing with the configured cost."""

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hashers: dict[tuple[int, int], PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    key = (current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_COST"])
    if key not in _hashers:
        _hashers[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1], parallelism=1, type=Type.ID)
    return _hashers[key]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when it matches; with no hash, spends the same time so unknown e-mails are not revealed."""
    hasher = _hasher()
    if password_hash is None:
        _verify(hasher, _dummy_hash(hasher), password)
        return False
    return _verify(hasher, password_hash, password)


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_dummy: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    if id(hasher) not in _dummy:
        _dummy[id(hasher)] = hasher.hash("not-a-password")
    return _dummy[id(hasher)]
