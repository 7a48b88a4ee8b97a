"""Statement requests with attachments (xAPI 1.0.3, Communication 1.5.2): `multipart/mixed` bodies (pure)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    content_type: str
    sha2: str | None  # X-Experience-API-Hash
    headers: dict[str, str]
    data: bytes


def parse_mixed(content_type: str, body: bytes) -> tuple[bytes, list[Part]]:
    """The first part (the statements' JSON) and the attachment parts of a `multipart/mixed` body; raises
    ValueError with a message for a body that breaks the spec's rules."""
    raise NotImplementedError
