"""What a new password must be (ASVS 5.0 §6.2): long enough, bounded, not common, not the e-mail address."""

from functools import cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
# long passphrases are welcome; the bound keeps argon2's input (and this check) cheap
MAX_LENGTH = 128
# zxcvbn's cost grows faster than the length: it judges the first characters only (about 20 ms at most)
ESTIMATED_PREFIX = 40
# zxcvbn's score 0-1: under a million guesses (repeats, sequences, keyboard walks, dictionary words)
MIN_SCORE = 2

TOO_SHORT = f"must be at least {MIN_LENGTH} characters long"
TOO_LONG = f"must be at most {MAX_LENGTH} characters long"
IS_EMAIL = "must not be the e-mail address or its part before the @"
COMMON = "is one of the most commonly used passwords"
GUESSABLE = "is too easy to guess"


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords that zxcvbn ships (from leaked password lists)."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def _personal_words(email: str | None) -> list[str]:
    if not email:
        return []
    email = email.strip().casefold()
    local = email.split("@", 1)[0]
    return [email, local] if local and local != email else [email]


def password_problems(password: str, email: str | None = None) -> list[str]:
    """The rules a new password breaks, as messages for the client; empty when it is acceptable.

    Any characters are allowed (spaces and Unicode too) and there are no composition rules.
    """
    if len(password) < MIN_LENGTH:
        return [TOO_SHORT]
    if len(password) > MAX_LENGTH:
        return [TOO_LONG]
    folded = password.strip().casefold()
    personal = _personal_words(email)
    if folded in personal:
        return [IS_EMAIL]
    if folded in _common_passwords():
        return [COMMON]
    estimate = zxcvbn(password[:ESTIMATED_PREFIX], user_inputs=personal, max_length=ESTIMATED_PREFIX)
    if estimate["score"] < MIN_SCORE:
        warning = estimate["feedback"]["warning"]
        return [f"{GUESSABLE}: {warning}" if warning else f"{GUESSABLE}."]
    return []


def check_new_password(password: str, email: str | None) -> None:
    """Refuse a password that breaks the policy (422), for callers that bypass the request schemas (the CLI)."""
    from lms.errors import Invalid

    problems = password_problems(password, email)
    if problems:
        raise Invalid("The password does not meet the password policy.", errors={"json": {"password": problems}})
