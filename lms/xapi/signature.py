"""Signed statements (xAPI 1.0.3, Data 2.6): the JWS attachment checked against the statement (pure)."""


def signature_problems(statement: dict, jws: bytes) -> list[str]:
    """What is wrong with a signed statement's JWS (empty when it is well formed, verifies with the key in its
    header where one is given, and its payload matches the statement); see the spec's LRS requirements."""
    raise NotImplementedError
