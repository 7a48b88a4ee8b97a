"""Extension points that higher domains fill for lower ones, declared once by the app factory."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from flask import current_app

EXTENSION_KEY = "lms.hooks"


@dataclass(frozen=True)
class DomainHooks:
    """What lower domains ask of higher ones, so that they need not import them.

    - `supervisor_scopes`: function(actor) -> a select of enrolment ids a supervisor may see (any of them).
    - `export_sections`: name -> function(learner) -> plain dicts held about that learner (their export).
    - `erasure_steps`: function(learner, personal values) -> files to delete once the erasure commits; run
      again when an erasure is repeated, so each is idempotent.
    - `statement_checks`: function(principal, statements) run by the LRS intake on valid statements before
      any is stored; raises (Invalid, Forbidden) to refuse the whole request (cmi5's statement rules).
    - `content_checks`: function(programme folder, folder name, its cmi5 modules) -> problems, run by the
      content loader on a programme with a cmi5.xml (the cmi5 course structure XSD and the modules' AUs).
    """

    supervisor_scopes: tuple[Callable[[Any], Any], ...] = ()
    export_sections: Mapping[str, Callable[[Any], list[dict]]] = field(default_factory=dict)
    erasure_steps: tuple[Callable[[Any, frozenset[str]], list], ...] = ()
    statement_checks: tuple[Callable[[Any, list[dict]], None], ...] = ()
    content_checks: tuple[Callable[[Any, str, list], list], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "export_sections", MappingProxyType(dict(self.export_sections)))


def domain_hooks() -> DomainHooks:
    """The hooks of the current app (set by `create_app`)."""
    return current_app.extensions[EXTENSION_KEY]
