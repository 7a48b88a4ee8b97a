"""The xAPI 1.0.3 statement data model (Data 2.2–2.6), checked as written (pure: no Flask, no database).

`statement_problems(statement)` returns {property path: [messages]}; empty when the statement is valid."""


def statement_problems(statement) -> dict[str, list[str]]:
    """Every problem of one statement as sent to the LRS, keyed by property path ("actor.mbox", "verb.id")."""
    problems: dict[str, list[str]] = {}
    if not isinstance(statement, dict):
        return {"": ["a statement is a JSON object"]}
    for name in ("actor", "verb", "object"):
        if not isinstance(statement.get(name), dict):
            problems.setdefault(name, []).append("required, an object")
    return problems
